package fault

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"time"

	"github.com/tabbysim/tabbysim/simulator/internal/httpjson"
)

// ParseSpec reads a rule as POST /_sim/v1/faults and scenario files write
// it, refusing unknown fields, and checks it. Its errors are *FieldError,
// naming the field at fault ("action.status", "match: unknown field …").
func ParseSpec(data []byte) (Spec, error) {
	var raw struct {
		Name     string          `json:"name"`
		Merchant string          `json:"merchant"`
		Match    json.RawMessage `json:"match"`
		Action   json.RawMessage `json:"action"`
		Scope    json.RawMessage `json:"scope"`
	}
	if err := decodeStrict(data, &raw); err != nil {
		return Spec{}, err
	}
	s := Spec{Name: raw.Name, Merchant: raw.Merchant}
	if err := decodePart("match", raw.Match, &s.Match); err != nil {
		return Spec{}, err
	}
	if err := decodePart("scope", raw.Scope, &s.Scope); err != nil {
		return Spec{}, err
	}
	if isNull(raw.Action) {
		return Spec{}, fieldErr("action", "required: an object with a kind (%s)", strings.Join(Kinds(), ", "))
	}
	a, err := parseAction(raw.Action)
	if err != nil {
		return Spec{}, under("action", err)
	}
	s.Action = ActionJSON{a}
	return s, s.Check()
}

// names are what a rule's name may be: short, readable, safe in a
// timeline.
var names = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Check says what is wrong with the rule, naming the field.
func (s Spec) Check() error {
	if s.Name != "" && !names.MatchString(s.Name) {
		return fieldErr("name", "%q: use up to 64 letters, digits, dots, dashes and underscores", s.Name)
	}
	if err := s.Match.check(); err != nil {
		return under("match", err)
	}
	if s.Action.Action == nil {
		return fieldErr("action", "required: an object with a kind (%s)", strings.Join(Kinds(), ", "))
	}
	if err := s.Action.Check(); err != nil {
		return under("action", err)
	}
	kind := s.Action.Kind()
	switch s.Match.on() {
	case OnRequest:
		if _, ok := s.Action.Action.(RequestAction); !ok {
			return fieldErr("action.kind", "%q acts on webhooks: give the rule \"match\": {\"on\": \"webhook\"}", kind)
		}
	case OnWebhook:
		if _, ok := s.Action.Action.(WebhookAction); !ok {
			return fieldErr("action.kind", "%q acts on requests, not on webhooks (those take %s)", kind, strings.Join(webhookKinds(), ", "))
		}
	}
	return under("scope", s.Scope.check())
}

// decodePart decodes the object of field into v, strictly; null or absent
// leaves v as it is.
func decodePart(field string, data json.RawMessage, v any) error {
	if isNull(data) {
		return nil
	}
	return under(field, decodeStrict(data, v))
}

func isNull(data json.RawMessage) bool {
	d := bytes.TrimSpace(data)
	return len(d) == 0 || string(d) == "null"
}

// decodeStrict decodes the JSON object data into v, refusing unknown
// fields, one field at a time so that every error is a FieldError naming
// its field.
func decodeStrict(data []byte, v any) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		return &FieldError{Msg: "must be a JSON object"}
	}
	for _, name := range sortedKeys(fields) {
		one, _ := json.Marshal(map[string]json.RawMessage{name: fields[name]}) // raw JSON always encodes
		if err := httpjson.Decode(one, v, httpjson.RefuseUnknown); err != nil {
			return fieldError(name, err)
		}
	}
	return nil
}

// fieldError words a decoding error of field name.
func fieldError(name string, err error) error {
	var de *httpjson.DecodeError
	var fe *FieldError
	var te *time.ParseError
	switch {
	case errors.As(err, &de) && de.Field != "":
		return fieldErr(de.Field, "want %s, got %s", de.Want, de.Got)
	case errors.As(err, &fe):
		return under(name, fe)
	case errors.As(err, &te):
		return fieldErr(name, "want a time such as 2026-12-01T10:00:00Z, got %q", te.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return fieldErr(name, "unknown field")
	}
	return fieldErr(name, "%s", strings.TrimPrefix(err.Error(), "json: "))
}
