package fault

import (
	"time"

	"github.com/tabbysim/tabbysim/simulator/tenant"
	"github.com/tabbysim/tabbysim/simulator/webhook"
)

// Delay holds a request back in real time before the provider handles it,
// or a webhook delivery back on the merchant's clock. A held request
// occupies no worker beyond its own connection, and is let go when its
// client gives up (it is then not handled) or the simulator shuts down.
type Delay struct {
	// Duration is how long: "2s", "5m" (at most 24 hours). A request held
	// beyond the simulator's --write-timeout gets no answer.
	Duration tenant.Duration `json:"duration"`
}

func init() { register("delay", func() Action { return &Delay{} }, "duration") }

// Kind implements Action.
func (*Delay) Kind() string { return "delay" }

// Check implements Action.
func (d *Delay) Check() error {
	if d.Duration <= 0 || d.Duration.D() > 24*time.Hour {
		return fieldErr("duration", "give a duration above 0 and at most 24h, such as \"2s\"")
	}
	return nil
}

// Serve implements RequestAction.
func (d *Delay) Serve(x *Exchange) {
	if x.hold(d.Duration.D()) {
		x.pass()
	}
}

// Decide implements WebhookAction.
func (d *Delay) Decide(dec *webhook.Decision) { dec.Delay += d.Duration.D() }
