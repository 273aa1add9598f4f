package conformance

import (
	"strings"
	"testing"
)

// TestVocabulary: every registered step has exactly one example in the
// vocabulary and every example matches exactly one registered step, so
// --list-steps and the readiness report cannot drift from the steps; the
// rules they name are in RULES.md.
func TestVocabulary(t *testing.T) {
	all, err := Steps()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 10 {
		t.Fatalf("only %d steps read from the registration", len(all))
	}
	for _, s := range all {
		n := 0
		for _, v := range vocabulary {
			if s.Pattern.MatchString(exampleText(v.example)) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("step %s has %d examples in the vocabulary (vocabulary.go), want 1", s.Pattern, n)
		}
	}
	for _, v := range vocabulary {
		n := 0
		for _, s := range all {
			if s.Pattern.MatchString(exampleText(v.example)) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("example %q matches %d registered steps, want 1", v.example, n)
		}
		if exampleText(v.example) == v.example {
			t.Errorf("example %q does not start with a keyword", v.example)
		}
		for _, id := range v.checks {
			if _, ok := ruleByID(id); !ok {
				t.Errorf("example %q checks %s, which RULES.md does not have", v.example, id)
			}
		}
	}
	var b strings.Builder
	if err := ListSteps(&b); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), ".go:") || !strings.Contains(b.String(), "    Given the customer checks out 100.00 AED\n") {
		t.Fatalf("--list-steps output:\n%s", b.String())
	}
}
