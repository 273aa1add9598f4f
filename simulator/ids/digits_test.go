package ids

import (
	"regexp"
	"testing"
)

// TestDigits: ids of n digits without a leading zero, repeated by the same
// seed.
func TestDigits(t *testing.T) {
	a, b := New(42), New(42)
	id := regexp.MustCompile(`^[1-9][0-9]{18}$`)
	seen := map[string]bool{}
	for range 1000 {
		x := a.Digits(19)
		if !id.MatchString(x) {
			t.Fatalf("%q is not 19 digits", x)
		}
		if y := b.Digits(19); x != y {
			t.Fatalf("the same seed drew %s and %s", x, y)
		}
		seen[x] = true
	}
	if len(seen) != 1000 {
		t.Errorf("%d distinct ids of 1000", len(seen))
	}
	if d := New(1).Digits(1); len(d) != 1 || d == "0" {
		t.Errorf("one digit: %q", d)
	}
}
