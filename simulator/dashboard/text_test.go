package dashboard

import (
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// TestText_EveryStringInBothLanguages: each table fills every field, and
// the script names no string the tables lack.
func TestText_EveryStringInBothLanguages(t *testing.T) {
	typ := reflect.TypeOf(text{})
	for name, table := range map[string]text{"english": english, "arabic": arabic} {
		v := reflect.ValueOf(table)
		for i := range typ.NumField() {
			if v.Field(i).String() == "" {
				t.Errorf("%s lacks %s", name, typ.Field(i).Name)
			}
		}
	}
	script, err := assets.ReadFile("assets/app.js")
	if err != nil {
		t.Fatal(err)
	}
	used := regexp.MustCompile(`\bT\.([A-Za-z0-9]+)`).FindAllStringSubmatch(string(script), -1)
	if len(used) == 0 {
		t.Fatal("the script names no string")
	}
	for _, m := range used {
		if _, ok := typ.FieldByName(m[1]); !ok {
			t.Errorf("the script names T.%s, which the tables lack", m[1])
		}
	}
}

// TestScript_BuildsTheDOMWithoutParsingHTML: nothing the script shows is
// ever parsed as HTML (the Content-Security-Policy's Trusted Types make the
// browser refuse it too).
func TestScript_BuildsTheDOMWithoutParsingHTML(t *testing.T) {
	script, err := assets.ReadFile("assets/app.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, sink := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "DOMParser"} {
		if strings.Contains(string(script), sink) {
			t.Errorf("the script uses %s", sink)
		}
	}
}
