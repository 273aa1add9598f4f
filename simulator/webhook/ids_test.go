package webhook_test

import (
	"errors"
	"testing"

	"github.com/tabbysim/tabbysim/simulator/ids"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tenant"
	"github.com/tabbysim/tabbysim/simulator/webhook"
)

// TestDeliveryIDs_NeverRepeatOnAStore: an engine of a later start on the
// same store, drawing from the same seed, gives delivery ids of its own;
// and a delivery whose id is taken is refused, never written over the
// stored one.
func TestDeliveryIDs_NeverRepeatOnAStore(t *testing.T) {
	x := newEngine(t, 0)
	x.Engine.Generation = 1
	m := x.Merchant(t, "m1", tenant.WebhookSettings{})
	x.Enqueue(t, m, testDelivery("http://127.0.0.1:1/hook", "p1"))
	first := x.Only(t, m, "p1")

	engine := func(generation uint64) *webhook.Engine {
		e := &webhook.Engine{Store: x.Store, Clocks: x.Clocks, IDs: ids.New(1), Merchants: x.Merchants,
			Generation: generation}
		e.Register(testPolicy)
		e.Start()
		return e
	}
	later := engine(2)
	if err := x.Store.Update(bg, func(tx store.Tx) error {
		return later.Enqueue(tx, m, testDelivery("http://127.0.0.1:1/hook", "p2"))
	}); err != nil {
		t.Fatal(err)
	}
	if second := x.Only(t, m, "p2"); second.ID == first.ID {
		t.Fatalf("the later start's delivery got the id %s of the first start's", second.ID)
	}

	same := engine(1)
	err := x.Store.Update(bg, func(tx store.Tx) error {
		return same.Enqueue(tx, m, testDelivery("http://127.0.0.1:1/hook", "p3"))
	})
	if !errors.Is(err, store.ErrExists) {
		t.Fatalf("a delivery with a taken id: %v, want store.ErrExists", err)
	}
	if got := x.Only(t, m, "p1"); got.ID != first.ID || got.Body != first.Body {
		t.Fatalf("the stored delivery changed: %+v", got)
	}
}
