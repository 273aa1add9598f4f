package simctl_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/client/simctl"
	"github.com/tabbysim/tabbysim/client/tabby"
	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/simtest"
)

var ctx = context.Background()

func newSession(t *testing.T, c *tabby.Client, ref string) *tabby.Session {
	t.Helper()
	s, err := c.CreateSession(ctx, &tabby.CheckoutRequest{
		Lang: "en", MerchantCode: "ae",
		MerchantURLs: &tabby.MerchantURLs{Success: "https://shop.example/ok?x=1", Cancel: "https://shop.example/cancel",
			Failure: "https://shop.example/fail"},
		Payment: tabby.PaymentRequest{Amount: "120.00", Currency: "AED",
			Buyer: tabby.Buyer{Email: "otp.success@tabby.ai", Phone: "+971500000001"},
			Order: tabby.Order{ReferenceID: ref}},
	})
	if err != nil {
		t.Fatalf("create session: %v", err)
	}
	return s
}

func asError(t *testing.T, err error) *simctl.Error {
	t.Helper()
	var e *simctl.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *simctl.Error", err, err)
	}
	return e
}

func TestMerchants(t *testing.T) {
	sim := simtest.Start(t)
	c := sim.Control
	if err := c.Health(ctx); err != nil {
		t.Fatalf("health: %v", err)
	}

	start := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	m, err := c.CreateMerchant(ctx, simctl.CreateMerchantRequest{
		ID: "shop-1", Name: "Shop One", MerchantCodes: map[string]string{"uae": "AED", "ksa": "SAR"},
		Clock: "manual", Start: &start, Settings: map[string]any{"tabby": map[string]any{"session_ttl": "30m", "expire_webhooks": true}},
	})
	if err != nil {
		t.Fatalf("create merchant: %v", err)
	}
	if m.ID != "shop-1" || m.Name != "Shop One" || !strings.HasPrefix(m.Tabby.SecretKey, "sk_test_") ||
		!strings.HasPrefix(m.Tabby.PublicKey, "pk_test_") || m.Tabby.MerchantCodes["ksa"] != "SAR" ||
		m.Onerway.MerchantNo == "" || m.Onerway.SecretKey == "" || m.Onerway.AppID == "" {
		t.Fatalf("merchant %+v", m)
	}
	if m.Clock.Mode != "manual" || !m.Clock.Now.Equal(start) {
		t.Fatalf("clock %+v, want manual at %s", m.Clock, start)
	}
	var settings struct {
		Tabby struct {
			SessionTTL     string `json:"session_ttl"`
			ExpireWebhooks bool   `json:"expire_webhooks"`
			AutoCapture    string `json:"auto_capture"`
		} `json:"tabby"`
	}
	if err := json.Unmarshal(m.Settings, &settings); err != nil || settings.Tabby.SessionTTL != "30m" || !settings.Tabby.ExpireWebhooks {
		t.Fatalf("settings %s: %v", m.Settings, err)
	}

	got, err := c.Merchant(ctx, "shop-1")
	if err != nil || got.Tabby.SecretKey != m.Tabby.SecretKey || got.Onerway != m.Onerway {
		t.Fatalf("get merchant: %+v, %v", got, err)
	}
	all, err := c.Merchants(ctx)
	if err != nil {
		t.Fatalf("merchants: %v", err)
	}
	ids := map[string]bool{}
	for _, m := range all {
		ids[m.ID] = true
	}
	if !ids["shop-1"] || !ids[sim.Merchant.ID] || !ids[simulator.DefaultMerchantID] {
		t.Fatalf("merchants %v", ids)
	}

	m, err = c.UpdateSettings(ctx, "shop-1", map[string]any{"tabby": map[string]any{"auto_capture": "immediate"}})
	if err != nil {
		t.Fatalf("update settings: %v", err)
	}
	if err := json.Unmarshal(m.Settings, &settings); err != nil || settings.Tabby.AutoCapture != "immediate" || settings.Tabby.SessionTTL != "30m" {
		t.Fatalf("settings after patch %s: %v", m.Settings, err)
	}
	_, err = c.UpdateSettings(ctx, "shop-1", map[string]any{"tabby": map[string]any{"auto_capture": "sometimes"}})
	if e := asError(t, err); e.StatusCode != 400 || !strings.Contains(e.Message, "auto_capture") {
		t.Fatalf("bad settings: %+v", e)
	}

	_, err = c.Merchant(ctx, "nobody")
	if e := asError(t, err); e.StatusCode != 404 || e.Message == "" {
		t.Fatalf("unknown merchant: %+v", e)
	}
	if got := err.Error(); !strings.HasPrefix(got, "simctl: 404: ") {
		t.Fatalf("error text %q", got)
	}
	_, err = c.CreateMerchant(ctx, simctl.CreateMerchantRequest{ID: "shop-1"})
	if e := asError(t, err); e.StatusCode != 400 {
		t.Fatalf("duplicate merchant: %+v", e)
	}
	_, err = c.CreateMerchant(ctx, simctl.CreateMerchantRequest{Clock: "sundial"})
	if e := asError(t, err); e.StatusCode != 400 {
		t.Fatalf("bad clock: %+v", e)
	}
}

func TestClock(t *testing.T) {
	sim := simtest.Start(t)
	c := sim.Control
	k, err := c.Clock(ctx, sim.Merchant.ID)
	if err != nil || k.Mode != "manual" {
		t.Fatalf("clock: %+v, %v", k, err)
	}
	start := k.Now

	k2, err := c.Advance(ctx, sim.Merchant.ID, 90*time.Minute)
	if err != nil || k2.Now.Sub(start) != 90*time.Minute {
		t.Fatalf("advance: %+v, %v", k2, err)
	}
	k3, err := c.Advance(ctx, sim.Merchant.ID, 21*24*time.Hour)
	if err != nil || k3.Now.Sub(k2.Now) != 21*24*time.Hour {
		t.Fatalf("advance 21 days: %+v, %v", k3, err)
	}
	target := k3.Now.Add(time.Hour + 30*time.Second)
	k4, err := c.AdvanceTo(ctx, sim.Merchant.ID, target)
	if err != nil || !k4.Now.Equal(target) {
		t.Fatalf("advance to %s: %+v, %v", target, k4, err)
	}
	_, err = c.AdvanceTo(ctx, sim.Merchant.ID, start)
	if e := asError(t, err); e.StatusCode != 400 {
		t.Fatalf("advance backwards: %+v", e)
	}
	_, err = c.Advance(ctx, sim.Merchant.ID, -time.Minute)
	if e := asError(t, err); e.StatusCode != 400 {
		t.Fatalf("negative advance: %+v", e)
	}
	_, err = c.Clock(ctx, "nobody")
	if e := asError(t, err); e.StatusCode != 404 {
		t.Fatalf("unknown merchant's clock: %+v", e)
	}
}

func TestCustomerAndPayments(t *testing.T) {
	sim := simtest.Start(t)
	c := sim.Control

	a := newSession(t, sim.Tabby, "order-a")
	res, err := c.Customer(ctx, a.Payment.ID, simctl.ActionApprove)
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
	if res.PaymentID != a.Payment.ID || res.Status != "AUTHORIZED" || res.RedirectURL == nil ||
		*res.RedirectURL != "https://shop.example/ok?x=1&payment_id="+a.Payment.ID {
		t.Fatalf("approve result %+v", res)
	}

	b := newSession(t, sim.Tabby, "order-b")
	res, err = c.Customer(ctx, b.Payment.ID, "approve_without_redirect")
	if err != nil || res.Status != "AUTHORIZED" || res.RedirectURL != nil {
		t.Fatalf("approve without redirect: %+v, %v", res, err)
	}
	cs := newSession(t, sim.Tabby, "order-c")
	res, err = c.Customer(ctx, cs.Payment.ID, "cancel")
	if err != nil || res.Status != "EXPIRED" || res.RedirectURL == nil || !strings.HasPrefix(*res.RedirectURL, "https://shop.example/cancel?payment_id=") {
		t.Fatalf("cancel: %+v, %v", res, err)
	}
	d := newSession(t, sim.Tabby, "order-d")
	if res, err = c.Customer(ctx, d.Payment.ID, "reject"); err != nil || res.Status != "REJECTED" {
		t.Fatalf("reject: %+v, %v", res, err)
	}
	e := newSession(t, sim.Tabby, "order-e")
	if res, err = c.Customer(ctx, e.Payment.ID, "abandon"); err != nil || res.Status != "CREATED" || res.RedirectURL != nil {
		t.Fatalf("abandon: %+v, %v", res, err)
	}

	_, err = c.Customer(ctx, a.Payment.ID, "approve")
	if e := asError(t, err); e.StatusCode != 409 {
		t.Fatalf("approve twice: %+v", e)
	}
	_, err = c.Customer(ctx, a.Payment.ID, "dance")
	if e := asError(t, err); e.StatusCode != 400 {
		t.Fatalf("unknown action: %+v", e)
	}

	if _, err := sim.Tabby.Capture(ctx, a.Payment.ID, tabby.CaptureRequest{Amount: "120.00", ReferenceID: "cap-a"}); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Tabby.Refund(ctx, a.Payment.ID, tabby.RefundRequest{Amount: "20.00", ReferenceID: "ref-a"}); err != nil {
		t.Fatal(err)
	}

	p, err := c.Payment(ctx, a.Payment.ID)
	if err != nil {
		t.Fatalf("payment: %v", err)
	}
	if p.ID != a.Payment.ID || p.Status != "CLOSED" || p.Currency != "AED" || p.OrderReference != "order-a" ||
		p.Merchant != sim.Merchant.ID || p.MerchantCode != "ae" || p.SessionID != a.ID || p.SessionStatus == "" ||
		p.Channel != (simctl.Channel{Via: "direct"}) {
		t.Fatalf("payment info %+v", p)
	}
	if len(p.Captures) != 1 || p.Captures[0].ReferenceID != "cap-a" || len(p.Refunds) != 1 || p.Refunds[0].ReferenceID != "ref-a" {
		t.Fatalf("captures %+v, refunds %+v", p.Captures, p.Refunds)
	}
	var events []string
	for _, h := range p.History {
		if h.At.IsZero() || h.By == "" {
			t.Fatalf("history entry %+v", h)
		}
		events = append(events, h.Event)
	}
	if j := strings.Join(events, ","); !strings.Contains(j, "authorized") || !strings.Contains(j, "captured") || !strings.Contains(j, "refunded") {
		t.Fatalf("history %q", events)
	}
	var raw struct {
		ID       string `json:"id"`
		Captures []any  `json:"captures"`
	}
	if err := json.Unmarshal(p.Raw, &raw); err != nil || raw.ID != a.Payment.ID || len(raw.Captures) != 1 {
		t.Fatalf("raw %s: %v", p.Raw, err)
	}

	ps, err := c.Payments(ctx, sim.Merchant.ID)
	if err != nil {
		t.Fatalf("payments: %v", err)
	}
	statuses := map[string]string{}
	for _, p := range ps {
		statuses[p.OrderReference] = p.Status
	}
	want := map[string]string{"order-a": "CLOSED", "order-b": "AUTHORIZED", "order-c": "EXPIRED", "order-d": "REJECTED", "order-e": "CREATED"}
	if len(ps) != len(want) {
		t.Fatalf("payments %v, want %v", statuses, want)
	}
	for ref, st := range want {
		if statuses[ref] != st {
			t.Fatalf("payments %v, want %v", statuses, want)
		}
	}

	_, err = c.Payment(ctx, "00000000-0000-4000-8000-000000000001")
	if e := asError(t, err); e.StatusCode != 404 {
		t.Fatalf("unknown payment: %+v", e)
	}
	_, err = c.Payments(ctx, "nobody")
	if e := asError(t, err); e.StatusCode != 404 {
		t.Fatalf("unknown merchant's payments: %+v", e)
	}
}

func TestDeliveries(t *testing.T) {
	sim := simtest.Start(t)
	c := sim.Control

	var calls atomic.Int32
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "ok")
	}))
	t.Cleanup(recv.Close)
	if _, err := sim.Tabby.RegisterWebhook(ctx, "ae", recv.URL+"/tabby",
		&tabby.WebhookHeader{Title: "X-Secret", Value: "v"}); err != nil {
		t.Fatal(err)
	}

	s := newSession(t, sim.Tabby, "order-w")
	if _, err := c.Customer(ctx, s.Payment.ID, "approve"); err != nil {
		t.Fatal(err)
	}

	delivered := func(id string) *simctl.Delivery {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			d, err := c.Delivery(ctx, id)
			if err != nil {
				t.Fatalf("delivery %s: %v", id, err)
			}
			if d.Status == "delivered" {
				return d
			}
			if time.Now().After(deadline) {
				t.Fatalf("delivery %s still %s: %+v", id, d.Status, d)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	ds, err := c.Deliveries(ctx, simctl.DeliveryFilter{Payment: s.Payment.ID})
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries: %+v, %v", ds, err)
	}
	d := delivered(ds[0].ID)
	if d.Merchant != sim.Merchant.ID || d.Provider != "tabby" || d.PaymentID != s.Payment.ID || d.Event != "authorize" ||
		d.URL != recv.URL+"/tabby" || d.Headers["X-Secret"] != "v" || d.Body == "" {
		t.Fatalf("delivery %+v", d)
	}
	if len(d.Attempts) != 1 || d.Attempts[0].N != 1 || d.Attempts[0].Status != 200 || !d.Attempts[0].Accepted ||
		d.Attempts[0].ResponseBody != "ok" || d.Attempts[0].URL != d.URL || d.Attempts[0].At.IsZero() {
		t.Fatalf("attempts %+v", d.Attempts)
	}
	if p, err := tabby.ParseWebhook([]byte(d.Body)); err != nil || p.Status != "authorized" {
		t.Fatalf("body %s: %v", d.Body, err)
	}

	byMerchant, err := c.Deliveries(ctx, simctl.DeliveryFilter{Merchant: sim.Merchant.ID, Status: "delivered"})
	if err != nil || len(byMerchant) != 1 {
		t.Fatalf("delivered of merchant: %+v, %v", byMerchant, err)
	}
	if none, err := c.Deliveries(ctx, simctl.DeliveryFilter{Merchant: sim.Merchant.ID, Status: "failed"}); err != nil || len(none) != 0 {
		t.Fatalf("failed deliveries: %+v, %v", none, err)
	}
	_, err = c.Deliveries(ctx, simctl.DeliveryFilter{Status: "lost"})
	if e := asError(t, err); e.StatusCode != 400 {
		t.Fatalf("bad status filter: %+v", e)
	}

	r, err := c.Resend(ctx, d.ID)
	if err != nil || r.ID == d.ID || r.ResendOf != d.ID || r.Body != d.Body {
		t.Fatalf("resend: %+v, %v", r, err)
	}
	delivered(r.ID)

	if err := c.SendWebhook(ctx, s.Payment.ID, "update"); err != nil {
		t.Fatalf("send webhook: %v", err)
	}
	ds, err = c.Deliveries(ctx, simctl.DeliveryFilter{Payment: s.Payment.ID})
	if err != nil || len(ds) != 3 {
		t.Fatalf("deliveries after resend and send: %+v, %v", ds, err)
	}
	var update *simctl.Delivery
	for i := range ds {
		if ds[i].Event == "update" {
			update = &ds[i]
		}
	}
	if update == nil {
		t.Fatalf("no update delivery in %+v", ds)
	}
	delivered(update.ID)
	if n := calls.Load(); n != 3 {
		t.Fatalf("receiver got %d calls, want 3", n)
	}

	err = c.SendWebhook(ctx, s.Payment.ID, "explode")
	if e := asError(t, err); e.StatusCode != 400 {
		t.Fatalf("bad event: %+v", e)
	}
	err = c.SendWebhook(ctx, "00000000-0000-4000-8000-000000000001", "update")
	if e := asError(t, err); e.StatusCode != 404 {
		t.Fatalf("unknown payment: %+v", e)
	}
	_, err = c.Delivery(ctx, "dlv_nope")
	if e := asError(t, err); e.StatusCode != 404 {
		t.Fatalf("unknown delivery: %+v", e)
	}
	_, err = c.Resend(ctx, "dlv_nope")
	if e := asError(t, err); e.StatusCode != 404 {
		t.Fatalf("resend unknown delivery: %+v", e)
	}
}

func TestJournal(t *testing.T) {
	sim := simtest.Start(t)
	s := newSession(t, sim.Tabby, "order-j")
	if _, err := sim.Tabby.GetPayment(ctx, s.Payment.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Tabby.GetPayment(ctx, "00000000-0000-4000-8000-000000000001"); err == nil {
		t.Fatal("unknown payment found")
	}

	es, err := sim.Control.Journal(ctx, sim.Merchant.ID, 0)
	if err != nil {
		t.Fatalf("journal: %v", err)
	}
	if len(es) != 3 {
		t.Fatalf("journal has %d entries, want 3: %+v", len(es), es)
	}
	// Newest first.
	if es[0].Status != 404 || es[1].Method != http.MethodGet || es[1].Path != "/api/v2/payments/"+s.Payment.ID || es[1].Status != 200 {
		t.Fatalf("entries %+v", es[:2])
	}
	last := es[2]
	if last.Method != http.MethodPost || last.Path != "/api/v2/checkout" || last.Merchant != sim.Merchant.ID ||
		last.Provider != "tabby" || last.Operation != "tabby.create_session" ||
		!strings.Contains(last.RequestBody, "order-j") || !strings.Contains(last.ResponseBody, s.ID) ||
		last.Seq == 0 || last.At.IsZero() || last.RequestID == "" || last.Seq >= es[0].Seq {
		t.Fatalf("create entry %+v", last)
	}
	one, err := sim.Control.Journal(ctx, sim.Merchant.ID, 1)
	if err != nil || len(one) != 1 || one[0].Seq != es[0].Seq {
		t.Fatalf("journal limit 1: %+v, %v", one, err)
	}
	if all, err := sim.Control.Journal(ctx, "", -1); err != nil || len(all) < 3 {
		t.Fatalf("whole journal: %d entries, %v", len(all), err)
	}
}

func TestReset(t *testing.T) {
	sim := simtest.Start(t)
	s := newSession(t, sim.Tabby, "order-r")
	if err := sim.Control.Reset(ctx); err != nil {
		t.Fatalf("reset: %v", err)
	}
	if _, err := sim.Control.Payment(ctx, s.Payment.ID); asError(t, err).StatusCode != 404 {
		t.Fatalf("payment after reset: %v", err)
	}
	ms, err := sim.Control.Merchants(ctx)
	if err != nil || len(ms) != 1 || ms[0].ID != simulator.DefaultMerchantID || ms[0].Tabby.SecretKey != simulator.DefaultSecretKey {
		t.Fatalf("merchants after reset: %+v, %v", ms, err)
	}
	if es, err := sim.Control.Journal(ctx, "", 0); err != nil || len(es) != 0 {
		t.Fatalf("journal after reset: %+v, %v", es, err)
	}
}

// TestToken runs a simulator with a control token and the control API on
// its own address.
func TestToken(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sim, err := simulator.New(simulator.Config{PublicURL: "http://" + ln.Addr().String(), ClockMode: clock.Manual,
		ControlToken: "t0k3n", SeparateControl: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(sim.ControlHandler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)

	anon := simctl.New(srv.URL)
	if err := anon.Health(ctx); err != nil {
		t.Fatalf("health needs no token: %v", err)
	}
	_, err = anon.Merchants(ctx)
	if e := asError(t, err); e.StatusCode != 401 || !strings.Contains(e.Message, "Bearer") {
		t.Fatalf("no token: %+v", e)
	}
	wrong := simctl.New(srv.URL, simctl.WithToken("nope"))
	if _, err := wrong.Merchants(ctx); asError(t, err).StatusCode != 401 {
		t.Fatalf("wrong token: %v", err)
	}
	good := simctl.New(srv.URL+"/_sim/v1/", simctl.WithToken("t0k3n"), simctl.WithHTTPClient(&http.Client{Timeout: 5 * time.Second}))
	ms, err := good.Merchants(ctx)
	if err != nil || len(ms) != 1 {
		t.Fatalf("with token: %+v, %v", ms, err)
	}
}

func TestNonJSONError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "upstream is down", http.StatusBadGateway)
	}))
	defer srv.Close()
	err := simctl.New(srv.URL).Health(ctx)
	if e := asError(t, err); e.StatusCode != 502 || e.Message != "upstream is down" {
		t.Fatalf("plain-text error: %+v", e)
	}
}
