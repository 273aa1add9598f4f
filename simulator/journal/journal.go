// Package journal records the recent API requests the simulator served, in
// a bounded buffer, so a merchant can see what their integration sent.
package journal

import (
	"bytes"
	"io"
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
	// Hint is what the answer does not tell the merchant's engineer (Hint).
	Hint string `json:"hint,omitempty"`
}

// Journal is a ring buffer of entries. It is safe for concurrent use.
type Journal struct {
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
	defer j.mu.Unlock()
	j.seq++
	e.Seq = j.seq
	j.entries[j.next] = e
	j.next = (j.next + 1) % len(j.entries)
	if j.next == 0 {
		j.full = true
	}
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
// id its response carries and the hint its handler gave, and hands the
// entry to the RequestLog around it.
func (j *Journal) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r, l := withLine(r)
		var reqBody []byte
		truncated := false
		if r.Body != nil {
			// Keep the start for the journal and hand the handler the whole
			// stream, so its own size limit still applies.
			reqBody, _ = httpjson.ReadAll(io.LimitReader(r.Body, BodyLimit+1), min(r.ContentLength, BodyLimit+1))
			r.Body = readCloser{io.MultiReader(bytes.NewReader(reqBody), r.Body), r.Body}
		}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		if len(reqBody) > BodyLimit {
			reqBody, truncated = reqBody[:BodyLimit], true
		}
		if rec.overflow {
			truncated = true
		}
		id := surface.IdentityOf(r.Context())
		e := Entry{
			At: start.UTC(), RequestID: w.Header().Get("X-Request-Id"),
			Provider: id.Provider, Operation: string(id.Operation), Merchant: id.Merchant,
			Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Status: rec.status,
			LatencyMS:   ms(time.Since(start)),
			RequestBody: string(reqBody), ResponseBody: rec.body.String(), Truncated: truncated,
			Hint: l.hint,
		}
		l.entry = &e
		j.add(e)
	})
}

type recorder struct {
	http.ResponseWriter
	status   int
	body     strings.Builder // its String is the entry's, not a copy
	overflow bool
	wrote    bool
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

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

type readCloser struct {
	io.Reader
	io.Closer
}
