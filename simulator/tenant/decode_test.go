package tenant

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator/store"
)

// TestRegistry_SettingsStoredWithout: a merchant stored by a version
// without some settings reads them as their defaults, whichever way it is
// read, and keeps the settings it was stored with.
func TestRegistry_SettingsStoredWithout(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	reg := &Registry{Store: st}
	m := &Merchant{ID: "old", CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Tabby:    TabbyKeys{SecretKey: "sk_test_old", PublicKey: "pk_test_old", MerchantCodes: DefaultMerchantCodes()},
		Onerway:  OnerwayCredentials{MerchantNo: "800001", SecretKey: "00ff", AppID: "1"},
		Settings: DefaultSettings()}
	m.Settings.Tabby.SessionTTL = Duration(time.Minute)
	if err := reg.Create(ctx, m); err != nil {
		t.Fatal(err)
	}
	// The stored merchant as an older version wrote it: onerway has its
	// limits only.
	err := st.Update(ctx, func(tx store.Tx) error {
		d, err := tx.Get(kindMerchant, "old")
		if err != nil {
			return err
		}
		var raw map[string]any
		if err := json.Unmarshal(d.Data, &raw); err != nil {
			return err
		}
		settings := raw["settings"].(map[string]any)
		settings["onerway"] = map[string]any{"limits": settings["onerway"].(map[string]any)["limits"]}
		return store.PutJSON(tx, d, raw)
	})
	if err != nil {
		t.Fatal(err)
	}
	read := map[string]func() (*Merchant, error){
		"Get":          func() (*Merchant, error) { return reg.Get(ctx, "old") },
		"ByCredential": func() (*Merchant, error) { return reg.ByCredential(ctx, OnerwayMerchantNo, "800001") },
		"List": func() (*Merchant, error) {
			ms, err := reg.List(ctx)
			if err != nil || len(ms) != 1 {
				return nil, err
			}
			return ms[0], nil
		},
		"UpdateSettings": func() (*Merchant, error) {
			return reg.UpdateSettings(ctx, "old", json.RawMessage(`{"strict": true}`))
		},
	}
	for name, get := range read {
		got, err := get()
		if err != nil || got == nil {
			t.Fatalf("%s: %v", name, err)
		}
		o, def := got.Settings.Onerway, DefaultSettings().Onerway
		if o.SettleAfter != def.SettleAfter || o.LogisticsWindow != def.LogisticsWindow || o.SettlementRate["SAR"] != "0.2666" {
			t.Errorf("%s: onerway settings %+v; want the defaults for those not stored", name, o)
		}
		if got.Settings.Tabby.SessionTTL != Duration(time.Minute) {
			t.Errorf("%s: tabby.session_ttl %s, want the stored 1m", name, got.Settings.Tabby.SessionTTL)
		}
	}
}
