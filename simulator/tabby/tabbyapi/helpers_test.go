package tabbyapi_test

// End-to-end helpers: one simulator per test binary on a loopback port,
// a fresh merchant (own keys, own manual clock) per test, and every Tabby
// API answer checked against Tabby's OpenAPI contract.

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

// shared is the simulator every test in this package talks to. Tests are
// isolated by merchant, which is exactly the isolation the simulator
// promises.
var shared *env

func TestMain(m *testing.M) {
	e, closeEnv, err := startEnv(simulator.Config{Seed: 7, ClockMode: clock.Manual})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	shared = e
	code := m.Run()
	closeEnv()
	os.Exit(code)
}

// env is a running simulator reached over real HTTP.
type env struct {
	sim    *simulator.Simulator
	url    string
	client *http.Client
}

// startEnv listens on loopback first so the simulator's PublicURL is the
// address it is really served on.
func startEnv(cfg simulator.Config) (*env, func(), error) {
	sim, err := simulator.Listen("127.0.0.1:0", cfg)
	if err != nil {
		return nil, nil, err
	}
	client := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &env{sim: sim.Simulator, url: sim.URL, client: client}, func() { sim.Close() }, nil
}

// resp is one HTTP answer.
type resp struct {
	status int
	header http.Header
	body   []byte
	j      gjson.Result
}

func (r *resp) str(path string) string { return r.j.Get(path).String() }

// text is the body without surrounding white space.
func (r *resp) text() string { return string(bytes.TrimSpace(r.body)) }

func (r *resp) String() string { return fmt.Sprintf("HTTP %d %s", r.status, bytes.TrimSpace(r.body)) }

// specWant says what openapi.Validate must answer for a response.
type specWant int

const (
	specValid        specWant = iota // the response matches the contract
	specUnknownOp                    // the operation is not in the contract
	specUndocumented                 // the status is not documented for the operation
	// specConflict: the answer is deliberately not what the contract says
	// (a known conflict, named where it is used); Validate must still
	// report it, so a change on either side is noticed.
	specConflict
)

// req is one request to the simulator.
type req struct {
	method string
	path   string
	key    string // bearer token; "" sends no Authorization header
	header map[string]string
	body   any    // marshalled to JSON unless nil
	raw    string // sent as is when body is nil and raw is not ""
	spec   specWant
}

// do sends r and, for Tabby API paths, checks the answer against the
// OpenAPI contract.
func (e *env) do(t testing.TB, r req) *resp {
	t.Helper()
	var rd io.Reader
	switch {
	case r.body != nil:
		b, err := json.Marshal(r.body)
		if err != nil {
			t.Fatalf("marshal body: %v", err)
		}
		rd = bytes.NewReader(b)
	case r.raw != "":
		rd = strings.NewReader(r.raw)
	}
	hr, err := http.NewRequest(r.method, e.url+r.path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if r.key != "" {
		hr.Header.Set("Authorization", "Bearer "+r.key)
	}
	for k, v := range r.header {
		hr.Header.Set(k, v)
	}
	res, err := e.client.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", r.method, r.path, err)
	}
	out := &resp{status: res.StatusCode, header: res.Header, body: body}
	if gjson.ValidBytes(body) {
		out.j = gjson.ParseBytes(body)
	}
	if strings.HasPrefix(r.path, "/api/") {
		checkSpec(t, r, out)
	}
	return out
}

func checkSpec(t testing.TB, r req, out *resp) {
	t.Helper()
	err := openapi.Validate(r.method, r.path, out.status, out.header.Get("Content-Type"), out.body)
	switch r.spec {
	case specValid:
		if err != nil {
			t.Errorf("%s %s → %d: answer breaks the OpenAPI contract: %v\nbody: %s", r.method, r.path, out.status, err, out.body)
		}
	case specUnknownOp:
		if !errors.Is(err, openapi.ErrUnknownOperation) {
			t.Errorf("%s %s: want openapi.ErrUnknownOperation, got %v", r.method, r.path, err)
		}
	case specUndocumented:
		if !errors.Is(err, openapi.ErrUndocumentedStatus) {
			t.Errorf("%s %s → %d: want openapi.ErrUndocumentedStatus, got %v", r.method, r.path, out.status, err)
		}
	case specConflict:
		if err == nil || errors.Is(err, openapi.ErrUnknownOperation) || errors.Is(err, openapi.ErrUndocumentedStatus) {
			t.Errorf("%s %s → %d: want a schema violation (known conflict), got %v", r.method, r.path, out.status, err)
		}
	}
}

// ctl calls the control API.
func (e *env) ctl(t testing.TB, method, path string, body any) *resp {
	t.Helper()
	return e.do(t, req{method: method, path: "/_sim/v1" + path, body: body})
}

// merchant is a fresh tenant of the shared simulator.
type merchant struct {
	e     *env
	t     *testing.T
	id    string
	sk    string
	pk    string
	codes map[string]string
}

// newMerchant creates a merchant with a manual clock through the control
// API and marks the test parallel.
func newMerchant(t *testing.T) *merchant {
	t.Helper()
	t.Parallel()
	return newMerchantOn(t, shared)
}

func newMerchantOn(t *testing.T, e *env) *merchant {
	t.Helper()
	return createMerchant(t, e, map[string]any{"clock": "manual"})
}

// newMerchantAt is newMerchant with the clock starting at start.
func newMerchantAt(t *testing.T, start time.Time) *merchant {
	t.Helper()
	t.Parallel()
	return createMerchant(t, shared, map[string]any{"clock": "manual", "start": start.Format(time.RFC3339)})
}

func createMerchant(t *testing.T, e *env, body map[string]any) *merchant {
	t.Helper()
	r := e.ctl(t, http.MethodPost, "/merchants", body)
	if r.status != http.StatusCreated {
		t.Fatalf("create merchant: %s", r)
	}
	m := &merchant{e: e, t: t, id: r.str("id"), sk: r.str("tabby.secret_key"), pk: r.str("tabby.public_key"), codes: map[string]string{}}
	r.j.Get("tabby.merchant_codes").ForEach(func(k, v gjson.Result) bool {
		m.codes[k.String()] = v.String()
		return true
	})
	if m.id == "" || !strings.HasPrefix(m.sk, "sk_test_") || !strings.HasPrefix(m.pk, "pk_test_") {
		t.Fatalf("create merchant: incomplete answer %s", r)
	}
	return m
}

// api calls the Tabby API with the merchant's secret key.
func (m *merchant) api(method, path string, body any) *resp {
	m.t.Helper()
	return m.e.do(m.t, req{method: method, path: path, key: m.sk, body: body})
}

func (m *merchant) get(path string) *resp {
	m.t.Helper()
	return m.api(http.MethodGet, path, nil)
}

func (m *merchant) post(path string, body any) *resp {
	m.t.Helper()
	return m.api(http.MethodPost, path, body)
}

func (m *merchant) ctl(method, path string, body any) *resp {
	m.t.Helper()
	return m.e.ctl(m.t, method, path, body)
}

// settings patches the merchant's settings and fails the test unless it
// took.
func (m *merchant) settings(patch map[string]any) {
	m.t.Helper()
	r := m.ctl(http.MethodPatch, "/merchants/"+m.id, map[string]any{"settings": patch})
	if r.status != http.StatusOK {
		m.t.Fatalf("patch settings %v: %s", patch, r)
	}
}

// advance moves the merchant's clock forward by d ("21m", "21d").
func (m *merchant) advance(d string) {
	m.t.Helper()
	r := m.ctl(http.MethodPost, "/merchants/"+m.id+"/clock/advance", map[string]any{"by": d})
	if r.status != http.StatusOK {
		m.t.Fatalf("advance %s: %s", d, r)
	}
}

// now reads the merchant's clock.
func (m *merchant) now() time.Time {
	m.t.Helper()
	r := m.ctl(http.MethodGet, "/merchants/"+m.id+"/clock", nil)
	if r.status != http.StatusOK {
		m.t.Fatalf("clock: %s", r)
	}
	return mustTime(m.t, r.str("now"))
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return v
}

// Merchant URLs of the default checkout. The failure URL already has a
// query, so its payment_id comes after "&".
const (
	successURL = "https://shop.example/tabby/success"
	cancelURL  = "https://shop.example/tabby/cancel"
	failureURL = "https://shop.example/tabby/failure?order=1001"
)

// checkoutBody is a valid create-session request for merchant code "ae".
func checkoutBody() map[string]any {
	return map[string]any{
		"lang":          "en",
		"merchant_code": "ae",
		"merchant_urls": map[string]any{"success": successURL, "cancel": cancelURL, "failure": failureURL},
		"payment": map[string]any{
			"amount":      "100.00",
			"currency":    "AED",
			"description": "Order 1001",
			"buyer":       map[string]any{"name": "Sara Ali", "email": "otp.success@tabby.ai", "phone": "500000001"},
			"shipping_address": map[string]any{
				"city": "Dubai", "address": "Sheikh Zayed Road 1", "zip": "00000",
			},
			"order": map[string]any{
				"reference_id": "1001",
				"items": []any{map[string]any{
					"title": "Desk lamp", "quantity": 1, "unit_price": "100.00", "category": "Home",
				}},
			},
		},
	}
}

// set writes v at a dotted path of a nested map, creating objects as
// needed; v == deleted removes the key.
func set(body map[string]any, path string, v any) map[string]any {
	keys := strings.Split(path, ".")
	cur := body
	for _, k := range keys[:len(keys)-1] {
		next, ok := cur[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[k] = next
		}
		cur = next
	}
	last := keys[len(keys)-1]
	if v == deleted {
		delete(cur, last)
	} else {
		cur[last] = v
	}
	return body
}

type deletedMarker struct{}

// deleted, given to set, removes the key.
var deleted = deletedMarker{}

// checkout creates a session from the default body edited by the pairs
// (path, value) and returns the raw answer.
func (m *merchant) checkout(edits ...any) *resp {
	m.t.Helper()
	body := checkoutBody()
	for i := 0; i+1 < len(edits); i += 2 {
		set(body, edits[i].(string), edits[i+1])
	}
	return m.post("/api/v2/checkout", body)
}

// session creates a session that must be accepted and returns the payment
// and session ids.
func (m *merchant) session(edits ...any) (paymentID, sessionID string) {
	m.t.Helper()
	r := m.checkout(edits...)
	if r.status != http.StatusOK || r.str("status") != "created" {
		m.t.Fatalf("create session: %s", r)
	}
	return r.str("payment.id"), r.str("id")
}

// act plays the customer on the hosted page through the control API.
func (m *merchant) act(paymentID, action string) *resp {
	m.t.Helper()
	return m.ctl(http.MethodPost, "/payments/"+paymentID+"/customer", map[string]any{"action": action})
}

// authorized returns a payment of amount AED the customer approved.
func (m *merchant) authorized(amount string) string {
	m.t.Helper()
	id, _ := m.session("payment.amount", amount)
	if r := m.act(id, "approve"); r.status != http.StatusOK || r.str("status") != "AUTHORIZED" {
		m.t.Fatalf("approve: %s", r)
	}
	return id
}

// capture posts a capture.
func (m *merchant) capture(id, amount, ref string) *resp {
	m.t.Helper()
	return m.post("/api/v2/payments/"+id+"/captures", map[string]any{"amount": amount, "reference_id": ref})
}

// refund posts a refund.
func (m *merchant) refund(id, amount, ref string) *resp {
	m.t.Helper()
	return m.post("/api/v2/payments/"+id+"/refunds", map[string]any{"amount": amount, "reference_id": ref, "reason": "returned"})
}

// closed returns a payment of amount AED captured in full (so CLOSED).
func (m *merchant) closed(amount string) string {
	m.t.Helper()
	id := m.authorized(amount)
	if r := m.capture(id, amount, "full"); r.status != http.StatusOK || r.str("status") != "CLOSED" {
		m.t.Fatalf("capture in full: %s", r)
	}
	return id
}

// payment GETs a payment that must exist.
func (m *merchant) payment(id string) *resp {
	m.t.Helper()
	r := m.get("/api/v2/payments/" + id)
	if r.status != http.StatusOK {
		m.t.Fatalf("get payment %s: %s", id, r)
	}
	return r
}

// wantStatus fails the test unless r has the status.
func wantStatus(t testing.TB, r *resp, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("want HTTP %d, got %s", status, r)
	}
}

// wantError checks Tabby's error envelope exactly.
func wantError(t testing.TB, r *resp, status int, errorType, msg string) {
	t.Helper()
	if r.status != status || r.str("status") != "error" || r.str("errorType") != errorType || r.str("error") != msg {
		t.Fatalf("want HTTP %d {status:error, errorType:%s, error:%q}, got %s", status, errorType, msg, r)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error Content-Type = %q, want application/json", ct)
	}
}

// wantErrorContains checks Tabby's error envelope with a message holding
// every part.
func wantErrorContains(t testing.TB, r *resp, status int, errorType string, parts ...string) {
	t.Helper()
	if r.status != status || r.str("status") != "error" || r.str("errorType") != errorType {
		t.Fatalf("want HTTP %d errorType %s, got %s", status, errorType, r)
	}
	for _, p := range parts {
		if !strings.Contains(r.str("error"), p) {
			t.Errorf("error %q does not mention %q", r.str("error"), p)
		}
	}
}

// wantField checks one field of a JSON answer.
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

// wantArrayLen checks that path is a JSON array (never null) of n items.
func wantArrayLen(t testing.TB, r *resp, path string, n int) {
	t.Helper()
	got := r.j.Get(path)
	if !got.IsArray() {
		t.Errorf("%s = %s, want an array", path, got.Raw)
		return
	}
	if l := len(got.Array()); l != n {
		t.Errorf("len(%s) = %d, want %d: %s", path, l, n, got.Raw)
	}
}
