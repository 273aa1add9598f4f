package tabby

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error is an answer other than 2xx. Tabby's JSON envelope
// {"status":"error","errorType":…,"error":…} fills ErrorType and Message;
// other bodies (plain text, HTML from a proxy) leave them empty. Body always
// holds the answer as it came.
type Error struct {
	StatusCode int
	// ErrorType is Tabby's errorType: bad_data, not_authorized,
	// no_permission, not_found, conflict.
	ErrorType string
	// Message is Tabby's human-readable error text.
	Message string
	Body    string
	// RetryAfter is how long the answer's Retry-After header asks the
	// client to wait (with a 429 or a 503); 0 when it gives none.
	RetryAfter time.Duration
}

// retryAfter reads a Retry-After header, seconds or an HTTP date, as the
// wait from now; 0 when there is none or it cannot be read.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(n, 0)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// Error reads like "tabby: 400 bad_data: already closed".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("tabby: ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if e.ErrorType != "" {
		b.WriteString(" " + e.ErrorType)
	}
	switch {
	case e.Message != "":
		b.WriteString(": " + e.Message)
	case e.ErrorType == "":
		if body := strings.TrimSpace(e.Body); body != "" {
			if len(body) > 200 {
				body = body[:200] + "…"
			}
			b.WriteString(": " + body)
		}
	}
	return b.String()
}

// newError decodes an answer's body into *Error.
func newError(status int, body []byte) *Error {
	e := &Error{StatusCode: status, Body: string(body)}
	var env struct {
		Status    string `json:"status"`
		ErrorType string `json:"errorType"`
		Error     any    `json:"error"`
	}
	if json.Unmarshal(body, &env) == nil {
		e.ErrorType = env.ErrorType
		switch m := env.Error.(type) {
		case string:
			e.Message = m
		case nil:
		default:
			if b, err := json.Marshal(m); err == nil {
				e.Message = string(b)
			}
		}
	}
	return e
}

// IsAlreadyClosed reports whether err is Tabby's 400 "already closed" from
// Close: the payment is closed, which a merchant may treat as success.
func IsAlreadyClosed(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.StatusCode == 400 &&
		strings.EqualFold(strings.TrimSpace(e.Message), "already closed")
}

// IsNotFound reports whether err is a 404 answer.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.StatusCode == 404
}
