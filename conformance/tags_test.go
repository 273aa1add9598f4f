package conformance

import (
	"slices"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/tabbysim/tabbysim/features"
)

func TestParseTags_Matches(t *testing.T) {
	tests := []struct {
		expr string
		want map[string]bool // tags of a scenario → selected
	}{
		{"not @poll", map[string]bool{"@poll": false, "@webhook": true, "": true}},
		{"~@poll", map[string]bool{"@poll": false, "@webhook": true}},
		{"@webhook and not @poll", map[string]bool{"@webhook": true, "@webhook @poll": false, "@capture": false}},
		{"@webhook && ~@poll", map[string]bool{"@webhook": true, "@webhook @poll": false, "@capture": false}},
		{"@a or @b", map[string]bool{"@a": true, "@b": true, "@c": false}},
		{"@a,@b", map[string]bool{"@a": true, "@b": true, "@c": false}},
		// Cucumber: and binds tighter than or; godog: , binds tighter than &&.
		{"@a or @b and @c", map[string]bool{"@a": true, "@b": false, "@b @c": true}},
		{"@a,@b && @c", map[string]bool{"@a": false, "@a @c": true, "@b @c": true, "@c": false}},
		{"(@a or @b) and not (@c or @d)", map[string]bool{"@a": true, "@b @d": false, "@c": false, "@b": true}},
		{"not not @a", map[string]bool{"@a": true, "": false}},
		{"  ", map[string]bool{"": true, "@a": true}},
	}
	for _, tc := range tests {
		e, err := parseTags(tc.expr)
		if err != nil {
			t.Errorf("%q: %v", tc.expr, err)
			continue
		}
		for tags, want := range tc.want {
			set := map[string]bool{}
			for _, tag := range strings.Fields(tags) {
				set[tag] = true
			}
			if got := e == nil || e.matches(set); got != want {
				t.Errorf("%q on [%s]: selected %v, want %v", tc.expr, tags, got, want)
			}
		}
	}
}

func TestParseTags_Malformed(t *testing.T) {
	for _, expr := range []string{"@capture &&", "&& @a", "@a and", "not", "(@a or @b", "@a)", "@a @b", "webhook", "@a AND @b",
		"@a and @b && @c", "@", "@a & @b", "()"} {
		_, err := parseTags(expr)
		if err == nil {
			t.Errorf("%q was accepted", expr)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, strings.TrimSpace(expr)) || !strings.Contains(msg, tagSyntax) {
			t.Errorf("%q: the error should be one line naming the expression and the syntax: %s", expr, msg)
		}
	}
}

// TestTags_GodogFilterSelectsTheSame checks that the filter handed to godog
// selects exactly the scenarios the expression matches.
func TestTags_GodogFilterSelectsTheSame(t *testing.T) {
	all := pickles(t, "")
	for _, expr := range []string{"not @poll", "@webhook and not @poll", "@capture or @refund", "(@redirect or @timeout) and not (@poll or @capture)",
		"not (@webhook and @capture)", "@webhook,@refund && ~@duplicate", "not @tabby", "@poll and not @poll"} {
		e, err := parseTags(expr)
		if err != nil {
			t.Fatal(err)
		}
		filter, err := e.godogFilter()
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for name, tags := range all {
			if e.matches(tags) {
				want = append(want, name)
			}
		}
		got := names(pickles(t, filter))
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%q became %q, which selects %q; want %q", expr, filter, got, want)
		}
	}
}

// pickles maps each scenario (an outline's rows apart) the filter selects
// to its tags.
func pickles(t *testing.T, filter string) map[string]map[string]bool {
	t.Helper()
	fts, err := godog.TestSuite{Options: &godog.Options{Paths: []string{"."}, FS: features.FS, Tags: filter}}.RetrieveFeatures()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]bool{}
	for _, f := range fts {
		for _, p := range f.Pickles {
			tags := map[string]bool{}
			for _, tag := range p.Tags {
				tags[tag.Name] = true
			}
			out[p.Uri+":"+p.Id] = tags
		}
	}
	return out
}

func names(m map[string]map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
