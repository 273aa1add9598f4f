package journal

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tabbysim/tabbysim/simulator/metrics"
)

// RequestLog writes one log line for every request the simulator serves,
// and counts the provider API's requests. A request the journal recorded
// is logged with everything its entry carries but its bodies; any other
// (a hosted page, the control API) with its method, path, status, latency
// and request id.
//
// A line never carries a header, a body or a query, so no key, signature or
// webhook header a request or answer holds reaches the log.
type RequestLog struct {
	Log     *slog.Logger
	Metrics *metrics.Metrics
}

// line is what the layers inside RequestLog tell it of one request.
type line struct {
	entry *Entry // the journal's entry, when the journal recorded it
	hint  string
	quiet bool
}

type lineKey struct{}

// withLine returns r with a line in its context (the one it has, if any)
// and that line.
func withLine(r *http.Request) (*http.Request, *line) {
	if l, ok := r.Context().Value(lineKey{}).(*line); ok {
		return r, l
	}
	l := &line{}
	return r.WithContext(context.WithValue(r.Context(), lineKey{}, l)), l
}

// Hint adds to the request's log line, and its journal entry, a hint for
// the merchant's engineer that the answer does not give, such as which
// merchant codes exist after a request named an unknown one. It never
// holds a secret. Outside a logged or journalled request it does nothing.
func Hint(ctx context.Context, hint string) {
	if l, ok := ctx.Value(lineKey{}).(*line); ok {
		l.hint = hint
	}
}

// Quiet logs the requests next serves at debug level: those a monitor
// sends again and again, such as health checks and metric scrapes.
func Quiet(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, l := withLine(r)
		l.quiet = true
		next.ServeHTTP(w, r)
	})
}

// Middleware logs each request next serves once it is answered, or, for a
// handler that aborts it (http.ErrAbortHandler), once it is cut off. The
// request id is read from the answer's X-Request-Id header, so it must be
// set before.
func (rl *RequestLog) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r, l := withLine(r)
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		aborted := true
		defer func() {
			e := Entry{
				RequestID: w.Header().Get("X-Request-Id"), Method: r.Method, Path: r.URL.Path,
				Status: sw.status, LatencyMS: ms(time.Since(start)), Hint: l.hint,
			}
			if l.entry != nil {
				e = *l.entry
				rl.Metrics.Request(e.Provider, e.Operation, e.Status, time.Duration(e.LatencyMS*float64(time.Millisecond)))
				for _, w := range e.Lint {
					rl.Metrics.LintWarning(e.Provider, e.Operation, w.Rule)
				}
			}
			rl.write(r.Context(), &e, l.quiet, aborted)
		}()
		next.ServeHTTP(sw, r)
		aborted = false
	})
}

// write logs e: at error level for a 5xx or a request cut off, warning for
// a 4xx, info otherwise, and debug for a quiet one that went well.
func (rl *RequestLog) write(ctx context.Context, e *Entry, quiet, aborted bool) {
	if rl.Log == nil {
		return
	}
	level := slog.LevelInfo
	switch {
	case aborted || e.Status >= 500:
		level = slog.LevelError
	case e.Status >= 400:
		level = slog.LevelWarn
	case quiet:
		level = slog.LevelDebug
	}
	if !rl.Log.Enabled(ctx, level) {
		return
	}
	attrs := logAttrs(e)
	if aborted {
		attrs = append(attrs, slog.Bool("aborted", true))
	}
	rl.Log.LogAttrs(ctx, level, "request", attrs...)
}

// logFirst are the entry's fields a line starts with, by their JSON names.
var logFirst = []string{"method", "path", "status", "latency_ms"}

// logAttrs are the fields of the struct v points to (an Entry) as log
// attributes, named as in its JSON: those in logFirst, then the others in
// the order the struct declares them. Fields tagged `log:"-"` and fields at
// their zero value are left out, so whatever an Entry comes to carry is
// logged without this changing.
func logAttrs(v any) []slog.Attr {
	sv := reflect.ValueOf(v).Elem()
	fields := logFieldsOf(sv.Type())
	attrs := make([]slog.Attr, 0, len(fields))
	for _, f := range fields {
		if fv := sv.Field(f.index); !fv.IsZero() {
			attrs = append(attrs, slog.Attr{Key: f.name, Value: logValue(fv)})
		}
	}
	return attrs
}

// logField is a struct field logAttrs logs: its index and its JSON name.
type logField struct {
	index int
	name  string
}

// logFields holds each struct type's logFields, in the order they are
// logged, worked out once.
var logFields sync.Map // reflect.Type -> []logField

func logFieldsOf(t reflect.Type) []logField {
	if fs, ok := logFields.Load(t); ok {
		return fs.([]logField)
	}
	var fields []logField
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || f.Tag.Get("log") == "-" || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields = append(fields, logField{index: i, name: name})
	}
	rank := func(f logField) int {
		if at := slices.Index(logFirst, f.name); at >= 0 {
			return at
		}
		return len(logFirst)
	}
	slices.SortStableFunc(fields, func(a, b logField) int { return rank(a) - rank(b) })
	logFields.Store(t, fields)
	return fields
}

// logValue is a field's value: scalars as themselves, anything else (a
// list of lint warnings, say) as its JSON.
func logValue(v reflect.Value) slog.Value {
	switch v.Kind() {
	case reflect.String:
		return slog.StringValue(v.String())
	case reflect.Bool:
		return slog.BoolValue(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return slog.Int64Value(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return slog.Uint64Value(v.Uint())
	case reflect.Float32, reflect.Float64:
		return slog.Float64Value(v.Float())
	}
	return slog.AnyValue(jsonValue{v.Interface()})
}

// jsonValue logs a value as its JSON: nested in a JSON line, as a quoted
// string in a text line.
type jsonValue struct{ v any }

func (j jsonValue) MarshalJSON() ([]byte, error) { return json.Marshal(j.v) }
func (j jsonValue) MarshalText() ([]byte, error) { return json.Marshal(j.v) }

// statusWriter remembers the status of the answer it writes.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection, as a clock
// advance does to lift the write deadline.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
