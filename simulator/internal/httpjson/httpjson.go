// Package httpjson reads the JSON bodies of requests and writes the JSON
// answers of the simulator's HTTP layers, the same way for every surface;
// each surface words the errors in its own shape.
package httpjson

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// Write answers status with v as JSON, indented by indent ("" for compact)
// and ending in a newline. v is encoded in full before anything is written:
// when it cannot be, Write writes nothing and returns the error, so the
// caller can still answer with a 500 in its surface's own shape instead of
// a status with a broken or empty body.
func Write(w http.ResponseWriter, status int, v any, indent string) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", indent)
	if err := enc.Encode(v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return nil
}
