package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/simulator"
)

// logClient calls a simulator and remembers each request it made with the
// request id the answer carried, to find the request's log line by.
type logClient struct {
	t    *testing.T
	base string
	hc   *http.Client
	made []madeRequest
}

type madeRequest struct {
	id, method, path string
	status           int
}

// call sends body (JSON, or a form for the hosted pages) with the bearer
// key and headers given and returns the answer's status and JSON.
func (c *logClient) call(method, url, key string, header map[string]string, body string) (int, gjson.Result) {
	c.t.Helper()
	if !strings.HasPrefix(url, "http") {
		url = c.base + url
	}
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if strings.Contains(url, "/hpp/") {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	c.made = append(c.made, madeRequest{res.Header.Get("X-Request-Id"), method, req.URL.Path, res.StatusCode})
	return res.StatusCode, gjson.ParseBytes(b)
}

func (c *logClient) want(status int, method, url, key string, header map[string]string, body string) gjson.Result {
	c.t.Helper()
	got, j := c.call(method, url, key, header, body)
	if got != status {
		c.t.Fatalf("%s %s: %d %s, want %d", method, url, got, j.Raw, status)
	}
	return j
}

// TestServe_LogsAWholePayment drives a payment through `tabbysim serve
// --log-format json` (a merchant made through the control API, a webhook
// registered with a header, a wrong key, an unknown merchant code, the
// hosted page, a refused webhook and its retry, a capture) and reads the
// log: one line per request with its request id, method, path, status,
// latency, provider operation and merchant, a hint on the 401s, one line
// per webhook attempt with its answer and next attempt, and none of the
// secrets anywhere.
func TestServe_LogsAWholePayment(t *testing.T) {
	var calls atomic.Int32
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer recv.Close()
	base, logged, stop := startServeLogged(t, "--clock", "manual", "--seed", "5", "--log-format", "json")
	c := &logClient{t: t, base: base, hc: &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}

	m := c.want(http.StatusCreated, http.MethodPost, "/_sim/v1/merchants", "", nil, `{"clock": "manual"}`)
	merchant, sk := m.Get("id").String(), m.Get("tabby.secret_key").String()
	const headerValue, badKey = "hdr-value-7f3a9c1e5b", "sk_live_51badkey9e8d7c"
	secrets := []string{sk, headerValue, badKey, m.Get("onerway.secret_key").String(),
		simulator.DefaultSecretKey, simulator.DefaultOnerwaySecretKey}
	for _, s := range secrets {
		if len(s) < 16 {
			t.Fatalf("secret %q too short to look for", s)
		}
	}

	code := map[string]string{"X-Merchant-Code": "ae"}
	c.want(http.StatusOK, http.MethodPost, "/api/v1/webhooks", sk, code,
		`{"url": "`+recv.URL+`", "header": {"title": "X-Shop-Auth", "value": "`+headerValue+`"}}`)
	c.want(http.StatusUnauthorized, http.MethodGet, "/api/v2/payments", badKey, nil, "")
	checkout := func(code string) string {
		return `{"merchant_code": "` + code + `", "lang": "en",
			"merchant_urls": {"success": "https://shop.example/ok", "cancel": "https://shop.example/c", "failure": "https://shop.example/f"},
			"payment": {"amount": "100.00", "currency": "AED", "buyer": {"email": "otp.success@tabby.ai", "phone": "500000001"}}}`
	}
	c.want(http.StatusUnauthorized, http.MethodPost, "/api/v2/checkout", sk, nil, checkout("xx"))
	s := c.want(http.StatusOK, http.MethodPost, "/api/v2/checkout", sk, nil, checkout("ae"))
	payment, page := s.Get("payment.id").String(), s.Get("configuration.available_products.installments.0.web_url").String()

	// The buyer on the hosted page.
	c.want(http.StatusOK, http.MethodGet, page, "", nil, "")
	c.want(http.StatusOK, http.MethodPost, page+"/phone", "", nil, "phone=500000001")
	c.want(http.StatusOK, http.MethodPost, page+"/otp", "", nil, "code=8888")
	c.call(http.MethodPost, page+"/pay", "", nil, "")

	deliveries := func() []gjson.Result {
		return c.want(http.StatusOK, http.MethodGet, "/_sim/v1/deliveries?payment="+payment, "", nil, "").Get("deliveries").Array()
	}
	waitFor(t, "the refused first attempt", 10*time.Second, func() bool {
		ds := deliveries()
		return len(ds) == 1 && len(ds[0].Get("attempts").Array()) == 1
	})
	c.want(http.StatusOK, http.MethodPost, "/_sim/v1/merchants/"+merchant+"/clock/advance", "", nil, `{"by": "1m"}`)
	c.want(http.StatusOK, http.MethodPost, "/api/v2/payments/"+payment+"/captures", sk, nil, `{"amount": "100.00", "reference_id": "cap-1"}`)
	waitFor(t, "authorize, capture and close delivered", 10*time.Second, func() bool {
		ds := deliveries()
		for _, d := range ds {
			if d.Get("status").String() != "delivered" {
				return false
			}
		}
		return len(ds) == 3
	})
	stop()

	text := logged.String()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("the log carries the secret %q", s)
		}
	}
	requests := map[string][]map[string]any{}
	var attempts []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("a log line that is not JSON: %q", line)
		}
		switch l["msg"] {
		case "request":
			id, _ := l["request_id"].(string)
			requests[id] = append(requests[id], l)
		case "webhook attempt":
			attempts = append(attempts, l)
		}
	}
	if len(requests) != len(c.made) {
		t.Errorf("%d request lines for %d requests", len(requests), len(c.made))
	}
	for _, r := range c.made {
		ls := requests[r.id]
		if len(ls) != 1 {
			t.Errorf("%s %s (%s): %d log lines, want 1", r.method, r.path, r.id, len(ls))
			continue
		}
		l := ls[0]
		if l["method"] != r.method || l["path"] != r.path || l["status"] != float64(r.status) || l["latency_ms"] == nil {
			t.Errorf("%s %s → %d logged as %v", r.method, r.path, r.status, l)
		}
		wantLevel := "INFO"
		if r.status >= 400 {
			wantLevel = "WARN"
		}
		if l["level"] != wantLevel {
			t.Errorf("%s %s → %d logged at %v, want %s", r.method, r.path, r.status, l["level"], wantLevel)
		}
	}
	line := func(i int) map[string]any { return requests[c.made[i].id][0] }
	for i, want := range []map[string]any{
		1: {"provider": "tabby", "operation": "tabby.register_webhook", "merchant": merchant},
		2: {"provider": "tabby", "operation": "tabby.list_payments", "merchant": nil,
			"hint": "the simulator's secret keys start with sk_test_ (tabbysim serve prints the default merchant's)"},
		3: {"provider": "tabby", "operation": "tabby.create_session", "merchant": merchant,
			"hint": "the merchant code is not one of this merchant's: ae, kw, sa"},
		4: {"provider": "tabby", "operation": "tabby.create_session", "merchant": merchant, "hint": nil},
		5: {"provider": nil, "operation": nil}, // the hosted page
	} {
		if want == nil {
			continue
		}
		for k, v := range want {
			if got := line(i)[k]; got != v {
				t.Errorf("%s %s: %s = %v, want %v", c.made[i].method, c.made[i].path, k, got, v)
			}
		}
	}

	if len(attempts) != 4 {
		t.Fatalf("%d webhook attempt lines, want 4 (authorize twice, capture, close): %v", len(attempts), attempts)
	}
	for i, want := range []map[string]any{
		{"level": "WARN", "event": "authorize", "attempt": float64(1), "answer": float64(503), "result": "refused", "delivery_status": "pending"},
		{"level": "INFO", "event": "authorize", "attempt": float64(2), "answer": float64(200), "result": "accepted", "delivery_status": "delivered"},
	} {
		a := attempts[i]
		for k, v := range want {
			if a[k] != v {
				t.Errorf("webhook attempt %d: %s = %v, want %v", i+1, k, a[k], v)
			}
		}
		if a["url"] != recv.URL || a["payment"] != payment || a["merchant"] != merchant || a["delivery"] != attempts[0]["delivery"] ||
			a["latency_ms"] == nil || a["provider"] != "tabby" {
			t.Errorf("webhook attempt %d: %v", i+1, a)
		}
		if (i == 0) != (a["next_attempt"] != nil) {
			t.Errorf("webhook attempt %d: next_attempt %v", i+1, a["next_attempt"])
		}
	}
}

// TestServe_LogLevelAndText: the default text lines, filtered by
// --log-level: warn keeps the 4xx and drops the rest; debug adds the
// health checks and metric scrapes info leaves out.
func TestServe_LogLevelAndText(t *testing.T) {
	for _, c := range []struct {
		level         string
		want, wantNot []string
	}{
		{"warn",
			[]string{`level=WARN msg=request method=GET path=/api/v2/payments status=401 `,
				`hint="send the secret key as Authorization: Bearer sk_test_…"`},
			[]string{"level=INFO", "path=/healthz", "path=/metrics"}},
		{"info",
			[]string{`level=INFO msg=request method=GET path=/api/v2/payments status=200 `, "operation=tabby.list_payments merchant=default"},
			[]string{"path=/healthz", "path=/metrics"}},
		{"debug",
			[]string{`level=DEBUG msg=request method=GET path=/healthz status=200 `, `level=DEBUG msg=request method=GET path=/metrics status=200 `},
			nil},
	} {
		t.Run(c.level, func(t *testing.T) {
			base, logged, stop := startServeLogged(t, "--clock", "manual", "--log-level", c.level)
			lc := &logClient{t: t, base: base, hc: &http.Client{Timeout: 10 * time.Second}}
			lc.want(http.StatusOK, http.MethodGet, "/healthz", "", nil, "")
			lc.want(http.StatusOK, http.MethodGet, "/metrics", "", nil, "")
			lc.want(http.StatusOK, http.MethodGet, "/api/v2/payments", simulator.DefaultSecretKey, nil, "")
			lc.want(http.StatusUnauthorized, http.MethodGet, "/api/v2/payments", "", nil, "")
			stop()
			text := logged.String()
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("the log lacks %q:\n%s", w, text)
				}
			}
			for _, w := range c.wantNot {
				if strings.Contains(text, w) {
					t.Errorf("the log has %q:\n%s", w, text)
				}
			}
		})
	}
}
