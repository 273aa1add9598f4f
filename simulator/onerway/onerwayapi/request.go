package onerwayapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/tabbysim/tabbysim/client/onerway"
)

// maxBody bounds a request body; Onerway's requests are a few kilobytes.
const maxBody = 1 << 20

// Merchant is what a request is checked against, for the merchant its
// merchantNo names.
type Merchant struct {
	// SecretKey signs the merchant's requests and the gateway's answers.
	SecretKey string
	// Limits bound orderAmount per currency; a currency without one takes
	// DefaultLimit.
	Limits map[string]Limit
}

// Warning is something the sandbox accepts and the production gateway may
// not: the journal and the log show it, and conform counts it.
type Warning struct {
	Rule    string `json:"rule"`
	Message string `json:"message"`
	Source  string `json:"source"`
}

// Request is a request as received, its merchant not yet known. Decode it
// with the endpoint's Decode function once the merchant is resolved.
type Request struct {
	// MerchantNo is the merchant the request says it comes from.
	MerchantNo string
	// Warnings gathers what reading and decoding noticed.
	Warnings []Warning
	fields   onerway.Fields
}

// ReadRequest reads an HTTP request's body (see ParseRequest). A
// Content-Type other than exactly application/json is accepted with a
// warning, as Onerway's documentation calls even
// "application/json; charset=UTF-8" wrong.
func ReadRequest(r *http.Request) (*Request, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, refuse(CodeUnreadable, "", "the body was cut off: %v", err)
	}
	if len(body) > maxBody {
		return nil, refuse(CodeUnreadable, "", "the body is larger than 1 MiB")
	}
	req, err := ParseRequest(body)
	if err != nil {
		return nil, err
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		req.warn("content-type", "send Content-Type: application/json exactly, not "+quoted(ct), "https://docs.onerway.com/apis/en/v0.6/tabby")
	}
	return req, nil
}

// ParseRequest reads a body: one JSON object whose merchantNo is set.
// Errors are *Error: CodeUnreadable, CodeMissing.
func ParseRequest(body []byte) (*Request, error) {
	f, err := onerway.ParseFields(body)
	if err != nil {
		detail := strings.TrimPrefix(strings.TrimPrefix(err.Error(), onerway.ErrMalformed.Error()), ": ")
		return nil, refuse(CodeUnreadable, "", "the body must be one JSON object of string fields (%s)", detail)
	}
	r := &Request{fields: f}
	if r.MerchantNo, err = required(f, "", "merchantNo"); err != nil {
		return nil, err
	}
	return r, nil
}

// authenticate checks the request's sign under the merchant's secret key
// with client/onerway: CodeBadSign when it is missing or wrong.
func (r *Request) authenticate(m Merchant) error {
	err := r.fields.Verify(onerway.KindRequest, m.SecretKey)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, onerway.ErrNoSignature):
		return refuse(CodeBadSign, "sign", "sign is missing")
	case errors.Is(err, onerway.ErrInvalidSignature):
		return refuse(CodeBadSign, "sign", "sign does not match the request: take the non-empty fields but sign, sorted by name, concatenate their values (nested JSON exactly as sent), append the secret key, SHA-256, lower-case hex")
	}
	return err // ErrNoSecret: a merchant without a key is the gateway's fault
}

func (r *Request) warn(rule, message, source string) {
	r.Warnings = append(r.Warnings, Warning{Rule: rule, Message: message, Source: source})
}

// name is a field's full name as messages give it: its parent's path,
// then its own name.
func name(parent, field string) string {
	if parent == "" {
		return field
	}
	return parent + "." + field
}

func quoted(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// kind names a JSON value's type for messages.
func kind(raw json.RawMessage) string {
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}

// text reads field of f as text: a string's value, or a number's digits
// as written (Onerway's own examples send some numbers). Absent, null and
// "" read as "". A boolean, object or array is CodeUnreadable.
func text(f onerway.Fields, parent, field string) (string, error) {
	raw := bytes.TrimSpace(f[field])
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", refuse(CodeUnreadable, name(parent, field), "%s is not a valid JSON string", name(parent, field))
		}
		return s, nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return string(raw), nil
	}
	return "", refuse(CodeUnreadable, name(parent, field), "%s must be a string, got %s", name(parent, field), kind(raw))
}

// required is text that must not be empty: CodeMissing when it is.
func required(f onerway.Fields, parent, field string) (string, error) {
	s, err := text(f, parent, field)
	if err == nil && s == "" {
		err = refuse(CodeMissing, name(parent, field), "%s is required", name(parent, field))
	}
	return s, err
}

// maxLen refuses s, the value of field, when it is longer than n
// characters, Onerway's documented length.
func maxLen(s string, n int, field string) error {
	if len([]rune(s)) > n {
		return refuse(CodeInvalid, field, "%s is longer than %d characters", field, n)
	}
	return nil
}

// nestedString reads field of f, which must be a JSON string holding JSON
// (Onerway's nested objects and the products array travel as strings,
// inside out). It returns the held JSON, or nil when the field is absent,
// null or "".
func nestedString(f onerway.Fields, parent, field, holds string) ([]byte, error) {
	raw := bytes.TrimSpace(f[field])
	if len(raw) == 0 || string(raw) == "null" || string(raw) == `""` {
		return nil, nil
	}
	full := name(parent, field)
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return nil, refuse(CodeUnreadable, full, "%s must be a JSON string holding %s (stringify it), got %s", full, holds, kind(raw))
	}
	return []byte(s), nil
}

// object reads field of f, a JSON string holding a JSON object, as that
// object's fields; nil when the field is absent.
func object(f onerway.Fields, parent, field string) (onerway.Fields, error) {
	held, err := nestedString(f, parent, field, "a JSON object")
	if held == nil || err != nil {
		return nil, err
	}
	obj, err := onerway.ParseFields(held)
	if err != nil {
		full := name(parent, field)
		return nil, refuse(CodeUnreadable, full, "%s does not hold a JSON object: %s", full, quoted(abbreviate(string(held))))
	}
	return obj, nil
}

// array reads field of f, a JSON string holding a JSON array, as its
// elements; nil when the field is absent.
func array(f onerway.Fields, parent, field string) ([]json.RawMessage, error) {
	held, err := nestedString(f, parent, field, "a JSON array")
	if held == nil || err != nil {
		return nil, err
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(held, &elems); err != nil || elems == nil {
		full := name(parent, field)
		return nil, refuse(CodeUnreadable, full, "%s does not hold a JSON array: %s", full, quoted(abbreviate(string(held))))
	}
	return elems, nil
}

// abbreviate keeps messages short when they quote what was sent.
func abbreviate(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}
