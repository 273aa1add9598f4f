package onerway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// field is one member of a JSON object, its value as raw JSON text.
type field struct {
	name  string
	value json.RawMessage
}

// decodeObject reads a JSON object's members in the order they appear,
// each value exactly as written. It fails on anything but one object, and on
// a name given twice: a signer and a reader that kept different copies would
// disagree about what was signed.
func decodeObject(data []byte) ([]field, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	var out []field
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		name := tok.(string) // inside an object, the decoder yields names here
		if seen[name] {
			return nil, fmt.Errorf("%w: field %q appears twice", ErrMalformed, name)
		}
		seen[name] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%w: field %q: %v", ErrMalformed, name, err)
		}
		out = append(out, field{name, v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrMalformed)
	}
	return out, nil
}

// decodeArray reads a JSON array's elements, each exactly as written.
func decodeArray(data []byte) ([]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, fmt.Errorf("%w: not a JSON array", ErrMalformed)
	}
	var out []json.RawMessage
	for dec.More() {
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// marshal encodes v compactly and, unlike json.Marshal, leaves <, > and &
// as they are, as JavaScript's JSON.stringify and Java's encoders do; URLs
// with query strings then read the same in every client's nested JSON.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// quote is s as a JSON string literal.
func quote(s string) []byte {
	b, _ := marshal(s) // a string always encodes
	return b
}

// isComposite reports whether raw is a JSON object or array.
func isComposite(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 0 && (raw[0] == '{' || raw[0] == '[')
}

// wireForm rewrites a nested value the way Onerway wants it sent, inside
// out: within an object, every object or array value becomes a JSON string
// holding its own wire form (so products is a string inside the string
// txnOrderMsg); the elements of an array stay in place, rewritten the same
// way. Names keep their order and numbers their text.
func wireForm(raw json.RawMessage) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return raw, nil
	}
	var b bytes.Buffer
	switch raw[0] {
	case '{':
		fields, err := decodeObject(raw)
		if err != nil {
			return nil, err
		}
		b.WriteByte('{')
		for i, f := range fields {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(quote(f.name))
			b.WriteByte(':')
			v, err := wireValue(f.value)
			if err != nil {
				return nil, err
			}
			b.Write(v)
		}
		b.WriteByte('}')
	case '[':
		elems, err := decodeArray(raw)
		if err != nil {
			return nil, err
		}
		b.WriteByte('[')
		for i, e := range elems {
			if i > 0 {
				b.WriteByte(',')
			}
			v, err := wireForm(e)
			if err != nil {
				return nil, err
			}
			b.Write(v)
		}
		b.WriteByte(']')
	default:
		return raw, nil
	}
	return b.Bytes(), nil
}

// wireValue is a member's value as sent: an object or array becomes a JSON
// string of its wire form, anything else stays as written.
func wireValue(raw json.RawMessage) (json.RawMessage, error) {
	if !isComposite(raw) {
		return raw, nil
	}
	w, err := wireForm(raw)
	if err != nil {
		return nil, err
	}
	return quote(string(w)), nil
}
