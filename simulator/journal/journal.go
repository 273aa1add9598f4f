// Package journal records the recent API requests the simulator served, in
// a bounded buffer, so a merchant can see what their integration sent.
package journal

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tabbysim/tabbysim/simulator/internal/httpjson"
	"github.com/tabbysim/tabbysim/simulator/internal/surface"
)

// BodyLimit is how much of a request or response body an entry keeps.
const BodyLimit = 4096

// Entry is one served request. Its fields are logged too (RequestLog),
// but for those tagged `log:"-"`: bodies and queries may carry what must
// never reach a log.
type Entry struct {
	Seq          uint64    `json:"seq" log:"-"`
	At           time.Time `json:"at" log:"-"`
	RequestID    string    `json:"request_id"`
	Provider     string    `json:"provider"`
	Operation    string    `json:"operation"`
	Merchant     string    `json:"merchant,omitempty"`
	Method       string    `json:"method"`
	Path         string    `json:"path"`
	Query        string    `json:"query,omitempty" log:"-"`
	Status       int       `json:"status"`
	LatencyMS    float64   `json:"latency_ms"`
	RequestBody  string    `json:"request_body,omitempty" log:"-"`
	ResponseBody string    `json:"response_body,omitempty" log:"-"`
	Truncated    bool      `json:"truncated,omitempty" log:"-"`
	// ClockAt is when the request came on the clock of the merchant that
	// sent it, if one did; At is in real time.
	ClockAt *time.Time `json:"clock_at,omitempty" log:"-"`
	// Hint is what the answer does not tell the merchant's engineer (Hint).
	Hint string `json:"hint,omitempty"`
	// Lint lists what the request sent that the provider's contract does
	// not allow and the simulator accepted all the same.
	Lint []Warning `json:"lint,omitempty"`
	// Fault names the fault injected into the request: the id of the rule
	// that fired, or the value of the X-Sim-Fault header. A fault that
	// closed the connection without an answer leaves Status 0.
	Fault string `json:"fault,omitempty"`
}

// Warning is something a provider's API accepted although its contract
// does not allow it, because the provider's own SDKs and plugins are seen
// to send it. The journal entry of the request carries it; a strict
// merchant is refused instead.
type Warning struct {
	// Rule is the rule's id in the repository's RULES.md, such as
	// "R-AMOUNT-STRING".
	Rule string `json:"rule"`
	// Message says what was sent and what the contract wants.
	Message string `json:"message"`
	// Source is the public page that documents the contract.
	Source string `json:"source"`
}

type warningsKey struct{}

// warnings gathers the warnings of one request; handlers may add to it
// from more than one goroutine.
type warnings struct {
	mu   sync.Mutex
	list []Warning
}

func (ws *warnings) all() []Warning {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return ws.list
}

// Warn records w on the journal entry of the request ctx belongs to. It
// does nothing outside the journal's middleware.
func Warn(ctx context.Context, w Warning) {
	if ws, ok := ctx.Value(warningsKey{}).(*warnings); ok {
		ws.mu.Lock()
		ws.list = append(ws.list, w)
		ws.mu.Unlock()
	}
}

// Journal is a ring buffer of entries. It is safe for concurrent use.
type Journal struct {
	// Clock, when set, reads a merchant's clock (false when it has none),
	// for the entries' ClockAt.
	Clock func(merchant string) (time.Time, bool)
	// Added, when set, hears of every entry kept, after it is kept.
	Added func(Entry)

	mu      sync.Mutex
	entries []Entry
	next    int
	full    bool
	seq     uint64
}

// New returns a journal that keeps the last size entries.
func New(size int) *Journal {
	return &Journal{entries: make([]Entry, size)}
}

func (j *Journal) add(e Entry) {
	j.mu.Lock()
	j.seq++
	e.Seq = j.seq
	j.entries[j.next] = e
	j.next = (j.next + 1) % len(j.entries)
	if j.next == 0 {
		j.full = true
	}
	j.mu.Unlock()
	if j.Added != nil {
		j.Added(e)
	}
}

// clockAt is merchant's clock now, or nil.
func (j *Journal) clockAt(merchant string) *time.Time {
	if j.Clock == nil || merchant == "" {
		return nil
	}
	if t, ok := j.Clock(merchant); ok {
		return &t
	}
	return nil
}

// Recent returns up to limit entries, newest first, of merchant ("" for
// all).
func (j *Journal) Recent(merchant string, limit int) []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := j.next
	if j.full {
		n = len(j.entries)
	}
	out := []Entry{}
	for i := 0; i < n && (limit <= 0 || len(out) < limit); i++ {
		e := j.entries[(j.next-1-i+len(j.entries))%len(j.entries)]
		if merchant == "" || e.Merchant == merchant {
			out = append(out, e)
		}
	}
	return out
}

// Reset empties the journal.
func (j *Journal) Reset() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries = make([]Entry, len(j.entries))
	j.next, j.full = 0, false
}

// Middleware records every request that passes through next, with the
// provider, operation and merchant surface.Identify gave it, the request
// id its response carries, the hint its handler gave and the warnings it
// gave Warn, and hands the entry to the RequestLog around it.
func (j *Journal) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r, l := withLine(r)
		id := surface.IdentityOf(r.Context())
		clockAt := j.clockAt(id.Merchant)
		var reqBody []byte
		truncated := false
		if r.Body != nil {
			// Keep the start for the journal and hand the handler the whole
			// stream, so its own size limit still applies.
			reqBody, _ = httpjson.ReadAll(io.LimitReader(r.Body, BodyLimit+1), min(r.ContentLength, BodyLimit+1))
			r.Body = readCloser{io.MultiReader(bytes.NewReader(reqBody), r.Body), r.Body}
		}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		ws, m := &warnings{}, &mark{}
		ctx := context.WithValue(context.WithValue(r.Context(), warningsKey{}, ws), markKey{}, m)
		next.ServeHTTP(rec, r.WithContext(ctx))
		if len(reqBody) > BodyLimit {
			reqBody, truncated = reqBody[:BodyLimit], true
		}
		if rec.overflow {
			truncated = true
		}
		if rec.hijacked && !rec.wrote {
			rec.status = 0
		}
		e := Entry{
			At: start.UTC(), ClockAt: clockAt, RequestID: w.Header().Get("X-Request-Id"),
			Provider: id.Provider, Operation: string(id.Operation), Merchant: id.Merchant,
			Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: rec.status,
			LatencyMS:   ms(time.Since(start)),
			RequestBody: string(reqBody), ResponseBody: rec.body.String(), Truncated: truncated,
			Hint:  l.hint,
			Lint:  ws.all(),
			Fault: m.get(),
		}
		l.entry = &e
		j.add(e)
	})
}

// mark is where the layers behind the journal note what the entry of
// their request should record.
type mark struct {
	mu    sync.Mutex
	fault string
}

func (m *mark) get() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.fault
}

type markKey struct{}

// MarkFault records on the journal entry of the request ctx belongs to
// that the fault named label was injected into it. Outside the journal's
// middleware it does nothing.
func MarkFault(ctx context.Context, label string) {
	if m, ok := ctx.Value(markKey{}).(*mark); ok {
		m.mu.Lock()
		m.fault = label
		m.mu.Unlock()
	}
}

type recorder struct {
	http.ResponseWriter
	status   int
	body     strings.Builder // its String is the entry's, not a copy
	overflow bool
	wrote    bool
	hijacked bool
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Hijack hands the connection over, as fault injection does to close it
// without an answer; the entry then records status 0.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(r.ResponseWriter).Hijack()
	if err == nil {
		r.hijacked = true
	}
	return c, rw, err
}

func (r *recorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	if room := BodyLimit - r.body.Len(); room > 0 {
		if len(b) > room {
			r.body.Write(b[:room])
			r.overflow = true
		} else {
			r.body.Write(b)
		}
	} else if len(b) > 0 {
		r.overflow = true
	}
	return r.ResponseWriter.Write(b)
}

type readCloser struct {
	io.Reader
	io.Closer
}
