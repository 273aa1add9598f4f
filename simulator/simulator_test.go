package simulator_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/tabby/openapi"
)

type env struct {
	t      *testing.T
	url    string
	client *http.Client
}

// newEnv starts a simulator of its own on a loopback port; PublicURL is
// that port.
func newEnv(t *testing.T, cfg simulator.Config) *env {
	t.Helper()
	if cfg.ClockMode == "" {
		cfg.ClockMode = clock.Manual
	}
	sim, err := simulator.Listen("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	if sim.PublicURL() != sim.URL {
		t.Fatalf("PublicURL %q, server %q", sim.PublicURL(), sim.URL)
	}
	return &env{t: t, url: sim.URL, client: &http.Client{Timeout: 10 * time.Second}}
}

type resp struct {
	status int
	header http.Header
	body   []byte
	j      gjson.Result
}

func (r *resp) str(p string) string { return r.j.Get(p).String() }

func (e *env) do(method, path, key string, body any) *resp {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	hr, _ := http.NewRequest(method, e.url+path, rd)
	if key != "" {
		hr.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := e.client.Do(hr)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	r := &resp{status: res.StatusCode, header: res.Header, body: b, j: gjson.ParseBytes(b)}
	if strings.HasPrefix(path, "/api/") {
		err := openapi.Validate(method, path, res.StatusCode, res.Header.Get("Content-Type"), b)
		if errors.Is(err, openapi.ErrUnknownOperation) && res.StatusCode == http.StatusNotFound {
			err = nil // an unknown route: nothing in the contract to check
		}
		if err != nil {
			e.t.Errorf("%s %s → %d breaks the OpenAPI contract: %v", method, path, res.StatusCode, err)
		}
	}
	return r
}

func (e *env) want(r *resp, status int) *resp {
	e.t.Helper()
	if r.status != status {
		e.t.Fatalf("want HTTP %d, got %d %s", status, r.status, bytes.TrimSpace(r.body))
	}
	return r
}

func checkoutBody() map[string]any {
	return map[string]any{
		"merchant_code": "ae", "lang": "en",
		"merchant_urls": map[string]any{"success": "https://shop.example/ok", "cancel": "https://shop.example/c", "failure": "https://shop.example/f"},
		"payment": map[string]any{
			"amount": "100.00", "currency": "AED",
			"buyer": map[string]any{"name": "Sara", "email": "otp.success@tabby.ai", "phone": "500000001"},
			"order": map[string]any{"reference_id": "1001"},
		},
	}
}

func TestReset_EmptiesPaymentsKeepsDefaultMerchant(t *testing.T) {
	t.Parallel()
	e := newEnv(t, simulator.Config{Seed: 3})
	// The default merchant works with its documented keys.
	r := e.want(e.do(http.MethodPost, "/api/v2/checkout", simulator.DefaultSecretKey, checkoutBody()), http.StatusOK)
	id := r.str("payment.id")
	e.want(e.do(http.MethodPost, "/_sim/v1/payments/"+id+"/customer", "", map[string]any{"action": "approve"}), http.StatusOK)
	e.want(e.do(http.MethodGet, "/api/v2/payments/"+id, simulator.DefaultSecretKey, nil), http.StatusOK)
	// And so does a merchant created through the control API.
	m := e.want(e.do(http.MethodPost, "/_sim/v1/merchants", "", map[string]any{"clock": "manual"}), http.StatusCreated)
	sk, mid := m.str("tabby.secret_key"), m.str("id")
	e.want(e.do(http.MethodPost, "/api/v2/checkout", sk, checkoutBody()), http.StatusOK)
	e.want(e.do(http.MethodPost, "/_sim/v1/merchants/default/clock/advance", "", map[string]any{"by": "1h"}), http.StatusOK)

	r = e.want(e.do(http.MethodPost, "/_sim/v1/reset", "", nil), http.StatusOK)
	if r.str("status") != "reset" {
		t.Errorf("reset answered %s", r.body)
	}

	// The journal is empty.
	r = e.want(e.do(http.MethodGet, "/_sim/v1/journal", "", nil), http.StatusOK)
	if n := len(r.j.Get("entries").Array()); n != 0 {
		t.Errorf("journal after reset has %d entries", n)
	}
	// Payments are gone.
	r = e.do(http.MethodGet, "/api/v2/payments/"+id, simulator.DefaultSecretKey, nil)
	if r.status != http.StatusNotFound || r.str("error") != "no such payment" {
		t.Errorf("payment after reset: %d %s", r.status, r.body)
	}
	r = e.want(e.do(http.MethodGet, "/api/v2/payments", simulator.DefaultSecretKey, nil), http.StatusOK)
	if r.str("pagination.total_count") != "0" {
		t.Errorf("list after reset: %s", r.body)
	}
	e.want(e.do(http.MethodGet, "/_sim/v1/payments/"+id, "", nil), http.StatusNotFound)
	// Created merchants are gone, with their keys.
	e.want(e.do(http.MethodGet, "/_sim/v1/merchants/"+mid, "", nil), http.StatusNotFound)
	r = e.do(http.MethodGet, "/api/v2/payments", sk, nil)
	if r.status != http.StatusUnauthorized {
		t.Errorf("old key after reset: %d %s", r.status, r.body)
	}
	// The default merchant still works, on a fresh clock.
	r = e.want(e.do(http.MethodGet, "/_sim/v1/merchants", "", nil), http.StatusOK)
	if ms := r.j.Get("merchants.#.id").Array(); len(ms) != 1 || ms[0].String() != simulator.DefaultMerchantID {
		t.Errorf("merchants after reset: %s", r.j.Get("merchants.#.id").Raw)
	}
	r = e.want(e.do(http.MethodPost, "/api/v2/checkout", simulator.DefaultPublicKey, checkoutBody()), http.StatusOK)
	id2 := r.str("payment.id")
	e.want(e.do(http.MethodPost, "/_sim/v1/payments/"+id2+"/customer", "", map[string]any{"action": "approve"}), http.StatusOK)
	r = e.want(e.do(http.MethodPost, "/api/v2/payments/"+id2+"/captures", simulator.DefaultSecretKey,
		map[string]any{"amount": "100.00", "reference_id": "c"}), http.StatusOK)
	if r.str("status") != "CLOSED" {
		t.Errorf("capture after reset: %s", r.body)
	}
	// The default merchant's expiry timers still fire after a reset.
	r = e.want(e.do(http.MethodPost, "/api/v2/checkout", simulator.DefaultSecretKey, checkoutBody()), http.StatusOK)
	id3 := r.str("payment.id")
	e.want(e.do(http.MethodPost, "/_sim/v1/merchants/default/clock/advance", "", map[string]any{"by": "26m"}), http.StatusOK)
	r = e.want(e.do(http.MethodGet, "/api/v2/payments/"+id3, simulator.DefaultSecretKey, nil), http.StatusOK)
	if r.str("status") != "EXPIRED" {
		t.Errorf("payment 26m after creation, after a reset: %s", r.str("status"))
	}
}

func TestControlToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, simulator.Config{Seed: 4, ControlToken: "let-me-in"})
	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, "/_sim/v1/merchants", nil},
		{http.MethodPost, "/_sim/v1/merchants", map[string]any{}},
		{http.MethodGet, "/_sim/v1/merchants/default/clock", nil},
		{http.MethodPost, "/_sim/v1/merchants/default/clock/advance", map[string]any{"by": "1m"}},
		{http.MethodGet, "/_sim/v1/journal", nil},
		{http.MethodPost, "/_sim/v1/reset", nil},
	} {
		for _, key := range []string{"", "wrong", simulator.DefaultSecretKey} {
			r := e.do(tc.method, tc.path, key, tc.body)
			if r.status != http.StatusUnauthorized || r.str("error") == "" {
				t.Errorf("%s %s with token %q: %d %s, want 401", tc.method, tc.path, key, r.status, r.body)
			}
		}
	}
	e.want(e.do(http.MethodGet, "/_sim/v1/merchants", "let-me-in", nil), http.StatusOK)
	e.want(e.do(http.MethodPost, "/_sim/v1/merchants", "let-me-in", map[string]any{"clock": "manual"}), http.StatusCreated)
	// Health needs no token; nor does the Tabby API, which has its own keys.
	e.want(e.do(http.MethodGet, "/_sim/v1/health", "", nil), http.StatusOK)
	e.want(e.do(http.MethodGet, "/healthz", "", nil), http.StatusOK)
	e.want(e.do(http.MethodPost, "/api/v2/checkout", simulator.DefaultSecretKey, checkoutBody()), http.StatusOK)
}

func TestRequestIDOnEveryResponse(t *testing.T) {
	t.Parallel()
	e := newEnv(t, simulator.Config{Seed: 5})
	r := e.want(e.do(http.MethodPost, "/api/v2/checkout", simulator.DefaultSecretKey, checkoutBody()), http.StatusOK)
	sid := r.str("id")
	seen := map[string]string{}
	for _, tc := range []struct {
		method, path, key string
		status            int
	}{
		{http.MethodGet, "/healthz", "", 200},
		{http.MethodGet, "/api/v2/payments", simulator.DefaultSecretKey, 200},
		{http.MethodGet, "/api/v2/payments", "", 401},
		{http.MethodGet, "/api/v2/payments/nope", simulator.DefaultSecretKey, 400},
		{http.MethodGet, "/api/v2/nothing-here", simulator.DefaultSecretKey, 404},
		{http.MethodGet, "/_sim/v1/merchants", "", 200},
		{http.MethodGet, "/_sim/v1/merchants/nobody", "", 404},
		{http.MethodGet, "/_sim/v1/nothing-here", "", 404},
		{http.MethodGet, "/hpp/" + sid, "", 200},
		{http.MethodGet, "/nothing-here", "", 404},
	} {
		r := e.do(tc.method, tc.path, tc.key, nil)
		if r.status != tc.status {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, r.status, tc.status)
		}
		id := r.header.Get("X-Request-Id")
		if id == "" {
			t.Errorf("%s %s: no X-Request-Id", tc.method, tc.path)
			continue
		}
		if prev, dup := seen[id]; dup {
			t.Errorf("X-Request-Id %q on both %s and %s", id, prev, tc.path)
		}
		seen[id] = tc.path
	}
}

func TestUnknownAPIRouteIsPlain404(t *testing.T) {
	t.Parallel()
	e := newEnv(t, simulator.Config{Seed: 6})
	for _, p := range []string{"/api/v2/nothing", "/api/v3/payments", "/api/v2/payments/00000000-0000-4000-8000-000000000000/void", "/api"} {
		for _, key := range []string{"", simulator.DefaultSecretKey} {
			r := e.do(http.MethodGet, p, key, nil)
			if r.status != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", p, r.status)
			}
			if got := strings.TrimSpace(string(r.body)); got != "404 page not found" {
				t.Errorf("GET %s: body %q, want 404 page not found", p, got)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("GET %s: Content-Type %q, want text/plain", p, ct)
			}
		}
	}
}

func TestSeparateControl(t *testing.T) {
	t.Parallel()
	sim, err := simulator.New(simulator.Config{PublicURL: "http://127.0.0.1:1", Seed: 8, ClockMode: clock.Manual, SeparateControl: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	pub := httptest.NewServer(sim.Handler())
	defer pub.Close()
	ctl := httptest.NewServer(sim.ControlHandler())
	defer ctl.Close()
	res, err := http.Get(pub.URL + "/_sim/v1/merchants")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("control API on the public handler: %d, want 404", res.StatusCode)
	}
	res, err = http.Get(ctl.URL + "/_sim/v1/merchants")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("X-Request-Id") == "" {
		t.Errorf("control handler: %d, X-Request-Id %q", res.StatusCode, res.Header.Get("X-Request-Id"))
	}
	res, err = http.Get(ctl.URL + "/api/v2/payments")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("Tabby API on the control handler: %d, want 404", res.StatusCode)
	}
}

// TestTabbyAPI_TabbyKeysOnly: the Tabby API finds a merchant by its Tabby
// keys, a public key only where Tabby takes one, and never by its Onerway
// credentials.
func TestTabbyAPI_TabbyKeysOnly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, simulator.Config{Seed: 8})
	m := e.want(e.do(http.MethodPost, "/_sim/v1/merchants", "", map[string]any{"clock": "manual"}), http.StatusCreated)
	for _, c := range []struct{ sk, pk, merchantNo, onerwaySecret string }{
		{simulator.DefaultSecretKey, simulator.DefaultPublicKey, simulator.DefaultOnerwayMerchantNo, simulator.DefaultOnerwaySecretKey},
		{m.str("tabby.secret_key"), m.str("tabby.public_key"), m.str("onerway.merchant_no"), m.str("onerway.secret_key")},
	} {
		e.want(e.do(http.MethodGet, "/api/v2/payments", c.sk, nil), http.StatusOK)
		e.want(e.do(http.MethodPost, "/api/v2/checkout", c.pk, checkoutBody()), http.StatusOK)
		if r := e.want(e.do(http.MethodGet, "/api/v2/payments", c.pk, nil), http.StatusUnauthorized); r.str("error") != "invalid secret key" {
			t.Errorf("a public key on a secret-key route: %s", r.body)
		}
		for _, key := range []string{c.merchantNo, c.onerwaySecret} {
			r := e.want(e.do(http.MethodPost, "/api/v2/checkout", key, checkoutBody()), http.StatusUnauthorized)
			if r.str("error") != "auth: provided key doesn't exist" {
				t.Errorf("an Onerway credential as a Tabby key: %s", r.body)
			}
		}
	}
}
