package onerwayapi_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/tabbysim/tabbysim/simulator/onerway/onerwayapi"
)

// TestREADMEListsEveryCode: the README's table of response codes has a
// row for each code, with the code's message, and no other.
func TestREADMEListsEveryCode(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, found := strings.Cut(string(readme), "## The Onerway gateway: response codes\n")
	if !found {
		t.Fatal("the README has no section on the gateway's response codes")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	rows := regexp.MustCompile("(?m)^\\| `(\\d{5})` \\| `([^`]*)` \\|").FindAllStringSubmatch(section, -1)
	listed := map[onerwayapi.Code]string{}
	for _, row := range rows {
		listed[onerwayapi.Code(row[1])] = row[2]
	}
	for _, c := range onerwayapi.Codes() {
		if title, ok := listed[c]; !ok || title != c.Title() {
			t.Errorf("the README lists %s as %q, want %q", c, title, c.Title())
		}
		delete(listed, c)
	}
	for c := range listed {
		t.Errorf("the README lists %s, which the gateway never answers", c)
	}
}
