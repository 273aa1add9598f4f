package tabby

import (
	"errors"
	"fmt"
)

// Code classifies a domain error; the HTTP layer maps each code to Tabby's
// status and errorType in one table.
type Code string

const (
	// Invalid is bad input or an operation the payment's state forbids:
	// Tabby answers 400 bad_data.
	Invalid Code = "invalid"
	// NotFound is a payment, session or webhook the caller cannot see.
	NotFound Code = "not_found"
	// Unauthorized is a missing or unknown key or merchant code.
	Unauthorized Code = "unauthorized"
	// Conflict is a customer action on a payment that is past it.
	Conflict Code = "conflict"
)

// Error is an application error with a message meant for the merchant's
// engineer.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return e.Message }

func errorf(code Code, format string, a ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, a...)}
}

// ErrorCode returns the code of an application error, or "" for any other
// error.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

var errNoSuchPayment = &Error{Code: NotFound, Message: "no such payment"}
