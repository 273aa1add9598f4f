package fault_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/client/simctl"
	"github.com/tabbysim/tabbysim/simulator"
)

// gets sends n requests for the payment and returns their statuses.
func (e *env) gets(id string, n int) []int {
	e.t.Helper()
	var out []int
	for range n {
		r := e.call(http.MethodGet, "/api/v2/payments/"+id, nil, "")
		if r.err != nil {
			e.t.Fatal(r.err)
		}
		out = append(out, r.status)
	}
	return out
}

// failGets adds a rule that answers the merchant's payment reads 503 within
// scope.
func (e *env) failGets(scope map[string]any) string {
	e.t.Helper()
	return e.addRule(map[string]any{
		"match": map[string]any{"operation": "tabby.get_payment"}, "action": map[string]any{"kind": "status", "status": 503}, "scope": scope,
	}).ID
}

const ok, fail = http.StatusOK, http.StatusServiceUnavailable

func TestScope_First(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.authorized()
	rule := e.failGets(map[string]any{"first": 2})
	if got := e.gets(id, 4); !slices.Equal(got, []int{fail, fail, ok, ok}) {
		t.Fatalf("statuses %v, want the first two failed", got)
	}
	if r := e.rule(rule); r.Matched != 4 || r.Fired != 2 {
		t.Fatalf("matched %d, fired %d; want 4 and 2", r.Matched, r.Fired)
	}
}

func TestScope_Every(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.authorized()
	e.failGets(map[string]any{"every": 3})
	if got := e.gets(id, 7); !slices.Equal(got, []int{ok, ok, fail, ok, ok, fail, ok}) {
		t.Fatalf("statuses %v, want every third failed", got)
	}
}

// TestScope_Probability: a probability fails some requests and not others,
// drawn from the seeded source: the same seed fails the same ones.
func TestScope_Probability(t *testing.T) {
	t.Parallel()
	run := func() []int {
		e := newEnvWith(t, simulator.Config{Seed: 42})
		id := e.authorized()
		e.failGets(map[string]any{"probability": 0.5})
		return e.gets(id, 40)
	}
	first, second := run(), run()
	failed := 0
	for _, s := range first {
		if s == fail {
			failed++
		}
	}
	if failed == 0 || failed == len(first) {
		t.Fatalf("%d of %d failed, want some: %v", failed, len(first), first)
	}
	if !slices.Equal(first, second) {
		t.Fatalf("the same seed failed other requests:\n%v\n%v", first, second)
	}
}

// TestScope_Until: a rule fails requests until a time on the merchant's
// clock, and stops once the clock passes it.
func TestScope_Until(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.authorized()
	c, err := e.ctl.Clock(context.Background(), e.merchant.ID)
	if err != nil {
		t.Fatal(err)
	}
	rule := e.failGets(map[string]any{"until": c.Now.Add(10 * time.Minute)})
	if got := e.gets(id, 2); !slices.Equal(got, []int{fail, fail}) {
		t.Fatalf("before the time: %v", got)
	}
	e.advance(10 * time.Minute)
	if got := e.gets(id, 2); !slices.Equal(got, []int{ok, ok}) {
		t.Fatalf("after the time: %v", got)
	}
	if r := e.rule(rule); r.Matched != 2 {
		t.Fatalf("the rule counted %d matches; requests after its time are not its matches", r.Matched)
	}
}

// TestScope_Timeline: a scenario's timeline switches its rules on and off
// as the merchant's clock moves.
func TestScope_Timeline(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.authorized()
	scenario, _ := json.Marshal(map[string]any{
		"name": "outage", "description": "Tabby's payment reads fail between minute 5 and minute 15.",
		"faults": []any{map[string]any{"name": "reads", "match": map[string]any{"operation": "tabby.get_payment"},
			"action": map[string]any{"kind": "status", "status": 503}}},
		"timeline": []any{map[string]any{"at": "5m", "on": []string{"reads"}}, map[string]any{"at": "15m", "off": []string{"reads"}}},
	})
	if _, err := e.ctl.ApplyScenarioJSON(context.Background(), e.merchant.ID, scenario); err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, step := range []time.Duration{0, 5 * time.Minute, 9 * time.Minute, time.Minute} {
		e.advance(step)
		got = append(got, e.gets(id, 1)...)
	}
	if !slices.Equal(got, []int{ok, fail, fail, ok}) {
		t.Fatalf("at 0, 5, 14 and 15 minutes: %v; want failures from 5 to 15", got)
	}
}

// TestScope_Merchants: a rule with a merchant fails only that merchant's
// requests; one without fails every merchant's.
func TestScope_Merchants(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	mine := e.authorized()
	other, err := e.ctl.CreateMerchant(ctx, simctl.CreateMerchantRequest{Clock: "manual"})
	if err != nil {
		t.Fatal(err)
	}
	s := e.send(http.MethodPost, "/api/v2/checkout", other.Tabby.SecretKey, checkoutBody("order-2"), nil)
	theirs := s.str("payment.id")
	theirGet := func() int {
		return e.send(http.MethodGet, "/api/v2/payments/"+theirs, other.Tabby.SecretKey, nil, nil).status
	}
	e.failGets(nil)
	if mineGot, theirsGot := e.gets(mine, 1)[0], theirGet(); mineGot != fail || theirsGot != ok {
		t.Fatalf("a rule of the test's merchant: %d for it, %d for another; want %d and %d", mineGot, theirsGot, fail, ok)
	}
	if _, err := e.ctl.AddFault(ctx, map[string]any{"match": map[string]any{"operation": "tabby.get_payment"},
		"action": map[string]any{"kind": "status", "status": 503}}); err != nil {
		t.Fatal(err)
	}
	if theirsGot := theirGet(); theirsGot != fail {
		t.Fatalf("a rule for every merchant: %d for another merchant, want %d", theirsGot, fail)
	}
}
