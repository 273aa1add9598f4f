package fault_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tabbysim/tabbysim/client/simctl"
	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/store/sqlite"
)

// TestRules_Refused: a rule that does not check out is refused with 400,
// the error naming the field and what is wrong with it; one for a merchant
// that does not exist with 404.
func TestRules_Refused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	status := map[string]any{"kind": "status", "status": 503}
	for _, tc := range []struct {
		rule any
		want string
	}{
		{map[string]any{}, "action: required"},
		{map[string]any{"action": map[string]any{"kind": "nope"}}, `action.kind: unknown kind "nope"`},
		{map[string]any{"action": map[string]any{"status": 503}}, "action.kind: required"},
		{map[string]any{"action": map[string]any{"kind": "status", "status": 42}}, "action.status: 42"},
		{map[string]any{"action": map[string]any{"kind": "status", "status": "503"}}, "action.status: want a number, got string"},
		{map[string]any{"action": map[string]any{"kind": "status", "stauts": 503}}, "action.stauts: unknown field"},
		{map[string]any{"action": status, "match": map[string]any{"providr": "tabby"}}, "match.providr: unknown field"},
		{map[string]any{"action": status, "match": map[string]any{"path": "api/*"}}, "match.path"},
		{map[string]any{"action": status, "match": map[string]any{"on": "webhooks"}}, "match.on"},
		{map[string]any{"action": status, "scope": map[string]any{"probability": 2}}, "scope.probability"},
		{map[string]any{"action": status, "scope": map[string]any{"first": -1}}, "scope.first"},
		{map[string]any{"action": status, "name": "two words"}, "name"},
		{map[string]any{"action": map[string]any{"kind": "drop"}}, `action.kind: "drop" acts on webhooks`},
		{map[string]any{"action": map[string]any{"kind": "reset"}, "match": map[string]any{"on": "webhook"}}, `action.kind: "reset" acts on requests`},
		{map[string]any{"action": map[string]any{"kind": "drop"}, "match": map[string]any{"on": "webhook", "operation": "tabby.capture"}}, "match.operation"},
		{map[string]any{"action": map[string]any{"kind": "after", "then": "later"}}, "action.then"},
		{map[string]any{"action": map[string]any{"kind": "malformed", "body": `{"ok": true}`}}, "action.body: is valid JSON"},
		{map[string]any{"action": status, "bogus": 1}, "bogus: unknown field"},
	} {
		_, err := e.ctl.AddFault(context.Background(), tc.rule)
		var se *simctl.Error
		if !errors.As(err, &se) || se.StatusCode != http.StatusBadRequest || !strings.Contains(se.Message, tc.want) {
			t.Errorf("%v: got %v, want 400 naming %q", tc.rule, err, tc.want)
		}
	}
	_, err := e.ctl.AddFault(context.Background(), map[string]any{"merchant": "nobody", "action": status})
	var se *simctl.Error
	if !errors.As(err, &se) || se.StatusCode != http.StatusNotFound {
		t.Errorf("a rule for a merchant that does not exist: %v, want 404", err)
	}
}

// TestRules_AddListRemove: POST answers 201 with the rule and its id;
// GET lists the rules, every merchant's or one's; DELETE removes one, a
// merchant's, or all.
func TestRules_AddListRemove(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	r := e.send(http.MethodPost, "/_sim/v1/faults", "", map[string]any{"merchant": e.merchant.ID,
		"match":  map[string]any{"provider": "tabby", "operation": "tabby.capture"},
		"action": map[string]any{"kind": "status", "status": 503}, "scope": map[string]any{"first": 1}}, nil)
	if r.status != http.StatusCreated || !strings.HasPrefix(r.str("id"), "flt_") || r.str("action.kind") != "status" ||
		r.str("action.status") != "503" || r.str("scope.first") != "1" || r.str("merchant") != e.merchant.ID {
		t.Fatalf("POST /faults: %d %s", r.status, r.body)
	}
	mine := r.str("id")
	global, err := e.ctl.AddFault(ctx, map[string]any{"action": map[string]any{"kind": "reset"}, "match": map[string]any{"operation": "none"}})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(merchant string) []string {
		rules, err := e.ctl.Faults(ctx, merchant)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rules {
			out = append(out, r.ID)
		}
		return out
	}
	if got := ids(""); len(got) != 2 || got[0] != mine || got[1] != global.ID {
		t.Fatalf("every rule, oldest first: %v", got)
	}
	if got := ids(e.merchant.ID); len(got) != 1 || got[0] != mine {
		t.Fatalf("the merchant's rules: %v", got)
	}
	if err := e.ctl.RemoveFault(ctx, mine); err != nil {
		t.Fatal(err)
	}
	if _, err := e.ctl.Fault(ctx, mine); err == nil {
		t.Fatal("a removed rule is still there")
	}
	e.addRule(map[string]any{"action": map[string]any{"kind": "reset"}})
	if n, err := e.ctl.RemoveFaults(ctx, e.merchant.ID); err != nil || n != 1 || len(ids("")) != 1 {
		t.Fatalf("removing the merchant's rules: %d, %v; left %v", n, err, ids(""))
	}
	if n, err := e.ctl.RemoveFaults(ctx, ""); err != nil || n != 1 || len(ids("")) != 0 {
		t.Fatalf("removing every rule: %d, %v", n, err)
	}
}

// TestRules_SurviveARestart: with a data file, rules and their counts are
// kept across a restart, and a rule's scope goes on where it stopped.
func TestRules_SurviveARestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state.db")
	start := func() (*simulator.Server, *simctl.Client) {
		st, err := sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sim, err := simulator.Listen("127.0.0.1:0", simulator.Config{Seed: 5, Store: st})
		if err != nil {
			t.Fatal(err)
		}
		return sim, simctl.New(sim.URL)
	}
	statusOf := func(sim *simulator.Server) int {
		req, _ := http.NewRequest(http.MethodGet, sim.URL+"/api/v2/payments", nil)
		req.Header.Set("Authorization", "Bearer "+simulator.DefaultSecretKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	sim, ctl := start()
	rule, err := ctl.AddFault(context.Background(), map[string]any{"merchant": simulator.DefaultMerchantID,
		"match": map[string]any{"operation": "tabby.list_payments"}, "action": map[string]any{"kind": "status", "status": 503},
		"scope": map[string]any{"first": 2}})
	if err != nil {
		t.Fatal(err)
	}
	if s := statusOf(sim); s != http.StatusServiceUnavailable {
		t.Fatalf("before the restart: %d", s)
	}
	sim.Close()

	sim, ctl = start()
	defer sim.Close()
	got, err := ctl.Fault(context.Background(), rule.ID)
	if err != nil || got.Matched != 1 || got.Fired != 1 {
		t.Fatalf("after the restart: %+v, %v; want the rule with its count", got, err)
	}
	if s1, s2 := statusOf(sim), statusOf(sim); s1 != http.StatusServiceUnavailable || s2 != http.StatusOK {
		t.Fatalf("after the restart: %d then %d; want the second of the first two failed, then none", s1, s2)
	}
}

// TestRules_GoWithAReset: a reset forgets the rules with everything else.
func TestRules_GoWithAReset(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if _, err := e.ctl.AddFault(context.Background(), map[string]any{"action": map[string]any{"kind": "reset"}}); err != nil {
		t.Fatal(err)
	}
	if err := e.ctl.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	if rules, err := e.ctl.Faults(context.Background(), ""); err != nil || len(rules) != 0 {
		t.Fatalf("after a reset: %v, %v", rules, err)
	}
}
