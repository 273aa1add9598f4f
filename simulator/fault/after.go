package fault

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// After has the provider handle the request, then fails the answer: the
// state changed, but the client saw an error, a dropped connection or no
// answer at all. A client that retries must do so idempotently (Tabby's
// reference_id, tabby-api.md §3.6) or apply the change twice.
type After struct {
	// Then is what the client gets: an HTTP status such as 500 (the
	// default), answered in the provider's error shape; "reset" or "close"
	// (the connection dropped without an answer); or "timeout" (no answer
	// for Hold, then the connection closed).
	Then Outcome `json:"then"`
	// Hold is how long "timeout" keeps the client waiting (default 30s,
	// the simulator's --write-timeout).
	Hold tenant.Duration `json:"hold,omitempty"`
}

// The outcomes of After other than a status.
const (
	outcomeReset   = "reset"
	outcomeClose   = "close"
	outcomeTimeout = "timeout"
)

func init() {
	register("after", func() Action { return &After{Then: "500", Hold: tenant.Duration(30 * time.Second)} }, "then")
}

// Kind implements Action.
func (*After) Kind() string { return "after" }

// Check implements Action.
func (a *After) Check() error {
	if status, ok := a.Then.status(); ok {
		if status < 400 || status > 599 {
			return fieldErr("then", "%d: give an HTTP error status from 400 to 599, or reset, close or timeout", status)
		}
	} else {
		switch a.Then {
		case outcomeReset, outcomeClose, outcomeTimeout:
		default:
			return fieldErr("then", "%q: give an HTTP error status such as 500, or reset, close or timeout", string(a.Then))
		}
	}
	if a.Hold <= 0 || a.Hold.D() > 10*time.Minute {
		return fieldErr("hold", "give a duration above 0 and at most 10m, such as \"30s\"")
	}
	return nil
}

// Serve implements RequestAction.
func (a *After) Serve(x *Exchange) {
	x.apply()
	if status, ok := a.Then.status(); ok {
		x.writeError(status, "", "")
		return
	}
	switch a.Then {
	case outcomeReset:
		x.drop(true)
	case outcomeClose:
		x.drop(false)
	case outcomeTimeout:
		if x.hold(a.Hold.D()) {
			x.drop(false)
		}
	}
}

// Outcome is After's "then": an HTTP status, written as a number or in
// digits, or a word.
type Outcome string

func (o Outcome) status() (int, bool) {
	n, err := strconv.Atoi(string(o))
	return n, err == nil
}

// MarshalJSON writes a status as a number, a word as a string.
func (o Outcome) MarshalJSON() ([]byte, error) {
	if n, ok := o.status(); ok {
		return json.Marshal(n)
	}
	return json.Marshal(string(o))
}

// UnmarshalJSON reads a number or a string.
func (o *Outcome) UnmarshalJSON(b []byte) error {
	var n int
	if err := json.Unmarshal(b, &n); err == nil {
		*o = Outcome(strconv.Itoa(n))
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &FieldError{Msg: "give an HTTP status such as 500, or reset, close or timeout"}
	}
	*o = Outcome(s)
	return nil
}
