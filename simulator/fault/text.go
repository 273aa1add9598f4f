package fault

import (
	"fmt"
	"net/http"
)

// Text answers in plain text, as a proxy or load balancer in front of the
// provider does when it cannot reach it (502, 503, 504), without handling
// the request.
type Text struct {
	// Status is the HTTP status, 400 to 599 (default 503).
	Status int `json:"status"`
	// Body is the text; "" sends the status and its name, such as
	// "503 Service Unavailable".
	Body string `json:"body,omitempty"`
}

func init() {
	register("text", func() Action { return &Text{Status: http.StatusServiceUnavailable} }, "status")
}

// Kind implements Action.
func (*Text) Kind() string { return "text" }

// Check implements Action.
func (t *Text) Check() error { return checkErrorStatus(t.Status) }

// Serve implements RequestAction.
func (t *Text) Serve(x *Exchange) {
	body := t.Body
	if body == "" {
		body = fmt.Sprintf("%d %s\n", t.Status, http.StatusText(t.Status))
	}
	x.write(t.Status, "text/plain; charset=utf-8", body)
}
