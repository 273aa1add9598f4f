package apperr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tabbysim/tabbysim/simulator/apperr"
)

func TestCodeOf(t *testing.T) {
	notFound := apperr.Errorf(apperr.NotFound, "no such merchant")
	for _, tc := range []struct {
		name string
		err  error
		want apperr.Code
	}{
		{"application error", apperr.Errorf(apperr.Invalid, "amount: %q is not a number", "ten"), apperr.Invalid},
		{"wrapped with what went wrong", fmt.Errorf("%w: m1", notFound), apperr.NotFound},
		{"unexpected error", errors.New("disk on fire"), ""},
		{"no error", nil, ""},
	} {
		if got := apperr.CodeOf(tc.err); got != tc.want {
			t.Errorf("%s: CodeOf(%v) = %q, want %q", tc.name, tc.err, got, tc.want)
		}
	}
	if err := fmt.Errorf("%w: m1", notFound); err.Error() != "no such merchant: m1" || !errors.Is(err, notFound) {
		t.Errorf("a wrapped application error reads %q and is not its sentinel", err)
	}
}
