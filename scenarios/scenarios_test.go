package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// TestAll_Check: every embedded scenario parses, is named after its file,
// says what situation it plays, and holds a valid settings patch.
func TestAll_Check(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 18 {
		t.Fatalf("%d scenarios, want the whole catalogue", len(all))
	}
	for _, s := range all {
		settings := tenant.DefaultSettings()
		if len(s.Settings) > 0 {
			if err := tenant.ApplyPatch(s.Settings, &settings); err != nil {
				t.Errorf("%s: %v", s.Name, err)
			}
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

// TestParse_Refused: a scenario that does not check out is refused whole,
// the error naming the field and what is wrong with it.
func TestParse_Refused(t *testing.T) {
	const rule = `{"name": "r", "action": {"kind": "reset"}}`
	for doc, want := range map[string]string{
		`{"name": "x", "description": "d", "extra": 1}`: "extra: unknown field",
		`{"name": "Bad Name", "description": "d"}`:      `name: "Bad Name"`,
		`{"name": "x"}`: "description:",
		`{"name": "x", "description": "d", "settings": {"webhooks": {"drop_rate": 2}}}`:                               "webhooks.drop_rate must be between 0 and 1",
		`{"name": "x", "description": "d", "settings": {"webhooks": {"dorp_rate": 1}}}`:                               "settings.webhooks.dorp_rate",
		`{"name": "x", "description": "d", "faults": [` + rule + `, {"action": {"kind": "status", "status": 42}}]}`:   "faults[1].action.status: 42",
		`{"name": "x", "description": "d", "faults": [{"match": {"providr": "tabby"}, "action": {"kind": "reset"}}]}`: "faults[0].match.providr: unknown field",
		`{"name": "x", "description": "d", "faults": [{"merchant": "m", "action": {"kind": "reset"}}]}`:               "faults[0].merchant: leave it out",
		`{"name": "x", "description": "d", "faults": [` + rule + `, ` + rule + `]}`:                                   `faults[1].name: "r" names two rules`,
		`{"name": "x", "description": "d", "faults": [` + rule + `], "timeline": [{"at": "soon", "on": ["r"]}]}`:      "timeline[0].at:",
		`{"name": "x", "description": "d", "faults": [` + rule + `], "timeline": [{"at": "1m", "on": ["q"]}]}`:        `timeline[0]: no rule of the scenario is named "q"`,
		`{"name": "x", "description": "d", "faults": [` + rule + `], "timeline": [{"at": "1m"}]}`:                     "timeline[0]: name the rules",
		`{"name": "x", "description": "d", "faults": [` + rule + `], "timeline": [{"at": "1m", "of": ["r"]}]}`:        "timeline[0].of: unknown field",
		`{"name": "x", "description": "d"} {}`:                                                                        "more than one JSON value",
	} {
		s, err := Parse([]byte(doc))
		if err == nil || s != nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, %v; want nothing and an error about %q", doc, s, err, want)
		}
	}
}

// TestLoad_NamesTheFile: a file's error starts with its path.
func TestLoad_NamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mine.json")
	if err := os.WriteFile(path, []byte(`{"name": "mine", "description": "d", "faults": [{"action": {"kind": "status", "status": 99}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || err.Error() != path+": faults[0].action.status: 99: give an HTTP status from 200 to 599" {
		t.Fatalf("got %v", err)
	}
	if s, err := Find(path); err == nil || s != nil {
		t.Fatalf("Find took a bad file: %v", s)
	}
	if s, err := Find("rate-limiting"); err != nil || s.Name != "rate-limiting" {
		t.Fatalf("Find by name: %v, %v", s, err)
	}
}

// TestRules_Timeline: the timeline becomes each rule's switches, at times
// counted from when the scenario is applied, in order.
func TestRules_Timeline(t *testing.T) {
	s, err := Get("onerway-signature-rejections")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	rules := s.Rules(now)
	if len(rules) != 1 || len(rules[0].Switches) != 1 || rules[0].Switches[0].On || !rules[0].Switches[0].At.Equal(now.Add(10*time.Minute)) {
		t.Fatalf("rules %+v: want the rule switched off 10 minutes after now", rules)
	}
}
