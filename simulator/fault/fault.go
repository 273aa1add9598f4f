// Package fault makes the simulator fail on purpose, as real providers and
// the networks in front of them do. A rule matches a provider's API
// requests, or the webhooks the simulator sends, and applies an action: an
// error in the provider's own shape (a 429 with Retry-After among them), a
// firewall's HTML page, a plain-text 502, a cut or malformed body, a
// delay, a connection closed or reset without an answer, or the request
// applied and then its answer lost; to a webhook, a loss, a copy, a delay,
// a reordering or a forgery. The X-Sim-Fault header applies one action to
// the one request it comes with.
//
// The package knows no provider. Each provider's API is mounted with
// Middleware and the provider's Shape (how it writes an error); rules match
// the identity surface.Identify gave the request (provider, operation,
// merchant). The webhook engine asks the Engine, as its Injector, what
// becomes of each delivery. Each action kind is a file of its own that
// registers itself; its config struct is the rule format's schema.
package fault

import (
	"fmt"
	"net/http"
	"time"
)

// Spec is a rule as it is written, in POST /_sim/v1/faults and in scenario
// files. Only Action is required.
type Spec struct {
	// Name labels the rule; a scenario's timeline switches its rules by
	// name.
	Name string `json:"name,omitempty"`
	// Merchant is the merchant whose requests the rule matches; "" matches
	// every merchant's.
	Merchant string     `json:"merchant,omitempty"`
	Match    Match      `json:"match"`
	Action   ActionJSON `json:"action"`
	Scope    Scope      `json:"scope"`
}

// Rule is a stored rule.
type Rule struct {
	ID string `json:"id"`
	Spec
	// Scenario names the scenario that added the rule, if one did.
	Scenario string `json:"scenario,omitempty"`
	// Switches turn the rule on and off at times on its merchant's clock,
	// oldest first (a scenario's timeline). A rule whose first switch turns
	// it on is off until then.
	Switches []Switch `json:"switches,omitempty"`
	// Matched counts the requests or deliveries the rule matched while it
	// was active; Fired those it applied its action to.
	Matched int `json:"matched"`
	Fired   int `json:"fired"`
}

// Switch turns a rule on or off at a time on its merchant's clock.
type Switch struct {
	At time.Time `json:"at"`
	On bool      `json:"on"`
}

// active reports whether the rule applies at now on its merchant's clock;
// a zero now (a request no merchant's key identifies) finds active only
// the rules that do not depend on time.
func (r *Rule) active(now time.Time) bool {
	if now.IsZero() {
		return r.Scope.Until == nil && len(r.Switches) == 0
	}
	if r.Scope.Until != nil && !now.Before(*r.Scope.Until) {
		return false
	}
	on := len(r.Switches) == 0 || !r.Switches[0].On
	for _, s := range r.Switches {
		if !now.Before(s.At) {
			on = s.On
		}
	}
	return on
}

// Shape writes a provider's error answers in its own wire format. The
// provider's wire package implements it; the simulator's wiring mounts
// each provider's API with Middleware(that Shape).
type Shape interface {
	// WriteError answers status with the provider's error for code (such
	// as Tabby's errorType or Onerway's respCode) and message, each "" for
	// the provider's default for the status.
	WriteError(w http.ResponseWriter, status int, code, message string)
}

// FieldError says what is wrong with one field of a rule or a header.
type FieldError struct {
	// Field is the field's dotted path, such as "action.status"; "" for
	// the whole value.
	Field string
	Msg   string
}

func (e *FieldError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

// fieldErr returns a FieldError about field.
func fieldErr(field, format string, a ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, a...)}
}

// under puts the field of a FieldError under prefix; other errors become
// a FieldError about prefix.
func under(prefix string, err error) error {
	if err == nil {
		return nil
	}
	if fe, ok := err.(*FieldError); ok {
		f := prefix
		if fe.Field != "" {
			f += "." + fe.Field
		}
		return &FieldError{Field: f, Msg: fe.Msg}
	}
	return &FieldError{Field: prefix, Msg: err.Error()}
}
