package scenarios

import (
	"testing"

	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// TestAll_ApplyToDefaultSettings checks every scenario parses, is named
// after its file, and is a valid settings patch.
func TestAll_ApplyToDefaultSettings(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 5 {
		t.Fatalf("%d scenarios, want the whole catalogue", len(all))
	}
	for _, s := range all {
		settings := tenant.DefaultSettings()
		if err := tenant.ApplyPatch(s.Settings, &settings); err != nil {
			t.Errorf("%s: %v", s.Name, err)
			continue
		}
		if err := settings.Validate(); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
		if s.Description == "" {
			t.Errorf("%s has no description", s.Name)
		}
	}
}

func TestGet(t *testing.T) {
	s, err := Get("duplicate-webhooks")
	if err != nil {
		t.Fatal(err)
	}
	settings := tenant.DefaultSettings()
	if err := tenant.ApplyPatch(s.Settings, &settings); err != nil || settings.Webhooks.Duplicate != 1 {
		t.Fatalf("duplicate-webhooks gives duplicate=%d, err %v", settings.Webhooks.Duplicate, err)
	}
	for _, bad := range []string{"", "nope", "../go.mod", "calm.json"} {
		if _, err := Get(bad); err == nil {
			t.Errorf("Get(%q) found a scenario", bad)
		}
	}
}
