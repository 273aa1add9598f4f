package simulator_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tabbysim/tabbysim/client/simctl"
	"github.com/tabbysim/tabbysim/client/tabby"
	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/clock"
)

// startRunning serves a simulator of its own on a loopback port with its
// background event loop running, until the test ends.
func startRunning(t *testing.T, cfg simulator.Config) *simulator.Server {
	t.Helper()
	sim, err := simulator.Listen("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	running := make(chan struct{})
	go func() { defer close(running); sim.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-running
		sim.Close()
	})
	return sim
}

// scrape reads url's /metrics as Prometheus reads it, over HTTP, and
// parses it with Prometheus's own text parser.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	res, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %d", res.StatusCode)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return fams
}

// sample returns the metric of family name with exactly labels, nil if
// there is none.
func sample(fams map[string]*dto.MetricFamily, name string, labels map[string]string) *dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
	for _, m := range f.GetMetric() {
		if len(m.GetLabel()) != len(labels) {
			continue
		}
		match := true
		for _, l := range m.GetLabel() {
			if labels[l.GetName()] != l.GetValue() {
				match = false
			}
		}
		if match {
			return m
		}
	}
	return nil
}

// value is a counter's or gauge's value, or a histogram's count; -1 when
// there is no such metric.
func value(fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	m := sample(fams, name, labels)
	switch {
	case m == nil:
		return -1
	case m.Counter != nil:
		return m.Counter.GetValue()
	case m.Gauge != nil:
		return m.Gauge.GetValue()
	case m.Histogram != nil:
		return float64(m.Histogram.GetSampleCount())
	}
	return -1
}

// TestMetrics_CountWhatWasServed drives payments, a refused credential and
// webhooks (one refused, then accepted on its retry) through a simulator,
// then scrapes /metrics: requests by provider, operation and status, their
// latencies, webhook attempts by result, faults, lint warnings and
// payments by status all say what happened. A second simulator in the same
// process counts none of it.
func TestMetrics_CountWhatWasServed(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer recv.Close()
	sim := startRunning(t, simulator.Config{Seed: 9, ClockMode: clock.Manual})
	other := startRunning(t, simulator.Config{Seed: 9, ClockMode: clock.Manual})
	ctx := context.Background()
	hc := &http.Client{Timeout: 10 * time.Second}
	api := tabby.New(simulator.DefaultSecretKey, tabby.WithBaseURL(sim.URL), tabby.WithHTTPClient(hc))
	ctl := simctl.New(sim.URL, simctl.WithHTTPClient(hc))

	if _, err := api.RegisterWebhook(ctx, "ae", recv.URL, &tabby.WebhookHeader{Title: "X-Auth", Value: "v"}); err != nil {
		t.Fatal(err)
	}
	session, err := api.CreateSession(ctx, &tabby.CheckoutRequest{Lang: "en", MerchantCode: "ae",
		Payment: tabby.PaymentRequest{Amount: "100.00", Currency: "AED",
			Buyer: tabby.Buyer{Email: "otp.success@tabby.ai", Phone: "500000001"}}})
	if err != nil {
		t.Fatal(err)
	}
	// The second checkout's amount is a JSON number: accepted, with a lint
	// warning.
	send := func(method, path, body string, header http.Header) {
		t.Helper()
		req, _ := http.NewRequest(method, sim.URL+path, strings.NewReader(body))
		req.Header = header
		req.Header.Set("Content-Type", "application/json")
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	auth := http.Header{"Authorization": {"Bearer " + simulator.DefaultSecretKey}}
	send(http.MethodPost, "/api/v2/checkout", `{"lang":"en","merchant_code":"ae","payment":{"amount":100,"currency":"AED",`+
		`"buyer":{"email":"otp.success@tabby.ai","phone":"500000001"}}}`, auth.Clone())
	send(http.MethodGet, "/api/v2/payments", "", http.Header{"Authorization": {"Bearer sk_test_unknown"}})

	paid := session.Payment.ID
	// Two faults asked for by the header.
	for range 2 {
		h := auth.Clone()
		h.Set("X-Sim-Fault", "status=503")
		send(http.MethodGet, "/api/v2/payments/"+paid, "", h)
	}
	if _, err := ctl.Customer(ctx, paid, "approve"); err != nil {
		t.Fatal(err)
	}
	deliveries := func() []simctl.Delivery {
		ds, err := ctl.Deliveries(ctx, simctl.DeliveryFilter{Payment: paid})
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	waitUntil(t, "the first webhook attempt", func() bool { ds := deliveries(); return len(ds) == 1 && len(ds[0].Attempts) == 1 })
	if _, err := ctl.Advance(ctx, simulator.DefaultMerchantID, time.Minute); err != nil { // its retry
		t.Fatal(err)
	}
	if _, err := api.Capture(ctx, paid, tabby.CaptureRequest{Amount: "100.00", ReferenceID: "cap-1"}); err != nil {
		t.Fatal(err)
	}
	// authorize (refused, then accepted), capture and close.
	waitUntil(t, "every webhook delivered", func() bool {
		ds := deliveries()
		for _, d := range ds {
			if d.Status != "delivered" {
				return false
			}
		}
		return len(ds) == 3
	})

	fams := scrape(t, sim.URL)
	req := func(op, status string) map[string]string {
		return map[string]string{"provider": "tabby", "operation": op, "status": status}
	}
	latency := func(op string) map[string]string { return map[string]string{"provider": "tabby", "operation": op} }
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"tabbysim_requests_total", req("tabby.register_webhook", "200"), 1},
		{"tabbysim_requests_total", req("tabby.create_session", "200"), 2},
		{"tabbysim_requests_total", req("tabby.list_payments", "401"), 1},
		{"tabbysim_requests_total", req("tabby.capture", "200"), 1},
		{"tabbysim_requests_total", req("tabby.get_payment", "503"), 2},
		{"tabbysim_request_duration_seconds", latency("tabby.create_session"), 2},
		{"tabbysim_request_duration_seconds", latency("tabby.capture"), 1},
		{"tabbysim_webhook_attempts_total", map[string]string{"provider": "tabby", "result": "refused"}, 1},
		{"tabbysim_webhook_attempts_total", map[string]string{"provider": "tabby", "result": "accepted"}, 3},
		{"tabbysim_webhook_attempts_total", map[string]string{"provider": "tabby", "result": "no_answer"}, -1},
		{"tabbysim_webhook_attempt_duration_seconds", map[string]string{"provider": "tabby"}, 4},
		{"tabbysim_faults_fired_total", map[string]string{"provider": "tabby", "kind": "status"}, 2},
		{"tabbysim_lint_warnings_total", map[string]string{"provider": "tabby", "operation": "tabby.create_session", "rule": "R-AMOUNT-STRING"}, 1},
		{"tabbysim_payments", map[string]string{"provider": "tabby", "status": "CLOSED"}, 1},
		{"tabbysim_payments", map[string]string{"provider": "tabby", "status": "CREATED"}, 1},
		{"tabbysim_payments", map[string]string{"provider": "tabby", "status": "AUTHORIZED"}, 0},
	} {
		if got := value(fams, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	// Only the providers' APIs are counted as requests: not the control
	// API, the hosted pages or the scrapes.
	var counted float64
	for _, m := range fams["tabbysim_requests_total"].GetMetric() {
		counted += m.GetCounter().GetValue()
	}
	if counted != 7 {
		t.Errorf("%v requests counted in all, want 7", counted)
	}

	fams = scrape(t, other.URL)
	if f := fams["tabbysim_requests_total"]; f != nil {
		t.Errorf("the other simulator counted requests: %v", f)
	}
	if got := value(fams, "tabbysim_payments", map[string]string{"provider": "tabby", "status": "CLOSED"}); got != 0 {
		t.Errorf("the other simulator has %v closed payments", got)
	}
}

// waitUntil polls cond until it holds, failing the test after 10 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
