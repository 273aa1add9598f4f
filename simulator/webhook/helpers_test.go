package webhook_test

// Test helpers: merchants of a simulator served over real HTTP on loopback
// (simulator/internal/e2e), driven through its Tabby API and control API
// only. The engine on its own and the webhook receiver are webhooktest's.

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
	"github.com/tabbysim/tabbysim/simulator/webhook"
)

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
