package conformance

import (
	"context"
	"fmt"
	"time"
)

// DefaultSettle is how long, in real time, the merchant is given after the
// harness's last action (a checkout, a page opened, webhooks delivered, one
// of the merchant's own operations) to finish what that action started.
const DefaultSettle = time.Second

// A merchant may do its work after it answered: it acknowledges a webhook
// at once and processes it on a worker, or its reconcile endpoint starts a
// job and answers 202. So the checks on what the merchant did, or on how
// its order stands, wait for it within a settling window of real time that
// ends settle after the harness's last action (never the simulator's clock,
// which does not move by itself): a check that something happened polls
// until it holds or the window ends; a check that something never happens
// holds across the whole window.
const (
	firstPoll = 5 * time.Millisecond
	lastPoll  = 100 * time.Millisecond
)

// acted marks that the harness did something the merchant may act upon:
// the settling window starts again.
func (w *World) acted() { w.lastAction = time.Now() }

// settled is when the settling window of the harness's last action ends.
func (w *World) settled() time.Time { return w.lastAction.Add(w.settle) }

// eventually runs check until it passes or the settling window ends, and
// returns its last failure.
func (w *World) eventually(ctx context.Context, check func(context.Context) error) error {
	wait := firstPoll
	for tries := 1; ; tries++ {
		err := check(ctx)
		if err == nil {
			return nil
		}
		left := time.Until(w.settled())
		if left <= 0 {
			if tries > 1 {
				err = fmt.Errorf("%w (waited %s after the harness's last action, the --settle window)", err, w.settle)
			}
			return err
		}
		if err := sleep(ctx, min(wait, left)); err != nil {
			return err
		}
		wait = min(2*wait, lastPoll)
	}
}

// throughout runs check until the settling window ends and returns its
// first failure: what must never happen has not happened by then.
func (w *World) throughout(ctx context.Context, check func(context.Context) error) error {
	for {
		if err := check(ctx); err != nil {
			return err
		}
		left := time.Until(w.settled())
		if left <= 0 {
			return nil
		}
		if err := sleep(ctx, min(lastPoll, left)); err != nil {
			return err
		}
	}
}

// until is check as a step that polls within the settling window: what
// the merchant does may happen a moment after the harness's last action.
func (w *World) until(check func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error { return w.eventually(ctx, check) }
}

// always is check as a step that must hold across the settling window:
// what the merchant must never do has not happened by its end.
func (w *World) always(check func(context.Context) error) func(context.Context) error {
	return func(ctx context.Context) error { return w.throughout(ctx, check) }
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
