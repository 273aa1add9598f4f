package fault_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/client/simctl"
	"github.com/tabbysim/tabbysim/simulator"
)

// reader is a read of one provider's, which the scope tests fail.
type reader struct {
	name      string
	operation string
	// prepare readies a read as merchant m and returns it: it sends one
	// and returns its HTTP status.
	prepare func(e *env, m *simctl.Merchant) func() int
}

// readers are a read of each provider, through the simulator's real Tabby
// API and real Onerway gateway.
var readers = []reader{
	{"tabby", "tabby.get_payment", func(e *env, m *simctl.Merchant) func() int {
		s := e.send(http.MethodPost, "/api/v2/checkout", m.Tabby.SecretKey, checkoutBody("order-1"), nil)
		id := s.str("payment.id")
		if id == "" {
			e.t.Fatalf("creating a session: %d %s %v", s.status, s.body, s.err)
		}
		return func() int {
			r := e.send(http.MethodGet, "/api/v2/payments/"+id, m.Tabby.SecretKey, nil, nil)
			return e.readStatus(r, r.str("id") == id)
		}
	}},
	{"onerway", "onerway.list", func(e *env, m *simctl.Merchant) func() int {
		return func() int {
			r := e.owSend(m, onerway.PathList, map[string]string{"merchantNo": m.Onerway.MerchantNo, "current": "1", "merchantTxnIds": "order-1"}, "")
			return e.readStatus(r, r.str("respCode") == onerway.RespSuccess)
		}
	}},
}

// readStatus returns the status of r, a read: an error, or an answer of
// 200 that is not the read's (good false), fails the test.
func (e *env) readStatus(r *reply, good bool) int {
	e.t.Helper()
	if r.err != nil || (r.status == http.StatusOK && !good) {
		e.t.Fatalf("the read: %d %s %v", r.status, r.body, r.err)
	}
	return r.status
}

// forReaders runs test for each provider's read, in parallel.
func forReaders(t *testing.T, test func(t *testing.T, rd reader)) {
	for _, rd := range readers {
		t.Run(rd.name, func(t *testing.T) {
			t.Parallel()
			test(t, rd)
		})
	}
}

// reads sends n reads and returns their statuses.
func reads(read func() int, n int) []int {
	var out []int
	for range n {
		out = append(out, read())
	}
	return out
}

// failReads adds a rule that answers the merchant's reads 503 within
// scope.
func (e *env) failReads(rd reader, scope map[string]any) string {
	e.t.Helper()
	return e.addRule(map[string]any{
		"match": map[string]any{"operation": rd.operation}, "action": map[string]any{"kind": "status", "status": 503}, "scope": scope,
	}).ID
}

const ok, fail = http.StatusOK, http.StatusServiceUnavailable

func TestScope_First(t *testing.T) {
	t.Parallel()
	forReaders(t, func(t *testing.T, rd reader) {
		e := newEnv(t)
		read := rd.prepare(e, e.merchant)
		rule := e.failReads(rd, map[string]any{"first": 2})
		if got := reads(read, 4); !slices.Equal(got, []int{fail, fail, ok, ok}) {
			t.Fatalf("statuses %v, want the first two failed", got)
		}
		if r := e.rule(rule); r.Matched != 4 || r.Fired != 2 {
			t.Fatalf("matched %d, fired %d; want 4 and 2", r.Matched, r.Fired)
		}
	})
}

func TestScope_Every(t *testing.T) {
	t.Parallel()
	forReaders(t, func(t *testing.T, rd reader) {
		e := newEnv(t)
		read := rd.prepare(e, e.merchant)
		e.failReads(rd, map[string]any{"every": 3})
		if got := reads(read, 7); !slices.Equal(got, []int{ok, ok, fail, ok, ok, fail, ok}) {
			t.Fatalf("statuses %v, want every third failed", got)
		}
	})
}

// TestScope_Probability: a probability fails some requests and not others,
// drawn from the seeded source: the same seed fails the same ones.
func TestScope_Probability(t *testing.T) {
	t.Parallel()
	forReaders(t, func(t *testing.T, rd reader) {
		run := func() []int {
			e := newEnvWith(t, simulator.Config{Seed: 42})
			read := rd.prepare(e, e.merchant)
			e.failReads(rd, map[string]any{"probability": 0.5})
			return reads(read, 40)
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
	})
}

// TestScope_Until: a rule fails requests until a time on the merchant's
// clock, and stops once the clock passes it.
func TestScope_Until(t *testing.T) {
	t.Parallel()
	forReaders(t, func(t *testing.T, rd reader) {
		e := newEnv(t)
		read := rd.prepare(e, e.merchant)
		c, err := e.ctl.Clock(context.Background(), e.merchant.ID)
		if err != nil {
			t.Fatal(err)
		}
		rule := e.failReads(rd, map[string]any{"until": c.Now.Add(10 * time.Minute)})
		if got := reads(read, 2); !slices.Equal(got, []int{fail, fail}) {
			t.Fatalf("before the time: %v", got)
		}
		e.advance(10 * time.Minute)
		if got := reads(read, 2); !slices.Equal(got, []int{ok, ok}) {
			t.Fatalf("after the time: %v", got)
		}
		if r := e.rule(rule); r.Matched != 2 {
			t.Fatalf("the rule counted %d matches; requests after its time are not its matches", r.Matched)
		}
	})
}

// TestScope_Timeline: a scenario's timeline switches its rules on and off
// as the merchant's clock moves.
func TestScope_Timeline(t *testing.T) {
	t.Parallel()
	forReaders(t, func(t *testing.T, rd reader) {
		e := newEnv(t)
		read := rd.prepare(e, e.merchant)
		scenario, _ := json.Marshal(map[string]any{
			"name": "outage", "description": "The provider's reads fail between minute 5 and minute 15.",
			"faults": []any{map[string]any{"name": "reads", "match": map[string]any{"operation": rd.operation},
				"action": map[string]any{"kind": "status", "status": 503}}},
			"timeline": []any{map[string]any{"at": "5m", "on": []string{"reads"}}, map[string]any{"at": "15m", "off": []string{"reads"}}},
		})
		if _, err := e.ctl.ApplyScenarioJSON(context.Background(), e.merchant.ID, scenario); err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, step := range []time.Duration{0, 5 * time.Minute, 9 * time.Minute, time.Minute} {
			e.advance(step)
			got = append(got, read())
		}
		if !slices.Equal(got, []int{ok, fail, fail, ok}) {
			t.Fatalf("at 0, 5, 14 and 15 minutes: %v; want failures from 5 to 15", got)
		}
	})
}

// TestScope_Merchants: a rule with a merchant fails only that merchant's
// requests; one without fails every merchant's.
func TestScope_Merchants(t *testing.T) {
	t.Parallel()
	forReaders(t, func(t *testing.T, rd reader) {
		e := newEnv(t)
		ctx := context.Background()
		mine := rd.prepare(e, e.merchant)
		other, err := e.ctl.CreateMerchant(ctx, simctl.CreateMerchantRequest{Clock: "manual"})
		if err != nil {
			t.Fatal(err)
		}
		theirs := rd.prepare(e, other)
		e.failReads(rd, nil)
		if mineGot, theirsGot := mine(), theirs(); mineGot != fail || theirsGot != ok {
			t.Fatalf("a rule of the test's merchant: %d for it, %d for another; want %d and %d", mineGot, theirsGot, fail, ok)
		}
		if _, err := e.ctl.AddFault(ctx, map[string]any{"match": map[string]any{"operation": rd.operation},
			"action": map[string]any{"kind": "status", "status": 503}}); err != nil {
			t.Fatal(err)
		}
		if theirsGot := theirs(); theirsGot != fail {
			t.Fatalf("a rule for every merchant: %d for another merchant, want %d", theirsGot, fail)
		}
	})
}
