package fault

import (
	"encoding/json"
	"net/http"
)

// Malformed answers with a body declared as JSON that is not JSON, without
// handling the request.
type Malformed struct {
	// Status is the HTTP status, 200 to 599 (default 200).
	Status int `json:"status"`
	// Body is what is sent; it must not be valid JSON. "" sends an object
	// broken off in the middle.
	Body string `json:"body,omitempty"`
}

// brokenJSON is Malformed's default body.
const brokenJSON = `{"status": "ok", "data": {"id": `

func init() {
	register("malformed", func() Action { return &Malformed{Status: http.StatusOK} }, "status")
}

// Kind implements Action.
func (*Malformed) Kind() string { return "malformed" }

// Check implements Action.
func (m *Malformed) Check() error {
	if m.Status < 200 || m.Status > 599 {
		return fieldErr("status", "%d: give an HTTP status from 200 to 599", m.Status)
	}
	if m.Body != "" && json.Valid([]byte(m.Body)) {
		return fieldErr("body", "is valid JSON; a malformed answer must not be")
	}
	return nil
}

// Serve implements RequestAction.
func (m *Malformed) Serve(x *Exchange) {
	body := m.Body
	if body == "" {
		body = brokenJSON
	}
	x.write(m.Status, "application/json", body)
}
