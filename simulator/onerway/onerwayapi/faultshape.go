package onerwayapi

import (
	"fmt"
	"net/http"
)

// FaultShape writes the errors the simulator's fault injection answers
// with as the gateway and what stands in front of it do: on HTTP 200,
// Onerway's envelope with code as the respCode (CodeSystemError when "")
// and message as the respMsg (the code's title when "", and always for
// CodeSystemError), built by Failure and sent by Write; on any other
// status, the plain-text page a proxy or load balancer in front of the
// gateway sends, as Onerway itself answers every request with 200
// (onerway-api.md §3, §10).
type FaultShape struct{}

// WriteError implements the simulator's fault.Shape.
func (FaultShape) WriteError(w http.ResponseWriter, status int, code, message string) {
	if status != http.StatusOK {
		if message == "" {
			message = fmt.Sprintf("%d %s", status, http.StatusText(status))
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintln(w, message)
		return
	}
	c := Code(code)
	if c == "" {
		c = CodeSystemError
	}
	if message == "" {
		message = c.Title()
	}
	Write(w, Failure(&Error{Code: c, Msg: message}))
}
