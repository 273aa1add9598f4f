package control_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/tabby/openapi"
)

var shared *env

func TestMain(m *testing.M) {
	e, closeEnv, err := startEnv(simulator.Config{Seed: 11, ClockMode: clock.Manual})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	shared = e
	code := m.Run()
	closeEnv()
	os.Exit(code)
}

type env struct {
	sim    *simulator.Simulator
	url    string
	client *http.Client
}

func startEnv(cfg simulator.Config) (*env, func(), error) {
	sim, err := simulator.Listen("127.0.0.1:0", cfg)
	if err != nil {
		return nil, nil, err
	}
	client := &http.Client{Timeout: 10 * time.Second}
	return &env{sim: sim.Simulator, url: sim.URL, client: client}, func() { sim.Close() }, nil
}

type resp struct {
	status int
	header http.Header
	body   []byte
	j      gjson.Result
}

func (r *resp) str(path string) string { return r.j.Get(path).String() }

func (r *resp) String() string { return fmt.Sprintf("HTTP %d %s", r.status, bytes.TrimSpace(r.body)) }

// do sends a request; key is a bearer token ("" for none). Tabby API
// answers are checked against the OpenAPI contract.
func (e *env) do(t testing.TB, method, path, key string, body any) *resp {
	t.Helper()
	var rd io.Reader
	if body != nil {
		if s, ok := body.(string); ok {
			rd = strings.NewReader(s)
		} else {
			b, err := json.Marshal(body)
			if err != nil {
				t.Fatal(err)
			}
			rd = bytes.NewReader(b)
		}
	}
	hr, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		hr.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := e.client.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := &resp{status: res.StatusCode, header: res.Header, body: b}
	if gjson.ValidBytes(b) {
		out.j = gjson.ParseBytes(b)
	}
	if strings.HasPrefix(path, "/api/") {
		err := openapi.Validate(method, path, res.StatusCode, res.Header.Get("Content-Type"), b)
		if err != nil && !errors.Is(err, openapi.ErrUnknownOperation) {
			t.Errorf("%s %s → %d breaks the OpenAPI contract: %v", method, path, res.StatusCode, err)
		}
		if errors.Is(err, openapi.ErrUnknownOperation) && res.StatusCode != http.StatusNotFound {
			t.Errorf("%s %s → %d: operation not in the contract", method, path, res.StatusCode)
		}
	}
	return out
}

func (e *env) ctl(t testing.TB, method, path string, body any) *resp {
	t.Helper()
	return e.do(t, method, "/_sim/v1"+path, "", body)
}

type merchant struct {
	e      *env
	t      *testing.T
	id, sk string
}

func newMerchant(t *testing.T) *merchant {
	t.Helper()
	t.Parallel()
	return newMerchantOn(t, shared)
}

func newMerchantOn(t *testing.T, e *env) *merchant {
	t.Helper()
	r := e.ctl(t, http.MethodPost, "/merchants", map[string]any{"clock": "manual"})
	if r.status != http.StatusCreated {
		t.Fatalf("create merchant: %s", r)
	}
	return &merchant{e: e, t: t, id: r.str("id"), sk: r.str("tabby.secret_key")}
}

func (m *merchant) ctl(method, path string, body any) *resp {
	m.t.Helper()
	return m.e.ctl(m.t, method, path, body)
}

func (m *merchant) api(method, path string, body any) *resp {
	m.t.Helper()
	return m.e.do(m.t, method, path, m.sk, body)
}

// session creates an accepted checkout and returns the payment id.
func (m *merchant) session(amount string) string {
	m.t.Helper()
	r := m.api(http.MethodPost, "/api/v2/checkout", map[string]any{
		"merchant_code": "ae", "lang": "en",
		"merchant_urls": map[string]any{"success": "https://shop.example/ok", "cancel": "https://shop.example/cancel", "failure": "https://shop.example/fail"},
		"payment": map[string]any{
			"amount": amount, "currency": "AED",
			"buyer": map[string]any{"name": "Sara", "email": "otp.success@tabby.ai", "phone": "500000001"},
			"order": map[string]any{"reference_id": "1001"},
		},
	})
	if r.status != http.StatusOK || r.str("status") != "created" {
		m.t.Fatalf("create session: %s", r)
	}
	return r.str("payment.id")
}

func wantStatus(t testing.TB, r *resp, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("want HTTP %d, got %s", status, r)
	}
}

func wantField(t testing.TB, r *resp, path, want string) {
	t.Helper()
	got := r.j.Get(path)
	if !got.Exists() {
		t.Errorf("%s: missing in %s", path, r)
		return
	}
	if got.String() != want {
		t.Errorf("%s = %q, want %q", path, got.String(), want)
	}
}

// wantCtlError checks the control API's {"error": "..."} shape.
func wantCtlError(t testing.TB, r *resp, status int, parts ...string) {
	t.Helper()
	if r.status != status || r.str("error") == "" {
		t.Fatalf("want HTTP %d with an error, got %s", status, r)
	}
	for _, p := range parts {
		if !strings.Contains(r.str("error"), p) {
			t.Errorf("error %q does not mention %q", r.str("error"), p)
		}
	}
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return v
}
