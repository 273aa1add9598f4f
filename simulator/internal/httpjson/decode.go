package httpjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
)

// MaxBody bounds the request bodies the simulator reads: Tabby's strings
// are at most 255 characters and orders are small.
const MaxBody = 1 << 20

// ErrTooLarge is ReadBody's error for a body larger than MaxBody, or one
// the client did not finish sending.
var ErrTooLarge = errors.New("the body is larger than 1 MiB or was cut off")

// ReadBody reads r's body, at most MaxBody bytes.
func ReadBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := ReadAll(http.MaxBytesReader(w, r.Body, MaxBody), r.ContentLength)
	if err != nil {
		return nil, ErrTooLarge
	}
	return b, nil
}

// ReadAll is io.ReadAll for a body whose length its request announced
// (size; -1 when it did not): read into one buffer of that size, when it
// is under MaxBody, rather than one that grows from 512 bytes.
func ReadAll(body io.Reader, size int64) ([]byte, error) {
	c := 512
	if size >= 0 && size < MaxBody {
		c = int(size) + 1 // a byte more, to see the end without growing
	}
	b := make([]byte, 0, c)
	for {
		n, err := body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// Fields says what Decode does with an object member that v has no field
// for.
type Fields int

const (
	// IgnoreUnknown skips it, as Tabby's API does.
	IgnoreUnknown Fields = iota
	// RefuseUnknown fails, so that a misspelt field is not silently
	// ignored.
	RefuseUnknown
)

// DecodeError says why Decode could not decode a body.
type DecodeError struct {
	// Field, Want and Got describe a value of the wrong type: its dotted
	// path, what its field takes ("a string") and the JSON value it got
	// ("number"). Field is "" for any other error.
	Field, Want, Got string
	// Err is the decoder's own error.
	Err error
}

func (e *DecodeError) Error() string { return e.Err.Error() }

func (e *DecodeError) Unwrap() error { return e.Err }

// errTrailing is the error for a body that goes on after its JSON value.
var errTrailing = errors.New("more than one JSON value in the body")

// Decode decodes data, which must hold exactly one JSON value, into v. Its
// errors are *DecodeError.
func Decode(data []byte, v any, unknown Fields) error {
	// Unmarshal reads data in place where a Decoder copies it into a buffer
	// first; a body it refuses is read again by the Decoder, whose error
	// (the first value's own, before anything after it) is the one told.
	if unknown == IgnoreUnknown && json.Unmarshal(data, v) == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if unknown == RefuseUnknown {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		e := &DecodeError{Err: err}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			e.Field, e.Want, e.Got = te.Field, typeName(te.Type), te.Value
		}
		return e
	}
	if _, err := dec.Token(); err != io.EOF {
		return &DecodeError{Err: errTrailing}
	}
	return nil
}

// typeName names the JSON a Go type takes.
func typeName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map, reflect.Pointer:
		return "an object"
	}
	return t.String()
}
