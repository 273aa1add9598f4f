package webhook_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/tabbysim/tabbysim/simulator/tenant"
	"github.com/tabbysim/tabbysim/simulator/webhook"
	"github.com/tabbysim/tabbysim/simulator/webhook/webhooktest"
)

// TestEngine_ForgeIsThePolicys: what a forged delivery looks like is the
// provider's: the engine hands the forgery the merchant's settings ask for
// to the delivery's policy, and sends what the policy made of it. Without
// a forgery asked for, the policy's Forge is not called.
func TestEngine_ForgeIsThePolicys(t *testing.T) {
	t.Parallel()
	x := newEngine(t, 0)
	tests := []struct {
		forge string
		check func(h http.Header) bool
		chaos []string
	}{
		{"", func(h http.Header) bool { return h.Get("X-Auth") == "s3cret" }, nil},
		{"wrong", func(h http.Header) bool { return h.Get("X-Auth") == "forged" }, []string{"forged: wrong"}},
		{"missing", func(h http.Header) bool { return len(h.Values("X-Auth")) == 0 }, []string{"forged: missing"}},
	}
	for i, tc := range tests {
		m := x.Merchant(t, fmt.Sprint("m", i), tenant.WebhookSettings{Forge: tc.forge})
		recv := webhooktest.NewReceiver(t)
		x.Enqueue(t, m, testDelivery(recv.URL, "p1"))
		x.Advance(t, m, 0)
		hs := recv.All()
		if len(hs) != 1 {
			t.Fatalf("forge %q: %d requests, want 1", tc.forge, len(hs))
		}
		if !tc.check(hs[0].Header) {
			t.Errorf("forge %q: X-Auth %q", tc.forge, hs[0].Header.Values("X-Auth"))
		}
		if d := x.Only(t, m, "p1"); fmt.Sprint(d.Chaos) != fmt.Sprint(tc.chaos) {
			t.Errorf("forge %q: chaos %q, want %q", tc.forge, d.Chaos, tc.chaos)
		}
	}
}

// TestEngine_RegisterRefusesBrokenPolicies: a policy the engine could not
// carry out, or a second policy for one provider, is refused at
// registration rather than at the first try.
func TestEngine_RegisterRefusesBrokenPolicies(t *testing.T) {
	t.Parallel()
	broken := map[string]func(p *webhook.Policy){
		"no provider":         func(p *webhook.Policy) { p.Provider = "" },
		"no attempt":          func(p *webhook.Policy) { p.Attempts = 0 },
		"retries, no backoff": func(p *webhook.Policy) { p.Backoff = nil },
		"no timeout":          func(p *webhook.Policy) { p.Timeout = 0 },
		"no Accepts":          func(p *webhook.Policy) { p.Accepts = nil },
		"no Forge":            func(p *webhook.Policy) { p.Forge = nil },
	}
	registers := func(e *webhook.Engine, p webhook.Policy) (ok bool) {
		defer func() { ok = recover() == nil }()
		e.Register(p)
		return true
	}
	for name, breaks := range broken {
		p := testPolicy
		breaks(&p)
		if registers(&webhook.Engine{}, p) {
			t.Errorf("%s: registered", name)
		}
	}
	one := testPolicy
	one.Attempts, one.Backoff = 1, nil
	e := &webhook.Engine{}
	if !registers(e, one) {
		t.Fatal("a policy of a single try without backoff was refused")
	}
	if registers(e, testPolicy) {
		t.Error("a second policy for the same provider was registered")
	}
}
