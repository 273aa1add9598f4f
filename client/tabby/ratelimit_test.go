package tabby_test

import (
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/client/tabby"
	"github.com/tabbysim/tabbysim/simulator/simtest"
)

// rateLimit has the simulator refuse the merchant's next request of
// operation with 429 and Retry-After: seconds.
func rateLimit(t *testing.T, sim *simtest.Sim, operation string, seconds int) {
	t.Helper()
	if _, err := sim.Control.AddFault(ctx, map[string]any{"merchant": sim.Merchant.ID,
		"match":  map[string]any{"operation": operation},
		"action": map[string]any{"kind": "status", "status": 429, "retry_after": seconds}, "scope": map[string]any{"first": 1}}); err != nil {
		t.Fatal(err)
	}
}

// TestRateLimit_RetriedAfterRetryAfter: a request refused with 429, any
// request, is sent again once its Retry-After has passed, not before.
func TestRateLimit_RetriedAfterRetryAfter(t *testing.T) {
	sim := simtest.Start(t)
	rateLimit(t, sim, "tabby.create_session", 1)
	c := tabby.New(sim.Merchant.Tabby.SecretKey, tabby.WithBaseURL(sim.URL), tabby.WithRetryDelay(time.Millisecond))
	if _, err := c.CreateSession(ctx, checkoutRequest("100.00", "+971500000001", "o")); err != nil {
		t.Fatalf("create session after a 429: %v", err)
	}
	entries, err := sim.Control.Journal(ctx, sim.Merchant.ID, 0)
	if err != nil || len(entries) != 2 {
		t.Fatalf("the journal: %d entries, %v; want the refused request and its retry", len(entries), err)
	}
	refused, retry := entries[1], entries[0]
	answered := refused.At.Add(time.Duration(refused.LatencyMS * float64(time.Millisecond)))
	if refused.Status != 429 || retry.Status != 200 || retry.At.Sub(answered) < time.Second {
		t.Fatalf("%d then %d, %s after the 429 was answered; want the retry a second or more later",
			refused.Status, retry.Status, retry.At.Sub(answered))
	}
}

// TestRateLimit_TooLongIsReturned: a Retry-After beyond a minute is not
// waited for: the 429 is the caller's, with its Retry-After.
func TestRateLimit_TooLongIsReturned(t *testing.T) {
	sim := simtest.Start(t)
	rateLimit(t, sim, "tabby.create_session", 3600)
	c := tabby.New(sim.Merchant.Tabby.SecretKey, tabby.WithBaseURL(sim.URL))
	_, err := c.CreateSession(ctx, checkoutRequest("100.00", "+971500000001", "o"))
	if e := asError(t, err); e.StatusCode != 429 || e.RetryAfter != time.Hour || e.ErrorType != "too_many_requests" {
		t.Fatalf("got %+v", e)
	}
}
