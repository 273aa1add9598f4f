package conformance

import (
	"context"
	"errors"
	"testing"
	"time"
)

// syncSettle is the settling window of the runs against the reference
// merchant as it is built by default and with its defects: it does all its
// work before it answers, so a short window loses nothing and keeps the
// suite's many runs quick. The variants that work in the background run
// with the default window.
const syncSettle = 20 * time.Millisecond

// TestSettle_Eventually: a check that passes on a later try passes; one
// that never does fails with its last failure once the window is over.
func TestSettle_Eventually(t *testing.T) {
	w := &World{settle: time.Minute}
	w.acted()
	tries := 0
	err := w.eventually(context.Background(), func(context.Context) error {
		if tries++; tries < 3 {
			return errors.New("not yet")
		}
		return nil
	})
	if err != nil || tries != 3 {
		t.Fatalf("eventually: %v after %d tries, want a pass at the third", err, tries)
	}

	w.settle = 0
	tries = 0
	err = w.eventually(context.Background(), func(context.Context) error { tries++; return errors.New("never") })
	if err == nil || err.Error() != "never" || tries != 1 {
		t.Fatalf("eventually with the window over: %v after %d tries, want the check's own failure after one", err, tries)
	}
}

// TestSettle_Throughout: a check must hold at every try until the window
// is over; its first failure ends it.
func TestSettle_Throughout(t *testing.T) {
	w := &World{settle: time.Minute}
	w.acted()
	tries := 0
	err := w.throughout(context.Background(), func(context.Context) error {
		if tries++; tries == 2 {
			return errors.New("it happened")
		}
		return nil
	})
	if err == nil || err.Error() != "it happened" || tries != 2 {
		t.Fatalf("throughout: %v after %d tries, want the failure of the second", err, tries)
	}

	w.settle = 0
	tries = 0
	if err := w.throughout(context.Background(), func(context.Context) error { tries++; return nil }); err != nil || tries != 1 {
		t.Fatalf("throughout with the window over: %v after %d tries, want a pass after one", err, tries)
	}
}
