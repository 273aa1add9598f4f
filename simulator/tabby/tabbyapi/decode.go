package tabbyapi

import (
	"errors"

	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/internal/httpjson"
	"github.com/tabbysim/tabbysim/simulator/tabby"
)

// msgCouldNotDecode is Tabby's message for a body that is not JSON.
const msgCouldNotDecode = "could not decode request"

// decodeBody reads the bounded request body, reads what l names as the
// merchant's strictness asks (see lint), and decodes it with decode,
// answering the error itself when it cannot.
func decodeBody[T any](a *API, c *call, l bodyLint, decode func([]byte) (T, error)) (T, bool) {
	var zero T
	b, err := httpjson.ReadBody(c.w, c.r)
	if err != nil {
		a.fail(c.w, c.r, apperr.Errorf(apperr.Invalid, "%s: %v", msgCouldNotDecode, err))
		return zero, false
	}
	if b, err = a.lint(c, b, l); err != nil {
		a.fail(c.w, c.r, err)
		return zero, false
	}
	v, err := decode(b)
	if err != nil {
		a.fail(c.w, c.r, err)
		return zero, false
	}
	return v, true
}

// decodeJSON decodes a body as Tabby does: members it does not know are
// ignored, a value of the wrong type is refused naming its field, and
// anything else that is not one JSON object gets "could not decode
// request". Errors are application errors with code Invalid.
func decodeJSON(body []byte, v any) error {
	err := httpjson.Decode(body, v, httpjson.IgnoreUnknown)
	var de *httpjson.DecodeError
	if errors.As(err, &de) && de.Field != "" {
		return apperr.Errorf(apperr.Invalid, "%s: expected %s, got %s", de.Field, de.Want, de.Got)
	}
	if err != nil {
		return apperr.Errorf(apperr.Invalid, msgCouldNotDecode)
	}
	return nil
}

// decodeCheckout parses a create-session body.
func decodeCheckout(body []byte) (*tabby.CheckoutRequest, error) {
	var r tabby.CheckoutRequest
	if err := decodeJSON(body, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// decodeCapture parses a capture body.
func decodeCapture(body []byte) (*tabby.CaptureRequest, error) {
	var r tabby.CaptureRequest
	return &r, decodeJSON(body, &r)
}

// decodeRefund parses a refund body.
func decodeRefund(body []byte) (*tabby.RefundRequest, error) {
	var r tabby.RefundRequest
	return &r, decodeJSON(body, &r)
}

// decodeUpdate parses a PUT payment body and returns the new reference id.
func decodeUpdate(body []byte) (string, error) {
	var r struct {
		Order *struct {
			ReferenceID *string `json:"reference_id"`
		} `json:"order"`
	}
	if err := decodeJSON(body, &r); err != nil {
		return "", err
	}
	if r.Order == nil || r.Order.ReferenceID == nil {
		return "", apperr.Errorf(apperr.Invalid, "order.reference_id is required")
	}
	return *r.Order.ReferenceID, nil
}

// decodeWebhook parses a webhook register or update body.
func decodeWebhook(body []byte) (*tabby.WebhookInput, error) {
	var in tabby.WebhookInput
	return &in, decodeJSON(body, &in)
}
