package fault_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/client/simctl"
	"github.com/tabbysim/tabbysim/simulator/webhook/webhooktest"
)

// withWebhook registers the receiver's URL for the merchant's AED code
// with an X-Secret header.
func (e *env) withWebhook(rcv *webhooktest.Receiver) {
	e.t.Helper()
	r := e.send(http.MethodPost, "/api/v1/webhooks", e.merchant.Tabby.SecretKey,
		map[string]any{"url": rcv.URL, "header": map[string]string{"title": "X-Secret", "value": "s3cret"}},
		http.Header{"X-Merchant-Code": {"ae"}})
	if r.status != http.StatusOK {
		e.t.Fatalf("registering the webhook: %d %s", r.status, r.body)
	}
}

// deliveries lists the merchant's deliveries, oldest first.
func (e *env) deliveries() []simctl.Delivery {
	e.t.Helper()
	ds, err := e.ctl.Deliveries(context.Background(), simctl.DeliveryFilter{Merchant: e.merchant.ID})
	if err != nil {
		e.t.Fatal(err)
	}
	slices.Reverse(ds)
	return ds
}

func noted(d simctl.Delivery, rule, kind string) bool {
	return slices.Contains(d.Chaos, "fault rule "+rule+": "+kind)
}

// TestActions_OnWebhooks: each action kind on webhooks does to the
// deliveries it matches what it says, notes the rule on them, and leaves
// the others alone.
func TestActions_OnWebhooks(t *testing.T) {
	t.Run("drop", func(t *testing.T) {
		t.Parallel()
		e, rcv := webhookEnv(t)
		rule := e.webhookRule(map[string]any{"kind": "drop"}, "authorize")
		e.authorized()
		e.advance(0)
		ds := e.deliveries()
		if len(ds) != 1 || ds[0].Status != "dropped" || !noted(ds[0], rule, "drop") || len(rcv.All()) != 0 {
			t.Fatalf("deliveries %+v, %d hits; want the authorize webhook dropped", ds, len(rcv.All()))
		}
	})
	t.Run("duplicate, matched by event", func(t *testing.T) {
		t.Parallel()
		e, rcv := webhookEnv(t)
		rule := e.webhookRule(map[string]any{"kind": "duplicate", "copies": 2}, "capture")
		id := e.authorized()
		e.call(http.MethodPost, "/api/v2/payments/"+id+"/captures", captureBody("c1"), "")
		e.advance(0)
		var events []string
		for _, d := range e.deliveries() {
			events = append(events, d.Event)
			if d.Event == "capture" && d.DuplicateOf == "" && !noted(d, rule, "duplicate") {
				t.Errorf("the capture webhook does not note the rule: %v", d.Chaos)
			}
		}
		if !slices.Equal(events, []string{"authorize", "capture", "capture", "capture", "close"}) || len(rcv.All()) != 5 {
			t.Fatalf("events %v, %d hits; want the capture webhook three times", events, len(rcv.All()))
		}
	})
	t.Run("delay on the merchant's clock", func(t *testing.T) {
		t.Parallel()
		e, rcv := webhookEnv(t)
		e.webhookRule(map[string]any{"kind": "delay", "duration": "5m"}, "")
		e.authorized()
		e.advance(4 * time.Minute)
		if n := len(rcv.All()); n != 0 {
			t.Fatalf("%d webhooks arrived before their delay", n)
		}
		e.advance(time.Minute)
		if n := len(rcv.All()); n != 1 {
			t.Fatalf("%d webhooks arrived after their delay, want 1", n)
		}
	})
	t.Run("reorder", func(t *testing.T) {
		t.Parallel()
		e, rcv := webhookEnv(t)
		e.webhookRule(map[string]any{"kind": "reorder"}, "authorize")
		id := e.authorized()
		e.call(http.MethodPost, "/api/v2/payments/"+id+"/captures", captureBody("c1"), "")
		e.advance(0)
		var statuses []string
		for _, h := range rcv.All() {
			statuses = append(statuses, h.JSON(t)["status"].(string)+"/"+strings.Repeat("c", len(h.JSON(t)["captures"].([]any))))
		}
		if len(statuses) != 3 || statuses[0] != "authorized/c" || statuses[1] != "authorized/" {
			t.Fatalf("webhooks arrived as %v; want the authorize webhook after the capture's", statuses)
		}
	})
	t.Run("forge", func(t *testing.T) {
		t.Parallel()
		e, rcv := webhookEnv(t)
		e.webhookRule(map[string]any{"kind": "forge", "as": "missing"}, "")
		e.authorized()
		e.advance(0)
		hits := rcv.All()
		if len(hits) != 1 || hits[0].Header.Get("X-Secret") != "" {
			t.Fatalf("hits %+v: want the webhook without its header", hits)
		}
	})
	t.Run("probability", func(t *testing.T) {
		t.Parallel()
		e, _ := webhookEnv(t)
		rule := e.addRule(map[string]any{"match": map[string]any{"on": "webhook", "provider": "tabby"},
			"action": map[string]any{"kind": "drop"}, "scope": map[string]any{"probability": 0.5}})
		for range 10 {
			e.authorized()
		}
		if r := e.rule(rule.ID); r.Matched != 10 || r.Fired == 0 || r.Fired == 10 {
			t.Fatalf("the rule matched %d and fired %d; want 10 and some", r.Matched, r.Fired)
		}
	})
}

func webhookEnv(t *testing.T) (*env, *webhooktest.Receiver) {
	t.Helper()
	e := newEnv(t)
	rcv := webhooktest.NewReceiver(t)
	e.withWebhook(rcv)
	return e, rcv
}

// webhookRule adds a rule on the merchant's webhooks of event ("" for
// every event) and returns its id.
func (e *env) webhookRule(action map[string]any, event string) string {
	e.t.Helper()
	match := map[string]any{"on": "webhook"}
	if event != "" {
		match["event"] = event
	}
	return e.addRule(map[string]any{"match": match, "action": action}).ID
}
