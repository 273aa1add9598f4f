package merchant

// End-to-end tests: a real simulator on a loopback port (one per test
// binary, a fresh merchant with its own keys and manual clock per test), and
// the reference merchant served over real HTTP on its own loopback port.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/client/tabby"
	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/clock"
)

// shared is the simulator every test talks to; tests are isolated by
// simulator merchant.
var shared struct {
	url    string
	client *http.Client
}

func TestMain(m *testing.M) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	url := "http://" + ln.Addr().String()
	sim, err := simulator.New(simulator.Config{PublicURL: url, ClockMode: clock.Manual, Seed: 1, JournalSize: 100000})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	srv := httptest.NewUnstartedServer(sim.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	ctx, cancel := context.WithCancel(context.Background())
	go sim.Run(ctx)
	shared.url = url
	shared.client = &http.Client{
		Timeout:       20 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	code := m.Run()
	cancel()
	srv.Close()
	sim.Close()
	os.Exit(code)
}

// call sends a JSON request (body may be nil) and returns the status and
// the answer's body.
func call(t *testing.T, method, url string, body any, header http.Header) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := shared.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, data
}

func decode(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}
}

// tenant is a simulator merchant with its keys and manual clock.
type tenant struct {
	t         *testing.T
	id        string
	secretKey string
	api       *tabby.Client
}

func newTenant(t *testing.T) *tenant {
	t.Helper()
	status, body := call(t, http.MethodPost, shared.url+"/_sim/v1/merchants", map[string]string{"clock": "manual"}, nil)
	if status != http.StatusCreated {
		t.Fatalf("creating a simulator merchant: %d %s", status, body)
	}
	var m struct {
		ID    string `json:"id"`
		Tabby struct {
			SecretKey string `json:"secret_key"`
		} `json:"tabby"`
	}
	decode(t, body, &m)
	return &tenant{t: t, id: m.ID, secretKey: m.Tabby.SecretKey,
		api: tabby.New(m.Tabby.SecretKey, tabby.WithBaseURL(shared.url))}
}

func (tn *tenant) control(method, path string, body any) []byte {
	tn.t.Helper()
	status, data := call(tn.t, method, shared.url+"/_sim/v1"+path, body, nil)
	if status/100 != 2 {
		tn.t.Fatalf("%s %s: %d %s", method, path, status, data)
	}
	return data
}

// act does what the customer does on the hosted page and returns the URL
// the browser is sent to ("" when none).
func (tn *tenant) act(paymentID, action string) string {
	tn.t.Helper()
	var res struct {
		RedirectURL *string `json:"redirect_url"`
	}
	decode(tn.t, tn.control(http.MethodPost, "/payments/"+paymentID+"/customer", map[string]string{"action": action}), &res)
	if res.RedirectURL == nil {
		return ""
	}
	return *res.RedirectURL
}

func (tn *tenant) advance(by string) {
	tn.t.Helper()
	tn.control(http.MethodPost, "/merchants/"+tn.id+"/clock/advance", map[string]string{"by": by})
}

// simPayment is a payment as the control API shows it.
type simPayment struct {
	Payment      tabby.Payment      `json:"payment"`
	MerchantURLs tabby.MerchantURLs `json:"merchant_urls"`
}

func (tn *tenant) payment(id string) simPayment {
	tn.t.Helper()
	var p simPayment
	decode(tn.t, tn.control(http.MethodGet, "/payments/"+id, nil), &p)
	return p
}

type delivery struct {
	ID       string   `json:"id"`
	Status   string   `json:"status"`
	Body     string   `json:"body"`
	Chaos    []string `json:"chaos"`
	Attempts []struct {
		Status int `json:"status"`
	} `json:"attempts"`
}

func (tn *tenant) deliveries(paymentID string) []delivery {
	tn.t.Helper()
	var res struct {
		Deliveries []delivery `json:"deliveries"`
	}
	decode(tn.t, tn.control(http.MethodGet, "/deliveries?merchant="+tn.id+"&payment="+paymentID+"&limit=1000", nil), &res)
	return res.Deliveries
}

// settle flushes the deliveries due now and waits (bounded) until every
// webhook of the payment has been tried, that is until the merchant has
// answered each; the merchant's answers can cause further webhooks.
func (tn *tenant) settle(paymentID string) []delivery {
	tn.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		tn.advance("0s")
		ds := tn.deliveries(paymentID)
		quiet := true
		for _, d := range ds {
			if len(d.Attempts) == 0 && d.Status != "dropped" {
				quiet = false
			}
		}
		if quiet {
			return ds
		}
		if time.Now().After(deadline) {
			tn.t.Fatalf("webhooks of payment %s still untried after 10s: %+v", paymentID, ds)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type journalEntry struct {
	Method      string `json:"method"`
	Path        string `json:"path"`
	Status      int    `json:"status"`
	RequestBody string `json:"request_body"`
}

// requests lists the merchant's calls to path, oldest first.
func (tn *tenant) requests(method, path string) []journalEntry {
	tn.t.Helper()
	var res struct {
		Entries []journalEntry `json:"entries"`
	}
	decode(tn.t, tn.control(http.MethodGet, "/journal?merchant="+tn.id+"&limit=100000", nil), &res)
	var out []journalEntry
	for i := len(res.Entries) - 1; i >= 0; i-- {
		if e := res.Entries[i]; e.Method == method && e.Path == path {
			out = append(out, e)
		}
	}
	return out
}

func (tn *tenant) captureCalls(paymentID string) []journalEntry {
	return tn.requests(http.MethodPost, "/api/v2/payments/"+paymentID+"/captures")
}

func (tn *tenant) refundCalls(paymentID string) []journalEntry {
	return tn.requests(http.MethodPost, "/api/v2/payments/"+paymentID+"/refunds")
}

// shop is a reference merchant served on loopback against tenant tn.
type shop struct {
	t   *testing.T
	tn  *tenant
	m   *Merchant
	url string
}

// newShop serves a merchant with defect; webhooks says whether it
// registers its webhook (Start).
func newShop(t *testing.T, tn *tenant, defect string, webhooks bool) *shop {
	t.Helper()
	return newShopWith(t, tn, Config{Defect: defect}, webhooks)
}

// newShopWith is newShop with cfg, its URL, key and address filled in.
func newShopWith(t *testing.T, tn *tenant, cfg Config, webhooks bool) *shop {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	cfg.TabbyURL, cfg.SecretKey, cfg.PublicURL = shared.url, tn.secretKey, url
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(m.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	if webhooks {
		if err := m.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return &shop{t: t, tn: tn, m: m, url: url}
}

func cart() CheckoutRequest {
	return CheckoutRequest{
		Amount: "100.00", Currency: "AED", Lang: "en",
		Buyer: CheckoutBuyer{Name: "Test Buyer", Email: "otp.success@tabby.ai", Phone: "500000001"},
		Items: []CheckoutItem{{Title: "Shirt", Quantity: 2, UnitPrice: "50.00", Category: "clothes"}},
	}
}

func (s *shop) checkout(req CheckoutRequest) CheckoutResponse {
	s.t.Helper()
	status, body := call(s.t, http.MethodPost, s.url+"/checkout", req, nil)
	if status != http.StatusOK {
		s.t.Fatalf("POST /checkout: %d %s", status, body)
	}
	var res CheckoutResponse
	decode(s.t, body, &res)
	if res.OrderID == "" || res.PaymentID == "" {
		s.t.Fatalf("POST /checkout answered no order or payment id: %s", body)
	}
	return res
}

// order returns the order, or nil when the merchant answers 404.
func (s *shop) order(id string) *OrderJSON {
	s.t.Helper()
	status, body := call(s.t, http.MethodGet, s.url+"/orders/"+id, nil, nil)
	if status == http.StatusNotFound {
		return nil
	}
	if status != http.StatusOK {
		s.t.Fatalf("GET /orders/%s: %d %s", id, status, body)
	}
	var o OrderJSON
	decode(s.t, body, &o)
	return &o
}

func (s *shop) mustOrder(id string) OrderJSON {
	s.t.Helper()
	o := s.order(id)
	if o == nil {
		s.t.Fatalf("order %s is gone", id)
	}
	return *o
}

// browse follows a redirect to the merchant and returns the status and
// the page.
func (s *shop) browse(url string) (int, string) {
	s.t.Helper()
	if !strings.HasPrefix(url, s.url+"/") {
		s.t.Fatalf("redirect %q does not lead to the merchant at %s", url, s.url)
	}
	status, body := call(s.t, http.MethodGet, url, nil, nil)
	return status, string(body)
}

func (s *shop) post(path string, body any, header http.Header) (int, []byte) {
	s.t.Helper()
	return call(s.t, http.MethodPost, s.url+path, body, header)
}

func (s *shop) webhookHeader() http.Header {
	h := s.m.WebhookHeader()
	return http.Header{http.CanonicalHeaderKey(h.Title): {h.Value}}
}

// paid runs a checkout to a paid order: approve on the hosted page, the
// webhooks delivered.
func (s *shop) paid(req CheckoutRequest) CheckoutResponse {
	s.t.Helper()
	res := s.checkout(req)
	s.tn.act(res.PaymentID, "approve")
	s.tn.settle(res.PaymentID)
	if o := s.mustOrder(res.OrderID); o.Status != StatusPaid {
		s.t.Fatalf("order %s is %s after approval and webhooks, want paid", res.OrderID, o.Status)
	}
	return res
}

func wantStatus(t *testing.T, s *shop, orderID, want string) OrderJSON {
	t.Helper()
	o := s.mustOrder(orderID)
	if o.Status != want {
		t.Fatalf("order %s is %s, want %s (%+v)", orderID, o.Status, want, o)
	}
	return o
}

func TestCheckout_WebhookMarksPaidWithOneCapture(t *testing.T) {
	t.Parallel()
	tn := newTenant(t)
	s := newShop(t, tn, "", true)
	res := s.checkout(cart())
	if res.Status != StatusPending || !strings.Contains(res.RedirectURL, "/hpp/") || res.RejectionReason != "" {
		t.Fatalf("checkout answered %+v, want pending with the hosted page", res)
	}
	sp := tn.payment(res.PaymentID)
	if sp.Payment.Order.ReferenceID != res.OrderID {
		t.Errorf("order.reference_id = %q, want %q", sp.Payment.Order.ReferenceID, res.OrderID)
	}
	for kind, got := range map[string]string{"success": sp.MerchantURLs.Success, "cancel": sp.MerchantURLs.Cancel, "failure": sp.MerchantURLs.Failure} {
		if want := s.url + "/return/" + kind + "?order=" + res.OrderID; got != want {
			t.Errorf("merchant_urls.%s = %q, want %q", kind, got, want)
		}
	}
	wantStatus(t, s, res.OrderID, StatusPending)

	tn.act(res.PaymentID, "approve") // the browser never comes back here
	ds := tn.settle(res.PaymentID)
	o := wantStatus(t, s, res.OrderID, StatusPaid)
	if o.Captured != "100.00" || o.PaymentID != res.PaymentID || o.Amount != "100.00" || o.Currency != "AED" {
		t.Errorf("order = %+v, want 100.00 AED captured of payment %s", o, res.PaymentID)
	}
	p := tn.payment(res.PaymentID).Payment
	if p.Status != tabby.StatusClosed || len(p.Captures) != 1 || p.Captures[0].ReferenceID != "capture-"+res.OrderID {
		t.Errorf("payment is %s with captures %+v, want CLOSED with one capture-%s", p.Status, p.Captures, res.OrderID)
	}
	if n := len(tn.captureCalls(res.PaymentID)); n != 1 {
		t.Errorf("the merchant sent %d captures, want 1", n)
	}
	for _, d := range ds {
		if d.Attempts[0].Status != http.StatusOK {
			t.Errorf("webhook %s answered %d, want 200", d.ID, d.Attempts[0].Status)
		}
	}
}

func TestReturn_SuccessRereadsPayment(t *testing.T) {
	t.Parallel()
	tn := newTenant(t)
	s := newShop(t, tn, "", false) // no webhooks: only the redirect tells
	res := s.checkout(cart())

	// A success redirect before the customer paid proves nothing.
	status, page := s.browse(s.url + "/return/success?order=" + res.OrderID + "&payment_id=" + res.PaymentID)
	if status != http.StatusOK || !strings.Contains(page, `data-status="pending"`) {
		t.Fatalf("early success redirect: %d %s", status, page)
	}
	wantStatus(t, s, res.OrderID, StatusPending)
	if n := len(tn.captureCalls(res.PaymentID)); n != 0 {
		t.Fatalf("the merchant captured %d times before authorization", n)
	}

	redirect := tn.act(res.PaymentID, "approve")
	if !strings.Contains(redirect, "payment_id="+res.PaymentID) {
		t.Fatalf("redirect %q carries no payment_id", redirect)
	}
	status, page = s.browse(redirect)
	if status != http.StatusOK || !strings.Contains(page, `data-status="paid"`) {
		t.Fatalf("success redirect: %d %s", status, page)
	}
	if o := wantStatus(t, s, res.OrderID, StatusPaid); o.Captured != "100.00" {
		t.Errorf("captured %s, want 100.00", o.Captured)
	}
	// The same redirect again (a reload) captures nothing more.
	s.browse(redirect)
	if n := len(tn.captureCalls(res.PaymentID)); n != 1 {
		t.Errorf("the merchant sent %d captures, want 1", n)
	}
}

func TestCheckout_PrescoringRejection(t *testing.T) {
	t.Parallel()
	tn := newTenant(t)
	s := newShop(t, tn, "", true)
	req := cart()
	req.Buyer.Phone = "500000002"
	status, body := s.post("/checkout", req, nil)
	if status != http.StatusOK {
		t.Fatalf("POST /checkout: %d %s", status, body)
	}
	var raw map[string]any
	decode(t, body, &raw)
	if raw["status"] != StatusFailed || raw["rejection_reason"] != "not_available" {
		t.Errorf("checkout answered %s, want failed with rejection_reason not_available", body)
	}
	if _, ok := raw["redirect_url"]; ok {
		t.Errorf("checkout answered a redirect_url on rejection: %s", body)
	}
	o := wantStatus(t, s, raw["order_id"].(string), StatusFailed)
	if o.RejectionReason != "not_available" {
		t.Errorf("order rejection_reason = %q", o.RejectionReason)
	}
}

func TestCheckout_BadInput(t *testing.T) {
	t.Parallel()
	tn := newTenant(t)
	s := newShop(t, tn, "", false)
	bad := map[string]func(r *CheckoutRequest){
		"currency":   func(r *CheckoutRequest) { r.Currency = "USD" },
		"amount":     func(r *CheckoutRequest) { r.Amount = "1e3" },
		"zero":       func(r *CheckoutRequest) { r.Amount = "0.00" },
		"decimals":   func(r *CheckoutRequest) { r.Amount = "10.001" },
		"email":      func(r *CheckoutRequest) { r.Buyer.Email = "" },
		"quantity":   func(r *CheckoutRequest) { r.Items[0].Quantity = 0 },
		"unit price": func(r *CheckoutRequest) { r.Items[0].UnitPrice = "-1" },
		"lang":       func(r *CheckoutRequest) { r.Lang = "fr" },
	}
	for name, spoil := range bad {
		req := cart()
		spoil(&req)
		if status, body := s.post("/checkout", req, nil); status != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", name, status, body)
		}
	}
	if status, _ := s.post("/checkout", "not an object", nil); status != http.StatusBadRequest {
		t.Errorf("a string body: %d, want 400", status)
	}

	// A shop that sells in AED only refuses a SAR cart itself.
	aedOnly := newShopWith(t, tn, Config{MerchantCodes: map[string]string{"AED": "ae"}}, false)
	req := cart()
	req.Currency = "SAR"
	if status, body := aedOnly.post("/checkout", req, nil); status != http.StatusBadRequest || !strings.Contains(string(body), "(AED)") {
		t.Errorf("SAR at an AED-only shop: %d %s, want 400 naming AED", status, body)
	}

	// Tabby refuses a SAR session on the "ae" code: 502, and the order fails.
	wrong := newShopWith(t, tn, Config{MerchantCodes: map[string]string{"AED": "ae", "SAR": "ae"}}, false)
	status, body := wrong.post("/checkout", req, nil)
	if status != http.StatusBadGateway {
		t.Fatalf("SAR on ae: %d %s, want 502", status, body)
	}
	var res map[string]string
	decode(t, body, &res)
	wantStatus(t, wrong, res["order_id"], StatusFailed)
}

// TestCheckout_EveryCurrency: a cart in SAR or KWD goes to Tabby under the
// currency's merchant code, its webhooks (registered under that code)
// reach the shop, and captures and refunds are exact to the currency's
// decimals (three for KWD).
func TestCheckout_EveryCurrency(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ currency, code, amount, tooPrecise, refund, rest string }{
		{"AED", "ae", "100.00", "50.005", "30.00", "70.00"},
		{"SAR", "sa", "250.50", "125.255", "0.50", "250.00"},
		{"KWD", "kw", "12.345", "6.1725", "0.005", "12.340"},
	} {
		t.Run(c.currency, func(t *testing.T) {
			t.Parallel()
			tn := newTenant(t)
			s := newShop(t, tn, "", true)
			req := cart()
			req.Currency, req.Amount = c.currency, c.amount
			req.Items[0].UnitPrice = c.tooPrecise
			if status, body := s.post("/checkout", req, nil); status != http.StatusBadRequest {
				t.Fatalf("a unit price with too many decimals: %d %s, want 400", status, body)
			}
			req.Items = []CheckoutItem{{Title: "Shirt", Quantity: 1, UnitPrice: c.amount, Category: "clothes"}}
			res := s.checkout(req)
			if p := tn.payment(res.PaymentID).Payment; p.Currency != c.currency || p.Amount != c.amount {
				t.Fatalf("payment is %s %s, want %s %s", p.Amount, p.Currency, c.amount, c.currency)
			}
			calls := tn.requests(http.MethodPost, "/api/v2/checkout")
			if len(calls) != 1 || !strings.Contains(calls[0].RequestBody, `"merchant_code":"`+c.code+`"`) {
				t.Fatalf("checkout requests %+v, want one with merchant_code %s", calls, c.code)
			}

			tn.act(res.PaymentID, "approve_without_redirect") // only the webhook tells
			ds := tn.settle(res.PaymentID)
			if len(ds) == 0 {
				t.Fatalf("no webhook of the %s payment reached the shop", c.currency)
			}
			o := wantStatus(t, s, res.OrderID, StatusPaid)
			if o.Amount != c.amount || o.Captured != c.amount || o.Currency != c.currency {
				t.Errorf("order %+v, want %s %s captured", o, c.amount, c.currency)
			}
			path := "/orders/" + res.OrderID + "/refund"
			if status, body := s.post(path, map[string]string{"amount": c.refund}, nil); status != http.StatusOK {
				t.Fatalf("refund %s: %d %s", c.refund, status, body)
			}
			o = wantStatus(t, s, res.OrderID, StatusPartiallyRefunded)
			if o.Refunded != c.refund {
				t.Errorf("refunded %s, want %s", o.Refunded, c.refund)
			}
			if status, body := s.post(path, map[string]string{"amount": c.rest}, nil); status != http.StatusOK {
				t.Fatalf("refund the remaining %s: %d %s", c.rest, status, body)
			}
			wantStatus(t, s, res.OrderID, StatusRefunded)
		})
	}
}

func TestReturn_CancelKeepsOrderCancelled(t *testing.T) {
	t.Parallel()
	tn := newTenant(t)
	s := newShop(t, tn, "", true)
	res := s.checkout(cart())
	redirect := tn.act(res.PaymentID, "cancel")
	status, page := s.browse(redirect)
	if status != http.StatusOK || !strings.Contains(page, `data-status="cancelled"`) {
		t.Fatalf("cancel redirect: %d %s", status, page)
	}
	wantStatus(t, s, res.OrderID, StatusCancelled)

	if status, _ := s.browse(s.url + "/return/cancel?order=ord_999"); status != http.StatusNotFound {
		t.Errorf("redirect for an unknown order: %d, want 404", status)
	}
}

func TestReturn_FailureAfterOTP(t *testing.T) {
	t.Parallel()
	tn := newTenant(t)
	s := newShop(t, tn, "", true)
	req := cart()
	req.Buyer.Email = "otp.rejected@tabby.ai"
	res := s.checkout(req)
	redirect := tn.act(res.PaymentID, "approve")
	if !strings.Contains(redirect, "/return/failure") {
		t.Fatalf("redirect %q, want the failure URL", redirect)
	}
	if status, page := s.browse(redirect); status != http.StatusOK || !strings.Contains(page, `data-status="failed"`) {
		t.Fatalf("failure redirect: %d %s", status, page)
	}
	tn.settle(res.PaymentID)
	wantStatus(t, s, res.OrderID, StatusFailed)
}

func TestWebhook_ForgedIsRefused(t *testing.T) {
	t.Parallel()
	tn := newTenant(t)
	s := newShop(t, tn, "", true)
	res := s.checkout(cart())
	body := map[string]any{"id": res.PaymentID, "status": "authorized", "order": map[string]string{"reference_id": res.OrderID}}
	title := s.m.WebhookHeader().Title
	for name, h := range map[string]http.Header{
		"missing": nil,
		"wrong":   {http.CanonicalHeaderKey(title): {"forged"}},
	} {
		if status, resp := s.post(WebhookPath, body, h); status != http.StatusUnauthorized {
			t.Errorf("%s header: %d %s, want 401", name, status, resp)
		}
	}
	wantStatus(t, s, res.OrderID, StatusPending)

	// The simulator forging its deliveries: refused too, nothing done.
	tn.control(http.MethodPatch, "/merchants/"+tn.id, map[string]any{"settings": map[string]any{"webhooks": map[string]any{"forge": "wrong"}}})
	tn.act(res.PaymentID, "approve_without_redirect")
	for _, d := range tn.settle(res.PaymentID) {
		if d.Attempts[0].Status != http.StatusUnauthorized {
			t.Errorf("forged delivery %s answered %d, want 401", d.ID, d.Attempts[0].Status)
		}
	}
	wantStatus(t, s, res.OrderID, StatusPending)
	if n := len(tn.captureCalls(res.PaymentID)); n != 0 {
		t.Errorf("a forged webhook led to %d captures", n)
	}
}

func TestWebhook_DuplicateCapturesOnce(t *testing.T) {
	t.Parallel()
	tn := newTenant(t)
	s := newShop(t, tn, "", true)
	res := s.checkout(cart())
	tn.act(res.PaymentID, "approve")
	ds := tn.settle(res.PaymentID)
	var authorize delivery
	for _, d := range ds {
		if strings.Contains(d.Body, `"status":"authorized"`) && !strings.Contains(d.Body, `"reference_id":"capture-`) {
			authorize = d
		}
	}
	if authorize.ID == "" {
		t.Fatalf("no authorize webhook among %+v", ds)
	}
	// The same delivery twice more, through the simulator, and twice at
	// once straight to the merchant.
	tn.control(http.MethodPost, "/deliveries/"+authorize.ID+"/resend", nil)
	tn.control(http.MethodPost, "/deliveries/"+authorize.ID+"/resend", nil)
	tn.settle(res.PaymentID)
	done := make(chan int, 2)
	for range 2 {
		go func() {
			req, _ := http.NewRequest(http.MethodPost, s.url+WebhookPath, strings.NewReader(authorize.Body))
			req.Header = s.webhookHeader()
			resp, err := shared.client.Do(req)
			if err != nil {
				done <- 0
				return
			}
			resp.Body.Close()
			done <- resp.StatusCode
		}()
	}
	for range 2 {
		if status := <-done; status != http.StatusOK {
			t.Errorf("duplicate webhook answered %d, want 200", status)
		}
	}
	if n := len(tn.captureCalls(res.PaymentID)); n != 1 {
		t.Errorf("the merchant sent %d captures, want 1", n)
	}
	if o := wantStatus(t, s, res.OrderID, StatusPaid); o.Captured != "100.00" {
		t.Errorf("captured %s, want 100.00", o.Captured)
	}

	// A webhook of a payment the merchant does not know is acknowledged.
	unknown := `{"id":"00000000-0000-4000-8000-000000000000","status":"authorized","order":{"reference_id":"ord_999"}}`
	if status, body := s.post(WebhookPath, json.RawMessage(unknown), s.webhookHeader()); status != http.StatusOK {
		t.Errorf("unknown order: %d %s, want 200", status, body)
	}
}

func TestWebhook_ReorderedAndDuplicated(t *testing.T) {
	t.Parallel()
	tn := newTenant(t)
	tn.control(http.MethodPatch, "/merchants/"+tn.id, map[string]any{"settings": map[string]any{
		"webhooks": map[string]any{"reorder": true, "duplicate": 1}}})
	s := newShop(t, tn, "", true)
	res := s.checkout(cart())
	tn.act(res.PaymentID, "approve_without_redirect")
	tn.advance("2m") // held deliveries go out after ReorderHold at the latest
	chaos := ""
	for _, d := range tn.settle(res.PaymentID) {
		chaos += strings.Join(d.Chaos, ";") + ";"
	}
	if !strings.Contains(chaos, "held back") || !strings.Contains(chaos, "duplicate of") {
		t.Fatalf("the simulator neither reordered nor duplicated: %s", chaos)
	}
	if o := wantStatus(t, s, res.OrderID, StatusPaid); o.Captured != "100.00" {
		t.Errorf("captured %s, want 100.00", o.Captured)
	}
	if n := len(tn.captureCalls(res.PaymentID)); n != 1 {
		t.Errorf("the merchant sent %d captures, want 1", n)
	}
}

func TestWebhook_FindsOrderByPaymentID(t *testing.T) {
	t.Parallel()
	tn := newTenant(t)
	s := newShop(t, tn, "", false)
	res := s.checkout(cart())
	tn.act(res.PaymentID, "approve_without_redirect")
	// The reference was changed (Tabby's "update" event), and the status
	// is in Tabby's webhook case.
	body := map[string]any{"id": res.PaymentID, "status": "authorized", "order": map[string]string{"reference_id": "renamed"}}
	if status, resp := s.post(WebhookPath, body, s.webhookHeader()); status != http.StatusOK {
		t.Fatalf("webhook: %d %s", status, resp)
	}
	if o := wantStatus(t, s, res.OrderID, StatusPaid); o.Captured != "100.00" {
		t.Errorf("captured %s, want 100.00", o.Captured)
	}
}

func TestCapture_PartialShipmentClosesTheRest(t *testing.T) {
	t.Parallel()
	tn := newTenant(t)
	s := newShop(t, tn, "", true)
	in, out := true, false
	req := cart()
	req.Items = []CheckoutItem{
		{Title: "Shirt", Quantity: 2, UnitPrice: "35.00", Category: "clothes", InStock: &in},
		{Title: "Hat", Quantity: 1, UnitPrice: "30.00", Category: "clothes", InStock: &out},
	}
	res := s.paid(req)
	p := tn.payment(res.PaymentID).Payment
	if p.Status != tabby.StatusClosed || len(p.Captures) != 1 || p.Captures[0].Amount != "70.00" {
		t.Fatalf("payment %s with captures %+v, want CLOSED after one capture of 70.00", p.Status, p.Captures)
	}
	if o := wantStatus(t, s, res.OrderID, StatusPaid); o.Captured != "70.00" {
		t.Errorf("captured %s, want 70.00", o.Captured)
	}
	if n := len(tn.requests(http.MethodPost, "/api/v2/payments/"+res.PaymentID+"/close")); n != 1 {
		t.Errorf("the merchant closed %d times, want 1", n)
	}
}

func TestRefund_WithinAndBeyondCaptured(t *testing.T) {
	t.Parallel()
	tn := newTenant(t)
	s := newShop(t, tn, "", true)
	res := s.paid(cart())
	path := "/orders/" + res.OrderID + "/refund"

	status, body := s.post(path, map[string]string{"amount": "30.00"}, nil)
	if status != http.StatusOK {
		t.Fatalf("refund 30.00: %d %s", status, body)
	}
	o := wantStatus(t, s, res.OrderID, StatusPartiallyRefunded)
	if o.Refunded != "30.00" {
		t.Errorf("refunded %s, want 30.00", o.Refunded)
	}
	if status, body = s.post(path, map[string]string{"amount": "70.01"}, nil); status != http.StatusUnprocessableEntity {
		t.Errorf("refund beyond captured: %d %s, want 422", status, body)
	}
	if n := len(tn.refundCalls(res.PaymentID)); n != 1 {
		t.Errorf("%d refunds reached Tabby, want 1 (the one beyond was refused locally)", n)
	}
	if status, body = s.post(path, map[string]string{"amount": "70.00"}, nil); status != http.StatusOK {
		t.Fatalf("refund the remaining 70.00: %d %s", status, body)
	}
	wantStatus(t, s, res.OrderID, StatusRefunded)
	p := tn.payment(res.PaymentID).Payment
	if len(p.Refunds) != 2 || p.Refunds[0].ReferenceID != "refund-"+res.OrderID+"-1" || p.Refunds[1].ReferenceID != "refund-"+res.OrderID+"-2" {
		t.Errorf("refunds %+v, want refund-%[2]s-1 and refund-%[2]s-2", p.Refunds, res.OrderID)
	}
	if status, _ = s.post(path, map[string]string{"amount": "abc"}, nil); status != http.StatusBadRequest {
		t.Errorf("refund of abc: %d, want 400", status)
	}
	if status, _ = s.post("/orders/ord_999/refund", map[string]string{"amount": "1.00"}, nil); status != http.StatusNotFound {
		t.Errorf("refund of an unknown order: %d, want 404", status)
	}
}

func TestPollOnce_FindsAuthorizationWithoutWebhook(t *testing.T) {
	t.Parallel()
	tn := newTenant(t)
	s := newShop(t, tn, "", false)
	res := s.checkout(cart())
	tn.act(res.PaymentID, "approve_without_redirect")
	wantStatus(t, s, res.OrderID, StatusPending)
	if err := s.m.PollOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if o := wantStatus(t, s, res.OrderID, StatusPaid); o.Captured != "100.00" {
		t.Errorf("captured %s, want 100.00", o.Captured)
	}
	// Nothing is left to poll.
	status, body := s.post("/admin/reconcile", nil, nil)
	var rec struct {
		Checked int `json:"checked"`
	}
	decode(t, body, &rec)
	if status != http.StatusOK || rec.Checked != 0 {
		t.Errorf("reconcile: %d %s, want nothing checked", status, body)
	}
}

func TestPoller_RunsInTheBackground(t *testing.T) {
	t.Parallel()
	tn := newTenant(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	url, stop, err := Serve(ctx, Config{TabbyURL: shared.url, SecretKey: tn.secretKey, PollInterval: 10 * time.Millisecond}, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	s := &shop{t: t, tn: tn, url: url}
	hooks, err := tn.api.ListWebhooks(ctx, "ae")
	if err != nil || len(hooks) != 1 || hooks[0].URL != url+WebhookPath {
		t.Fatalf("webhooks %+v (%v), want one at %s", hooks, err, url+WebhookPath)
	}
	// Take the webhook away so only the poller can tell.
	if err := tn.api.DeleteWebhook(ctx, "ae", hooks[0].ID); err != nil {
		t.Fatal(err)
	}
	res := s.checkout(cart())
	tn.act(res.PaymentID, "approve_without_redirect")
	deadline := time.Now().Add(10 * time.Second)
	for s.mustOrder(res.OrderID).Status != StatusPaid {
		if time.Now().After(deadline) {
			t.Fatal("the poller did not find the authorized payment within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestPollOnce_ExpiredAndAutoCaptured(t *testing.T) {
	t.Parallel()
	tn := newTenant(t)
	s := newShop(t, tn, "", false)
	abandoned := s.checkout(cart())
	authorized := s.checkout(cart())
	tn.act(authorized.PaymentID, "approve_without_redirect")

	tn.advance("26m") // the abandoned checkout expires
	if err := s.m.PollOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, s, abandoned.OrderID, StatusCancelled)
	wantStatus(t, s, authorized.OrderID, StatusPaid)

	// Tabby auto-captures a payment left AUTHORIZED for 21 days; the
	// merchant only reconciles it, and never captures a CLOSED payment.
	third := s.checkout(cart())
	tn.act(third.PaymentID, "approve_without_redirect")
	tn.advance("21d")
	tn.advance("1h")
	if err := s.m.PollOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if o := wantStatus(t, s, third.OrderID, StatusPaid); o.Captured != "100.00" {
		t.Errorf("captured %s, want the auto-captured 100.00", o.Captured)
	}
	if n := len(tn.captureCalls(third.PaymentID)); n != 0 {
		t.Errorf("the merchant sent %d captures of an auto-captured payment", n)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	tn := newTenant(t)
	s := newShop(t, tn, "", false)

	t.Run("unfinished checkout", func(t *testing.T) {
		res := s.checkout(cart())
		if status, body := s.post("/orders/"+res.OrderID+"/cancel", nil, nil); status != http.StatusOK {
			t.Fatalf("cancel: %d %s", status, body)
		}
		wantStatus(t, s, res.OrderID, StatusCancelled)
		if p := tn.payment(res.PaymentID).Payment; p.Status != tabby.StatusExpired {
			t.Errorf("payment is %s, want EXPIRED", p.Status)
		}
	})
	t.Run("authorized, nothing captured", func(t *testing.T) {
		res := s.checkout(cart())
		tn.act(res.PaymentID, "approve_without_redirect") // the merchant has not heard yet
		if status, body := s.post("/orders/"+res.OrderID+"/cancel", nil, nil); status != http.StatusOK {
			t.Fatalf("cancel: %d %s", status, body)
		}
		wantStatus(t, s, res.OrderID, StatusCancelled)
		if p := tn.payment(res.PaymentID).Payment; p.Status != tabby.StatusClosed || len(p.Captures) != 0 {
			t.Errorf("payment is %s with %d captures, want CLOSED with none", p.Status, len(p.Captures))
		}
	})
	t.Run("captured", func(t *testing.T) {
		res := s.checkout(cart())
		tn.act(res.PaymentID, "approve_without_redirect")
		if err := s.m.PollOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		if status, body := s.post("/orders/"+res.OrderID+"/cancel", nil, nil); status != http.StatusConflict {
			t.Fatalf("cancel after capture: %d %s, want 409", status, body)
		}
		wantStatus(t, s, res.OrderID, StatusPaid)
	})
}

func TestStart_RegistersWebhookOnce(t *testing.T) {
	t.Parallel()
	tn := newTenant(t)
	s := newShop(t, tn, "", true)
	if err := s.m.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A second merchant process at the same URL (a restart) finds it
	// registered and takes it over with its own header.
	again, err := New(Config{TabbyURL: shared.url, SecretKey: tn.secretKey, PublicURL: s.url})
	if err != nil {
		t.Fatal(err)
	}
	if err := again.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"ae", "sa", "kw"} {
		hooks, err := tn.api.ListWebhooks(context.Background(), code)
		if err != nil {
			t.Fatal(err)
		}
		if len(hooks) != 1 || hooks[0].URL != s.url+WebhookPath || hooks[0].Header == nil ||
			*hooks[0].Header != again.WebhookHeader() {
			t.Errorf("webhooks of %s: %+v, want one at %s with the second merchant's header", code, hooks, s.url+WebhookPath)
		}
	}
}

// TestStart_TakesOverALeftoverWebhook: a webhook at the merchant's URL
// left by a run that did not stop cleanly carries an old header; Start
// gives it the merchant's, and RemoveWebhook deletes it.
func TestStart_TakesOverALeftoverWebhook(t *testing.T) {
	t.Parallel()
	tn := newTenant(t)
	s := newShop(t, tn, "", false)
	ctx := context.Background()
	if _, err := tn.api.RegisterWebhook(ctx, "ae", s.url+WebhookPath, &tabby.WebhookHeader{Title: "X-Webhook-Secret", Value: "stale"}); err != nil {
		t.Fatal(err)
	}
	if err := s.m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	hooks, err := tn.api.ListWebhooks(ctx, "ae")
	if err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 1 || hooks[0].Header == nil || *hooks[0].Header != s.m.WebhookHeader() {
		t.Fatalf("webhooks %+v, want the one at %s with the merchant's header", hooks, s.url+WebhookPath)
	}
	res := s.checkout(cart())
	s.tn.act(res.PaymentID, "approve_without_redirect")
	s.tn.settle(res.PaymentID)
	wantStatus(t, s, res.OrderID, StatusPaid)

	for range 2 {
		if err := s.m.RemoveWebhook(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if hooks, err := tn.api.ListWebhooks(ctx, "ae"); err != nil || len(hooks) != 0 {
		t.Fatalf("webhooks %+v (%v) after RemoveWebhook, want none", hooks, err)
	}
}

func TestNew_ChecksConfig(t *testing.T) {
	if _, err := New(Config{TabbyURL: "http://x", SecretKey: "sk", Defect: "nope"}); err == nil {
		t.Error("an unknown defect was accepted")
	}
	if _, err := New(Config{SecretKey: "sk"}); err == nil {
		t.Error("a missing TabbyURL was accepted")
	}
	if _, err := New(Config{TabbyURL: "http://x", SecretKey: "sk", Variant: "nope"}); err == nil {
		t.Error("an unknown variant was accepted")
	}
	if _, err := New(Config{TabbyURL: "http://x", SecretKey: "sk", Defect: DefectNeverPolls, Variant: VariantAsyncReconcile}); err == nil {
		t.Error("a defect and a variant together were accepted")
	}
	if _, err := New(Config{Provider: ProviderOnerway, Variant: VariantAsyncWebhooks,
		Onerway: OnerwayConfig{URL: "http://x", MerchantNo: "800209", SecretKey: "k"}}); err == nil {
		t.Error("a variant in the Onerway mode, which has none, was accepted")
	}
	for _, codes := range []map[string]string{{"USD": "us"}, {"AED": ""}} {
		if _, err := New(Config{TabbyURL: "http://x", SecretKey: "sk", MerchantCodes: codes}); err == nil {
			t.Errorf("merchant codes %v were accepted", codes)
		}
	}
	m, err := New(Config{TabbyURL: "http://x", SecretKey: "sk"})
	if err != nil {
		t.Fatal(err)
	}
	if h := m.WebhookHeader(); h.Title != "X-Webhook-Secret" || len(h.Value) < 16 {
		t.Errorf("default webhook header %+v", h)
	}
	if err := m.Start(context.Background()); err == nil {
		t.Error("Start without a PublicURL succeeded")
	}
	want := []string{"ignores-webhooks", "trusts-redirect", "skips-webhook-auth", "no-reread-on-webhook",
		"captures-twice", "captures-before-authorization", "never-polls", "never-captures",
		"ignores-rejection", "webhook-non-200", "loses-order-on-cancel", "refunds-beyond-captured",
		"rejects-repeated-webhooks", "trusts-webhook-order", "two-decimals",
		"trusts-redirect-payment-id", "trusts-cancel-redirect", "redirect-expects-authorized", "error-page-on-late-redirect",
		"cancel-without-close", "polls-once", "reuses-refund-reference", "float-amounts",
		"wrong-order-reference",
		"new-reference-on-retry", "no-retry-on-5xx", "trusts-non-json", "ignores-retry-after",
		"skips-webhook-sign", "acks-without-transaction-id", "trusts-return-url", "never-uploads-logistics",
		"uploads-before-success", "virtual-as-physical", "signs-reserialised-json", "reuses-merchant-txn-id",
		"trusts-http-200", "new-merchant-txn-id-on-retry"}
	if len(Defects) != len(want) {
		t.Fatalf("%d defects, want %d", len(Defects), len(want))
	}
	for i, d := range Defects {
		if d.Name != want[i] || d.Description == "" {
			t.Errorf("Defects[%d] = %+v, want %s with a description", i, d, want[i])
		}
	}
}

// TestDefects runs, for every defect of the Tabby mode, a scenario that
// shows the mistake: the clean merchant behaves, the defective one
// misbehaves (TestOnerway_Defects does the Onerway mode's).
func TestDefects(t *testing.T) {
	t.Parallel()
	type row struct {
		// noWebhook leaves the webhook unregistered.
		noWebhook bool
		// misbehaves runs the scenario and reports whether the merchant
		// made the defect's mistake.
		misbehaves func(t *testing.T, s *shop) bool
	}
	rows := map[string]row{
		DefectIgnoresWebhooks: {misbehaves: func(t *testing.T, s *shop) bool {
			res := s.checkout(cart())
			s.tn.act(res.PaymentID, "approve_without_redirect")
			s.tn.settle(res.PaymentID)
			return s.mustOrder(res.OrderID).Status == StatusPending
		}},
		DefectTrustsRedirect: {misbehaves: func(t *testing.T, s *shop) bool {
			res := s.checkout(cart())
			s.browse(s.url + "/return/success?order=" + res.OrderID + "&payment_id=" + res.PaymentID)
			return s.mustOrder(res.OrderID).Status == StatusPaid
		}},
		DefectSkipsWebhookAuth: {misbehaves: func(t *testing.T, s *shop) bool {
			res := s.checkout(cart())
			body := map[string]any{"id": res.PaymentID, "status": "created", "order": map[string]string{"reference_id": res.OrderID}}
			status, _ := s.post(WebhookPath, body, nil)
			return status != http.StatusUnauthorized
		}},
		DefectNoRereadOnWebhook: {misbehaves: func(t *testing.T, s *shop) bool {
			// A webhook that claims more than Tabby says.
			res := s.checkout(cart())
			body := map[string]any{"id": res.PaymentID, "status": "authorized", "order": map[string]string{"reference_id": res.OrderID}}
			s.post(WebhookPath, body, s.webhookHeader())
			return s.mustOrder(res.OrderID).Status == StatusPaid
		}},
		DefectCapturesTwice: {misbehaves: func(t *testing.T, s *shop) bool {
			res := s.checkout(cart())
			redirect := s.tn.act(res.PaymentID, "approve")
			s.tn.settle(res.PaymentID)
			s.browse(redirect)
			return len(s.tn.captureCalls(res.PaymentID)) > 1
		}},
		DefectCapturesBeforeAuthorization: {misbehaves: func(t *testing.T, s *shop) bool {
			res := s.checkout(cart())
			return len(s.tn.captureCalls(res.PaymentID)) > 0
		}},
		DefectNeverPolls: {noWebhook: true, misbehaves: func(t *testing.T, s *shop) bool {
			res := s.checkout(cart())
			s.tn.act(res.PaymentID, "approve_without_redirect")
			if err := s.m.PollOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			return s.mustOrder(res.OrderID).Status == StatusPending
		}},
		DefectNeverCaptures: {misbehaves: func(t *testing.T, s *shop) bool {
			res := s.paid(cart())
			return len(s.tn.payment(res.PaymentID).Payment.Captures) == 0
		}},
		DefectIgnoresRejection: {misbehaves: func(t *testing.T, s *shop) bool {
			req := cart()
			req.Buyer.Phone = "+971500000002"
			res := s.checkout(req)
			return res.Status == StatusPending || res.RejectionReason == "" ||
				s.mustOrder(res.OrderID).Status != StatusFailed
		}},
		DefectWebhookNon200: {misbehaves: func(t *testing.T, s *shop) bool {
			res := s.checkout(cart())
			s.tn.act(res.PaymentID, "approve_without_redirect")
			for _, d := range s.tn.settle(res.PaymentID) {
				if d.Attempts[0].Status != http.StatusOK {
					return true
				}
			}
			return false
		}},
		DefectLosesOrderOnCancel: {misbehaves: func(t *testing.T, s *shop) bool {
			res := s.checkout(cart())
			s.browse(s.tn.act(res.PaymentID, "cancel"))
			return s.order(res.OrderID) == nil
		}},
		DefectRefundsBeyondCaptured: {misbehaves: func(t *testing.T, s *shop) bool {
			res := s.paid(cart())
			status, _ := s.post("/orders/"+res.OrderID+"/refund", map[string]string{"amount": "150.00"}, nil)
			return status != http.StatusUnprocessableEntity || len(s.tn.refundCalls(res.PaymentID)) > 0
		}},
		DefectRejectsRepeatedWebhooks: {misbehaves: func(t *testing.T, s *shop) bool {
			// The same webhook twice, as Tabby may send it.
			res := s.checkout(cart())
			body := map[string]any{"id": res.PaymentID, "status": "created", "order": map[string]string{"reference_id": res.OrderID}}
			if status, answer := s.post(WebhookPath, body, s.webhookHeader()); status != http.StatusOK {
				t.Fatalf("the first webhook was answered %d %s", status, answer)
			}
			status, _ := s.post(WebhookPath, body, s.webhookHeader())
			return status != http.StatusOK
		}},
		DefectTrustsWebhookOrder: {misbehaves: func(t *testing.T, s *shop) bool {
			// The close webhook, without the refund, arrives after it.
			res := s.paid(cart())
			if status, answer := s.post("/orders/"+res.OrderID+"/refund", map[string]string{"amount": "100.00"}, nil); status != http.StatusOK {
				t.Fatalf("refund: %d %s", status, answer)
			}
			// The refund's own webhook goes first, so that the stale one
			// is the last the merchant hears.
			s.tn.settle(res.PaymentID)
			p := s.tn.payment(res.PaymentID).Payment
			body := map[string]any{"id": res.PaymentID, "status": "closed", "amount": "100.00", "currency": "AED",
				"order": map[string]string{"reference_id": res.OrderID}, "captures": p.Captures, "refunds": []any{}}
			s.post(WebhookPath, body, s.webhookHeader())
			return s.mustOrder(res.OrderID).Status != StatusRefunded
		}},
		DefectTwoDecimals: {misbehaves: func(t *testing.T, s *shop) bool {
			req := cart()
			req.Currency, req.Amount = "KWD", "80.125"
			req.Items = []CheckoutItem{{Title: "Shirt", Quantity: 1, UnitPrice: "80.125", Category: "clothes"}}
			p := s.tn.payment(s.paid(req).PaymentID).Payment
			return p.Amount != "80.125" || len(p.Captures) != 1 || p.Captures[0].Amount != "80.125"
		}},
		DefectTrustsRedirectPaymentID: {misbehaves: func(t *testing.T, s *shop) bool {
			earlier := s.paid(cart())
			res := s.checkout(cart())
			s.browse(s.url + "/return/success?order=" + res.OrderID + "&payment_id=" + earlier.PaymentID)
			return s.mustOrder(res.OrderID).Status != StatusPending
		}},
		DefectTrustsCancelRedirect: {misbehaves: func(t *testing.T, s *shop) bool {
			res := s.paid(cart())
			s.browse(s.url + "/return/failure?order=" + res.OrderID + "&payment_id=" + res.PaymentID)
			return s.mustOrder(res.OrderID).Status != StatusPaid
		}},
		DefectRedirectExpectsAuthorized: {misbehaves: func(t *testing.T, s *shop) bool {
			res := s.checkout(cart())
			redirect := s.tn.act(res.PaymentID, "approve")
			s.tn.settle(res.PaymentID) // the webhook leads to the capture first
			s.browse(redirect)
			return s.mustOrder(res.OrderID).Status != StatusPaid
		}},
		DefectErrorPageOnLateRedirect: {misbehaves: func(t *testing.T, s *shop) bool {
			res := s.checkout(cart())
			redirect := s.tn.act(res.PaymentID, "approve")
			s.tn.settle(res.PaymentID)
			status, _ := s.browse(redirect)
			return status != http.StatusOK
		}},
		DefectCancelWithoutClose: {noWebhook: true, misbehaves: func(t *testing.T, s *shop) bool {
			res := s.checkout(cart())
			s.tn.act(res.PaymentID, "approve_without_redirect")
			if status, body := s.post("/orders/"+res.OrderID+"/cancel", nil, nil); status != http.StatusOK {
				t.Fatalf("cancel: %d %s", status, body)
			}
			s.tn.advance("21d")
			s.tn.advance("1h")
			return s.mustOrder(res.OrderID).Status == StatusCancelled && len(s.tn.payment(res.PaymentID).Payment.Captures) > 0
		}},
		DefectPollsOnce: {noWebhook: true, misbehaves: func(t *testing.T, s *shop) bool {
			res := s.checkout(cart())
			if err := s.m.PollOnce(context.Background()); err != nil { // still CREATED
				t.Fatal(err)
			}
			s.tn.act(res.PaymentID, "approve_without_redirect")
			if err := s.m.PollOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
			return s.mustOrder(res.OrderID).Status == StatusPending
		}},
		DefectReusesRefundReference: {misbehaves: func(t *testing.T, s *shop) bool {
			res := s.paid(cart())
			for _, amount := range []string{"10.00", "20.00"} {
				if status, body := s.post("/orders/"+res.OrderID+"/refund", map[string]string{"amount": amount}, nil); status != http.StatusOK {
					t.Fatalf("refund of %s: %d %s", amount, status, body)
				}
			}
			return len(s.tn.payment(res.PaymentID).Payment.Refunds) != 2
		}},
		DefectFloatAmounts: {misbehaves: func(t *testing.T, s *shop) bool {
			req := cart()
			req.Amount, req.Items = "59.97", []CheckoutItem{{Title: "Shirt", Quantity: 3, UnitPrice: "19.99", Category: "clothes"}}
			res := s.paid(req)
			if status, body := s.post("/orders/"+res.OrderID+"/refund", map[string]string{"amount": "19.99"}, nil); status != http.StatusOK {
				t.Fatalf("refund: %d %s", status, body)
			}
			p := s.tn.payment(res.PaymentID).Payment
			return p.Order.Items[0].UnitPrice != "19.99" || len(p.Refunds) != 1 || p.Refunds[0].Amount != "19.99"
		}},
		DefectWrongOrderReference: {misbehaves: func(t *testing.T, s *shop) bool {
			res := s.paid(cart()) // the webhooks still find the order by its payment
			return s.tn.payment(res.PaymentID).Payment.Order.ReferenceID != res.OrderID
		}},
	}
	for name, misbehaves := range failureMisbehaviours() {
		rows[name] = row{misbehaves: misbehaves}
	}
	tabbyDefects := 0
	for _, d := range Defects {
		if d.Provider() != ProviderTabby {
			continue
		}
		tabbyDefects++
		r, ok := rows[d.Name]
		if !ok {
			t.Errorf("no scenario for defect %s", d.Name)
			continue
		}
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			for _, defect := range []string{"", d.Name} {
				tn := newTenant(t)
				s := newShop(t, tn, defect, !r.noWebhook)
				if got := r.misbehaves(t, s); got != (defect != "") {
					t.Errorf("with defect %q the scenario reports misbehaviour %v, want %v", defect, got, defect != "")
				}
			}
		})
	}
	if len(rows) != tabbyDefects {
		t.Errorf("%d scenarios for %d defects", len(rows), tabbyDefects)
	}
}

func TestMerchantCodes_ParseAndFormat(t *testing.T) {
	codes, err := ParseMerchantCodes("SAR=ksa, AED=uae")
	if err != nil || len(codes) != 2 || codes["SAR"] != "ksa" || codes["AED"] != "uae" {
		t.Fatalf("ParseMerchantCodes = %v, %v", codes, err)
	}
	if got := FormatMerchantCodes(codes); got != "AED=uae,SAR=ksa" {
		t.Errorf("FormatMerchantCodes = %q", got)
	}
	if got := FormatMerchantCodes(DefaultMerchantCodes()); got != "AED=ae,SAR=sa,KWD=kw" {
		t.Errorf("the default codes format as %q", got)
	}
	for _, bad := range []string{"", "ae", "AED=", "USD=us", "AED=ae,"} {
		if _, err := ParseMerchantCodes(bad); err == nil {
			t.Errorf("ParseMerchantCodes(%q) accepted", bad)
		}
	}
}

// waitUntil polls cond until it holds, failing after 10s: for the work the
// variants do in the background.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not so after 10s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestVariants: each variant is built differently and is as correct as
// the default merchant.
func TestVariants(t *testing.T) {
	t.Parallel()
	rows := map[string]func(t *testing.T, s *shop){
		VariantAsyncWebhooks: func(t *testing.T, s *shop) {
			res := s.checkout(cart())
			s.tn.act(res.PaymentID, "approve_without_redirect")
			for _, d := range s.tn.settle(res.PaymentID) {
				if d.Attempts[0].Status != http.StatusOK {
					t.Errorf("webhook %s answered %d, want 200", d.ID, d.Attempts[0].Status)
				}
			}
			waitUntil(t, "the order paid by the worker", func() bool { return s.mustOrder(res.OrderID).Status == StatusPaid })
			waitUntil(t, "one capture", func() bool { return len(s.tn.payment(res.PaymentID).Payment.Captures) == 1 })
			body := map[string]any{"id": res.PaymentID, "status": "authorized", "order": map[string]string{"reference_id": res.OrderID}}
			if status, _ := s.post(WebhookPath, body, nil); status != http.StatusUnauthorized {
				t.Errorf("a webhook without the header answered %d, want 401", status)
			}
		},
		VariantAsyncReconcile: func(t *testing.T, s *shop) {
			res := s.checkout(cart())
			s.tn.act(res.PaymentID, "approve_without_redirect")
			status, body := s.post("/admin/reconcile", nil, nil)
			if status != http.StatusAccepted {
				t.Fatalf("reconcile: %d %s, want 202", status, body)
			}
			waitUntil(t, "the order paid by the job", func() bool { return s.mustOrder(res.OrderID).Captured == "100.00" })
			if n := len(s.tn.payment(res.PaymentID).Payment.Captures); n != 1 {
				t.Errorf("the payment has %d captures, want 1", n)
			}
		},
		VariantRejectionUnprocessable: func(t *testing.T, s *shop) {
			req := cart()
			req.Buyer.Phone = "500000002"
			status, body := s.post("/checkout", req, nil)
			var res CheckoutResponse
			decode(t, body, &res)
			if status != http.StatusUnprocessableEntity || res.RejectionReason != "not_available" || res.RedirectURL != "" {
				t.Fatalf("a rejected checkout answered %d %s, want 422 with the reason and no redirect_url", status, body)
			}
			wantStatus(t, s, res.OrderID, StatusFailed)
			if res := s.checkout(cart()); res.RedirectURL == "" {
				t.Errorf("an accepted checkout answered %+v, want the hosted page", res)
			}
		},
		VariantRefusesCancelWhenPaid: func(t *testing.T, s *shop) {
			res := s.checkout(cart())
			s.tn.act(res.PaymentID, "approve_without_redirect") // the merchant has not heard yet
			if status, body := s.post("/orders/"+res.OrderID+"/cancel", nil, nil); status != http.StatusConflict {
				t.Fatalf("cancel of an order paid unseen: %d %s, want 409", status, body)
			}
			if o := wantStatus(t, s, res.OrderID, StatusPaid); o.Captured != "100.00" {
				t.Errorf("captured %s, want 100.00", o.Captured)
			}
			unpaid := s.checkout(cart())
			if status, body := s.post("/orders/"+unpaid.OrderID+"/cancel", nil, nil); status != http.StatusOK {
				t.Fatalf("cancel of an unfinished checkout: %d %s", status, body)
			}
			wantStatus(t, s, unpaid.OrderID, StatusCancelled)
		},
	}
	for _, v := range Variants {
		row, ok := rows[v.Name]
		if !ok {
			t.Errorf("no scenario for variant %s", v.Name)
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(cancel)
			tn := newTenant(t)
			s := newShopWith(t, tn, Config{Variant: v.Name}, false)
			if err := s.m.Start(ctx); err != nil {
				t.Fatal(err)
			}
			row(t, s)
		})
	}
}

// TestREADME_ListsDefectsAndVariants: the README's tables of the
// reference merchant's defects and variants name every one of them.
func TestREADME_ListsDefectsAndVariants(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range Defects {
		if !bytes.Contains(readme, []byte("\n| `"+d.Name+"` |")) {
			t.Errorf("the README's table of defects has no row for %s", d.Name)
		}
	}
	for _, v := range Variants {
		if !bytes.Contains(readme, []byte("\n| `"+v.Name+"` |")) {
			t.Errorf("the README's table of variants has no row for %s", v.Name)
		}
	}
}
