package fault

import "github.com/tabbysim/tabbysim/simulator/webhook"

// Forge sends a webhook delivery with an authentication a forger's would
// have; what that is is the provider's delivery policy's to say (Tabby's
// registered header wrong or left out).
type Forge struct {
	// As is "wrong" (the default) or "missing".
	As string `json:"as"`
}

func init() { register("forge", func() Action { return &Forge{As: "wrong"} }, "as") }

// Kind implements Action.
func (*Forge) Kind() string { return "forge" }

// Check implements Action.
func (f *Forge) Check() error {
	if f.As != "wrong" && f.As != "missing" {
		return fieldErr("as", "%q: say \"wrong\" or \"missing\"", f.As)
	}
	return nil
}

// Decide implements WebhookAction.
func (f *Forge) Decide(d *webhook.Decision) { d.Forge = f.As }
