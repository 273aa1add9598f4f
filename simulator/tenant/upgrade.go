package tenant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/tabbysim/tabbysim/simulator/store"
)

// A data file written before settings were grouped by provider and
// merchants had Onerway credentials holds merchant documents whose settings
// are flat, the Tabby fields beside webhooks and strict:
//
//	{"session_ttl", "expire_after_session", "auto_capture", "auto_capture_after",
//	 "refund_window", "limits", "expire_webhooks", "strict", "webhooks": {...}}
//
// and whose keys were found through index entries on the merchant document
// rather than credential documents. Read as they are, such merchants would
// have zeroed settings and keys that find no one, so Upgrade rewrites them in
// the current shape when the simulator starts.

// flatTabbySettings are the fields of the flat settings that now make the
// tabby group.
var flatTabbySettings = []string{
	"session_ttl", "expire_after_session", "auto_capture", "auto_capture_after",
	"refund_window", "limits", "expire_webhooks",
}

// Upgrade brings every stored merchant to the current shape, one store
// transaction each: flat settings are grouped, keeping every value stored
// (the Onerway group, which they lack, takes its defaults); a merchant
// without Onerway credentials gets onerway(its id); a credential without its
// document gets one. A merchant already in the current shape is left as it
// is, so Upgrade can run at every start; each merchant it changes is logged.
func (r *Registry) Upgrade(ctx context.Context, log *slog.Logger, onerway func(merchant string) OnerwayCredentials) error {
	// Found in one read, so that a start on a file of current merchants
	// writes nothing.
	var stale []string
	err := r.Store.View(ctx, func(tx store.Tx) error {
		docs, _, err := tx.List(kindMerchant, store.Query{})
		if err != nil {
			return err
		}
		for _, d := range docs {
			old, err := outdated(tx, d)
			if err != nil {
				return fmt.Errorf("reading merchant %q: %w", d.ID, err)
			}
			if old {
				stale = append(stale, d.ID)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range stale {
		var changes []string
		err := r.Store.Update(ctx, func(tx store.Tx) error {
			var err error
			changes, err = upgrade(tx, id, onerway)
			return err
		})
		if err != nil {
			return fmt.Errorf("upgrading merchant %q: %w", id, err)
		}
		if len(changes) > 0 {
			log.Info("merchant upgraded from an earlier version's data file", "merchant", id,
				"changes", strings.Join(changes, "; "))
		}
	}
	return nil
}

// outdated reports whether the merchant stored as d has flat settings, no
// Onerway credentials or a credential without its document.
func outdated(tx store.Tx, d store.Doc) (bool, error) {
	if _, flat, err := groupSettings(d.Data); err != nil || flat {
		return flat, err
	}
	var m Merchant
	if err := json.Unmarshal(d.Data, &m); err != nil {
		return false, err
	}
	if m.Onerway == (OnerwayCredentials{}) {
		return true, nil
	}
	for c, value := range m.credentials() {
		_, err := tx.Get(kindCredential, credentialID(c, value))
		if errors.Is(err, store.ErrNotFound) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
	}
	return false, nil
}

// upgrade brings merchant id to the current shape inside tx and says what
// it changed.
func upgrade(tx store.Tx, id string, onerway func(string) OnerwayCredentials) ([]string, error) {
	d, err := tx.Get(kindMerchant, id)
	if err != nil {
		return nil, err
	}
	data, grouped, err := groupSettings(d.Data)
	if err != nil {
		return nil, err
	}
	var m Merchant
	var changes []string
	if grouped {
		// Decoded strictly: a field this version does not know stops the
		// start rather than being dropped.
		if err := decodeStrict(data, &m); err != nil {
			return nil, fmt.Errorf("reading its flat settings: %w", err)
		}
		m.Settings.Onerway = DefaultSettings().Onerway
		changes = append(changes, "settings grouped by provider, onerway limits set to their defaults")
	} else if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	if m.Onerway == (OnerwayCredentials{}) {
		m.Onerway = onerway(m.ID)
		changes = append(changes, "onerway credentials added (merchant_no "+m.Onerway.MerchantNo+")")
	}
	if len(changes) > 0 {
		if err := m.Validate(); err != nil {
			return nil, err
		}
		if err := store.PutJSON(tx, doc(&m), &m); err != nil {
			return nil, err
		}
	}
	var filed []string
	for _, c := range slices.Sorted(maps.Keys(m.credentials())) {
		added, err := fileCredential(tx, &m, c)
		if err != nil {
			return nil, err
		}
		if added {
			filed = append(filed, string(c))
		}
	}
	if len(filed) > 0 {
		changes = append(changes, "found by "+strings.Join(filed, ", "))
	}
	return changes, nil
}

// groupSettings returns the merchant document data with its settings
// grouped, and true, when they are in the flat shape; otherwise data as it
// is, and false.
func groupSettings(data json.RawMessage) (json.RawMessage, bool, error) {
	var merchant map[string]json.RawMessage
	if err := json.Unmarshal(data, &merchant); err != nil {
		return nil, false, err
	}
	var settings map[string]json.RawMessage
	if s, ok := merchant["settings"]; ok {
		if err := json.Unmarshal(s, &settings); err != nil {
			return nil, false, err
		}
	}
	tabby := map[string]json.RawMessage{}
	for _, name := range flatTabbySettings {
		if v, ok := settings[name]; ok {
			tabby[name] = v
			delete(settings, name)
		}
	}
	if len(tabby) == 0 {
		return data, false, nil
	}
	if _, ok := settings["tabby"]; ok {
		return nil, false, errors.New("its settings hold both flat tabby fields and a tabby group")
	}
	var err error
	if settings["tabby"], err = json.Marshal(tabby); err != nil {
		return nil, false, err
	}
	if merchant["settings"], err = json.Marshal(settings); err != nil {
		return nil, false, err
	}
	data, err = json.Marshal(merchant)
	return data, true, err
}
