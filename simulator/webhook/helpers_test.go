package webhook_test

// Test helpers: a simulator served over real HTTP on loopback, driven
// through its Tabby API and control API only. The engine on its own and the
// webhook receiver are webhooktest's.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/webhook"
)

// env is a simulator served over real HTTP on loopback.
type env struct {
	sim    *simulator.Simulator
	url    string
	client *http.Client
}

// newEnv starts a simulator whose new merchants get clocks in mode.
func newEnv(t testing.TB, mode clock.Mode) *env {
	t.Helper()
	sim, err := simulator.Listen("127.0.0.1:0", simulator.Config{Seed: 42, ClockMode: mode})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return &env{sim: sim.Simulator, url: sim.URL, client: &http.Client{Timeout: 10 * time.Second}}
}

// resp is one answer of the simulator.
type resp struct {
	status int
	body   []byte
}

func (r resp) String() string { return fmt.Sprintf("HTTP %d %s", r.status, bytes.TrimSpace(r.body)) }

// decode decodes the answer into v.
func (r resp) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r, err)
	}
}

// do sends a request to the simulator.
func (e *env) do(t testing.TB, method, path, key string, header map[string]string, body any) resp {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := e.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp{status: res.StatusCode, body: b}
}

// ctl calls the control API and fails the test unless it answers want.
func (e *env) ctl(t testing.TB, want int, method, path string, body any) resp {
	t.Helper()
	r := e.do(t, method, "/_sim/v1"+path, "", nil, body)
	if r.status != want {
		t.Fatalf("%s /_sim/v1%s: want HTTP %d, got %s", method, path, want, r)
	}
	return r
}

// merchant is a fresh tenant of the simulator.
type merchant struct {
	e  *env
	t  testing.TB
	id string
	sk string
}

// newMerchant creates a merchant with a clock in mode ("manual" or "wall").
func (e *env) newMerchant(t testing.TB, mode string) *merchant {
	t.Helper()
	r := e.ctl(t, http.StatusCreated, http.MethodPost, "/merchants", map[string]any{"clock": mode})
	var m struct {
		ID    string `json:"id"`
		Tabby struct {
			SecretKey string `json:"secret_key"`
		} `json:"tabby"`
	}
	r.decode(t, &m)
	if m.ID == "" || m.Tabby.SecretKey == "" {
		t.Fatalf("create merchant: incomplete answer %s", r)
	}
	return &merchant{e: e, t: t, id: m.ID, sk: m.Tabby.SecretKey}
}

// api calls the Tabby API with the merchant's secret key and fails the test
// unless it answers 200.
func (m *merchant) api(method, path string, body any) resp {
	m.t.Helper()
	r := m.e.do(m.t, method, path, m.sk, map[string]string{"X-Merchant-Code": "ae"}, body)
	if r.status != http.StatusOK {
		m.t.Fatalf("%s %s: %s", method, path, r)
	}
	return r
}

// register registers url for merchant code "ae" with header X-Auth: value
// ("" registers no header).
func (m *merchant) register(url, value string) {
	m.t.Helper()
	body := map[string]any{"url": url}
	if value != "" {
		body["header"] = map[string]any{"title": "X-Auth", "value": value}
	}
	m.api(http.MethodPost, "/api/v1/webhooks", body)
}

// settings patches the merchant's settings.
func (m *merchant) settings(patch map[string]any) {
	m.t.Helper()
	m.e.ctl(m.t, http.StatusOK, http.MethodPatch, "/merchants/"+m.id, map[string]any{"settings": patch})
}

// advance moves the merchant's clock by d ("0s" fires what is due now) and
// returns after every delivery due by then was tried.
func (m *merchant) advance(d string) {
	m.t.Helper()
	m.e.ctl(m.t, http.StatusOK, http.MethodPost, "/merchants/"+m.id+"/clock/advance", map[string]any{"by": d})
}

// now reads the merchant's clock.
func (m *merchant) now() time.Time {
	m.t.Helper()
	var c struct {
		Now time.Time `json:"now"`
	}
	m.e.ctl(m.t, http.StatusOK, http.MethodGet, "/merchants/"+m.id+"/clock", nil).decode(m.t, &c)
	return c.Now
}

// checkout creates a session for amount AED and returns its payment id and
// status ("created", or "rejected" at pre-scoring).
func (m *merchant) checkout(amount, phone string) (string, string) {
	m.t.Helper()
	body := map[string]any{
		"lang": "en", "merchant_code": "ae",
		"merchant_urls": map[string]any{"success": "https://shop.example/ok", "cancel": "https://shop.example/cancel", "failure": "https://shop.example/fail"},
		"payment": map[string]any{
			"amount": amount, "currency": "AED", "description": "Order 1001",
			"buyer":            map[string]any{"name": "Sara Ali", "email": "otp.success@tabby.ai", "phone": phone},
			"shipping_address": map[string]any{"city": "Dubai", "address": "Sheikh Zayed Road 1", "zip": "00000"},
			"order": map[string]any{"reference_id": "order-1001", "items": []any{
				map[string]any{"title": "Desk lamp", "quantity": 1, "unit_price": amount, "category": "Home"},
			}},
		},
	}
	var s struct {
		Status  string `json:"status"`
		Payment struct {
			ID string `json:"id"`
		} `json:"payment"`
	}
	m.api(http.MethodPost, "/api/v2/checkout", body).decode(m.t, &s)
	if s.Payment.ID == "" {
		m.t.Fatalf("checkout: no payment id")
	}
	return s.Payment.ID, s.Status
}

// session creates a session that pre-scoring accepts.
func (m *merchant) session(amount string) string {
	m.t.Helper()
	id, status := m.checkout(amount, "500000001")
	if status != "created" {
		m.t.Fatalf("checkout: status %q, want created", status)
	}
	return id
}

// customer plays the customer on the hosted page.
func (m *merchant) customer(paymentID, action string) {
	m.t.Helper()
	m.e.ctl(m.t, http.StatusOK, http.MethodPost, "/payments/"+paymentID+"/customer", map[string]any{"action": action})
}

// authorized returns a payment the customer approved; its webhooks are
// not fired yet.
func (m *merchant) authorized(amount string) string {
	m.t.Helper()
	id := m.session(amount)
	m.customer(id, "approve")
	return id
}

func (m *merchant) capture(id, amount, ref string) {
	m.t.Helper()
	m.api(http.MethodPost, "/api/v2/payments/"+id+"/captures", map[string]any{"amount": amount, "reference_id": ref})
}

func (m *merchant) refund(id, amount, ref string) {
	m.t.Helper()
	m.api(http.MethodPost, "/api/v2/payments/"+id+"/refunds", map[string]any{"amount": amount, "reference_id": ref, "reason": "returned"})
}

func (m *merchant) close(id string) {
	m.t.Helper()
	m.api(http.MethodPost, "/api/v2/payments/"+id+"/close", nil)
}

// deliveries lists deliveries through the control API; query is
// "payment=…&status=…" (the merchant is always set).
func (m *merchant) deliveries(query string) []webhook.Delivery {
	m.t.Helper()
	path := "/deliveries?merchant=" + m.id
	if query != "" {
		path += "&" + query
	}
	var out struct {
		Deliveries []webhook.Delivery `json:"deliveries"`
	}
	m.e.ctl(m.t, http.StatusOK, http.MethodGet, path, nil).decode(m.t, &out)
	return out.Deliveries
}

// delivery returns one delivery with its attempts, and the raw JSON.
func (m *merchant) delivery(id string) (webhook.Delivery, map[string]any) {
	m.t.Helper()
	r := m.e.ctl(m.t, http.StatusOK, http.MethodGet, "/deliveries/"+id, nil)
	var d webhook.Delivery
	var raw map[string]any
	r.decode(m.t, &d)
	r.decode(m.t, &raw)
	return d, raw
}

// only returns the one delivery of a payment, failing otherwise.
func (m *merchant) only(paymentID string) webhook.Delivery {
	m.t.Helper()
	ds := m.deliveries("payment=" + paymentID)
	if len(ds) != 1 {
		m.t.Fatalf("payment %s has %d deliveries, want 1: %+v", paymentID, len(ds), ds)
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
