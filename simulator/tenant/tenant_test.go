package tenant_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/store/sqlite"
	"github.com/tabbysim/tabbysim/simulator/store/storetest"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// stores returns a fresh store of each kind.
func stores(t testing.TB) map[string]store.Store {
	t.Helper()
	sq, err := sqlite.Open(filepath.Join(t.TempDir(), "tenant.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sq.Close() })
	return map[string]store.Store{"memory": store.NewMemory(), "sqlite": sq}
}

func merchant(n int) *tenant.Merchant {
	return &tenant.Merchant{
		ID: fmt.Sprintf("m%d", n), CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Tabby: tenant.TabbyKeys{SecretKey: fmt.Sprintf("sk_test_%d", n), PublicKey: fmt.Sprintf("pk_test_%d", n),
			MerchantCodes: tenant.DefaultMerchantCodes()},
		Onerway:  tenant.OnerwayCredentials{MerchantNo: fmt.Sprintf("80%04d", n), SecretKey: "00ff", AppID: "1"},
		Settings: tenant.DefaultSettings(),
	}
}

func TestRegistry_ByCredential(t *testing.T) {
	ctx := context.Background()
	for name, st := range stores(t) {
		t.Run(name, func(t *testing.T) {
			reg := &tenant.Registry{Store: st}
			for n := 1; n <= 3; n++ {
				if err := reg.Create(ctx, merchant(n)); err != nil {
					t.Fatal(err)
				}
			}
			two := merchant(2)
			for _, tc := range []struct {
				cred  tenant.Credential
				value string
			}{
				{tenant.TabbySecretKey, two.Tabby.SecretKey},
				{tenant.TabbyPublicKey, two.Tabby.PublicKey},
				{tenant.OnerwayMerchantNo, two.Onerway.MerchantNo},
			} {
				m, err := reg.ByCredential(ctx, tc.cred, tc.value)
				if err != nil || m.ID != two.ID || m.Onerway != two.Onerway || m.Tabby.SecretKey != two.Tabby.SecretKey {
					t.Errorf("ByCredential(%s, %q) = %+v, %v; want merchant %s", tc.cred, tc.value, m, err, two.ID)
				}
			}
			for _, tc := range []struct {
				cred  tenant.Credential
				value string
			}{
				{tenant.TabbySecretKey, "sk_test_9"},
				{tenant.TabbySecretKey, ""},
				// A credential is only found as what it is.
				{tenant.TabbySecretKey, two.Tabby.PublicKey},
				{tenant.TabbyPublicKey, two.Tabby.SecretKey},
				{tenant.TabbySecretKey, two.Onerway.MerchantNo},
				{tenant.OnerwayMerchantNo, two.Onerway.SecretKey},
			} {
				if m, err := reg.ByCredential(ctx, tc.cred, tc.value); !errors.Is(err, tenant.ErrNotFound) {
					t.Errorf("ByCredential(%s, %q) = %+v, %v; want ErrNotFound", tc.cred, tc.value, m, err)
				}
			}
		})
	}
}

// TestRegistry_ByCredentialSeesChanges: the merchant a credential finds,
// found before, is found as changed by a settings patch, a reset, a new
// merchant with the keys, and a write of the merchant made around the
// registry, each as soon as it has returned.
func TestRegistry_ByCredentialSeesChanges(t *testing.T) {
	ctx := context.Background()
	for name, st := range stores(t) {
		t.Run(name, func(t *testing.T) {
			reg := &tenant.Registry{Store: st}
			one := merchant(1)
			if err := reg.Create(ctx, one); err != nil {
				t.Fatal(err)
			}
			find := func() *tenant.Merchant {
				t.Helper()
				m, err := reg.ByCredential(ctx, tenant.TabbySecretKey, one.Tabby.SecretKey)
				if errors.Is(err, tenant.ErrNotFound) {
					return nil
				}
				if err != nil {
					t.Fatal(err)
				}
				return m
			}
			if m := find(); m == nil || m.Settings.Strict {
				t.Fatalf("found %+v, want m1 not strict", m)
			}
			// What a caller does to the merchant it was given stays its own.
			find().Settings.Strict = true
			if find().Settings.Strict {
				t.Error("a change to a found merchant is found")
			}
			if _, err := reg.UpdateSettings(ctx, one.ID, []byte(`{"strict": true}`)); err != nil {
				t.Fatal(err)
			}
			if m := find(); !m.Settings.Strict {
				t.Error("after the patch: not strict")
			}
			// Written around the registry, as an upgrade of the file would.
			err := st.Update(ctx, func(tx store.Tx) error {
				m := merchant(1)
				m.Name = "renamed"
				return store.PutJSON(tx, store.Doc{Kind: "merchant", ID: m.ID, Merchant: m.ID, Created: m.CreatedAt}, m)
			})
			if err != nil {
				t.Fatal(err)
			}
			if m := find(); m.Name != "renamed" {
				t.Errorf("after a write: name %q, want renamed", m.Name)
			}
			if err := st.Reset(ctx); err != nil {
				t.Fatal(err)
			}
			if m := find(); m != nil {
				t.Errorf("after a reset: found %+v", m)
			}
			// The same keys, now another merchant's.
			other := merchant(1)
			other.ID = "other"
			if err := reg.Create(ctx, other); err != nil {
				t.Fatal(err)
			}
			if m := find(); m == nil || m.ID != "other" {
				t.Errorf("after the keys were given to another: found %+v", m)
			}
		})
	}
}

// TestRegistry_CreateRefusesTakenCredentials: a merchant whose credential
// another merchant holds is refused whole; none of its other credentials
// find anything afterwards.
func TestRegistry_CreateRefusesTakenCredentials(t *testing.T) {
	ctx := context.Background()
	for name, st := range stores(t) {
		t.Run(name, func(t *testing.T) {
			reg := &tenant.Registry{Store: st}
			if err := reg.Create(ctx, merchant(1)); err != nil {
				t.Fatal(err)
			}
			for field, change := range map[string]func(m *tenant.Merchant){
				"tabby.secret_key":    func(m *tenant.Merchant) { m.Tabby.SecretKey = merchant(1).Tabby.SecretKey },
				"tabby.public_key":    func(m *tenant.Merchant) { m.Tabby.PublicKey = merchant(1).Tabby.PublicKey },
				"onerway.merchant_no": func(m *tenant.Merchant) { m.Onerway.MerchantNo = merchant(1).Onerway.MerchantNo },
			} {
				m := merchant(2)
				change(m)
				err := reg.Create(ctx, m)
				if !errors.Is(err, tenant.ErrInvalid) || !strings.Contains(err.Error(), field) {
					t.Errorf("%s taken: Create = %v, want ErrInvalid naming it", field, err)
				}
				if _, err := reg.Get(ctx, m.ID); !errors.Is(err, tenant.ErrNotFound) {
					t.Errorf("%s taken: the refused merchant was stored (%v)", field, err)
				}
				for cred, value := range map[tenant.Credential]string{
					tenant.TabbySecretKey: m.Tabby.SecretKey, tenant.TabbyPublicKey: m.Tabby.PublicKey,
					tenant.OnerwayMerchantNo: m.Onerway.MerchantNo,
				} {
					if got, err := reg.ByCredential(ctx, cred, value); err == nil && got.ID != merchant(1).ID {
						t.Errorf("%s taken: %s %q finds the refused merchant", field, cred, value)
					}
				}
			}
			if err := reg.Create(ctx, merchant(2)); err != nil {
				t.Errorf("the same merchant with credentials of its own: %v", err)
			}
		})
	}
}

func TestMerchant_ValidateOnerwayCredentials(t *testing.T) {
	for field, change := range map[string]func(m *tenant.Merchant){
		"onerway.merchant_no": func(m *tenant.Merchant) { m.Onerway.MerchantNo = "80-0001" },
		"onerway.secret_key":  func(m *tenant.Merchant) { m.Onerway.SecretKey = "" },
		"onerway.app_id":      func(m *tenant.Merchant) { m.Onerway.AppID = strings.Repeat("1", 21) },
	} {
		m := merchant(1)
		change(m)
		if err := m.Validate(); !errors.Is(err, tenant.ErrInvalid) || !strings.Contains(err.Error(), field) {
			t.Errorf("Validate() = %v, want ErrInvalid naming %s", err, field)
		}
	}
	if err := merchant(1).Validate(); err != nil {
		t.Errorf("a valid merchant: %v", err)
	}
}

func TestTabbyKey(t *testing.T) {
	for key, want := range map[string]tenant.Credential{
		"sk_test_1": tenant.TabbySecretKey, "pk_test_1": tenant.TabbyPublicKey, "800000": tenant.TabbySecretKey, "": tenant.TabbySecretKey,
	} {
		if got := tenant.TabbyKey(key); got != want {
			t.Errorf("TabbyKey(%q) = %s, want %s", key, got, want)
		}
	}
}

// BenchmarkRegistry_ByCredential finds one merchant among many; the time
// per lookup stays flat as merchants are added.
func BenchmarkRegistry_ByCredential(b *testing.B) {
	ctx := context.Background()
	for name, st := range stores(b) {
		reg := &tenant.Registry{Store: st}
		created := 0
		for _, n := range []int{100, 3000} {
			for ; created < n; created++ {
				if err := reg.Create(ctx, merchant(created)); err != nil {
					b.Fatal(err)
				}
			}
			b.Run(fmt.Sprintf("%s/%d", name, n), func(b *testing.B) {
				no := merchant(n / 2).Onerway.MerchantNo
				for b.Loop() {
					if _, err := reg.ByCredential(ctx, tenant.OnerwayMerchantNo, no); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// The memory store keeps merchants decoded: a copy of one shares nothing
// with it and is what its JSON decodes to.
func TestMerchant_CopyValue(t *testing.T) {
	m := merchant(1)
	m.Name, m.CreatedAt = "Shop", time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	m.Settings.Webhooks = tenant.WebhookSettings{Timeout: tenant.Duration(time.Second), Duplicate: 1, Reorder: true,
		DropRate: 0.5, Delay: tenant.Duration(time.Minute), Forge: "wrong"}
	m.Settings.Tabby.ExpireWebhooks, m.Settings.Strict = true, true
	storetest.CheckValue(t, m)
}
