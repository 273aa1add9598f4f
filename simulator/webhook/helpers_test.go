package webhook_test

// Test helpers: a webhook receiver on loopback that records every request
// and answers as each test programs it, and merchants of a simulator served
// over real HTTP on loopback (simulator/internal/e2e), driven through its
// Tabby API and control API only.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
	"github.com/tabbysim/tabbysim/simulator/webhook"
)

// answer is what the receiver answers one call with.
type answer struct {
	Status int
	Body   string
	// Delay holds the answer back this long, or until the sender gives
	// up or the test ends, whichever comes first.
	Delay time.Duration
}

// hit is one request the receiver got.
type hit struct {
	Header http.Header
	Body   []byte
}

// json decodes the body into a generic map.
func (h hit) json(t testing.TB) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(h.Body, &v); err != nil {
		t.Fatalf("webhook body is not a JSON object: %v\n%s", err, h.Body)
	}
	return v
}

// receiver is a merchant's webhook endpoint.
type receiver struct {
	URL string

	mu      sync.Mutex
	hits    []hit
	answers []answer           // answers[i] is the answer to call i
	answerf func(n int) answer // overrides answers when set; n is 0-based
	def     answer
	arrived chan struct{} // gets a value for every request, as it comes in

	stop     chan struct{} // closed by release or at the end of the test: delays end
	stopOnce sync.Once
	srv      *httptest.Server
}

// release ends every delay, now and to come.
func (r *receiver) release() { r.stopOnce.Do(func() { close(r.stop) }) }

// newReceiver starts a receiver answering 200 "ok" unless programmed
// otherwise. It is closed when the test ends.
func newReceiver(t testing.TB, answers ...answer) *receiver {
	t.Helper()
	r := &receiver{answers: answers, def: answer{Status: 200, Body: "ok"},
		arrived: make(chan struct{}, 1<<16), stop: make(chan struct{})}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	r.URL = r.srv.URL + "/webhooks/tabby"
	t.Cleanup(func() {
		r.release()
		r.srv.Close()
	})
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	n := len(r.hits)
	r.hits = append(r.hits, hit{Header: req.Header.Clone(), Body: body})
	a := r.def
	switch {
	case r.answerf != nil:
		a = r.answerf(n)
	case n < len(r.answers):
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

// program replaces the answers to come: call i (counted from the first
// call the receiver ever got) gets answers[i], later calls the default.
func (r *receiver) program(answers ...answer) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.answers = append(make([]answer, len(r.hits)), answers...)
	for i := range r.hits {
		r.answers[i] = r.def
	}
}

// count is how many requests have come in.
func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.hits)
}

// since returns the requests after the first n.
func (r *receiver) since(n int) []hit {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hit(nil), r.hits[n:]...)
}

// all returns every request.
func (r *receiver) all() []hit { return r.since(0) }

// waitFor waits, bounded, until at least n requests came in.
func (r *receiver) waitFor(t testing.TB, n int, within time.Duration) {
	t.Helper()
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	for r.count() < n {
		select {
		case <-r.arrived:
		case <-deadline.C:
			t.Fatalf("receiver got %d requests within %s, want %d", r.count(), within, n)
		}
	}
}

// newEnv starts a simulator of the test's own whose new merchants get
// clocks in mode.
func newEnv(t testing.TB, mode clock.Mode) *e2e.Env {
	t.Helper()
	return e2e.Start(t, simulator.Config{Seed: 42, ClockMode: mode})
}

// ctl calls the control API and fails the test unless it answers want.
func ctl(t testing.TB, e *e2e.Env, want int, method, path string, body any) *e2e.Resp {
	t.Helper()
	r := e.Ctl(t, method, path, body)
	if r.Status != want {
		t.Fatalf("%s /_sim/v1%s: want HTTP %d, got %s", method, path, want, r)
	}
	return r
}

// merchant is a merchant of the test's simulator. The calls below, which
// set the scene for the webhooks under test, must succeed.
type merchant struct{ *e2e.Merchant }

// newMerchant makes a merchant with a clock in mode ("manual" or "wall").
func newMerchant(t testing.TB, e *e2e.Env, mode string) *merchant {
	t.Helper()
	return &merchant{e.NewMerchant(t, map[string]any{"clock": mode})}
}

// api calls the Tabby API for merchant code "ae" and fails the test unless
// it answers 200.
func (m *merchant) api(method, path string, body any) *e2e.Resp {
	m.T.Helper()
	r := m.Env.Do(m.T, e2e.Req{Method: method, Path: path, Key: m.SecretKey, Header: map[string]string{"X-Merchant-Code": "ae"}, Body: body})
	e2e.WantStatus(m.T, r, http.StatusOK)
	return r
}

// register registers url for merchant code "ae" with header X-Auth: value
// ("" registers no header).
func (m *merchant) register(url, value string) {
	m.T.Helper()
	var header map[string]any
	if value != "" {
		header = map[string]any{"title": "X-Auth", "value": value}
	}
	e2e.WantStatus(m.T, m.RegisterWebhook(url, header), http.StatusOK)
}

// checkout creates a session for amount AED and returns its payment id and
// status ("created", or "rejected" at pre-scoring).
func (m *merchant) checkout(amount, phone string) (string, string) {
	m.T.Helper()
	r := m.Checkout("payment.amount", amount, "payment.buyer.phone", phone)
	e2e.WantStatus(m.T, r, http.StatusOK)
	if r.Str("payment.id") == "" {
		m.T.Fatalf("checkout: no payment id in %s", r)
	}
	return r.Str("payment.id"), r.Str("status")
}

// session creates a session that pre-scoring accepts.
func (m *merchant) session(amount string) string {
	m.T.Helper()
	id, _ := m.Session("payment.amount", amount)
	return id
}

// customer plays the customer on the hosted page.
func (m *merchant) customer(paymentID, action string) {
	m.T.Helper()
	e2e.WantStatus(m.T, m.Act(paymentID, action), http.StatusOK)
}

func (m *merchant) capture(id, amount, ref string) {
	m.T.Helper()
	e2e.WantStatus(m.T, m.Capture(id, amount, ref), http.StatusOK)
}

func (m *merchant) refund(id, amount, ref string) {
	m.T.Helper()
	e2e.WantStatus(m.T, m.Refund(id, amount, ref), http.StatusOK)
}

func (m *merchant) close(id string) {
	m.T.Helper()
	e2e.WantStatus(m.T, m.Close(id), http.StatusOK)
}

// deliveries lists deliveries through the control API; query is
// "payment=…&status=…" (the merchant is always set).
func (m *merchant) deliveries(query string) []webhook.Delivery {
	m.T.Helper()
	path := "/deliveries?merchant=" + m.ID
	if query != "" {
		path += "&" + query
	}
	var out struct {
		Deliveries []webhook.Delivery `json:"deliveries"`
	}
	ctl(m.T, m.Env, http.StatusOK, http.MethodGet, path, nil).Decode(m.T, &out)
	return out.Deliveries
}

// delivery returns one delivery with its attempts, and the raw JSON.
func (m *merchant) delivery(id string) (webhook.Delivery, map[string]any) {
	m.T.Helper()
	r := ctl(m.T, m.Env, http.StatusOK, http.MethodGet, "/deliveries/"+id, nil)
	var d webhook.Delivery
	var raw map[string]any
	r.Decode(m.T, &d)
	r.Decode(m.T, &raw)
	return d, raw
}

// only returns the one delivery of a payment, failing otherwise.
func (m *merchant) only(paymentID string) webhook.Delivery {
	m.T.Helper()
	ds := m.deliveries("payment=" + paymentID)
	if len(ds) != 1 {
		m.T.Fatalf("payment %s has %d deliveries, want 1: %+v", paymentID, len(ds), ds)
	}
	return ds[0]
}

// str reads a string at a dotted path of a decoded JSON object; ok is false
// when the path is missing or not a string.
func str(v map[string]any, path string) (string, bool) {
	var cur any = v
	for _, k := range strings.Split(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		cur, ok = obj[k]
		if !ok {
			return "", false
		}
	}
	s, ok := cur.(string)
	return s, ok
}

// arr reads an array member of a decoded JSON object.
func arr(t testing.TB, v map[string]any, key string) []map[string]any {
	t.Helper()
	raw, ok := v[key].([]any)
	if !ok {
		t.Fatalf("%s is %T (%v), want an array", key, v[key], v[key])
	}
	out := make([]map[string]any, 0, len(raw))
	for _, e := range raw {
		obj, ok := e.(map[string]any)
		if !ok {
			t.Fatalf("%s holds %T, want objects", key, e)
		}
		out = append(out, obj)
	}
	return out
}

// hasChaos reports whether a delivery's chaos list has an entry with prefix.
func hasChaos(d webhook.Delivery, prefix string) bool {
	for _, c := range d.Chaos {
		if strings.HasPrefix(c, prefix) {
			return true
		}
	}
	return false
}

// poll waits, bounded, until cond holds.
func poll(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// bg is a context for direct engine calls.
var bg = context.Background()
