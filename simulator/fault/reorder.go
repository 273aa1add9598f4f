package fault

import "github.com/tabbysim/tabbysim/simulator/webhook"

// Reorder holds a webhook delivery back until the payment's next event has
// gone out (or webhook.ReorderHold has passed on the merchant's clock), so
// the two arrive out of order.
type Reorder struct{}

func init() { register("reorder", func() Action { return &Reorder{} }, "") }

// Kind implements Action.
func (*Reorder) Kind() string { return "reorder" }

// Check implements Action.
func (*Reorder) Check() error { return nil }

// Decide implements WebhookAction.
func (*Reorder) Decide(d *webhook.Decision) { d.Reorder = true }
