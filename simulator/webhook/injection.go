package webhook

import (
	"time"

	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// Injector decides what failure injection does to a delivery as it is
// enqueued. The engine asks it once per delivery, inside the transaction
// that stores the delivery, and carries the decision out; what a forgery
// looks like is left to the delivery's Policy. An Injector knows no
// provider: it sees the delivery's provider, event and payment as names.
type Injector interface {
	// Inject decides for d, which is about to be stored for merchant m in
	// tx. An error aborts the enqueue, and with it tx.
	Inject(tx store.Tx, m *tenant.Merchant, d *Delivery) (Decision, error)
}

// Decision is what failure injection does to one delivery. The zero
// Decision delivers it as it is.
type Decision struct {
	// Forge asks the policy for a forgery ("wrong" or "missing"
	// authentication); "" sends the delivery as the provider made it.
	Forge string
	// DropRate is the chance (0 to 1) that the delivery is lost on the
	// way, stored but never tried; 1 loses it. The engine draws from its
	// seeded source, after the forgery, so a seed repeats the run.
	DropRate float64
	// Delay holds the first try back this long on the merchant's clock.
	Delay time.Duration
	// Duplicate sends this many extra copies, each right after the
	// original's first try.
	Duplicate int
	// Reorder holds the delivery back until the payment's next event has
	// gone out (or ReorderHold has passed), so the two arrive out of order.
	Reorder bool
}

// injector is the engine's Injector: the configured one, or the
// merchant's own settings.
func (e *Engine) injector() Injector {
	if e.Injector != nil {
		return e.Injector
	}
	return SettingsInjector{}
}
