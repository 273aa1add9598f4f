package fault

import "github.com/tabbysim/tabbysim/simulator/webhook"

// Duplicate sends copies of a webhook delivery right after it.
type Duplicate struct {
	// Copies is how many, 1 to 10 (default 1).
	Copies int `json:"copies"`
}

func init() { register("duplicate", func() Action { return &Duplicate{Copies: 1} }, "copies") }

// Kind implements Action.
func (*Duplicate) Kind() string { return "duplicate" }

// Check implements Action.
func (d *Duplicate) Check() error {
	if d.Copies < 1 || d.Copies > 10 {
		return fieldErr("copies", "%d: give 1 to 10", d.Copies)
	}
	return nil
}

// Decide implements WebhookAction.
func (d *Duplicate) Decide(dec *webhook.Decision) { dec.Duplicate = min(dec.Duplicate+d.Copies, 10) }
