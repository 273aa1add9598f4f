// Package httpjson reads the JSON bodies of requests and writes the JSON
// answers of the simulator's HTTP layers, the same way for every surface;
// each surface words the errors in its own shape.
package httpjson

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
)

// Write answers status with v as JSON, indented by indent ("" for compact)
// and ending in a newline. v is encoded in full before anything is written:
// when it cannot be, Write writes nothing and returns the error, so the
// caller can still answer with a 500 in its surface's own shape instead of
// a status with a broken or empty body.
func Write(w http.ResponseWriter, status int, v any, indent string) error {
	var body []byte
	if a, ok := v.(Appender); ok && indent == "" {
		buf := buffers.Get().(*[]byte)
		defer func() {
			if cap(body) <= maxPooled {
				*buf = body[:0]
				buffers.Put(buf)
			}
		}()
		var err error
		if body, err = a.AppendJSON((*buf)[:0]); err != nil {
			return err
		}
		body = append(body, '\n')
	} else {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", indent)
		if err := enc.Encode(v); err != nil {
			return err
		}
		body = buf.Bytes()
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
	return nil
}

// buffers hold the answers Appenders write, for the next answer once one is
// written: a list of payments takes tens of kilobytes.
var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// maxPooled bounds the buffers kept for the next answer.
const maxPooled = 256 << 10

// Appender is a value that writes its own JSON, exactly as json.Marshal
// would, only faster: Write uses it for compact answers.
type Appender interface {
	AppendJSON(b []byte) ([]byte, error)
}
