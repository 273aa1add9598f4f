package fault

import "strconv"

// Status answers with an HTTP status and an error in the provider's own
// shape, without handling the request: Tabby's envelope (its 500 in plain
// text, as Tabby sends it); Onerway's respCode and respMsg on HTTP 200, or,
// on any other status, the page a gateway in front of it would send.
type Status struct {
	// Status is the HTTP status, 200 to 599 (default 500).
	Status int `json:"status"`
	// Code is the provider's error code (Tabby's errorType, Onerway's
	// respCode); "" takes the provider's for the status.
	Code string `json:"code,omitempty"`
	// Message is the error's text; "" takes the provider's for the status.
	Message string `json:"message,omitempty"`
	// RetryAfter, in seconds, is sent as the Retry-After header (with a
	// 429 or a 503) when above 0.
	RetryAfter int `json:"retry_after,omitempty"`
}

func init() { register("status", func() Action { return &Status{Status: 500} }, "status") }

// Kind implements Action.
func (*Status) Kind() string { return "status" }

// Check implements Action.
func (s *Status) Check() error {
	if s.Status < 200 || s.Status > 599 {
		return fieldErr("status", "%d: give an HTTP status from 200 to 599", s.Status)
	}
	if s.RetryAfter < 0 || s.RetryAfter > 3600 {
		return fieldErr("retry_after", "%d: give seconds from 0 to 3600", s.RetryAfter)
	}
	return nil
}

// Serve implements RequestAction.
func (s *Status) Serve(x *Exchange) {
	if s.RetryAfter > 0 {
		x.w.Header().Set("Retry-After", strconv.Itoa(s.RetryAfter))
	}
	x.writeError(s.Status, s.Code, s.Message)
}
