// Package tenant holds the simulator's merchants: their credentials for each
// provider, merchant codes and settings. Every merchant is isolated: its own
// keys, its own clock, its own payments.
package tenant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/ids"
	"github.com/tabbysim/tabbysim/simulator/store"
)

const (
	kindMerchant = "merchant"
	// kindCredential maps one credential to its merchant. Its id is the
	// credential itself, so a lookup is a read by the store's primary key
	// and a credential cannot be given to two merchants.
	kindCredential = "merchant.credential"
)

// Merchant is one tenant of the simulator.
type Merchant struct {
	ID        string             `json:"id"`
	Name      string             `json:"name"`
	CreatedAt time.Time          `json:"created_at"`
	Tabby     TabbyKeys          `json:"tabby"`
	Onerway   OnerwayCredentials `json:"onerway"`
	Settings  Settings           `json:"settings"`
}

// CopyValue implements store.Value: the memory store keeps merchants
// decoded, so that a request finds its merchant without decoding it.
func (m *Merchant) CopyValue() store.Value {
	c := *m
	c.Tabby.MerchantCodes = maps.Clone(m.Tabby.MerchantCodes)
	c.Settings.Tabby.Limits = maps.Clone(m.Settings.Tabby.Limits)
	c.Settings.Onerway.Limits = maps.Clone(m.Settings.Onerway.Limits)
	c.Settings.Onerway.SettlementRate = maps.Clone(m.Settings.Onerway.SettlementRate)
	return &c
}

// TabbyKeys are a merchant's Tabby credentials.
type TabbyKeys struct {
	SecretKey string `json:"secret_key"`
	PublicKey string `json:"public_key"`
	// MerchantCodes maps each merchant code to the one currency it accepts.
	MerchantCodes map[string]string `json:"merchant_codes"`
}

// OnerwayCredentials are a merchant's Onerway credentials
// (onerway-api.md §1, §2): its merchant number, the secret key that signs
// requests and webhooks, and the id of its store (appId).
type OnerwayCredentials struct {
	MerchantNo string `json:"merchant_no"`
	SecretKey  string `json:"secret_key"`
	AppID      string `json:"app_id"`
}

// NewOnerwayCredentials draws a new merchant's Onerway credentials from
// src. A merchantNo of 12 digits never meets the default merchant's 6.
func NewOnerwayCredentials(src *ids.Source) OnerwayCredentials {
	return OnerwayCredentials{MerchantNo: src.Digits(12), SecretKey: src.Hex(16), AppID: src.Digits(10)}
}

// DefaultMerchantCodes are the codes every new merchant gets unless it
// names its own.
func DefaultMerchantCodes() map[string]string {
	return map[string]string{"ae": "AED", "sa": "SAR", "kw": "KWD"}
}

// Currency returns the currency of a merchant code.
func (m *Merchant) Currency(code string) (string, bool) {
	c, ok := m.Tabby.MerchantCodes[code]
	return c, ok
}

// Credential names a credential a merchant is found by.
type Credential string

// The credentials a merchant is found by; each belongs to one merchant.
const (
	TabbySecretKey    Credential = "tabby.secret_key"
	TabbyPublicKey    Credential = "tabby.public_key"
	OnerwayMerchantNo Credential = "onerway.merchant_no"
)

// TabbyKey tells which Tabby key a bearer key claims to be by its prefix
// (public keys start with pk_, secret keys with sk_).
func TabbyKey(key string) Credential {
	if strings.HasPrefix(key, "pk_") {
		return TabbyPublicKey
	}
	return TabbySecretKey
}

// credentials are the merchant's credentials it is found by.
func (m *Merchant) credentials() map[Credential]string {
	return map[Credential]string{
		TabbySecretKey: m.Tabby.SecretKey, TabbyPublicKey: m.Tabby.PublicKey, OnerwayMerchantNo: m.Onerway.MerchantNo,
	}
}

func credentialID(c Credential, value string) string { return string(c) + ":" + value }

// fileCredential stores the document that finds m by its credential c. It
// reports false when that document is stored already for m, and ErrInvalid
// when another merchant has the credential.
func fileCredential(tx store.Tx, m *Merchant, c Credential) (bool, error) {
	d := store.Doc{Kind: kindCredential, ID: credentialID(c, m.credentials()[c]), Merchant: m.ID, Created: m.CreatedAt}
	owner := store.Ref(m.ID)
	err := store.CreateJSON(tx, d, &owner)
	if !errors.Is(err, store.ErrExists) {
		return err == nil, err
	}
	var stored store.Ref
	if _, err := store.GetJSON(tx, kindCredential, d.ID, &stored); err != nil {
		return false, err
	}
	if string(stored) != m.ID {
		return false, fmt.Errorf("%w: a merchant already uses that %s", ErrInvalid, c)
	}
	return false, nil
}

// Errors returned by the registry, wrapped with what went wrong.
var (
	ErrNotFound = apperr.Errorf(apperr.NotFound, "no such merchant")
	ErrInvalid  = apperr.Errorf(apperr.Invalid, "invalid merchant")
)

// Registry stores merchants.
type Registry struct {
	Store store.Store
	// found keeps the merchants ByCredential found, by credential id, while
	// the store's versions of merchants and credentials are those they
	// were read at: a request finds its merchant without reading and
	// decoding two documents, and sees any change to a merchant or a
	// credential, and a reset, once its Update has returned. Any change
	// starts an empty set, so only merchants found since are kept.
	found atomic.Pointer[foundSet]
}

// foundSet is the merchants found at one pair of versions.
type foundSet struct {
	versions  [2]uint64
	merchants sync.Map // credential id -> *Merchant
}

// versions are the versions of the kinds ByCredential reads.
func (r *Registry) versions() [2]uint64 {
	return [2]uint64{r.Store.Version(kindCredential), r.Store.Version(kindMerchant)}
}

// foundAt is the set of merchants found at versions, made when the kept
// one is older; nil when the kept one is newer (a change since versions
// were read), which must not be filled with what was read before it.
func (r *Registry) foundAt(versions [2]uint64) *foundSet {
	for {
		set := r.found.Load()
		if set != nil && set.versions == versions {
			return set
		}
		if set != nil && (set.versions[0] > versions[0] || set.versions[1] > versions[1]) {
			return nil
		}
		r.found.CompareAndSwap(set, &foundSet{versions: versions})
	}
}

func doc(m *Merchant) store.Doc {
	return store.Doc{Kind: kindMerchant, ID: m.ID, Merchant: m.ID, Created: m.CreatedAt}
}

// Create stores a new merchant; its id and its credentials must be unique.
func (r *Registry) Create(ctx context.Context, m *Merchant) error {
	if err := m.Validate(); err != nil {
		return err
	}
	return r.Store.Update(ctx, func(tx store.Tx) error {
		for _, c := range slices.Sorted(maps.Keys(m.credentials())) {
			if _, err := fileCredential(tx, m, c); err != nil {
				return err
			}
		}
		err := store.CreateJSON(tx, doc(m), m)
		if errors.Is(err, store.ErrExists) {
			return fmt.Errorf("%w: merchant %q exists", ErrInvalid, m.ID)
		}
		return err
	})
}

// Get returns the merchant with id.
func (r *Registry) Get(ctx context.Context, id string) (*Merchant, error) {
	var m Merchant
	err := r.Store.View(ctx, func(tx store.Tx) error {
		_, err := store.GetJSON(tx, kindMerchant, id, &m)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// Exists reports, inside a transaction, whether merchant id is stored.
func Exists(tx store.Tx, id string) bool {
	ok, err := tx.Exists(kindMerchant, id)
	return ok && err == nil
}

// Now is merchant id's time on its own clock. A merchant without a clock is
// one a reset removed while a request for it was on its way: ErrNotFound,
// as for any merchant that is not there.
func Now(clocks *clock.Scheduler, id string) (time.Time, error) {
	c, err := clocks.Clock(id)
	if errors.Is(err, clock.ErrUnknownClock) {
		return time.Time{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return time.Time{}, err
	}
	return c.Now(), nil
}

// ByCredential finds the merchant whose credential c is value: a Tabby
// key, an Onerway merchantNo. It returns ErrNotFound when none is.
func (r *Registry) ByCredential(ctx context.Context, c Credential, value string) (*Merchant, error) {
	if value == "" {
		return nil, ErrNotFound
	}
	cid := credentialID(c, value)
	// Read before the documents, so that what they give is at least as new.
	versions := r.versions()
	if set := r.found.Load(); set != nil && set.versions == versions {
		if m, ok := set.merchants.Load(cid); ok {
			return m.(*Merchant).CopyValue().(*Merchant), nil
		}
	}
	var m Merchant
	err := r.Store.View(ctx, func(tx store.Tx) error {
		var id store.Ref
		_, err := store.GetJSON(tx, kindCredential, cid, &id)
		if err != nil {
			return err
		}
		_, err = store.GetJSON(tx, kindMerchant, string(id), &m)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if set := r.foundAt(versions); set != nil {
		set.merchants.Store(cid, m.CopyValue())
	}
	return &m, nil
}

// List returns every merchant, newest first.
func (r *Registry) List(ctx context.Context) ([]*Merchant, error) {
	var out []*Merchant
	err := r.Store.View(ctx, func(tx store.Tx) error {
		var err error
		out, _, err = store.ListJSON[Merchant](tx, kindMerchant, store.Query{})
		return err
	})
	return out, err
}

// UpdateSettings applies patch, a JSON object of settings fields, to the
// merchant's settings and returns the merchant as stored.
func (r *Registry) UpdateSettings(ctx context.Context, id string, patch json.RawMessage) (*Merchant, error) {
	m := new(Merchant)
	err := r.Store.Update(ctx, func(tx store.Tx) error {
		_, err := store.GetJSON(tx, kindMerchant, id, m)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		next := m.Settings
		if err := ApplyPatch(patch, &next); err != nil {
			return err
		}
		if err := next.Validate(); err != nil {
			return err
		}
		m.Settings = next
		return store.PutJSON(tx, doc(m), m)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// UnmarshalJSON reads a stored merchant. A setting the merchant was stored
// without, by a version that did not have it, takes its default.
func (m *Merchant) UnmarshalJSON(data []byte) error {
	type plain Merchant // without this method
	p := plain{Settings: DefaultSettings()}
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	*m = Merchant(p)
	return nil
}

var (
	validID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
	// onerwayNumber is a merchantNo or appId: digits, at most 20 as
	// Onerway's requests allow (onerway-api.md §4.1, §4.2).
	onerwayNumber = regexp.MustCompile(`^[0-9]{1,20}$`)
)

// Validate checks that a merchant can be stored.
func (m *Merchant) Validate() error {
	switch {
	case !validID.MatchString(m.ID):
		return fmt.Errorf("%w: id must be 1 to 64 letters, digits, '_' or '-', got %q", ErrInvalid, m.ID)
	case !strings.HasPrefix(m.Tabby.SecretKey, "sk_"):
		return fmt.Errorf("%w: tabby.secret_key must start with sk_", ErrInvalid)
	case !strings.HasPrefix(m.Tabby.PublicKey, "pk_"):
		return fmt.Errorf("%w: tabby.public_key must start with pk_", ErrInvalid)
	case len(m.Tabby.MerchantCodes) == 0:
		return fmt.Errorf("%w: tabby.merchant_codes must name at least one code", ErrInvalid)
	case !onerwayNumber.MatchString(m.Onerway.MerchantNo):
		return fmt.Errorf("%w: onerway.merchant_no must be 1 to 20 digits, got %q", ErrInvalid, m.Onerway.MerchantNo)
	case m.Onerway.SecretKey == "":
		return fmt.Errorf("%w: onerway.secret_key must not be empty", ErrInvalid)
	case !onerwayNumber.MatchString(m.Onerway.AppID):
		return fmt.Errorf("%w: onerway.app_id must be 1 to 20 digits, got %q", ErrInvalid, m.Onerway.AppID)
	}
	for code, cur := range m.Tabby.MerchantCodes {
		if _, ok := money.Exponent(cur); !ok || code == "" {
			return fmt.Errorf("%w: merchant code %q: currency must be one of %s, got %q", ErrInvalid, code, strings.Join(money.Currencies(), ", "), cur)
		}
	}
	return m.Settings.Validate()
}

// ApplyPatch decodes a settings patch field by field, the groups (tabby,
// onerway, webhooks) too, so that an error names the field it is about and a
// group keeps the fields the patch leaves out.
func ApplyPatch(patch json.RawMessage, s *Settings) error {
	groups := map[string]any{"tabby": &s.Tabby, "onerway": &s.Onerway, "webhooks": &s.Webhooks}
	return applyFields("settings", patch, s, groups)
}

// applyFields decodes the fields of the JSON object patch one by one into v;
// a field named in groups is patched field by field in turn.
func applyFields(path string, patch json.RawMessage, v any, groups map[string]any) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(patch, &fields); err != nil {
		return fmt.Errorf("%w: %s must be a JSON object: %v", ErrInvalid, path, err)
	}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		field, value := path+"."+name, fields[name]
		if string(value) == "null" {
			return fmt.Errorf("%w: %s: null is not a setting; send the value you want", ErrInvalid, field)
		}
		if group, ok := groups[name]; ok {
			if err := applyFields(field, value, group, nil); err != nil {
				return err
			}
			continue
		}
		one, _ := json.Marshal(map[string]json.RawMessage{name: value})
		if err := decodeStrict(one, v); err != nil {
			return fmt.Errorf("%w: %s: %v", ErrInvalid, field, err)
		}
	}
	return nil
}

func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
