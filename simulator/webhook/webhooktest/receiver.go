package webhooktest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Answer is what the receiver answers one call with.
type Answer struct {
	Status int // 0 means 200
	Body   string
	// Delay holds the answer back this long, or until the sender gives
	// up, Release is called or the test ends, whichever comes first.
	Delay time.Duration
}

// Hit is one request the receiver got.
type Hit struct {
	Header http.Header
	Body   []byte
}

// JSON decodes the body as a JSON object.
func (h Hit) JSON(t testing.TB) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(h.Body, &v); err != nil {
		t.Fatalf("webhook body is not a JSON object: %v\n%s", err, h.Body)
	}
	return v
}

// Receiver is a merchant's webhook endpoint on loopback.
type Receiver struct {
	URL string
	// Default answers every call beyond the answers given to
	// NewReceiver; set it before the first call.
	Default Answer

	mu      sync.Mutex
	hits    []Hit
	answers []Answer      // answers[i] is the answer to call i
	arrived chan struct{} // gets a value for every request, as it comes in

	stop     chan struct{} // closed by Release or at the end of the test: delays end
	stopOnce sync.Once
}

// NewReceiver starts a receiver whose call i gets answers[i] and later
// calls 200 "ok". It is closed when the test ends.
func NewReceiver(t testing.TB, answers ...Answer) *Receiver {
	t.Helper()
	r := &Receiver{answers: answers, Default: Answer{Status: 200, Body: "ok"},
		arrived: make(chan struct{}, 1<<16), stop: make(chan struct{})}
	srv := httptest.NewServer(http.HandlerFunc(r.serve))
	r.URL = srv.URL + "/webhooks"
	t.Cleanup(func() {
		r.Release()
		srv.Close()
	})
	return r
}

// Release ends every delay, now and to come.
func (r *Receiver) Release() { r.stopOnce.Do(func() { close(r.stop) }) }

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	n := len(r.hits)
	r.hits = append(r.hits, Hit{Header: req.Header.Clone(), Body: body})
	a := r.Default
	if n < len(r.answers) {
		a = r.answers[n]
	}
	r.mu.Unlock()
	select {
	case r.arrived <- struct{}{}:
	default:
	}
	if a.Delay > 0 {
		t := time.NewTimer(a.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-req.Context().Done():
			return
		case <-r.stop:
			return
		}
	}
	if a.Status == 0 {
		a.Status = 200
	}
	w.WriteHeader(a.Status)
	_, _ = io.WriteString(w, a.Body)
}

// Count is how many requests have come in.
func (r *Receiver) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.hits)
}

// Since returns the requests after the first n.
func (r *Receiver) Since(n int) []Hit {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Hit(nil), r.hits[n:]...)
}

// All returns every request.
func (r *Receiver) All() []Hit { return r.Since(0) }

// WaitFor waits, bounded, until at least n requests came in.
func (r *Receiver) WaitFor(t testing.TB, n int, within time.Duration) {
	t.Helper()
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	for r.Count() < n {
		select {
		case <-r.arrived:
		case <-deadline.C:
			t.Fatalf("receiver got %d requests within %s, want %d", r.Count(), within, n)
		}
	}
}
