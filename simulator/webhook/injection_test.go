package webhook_test

import (
	"errors"
	"testing"

	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tenant"
	"github.com/tabbysim/tabbysim/simulator/webhook"
	"github.com/tabbysim/tabbysim/simulator/webhook/webhooktest"
)

// injectorFunc is an Injector of the test's own.
type injectorFunc func(d *webhook.Delivery) (webhook.Decision, error)

func (f injectorFunc) Inject(_ store.Tx, _ *tenant.Merchant, d *webhook.Delivery) (webhook.Decision, error) {
	return f(d)
}

// TestEngine_InjectorDecides: the engine carries out what its Injector
// decides for each delivery, whatever the merchant's settings say, and an
// Injector's error refuses the delivery.
func TestEngine_InjectorDecides(t *testing.T) {
	t.Parallel()
	x := newEngine(t, 0)
	x.Engine.Injector = injectorFunc(func(d *webhook.Delivery) (webhook.Decision, error) {
		switch d.Event {
		case "authorize":
			return webhook.Decision{Duplicate: 1, Forge: "missing"}, nil
		case "capture":
			return webhook.Decision{DropRate: 1}, nil
		case "close":
			return webhook.Decision{}, errors.New("no decision")
		}
		return webhook.Decision{}, nil
	})
	m := x.Merchant(t, "m1", tenant.WebhookSettings{Duplicate: 3, Forge: "wrong"})
	recv := webhooktest.NewReceiver(t)
	x.Enqueue(t, m, testDelivery(recv.URL, "p1"))
	capture := testDelivery(recv.URL, "p2")
	capture.Event = "capture"
	x.Enqueue(t, m, capture)
	closed := testDelivery(recv.URL, "p3")
	closed.Event = "close"
	if err := x.Store.Update(bg, func(tx store.Tx) error { return x.Engine.Enqueue(tx, m, closed) }); err == nil {
		t.Error("a delivery the injector failed on was enqueued")
	}
	x.Advance(t, m, 0)

	hs := recv.All()
	if len(hs) != 2 {
		t.Fatalf("%d requests, want the authorize event and its one duplicate", len(hs))
	}
	for _, h := range hs {
		if v := h.Header.Values("X-Auth"); len(v) != 0 {
			t.Errorf("X-Auth = %q, want the header removed", v)
		}
	}
	if d := x.Only(t, m, "p2"); d.Status != webhook.Dropped {
		t.Errorf("capture delivery is %s, want dropped", d.Status)
	}
	if ds, _ := x.Engine.List(bg, webhook.Filter{Payment: "p3"}); len(ds) != 0 {
		t.Errorf("%d deliveries stored for the refused event", len(ds))
	}
}
