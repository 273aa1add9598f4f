package fault

import "github.com/tabbysim/tabbysim/simulator/webhook"

// Drop loses a webhook delivery on the way: it is stored as dropped and
// never tried.
type Drop struct{}

func init() { register("drop", func() Action { return &Drop{} }, "") }

// Kind implements Action.
func (*Drop) Kind() string { return "drop" }

// Check implements Action.
func (*Drop) Check() error { return nil }

// Decide implements WebhookAction.
func (*Drop) Decide(d *webhook.Decision) { d.DropRate = 1 }
