package simulator_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
)

// newEnv starts a simulator of the test's own (manual clocks unless cfg
// says otherwise) and checks it is served where its public URL says.
func newEnv(t *testing.T, cfg simulator.Config) *e2e.Env {
	t.Helper()
	if cfg.ClockMode == "" {
		cfg.ClockMode = clock.Manual
	}
	e := e2e.Start(t, cfg)
	if e.Sim.PublicURL() != e.URL {
		t.Fatalf("PublicURL %q, server %q", e.Sim.PublicURL(), e.URL)
	}
	return e
}

// call sends a request with key as its bearer token ("" sends none).
func call(t *testing.T, e *e2e.Env, method, path, key string, body any) *e2e.Resp {
	t.Helper()
	return e.Do(t, e2e.Req{Method: method, Path: path, Key: key, Body: body})
}

func TestReset_EmptiesPaymentsKeepsDefaultMerchant(t *testing.T) {
	t.Parallel()
	e := newEnv(t, simulator.Config{Seed: 3})
	// The default merchant works with its documented keys.
	d := e.DefaultMerchant(t)
	id := d.Authorized("100.00")
	e2e.WantStatus(t, d.Get("/api/v2/payments/"+id), http.StatusOK)
	// And so does a merchant created through the control API.
	m := e.NewMerchant(t, nil)
	m.Session()
	d.Advance("1h")

	r := e2e.WantStatus(t, e.Ctl(t, http.MethodPost, "/reset", nil), http.StatusOK)
	if r.Str("status") != "reset" {
		t.Errorf("reset answered %s", r.Body)
	}

	// The journal is empty.
	r = e2e.WantStatus(t, e.Ctl(t, http.MethodGet, "/journal", nil), http.StatusOK)
	if n := len(r.JSON.Get("entries").Array()); n != 0 {
		t.Errorf("journal after reset has %d entries", n)
	}
	// Payments are gone.
	r = d.Get("/api/v2/payments/" + id)
	if r.Status != http.StatusNotFound || r.Str("error") != "no such payment" {
		t.Errorf("payment after reset: %s", r)
	}
	r = e2e.WantStatus(t, d.Get("/api/v2/payments"), http.StatusOK)
	if r.Str("pagination.total_count") != "0" {
		t.Errorf("list after reset: %s", r.Body)
	}
	e2e.WantStatus(t, e.Ctl(t, http.MethodGet, "/payments/"+id, nil), http.StatusNotFound)
	// Created merchants are gone, with their keys.
	e2e.WantStatus(t, e.Ctl(t, http.MethodGet, "/merchants/"+m.ID, nil), http.StatusNotFound)
	if r = m.Get("/api/v2/payments"); r.Status != http.StatusUnauthorized {
		t.Errorf("old key after reset: %s", r)
	}
	// The default merchant still works, on a fresh clock.
	r = e2e.WantStatus(t, e.Ctl(t, http.MethodGet, "/merchants", nil), http.StatusOK)
	if ms := r.JSON.Get("merchants.#.id").Array(); len(ms) != 1 || ms[0].String() != simulator.DefaultMerchantID {
		t.Errorf("merchants after reset: %s", r.JSON.Get("merchants.#.id").Raw)
	}
	r = e2e.WantStatus(t, call(t, e, http.MethodPost, "/api/v2/checkout", d.PublicKey, e2e.CheckoutBody()), http.StatusOK)
	id2 := r.Str("payment.id")
	e2e.WantStatus(t, d.Act(id2, "approve"), http.StatusOK)
	if r = e2e.WantStatus(t, d.Capture(id2, "100.00", "c"), http.StatusOK); r.Str("status") != "CLOSED" {
		t.Errorf("capture after reset: %s", r.Body)
	}
	// The default merchant's expiry timers still fire after a reset.
	id3, _ := d.Session()
	d.Advance("26m")
	if r = d.Payment(id3); r.Str("status") != "EXPIRED" {
		t.Errorf("payment 26m after creation, after a reset: %s", r.Str("status"))
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
			r := call(t, e, tc.method, tc.path, key, tc.body)
			if r.Status != http.StatusUnauthorized || r.Str("error") == "" {
				t.Errorf("%s %s with token %q: %d %s, want 401", tc.method, tc.path, key, r.Status, r.Body)
			}
		}
	}
	e2e.WantStatus(t, call(t, e, http.MethodGet, "/_sim/v1/merchants", "let-me-in", nil), http.StatusOK)
	e2e.WantStatus(t, call(t, e, http.MethodPost, "/_sim/v1/merchants", "let-me-in", map[string]any{"clock": "manual"}), http.StatusCreated)
	// Health needs no token; nor does the Tabby API, which has its own keys.
	e2e.WantStatus(t, call(t, e, http.MethodGet, "/_sim/v1/health", "", nil), http.StatusOK)
	e2e.WantStatus(t, call(t, e, http.MethodGet, "/healthz", "", nil), http.StatusOK)
	e.DefaultMerchant(t).Session()
}

func TestRequestIDOnEveryResponse(t *testing.T) {
	t.Parallel()
	e := newEnv(t, simulator.Config{Seed: 5})
	_, sid := e.DefaultMerchant(t).Session()
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
		spec := e2e.SpecValid
		if tc.path == "/api/v2/nothing-here" {
			spec = e2e.SpecUnknownOp
		}
		r := e.Do(t, e2e.Req{Method: tc.method, Path: tc.path, Key: tc.key, Spec: spec})
		if r.Status != tc.status {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, r.Status, tc.status)
		}
		id := r.Header.Get("X-Request-Id")
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
			r := e.Do(t, e2e.Req{Method: http.MethodGet, Path: p, Key: key, Spec: e2e.SpecUnknownOp})
			if r.Status != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", p, r.Status)
			}
			if got := strings.TrimSpace(string(r.Body)); got != "404 page not found" {
				t.Errorf("GET %s: body %q, want 404 page not found", p, got)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
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
	for _, m := range []*e2e.Merchant{e.DefaultMerchant(t), e.NewMerchant(t, nil)} {
		e2e.WantStatus(t, m.Get("/api/v2/payments"), http.StatusOK)
		e2e.WantStatus(t, call(t, e, http.MethodPost, "/api/v2/checkout", m.PublicKey, e2e.CheckoutBody()), http.StatusOK)
		r := call(t, e, http.MethodGet, "/api/v2/payments", m.PublicKey, nil)
		e2e.WantError(t, r, http.StatusUnauthorized, "not_authorized", "invalid secret key")
		for _, key := range []string{m.Onerway.MerchantNo, m.Onerway.SecretKey} {
			r := call(t, e, http.MethodPost, "/api/v2/checkout", key, e2e.CheckoutBody())
			e2e.WantError(t, r, http.StatusUnauthorized, "not_authorized", "auth: provided key doesn't exist")
		}
	}
}
