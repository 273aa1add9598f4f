// Package apperr is the simulator's one application error: a code that
// says what kind of failure it is and a message for the merchant's
// engineer. Domain packages return it; each HTTP surface (a provider's API,
// the control API, the hosted pages) maps the codes to its own statuses and
// shapes in one table, and answers any other error as a logged, generic
// 500.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an application error.
type Code string

const (
	// Invalid is bad input, or an operation the state of what it acts on
	// forbids.
	Invalid Code = "invalid"
	// NotFound is something the caller cannot see: it does not exist or
	// belongs to another merchant.
	NotFound Code = "not_found"
	// Unauthorized is a missing or unknown credential.
	Unauthorized Code = "unauthorized"
	// Conflict is an action on something that has moved past it, such as
	// a customer paying a checkout that already expired.
	Conflict Code = "conflict"
)

// Error is an application error.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an application error with code and a formatted message.
func Errorf(code Code, format string, a ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, a...)}
}

// CodeOf returns the code of the application error in err's chain, or ""
// when there is none: an unexpected error.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
