package fault

// Truncate has the provider handle the request, then sends its answer with
// the body cut short (the status and headers as the provider sent them):
// the state changed, and the client holds JSON it cannot read.
type Truncate struct {
	// Keep is how many bytes of the body are sent; 0 sends half. At least
	// one byte is always cut.
	Keep int `json:"keep,omitempty"`
}

func init() { register("truncate", func() Action { return &Truncate{} }, "keep") }

// Kind implements Action.
func (*Truncate) Kind() string { return "truncate" }

// Check implements Action.
func (t *Truncate) Check() error {
	if t.Keep < 0 {
		return fieldErr("keep", "must be 0 (half the body) or more")
	}
	return nil
}

// Serve implements RequestAction.
func (t *Truncate) Serve(x *Exchange) {
	a := x.apply()
	body := a.body.Bytes()
	keep := t.Keep
	if keep == 0 {
		keep = len(body) / 2
	}
	keep = max(min(keep, len(body)-1), 0)
	a.replay(x.w, body[:keep])
}
