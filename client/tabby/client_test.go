package tabby_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tabbysim/tabbysim/client/tabby"
	"github.com/tabbysim/tabbysim/simulator/simtest"
)

var ctx = context.Background()

func checkoutRequest(amount, phone, ref string) *tabby.CheckoutRequest {
	return &tabby.CheckoutRequest{
		Lang: "en", MerchantCode: "ae",
		MerchantURLs: &tabby.MerchantURLs{
			Success: "https://shop.example/ok", Cancel: "https://shop.example/cancel", Failure: "https://shop.example/fail",
		},
		Payment: tabby.PaymentRequest{
			Amount: amount, Currency: "AED", Description: "test order",
			Buyer:           tabby.Buyer{Name: "Test Buyer", Email: "otp.success@tabby.ai", Phone: phone, DOB: "1990-01-01"},
			ShippingAddress: &tabby.ShippingAddress{City: "Dubai", Address: "1 Sheikh Zayed Rd", Zip: "00000"},
			Order: tabby.Order{ReferenceID: ref, TaxAmount: "0.00", ShippingAmount: "0.00", DiscountAmount: "0.00",
				Items: []tabby.Item{{ReferenceID: "sku-1", Title: "Shoes", Quantity: 1, UnitPrice: amount, Category: "Footwear"}}},
			Meta: map[string]any{"order_id": ref, "customer": "c-1"},
		},
	}
}

// authorized creates a session for amount and has the customer approve it.
func authorized(t *testing.T, sim *simtest.Sim, amount, ref string) string {
	t.Helper()
	s, err := sim.Tabby.CreateSession(ctx, checkoutRequest(amount, "+971500000001", ref))
	if err != nil {
		t.Fatalf("create session: %v", err)
	}
	if _, err := sim.Control.Customer(ctx, s.Payment.ID, "approve"); err != nil {
		t.Fatalf("approve: %v", err)
	}
	return s.Payment.ID
}

func asError(t *testing.T, err error) *tabby.Error {
	t.Helper()
	var e *tabby.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *tabby.Error", err, err)
	}
	return e
}

func TestSessionLifecycle(t *testing.T) {
	sim := simtest.Start(t)

	s, err := sim.Tabby.CreateSession(ctx, checkoutRequest("300.00", "+971500000001", "order-1"))
	if err != nil {
		t.Fatalf("create session: %v", err)
	}
	if s.ID == "" || s.Status != "created" || s.Payment.Status != tabby.StatusCreated || !s.Payment.IsTest {
		t.Fatalf("session %+v", s)
	}
	if !strings.HasPrefix(s.WebURL(), sim.URL+"/") || s.RejectionReason() != "" {
		t.Fatalf("web_url %q, rejection %q", s.WebURL(), s.RejectionReason())
	}
	if s.Payment.Amount != "300" && s.Payment.Amount != "300.00" {
		t.Fatalf("amount %q", s.Payment.Amount)
	}
	if s.Payment.Order.ReferenceID != "order-1" || len(s.Payment.Order.Items) != 1 || s.Payment.Order.Items[0].Title != "Shoes" {
		t.Fatalf("order %+v", s.Payment.Order)
	}
	if s.MerchantURLs.Success != "https://shop.example/ok" {
		t.Fatalf("merchant_urls %+v", s.MerchantURLs)
	}
	if !s.Configuration.Products["installments"].IsAvailable {
		t.Fatalf("products %+v", s.Configuration.Products)
	}

	got, err := sim.Tabby.GetSession(ctx, s.ID)
	if err != nil {
		t.Fatalf("get session: %v", err)
	}
	if got.ID != s.ID || got.Payment.ID != s.Payment.ID || got.WebURL() != s.WebURL() {
		t.Fatalf("get session %+v, created %+v", got, s)
	}

	p, err := sim.Tabby.GetPayment(ctx, s.Payment.ID)
	if err != nil {
		t.Fatalf("get payment: %v", err)
	}
	if p.Status != tabby.StatusCreated || p.Buyer.Email != "otp.success@tabby.ai" || p.ShippingAddress.City != "Dubai" ||
		p.Meta["order_id"] != "order-1" || p.Captures == nil || p.Refunds == nil {
		t.Fatalf("payment %+v", p)
	}

	c, err := sim.Tabby.CancelSession(ctx, s.ID)
	if err != nil {
		t.Fatalf("cancel session: %v", err)
	}
	if c.Status != "expired" || c.Payment.Status != tabby.StatusExpired {
		t.Fatalf("after cancel: session %q, payment %q", c.Status, c.Payment.Status)
	}
	if _, err := sim.Tabby.GetSession(ctx, uuid.NewString()); !tabby.IsNotFound(err) {
		t.Fatalf("unknown session: %v, want 404", err)
	}
}

func TestPreScoringRejection(t *testing.T) {
	sim := simtest.Start(t)
	for _, tc := range []struct{ amount, phone, reason string }{
		{"100.00", "+971500000002", "not_available"},
		{"30000.00", "+971500000001", "order_amount_too_high"},
		{"1.00", "+971500000001", "order_amount_too_low"},
	} {
		s, err := sim.Tabby.CreateSession(ctx, checkoutRequest(tc.amount, tc.phone, "r"))
		if err != nil {
			t.Fatalf("create session: %v", err)
		}
		if s.Status != "rejected" || s.RejectionReason() != tc.reason || s.WebURL() != "" {
			t.Errorf("%s %s: status %q, reason %q, web_url %q; want rejected %s", tc.amount, tc.phone, s.Status, s.RejectionReason(), s.WebURL(), tc.reason)
		}
		if s.Configuration.Products["installments"].RejectionReason != tc.reason {
			t.Errorf("products %+v", s.Configuration.Products)
		}
	}
}

func TestPublicKey(t *testing.T) {
	sim := simtest.Start(t)
	// A wrong secret key with the right public key: create session uses the
	// public key, everything else the secret key.
	c := tabby.New("sk_test_wrong", tabby.WithBaseURL(sim.URL), tabby.WithPublicKey(sim.Merchant.Tabby.PublicKey))
	s, err := c.CreateSession(ctx, checkoutRequest("100.00", "+971500000001", "pk"))
	if err != nil {
		t.Fatalf("create session with the public key: %v", err)
	}
	_, err = c.GetSession(ctx, s.ID)
	if e := asError(t, err); e.StatusCode != 401 || e.ErrorType != "not_authorized" {
		t.Fatalf("get session with a wrong secret key: %v", err)
	}
}

func TestPaymentOperations(t *testing.T) {
	sim := simtest.Start(t)
	id := authorized(t, sim, "400.00", "order-7")

	p, err := sim.Tabby.GetPayment(ctx, id)
	if err != nil || p.Status != tabby.StatusAuthorized {
		t.Fatalf("get payment: %+v, %v", p, err)
	}

	p, err = sim.Tabby.UpdateReference(ctx, id, "order-7b")
	if err != nil || p.Order.ReferenceID != "order-7b" {
		t.Fatalf("update reference: %+v, %v", p, err)
	}

	// A partial capture keeps the payment AUTHORIZED.
	p, err = sim.Tabby.Capture(ctx, id, tabby.CaptureRequest{Amount: "100.00", ReferenceID: "cap-1", TaxAmount: "0.00",
		Items: []tabby.Item{{Title: "Shoes", Quantity: 1, UnitPrice: "100.00", Category: "Footwear"}}})
	if err != nil || p.Status != tabby.StatusAuthorized || len(p.Captures) != 1 || p.Captures[0].ReferenceID != "cap-1" {
		t.Fatalf("partial capture: %+v, %v", p, err)
	}
	// The same reference id again changes nothing.
	p, err = sim.Tabby.Capture(ctx, id, tabby.CaptureRequest{Amount: "100.00", ReferenceID: "cap-1"})
	if err != nil || len(p.Captures) != 1 {
		t.Fatalf("repeated capture: %+v, %v", p, err)
	}
	// No reference id: the client makes one up.
	p, err = sim.Tabby.Capture(ctx, id, tabby.CaptureRequest{Amount: "50.00"})
	if err != nil || len(p.Captures) != 2 {
		t.Fatalf("second capture: %+v, %v", p, err)
	}
	if _, err := uuid.Parse(p.Captures[1].ReferenceID); err != nil {
		t.Fatalf("generated reference_id %q is not a UUID", p.Captures[1].ReferenceID)
	}
	// Too much is 400 bad_data.
	_, err = sim.Tabby.Capture(ctx, id, tabby.CaptureRequest{Amount: "1000.00"})
	if e := asError(t, err); e.StatusCode != 400 || e.ErrorType != "bad_data" || e.Message == "" {
		t.Fatalf("over-capture: %v", err)
	}

	// Refunds need a CLOSED payment.
	_, err = sim.Tabby.Refund(ctx, id, tabby.RefundRequest{Amount: "10.00"})
	if e := asError(t, err); e.StatusCode != 400 || e.ErrorType != "bad_data" {
		t.Fatalf("refund before close: %v", err)
	}

	p, err = sim.Tabby.Close(ctx, id)
	if err != nil || p.Status != tabby.StatusClosed {
		t.Fatalf("close: %+v, %v", p, err)
	}
	_, err = sim.Tabby.Close(ctx, id)
	if !tabby.IsAlreadyClosed(err) {
		t.Fatalf("second close: %v, want already closed", err)
	}
	if got := err.Error(); got != "tabby: 400 bad_data: already closed" {
		t.Fatalf("error text %q", got)
	}

	p, err = sim.Tabby.Refund(ctx, id, tabby.RefundRequest{Amount: "30.00", ReferenceID: "ref-1", Reason: "damaged"})
	if err != nil || len(p.Refunds) != 1 || p.Refunds[0].Reason != "damaged" || p.Refunds[0].ReferenceID != "ref-1" {
		t.Fatalf("refund: %+v, %v", p, err)
	}
	p, err = sim.Tabby.Refund(ctx, id, tabby.RefundRequest{Amount: "30.00", ReferenceID: "ref-1"})
	if err != nil || len(p.Refunds) != 1 {
		t.Fatalf("repeated refund: %+v, %v", p, err)
	}
	p, err = sim.Tabby.Refund(ctx, id, tabby.RefundRequest{Amount: "20.00"})
	if err != nil || len(p.Refunds) != 2 || p.Status != tabby.StatusClosed {
		t.Fatalf("second refund: %+v, %v", p, err)
	}
	_, err = sim.Tabby.Refund(ctx, id, tabby.RefundRequest{Amount: "500.00"})
	if e := asError(t, err); e.StatusCode != 400 {
		t.Fatalf("over-refund: %v", err)
	}
}

func TestFullCaptureCloses(t *testing.T) {
	sim := simtest.Start(t)
	id := authorized(t, sim, "99.99", "o")
	p, err := sim.Tabby.Capture(ctx, id, tabby.CaptureRequest{Amount: "99.99"})
	if err != nil || p.Status != tabby.StatusClosed {
		t.Fatalf("full capture: %+v, %v", p, err)
	}
	if _, err := sim.Tabby.Close(ctx, id); !tabby.IsAlreadyClosed(err) {
		t.Fatalf("close after full capture: %v", err)
	}
}

func TestErrors(t *testing.T) {
	sim := simtest.Start(t)

	_, err := sim.Tabby.GetPayment(ctx, uuid.NewString())
	e := asError(t, err)
	if e.StatusCode != 404 || e.ErrorType != "not_found" || e.Message != "no such payment" || !tabby.IsNotFound(err) {
		t.Fatalf("unknown payment: %+v", e)
	}
	if tabby.IsAlreadyClosed(err) {
		t.Fatal("a 404 is not already closed")
	}
	if !strings.Contains(e.Body, `"errorType"`) {
		t.Fatalf("body %q", e.Body)
	}

	_, err = sim.Tabby.GetPayment(ctx, "not-a-uuid")
	if e := asError(t, err); e.StatusCode != 400 || e.ErrorType != "bad_data" || e.Message != "invalid payment id" {
		t.Fatalf("bad id: %+v", e)
	}

	bad := tabby.New("sk_test_00000000-0000-4000-8000-00000000dead", tabby.WithBaseURL(sim.URL))
	_, err = bad.GetPayment(ctx, uuid.NewString())
	if e := asError(t, err); e.StatusCode != 401 || e.ErrorType != "not_authorized" {
		t.Fatalf("wrong key: %+v", e)
	}

	// Capture of a payment that is not authorized.
	s, err := sim.Tabby.CreateSession(ctx, checkoutRequest("100.00", "+971500000001", "x"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = sim.Tabby.Capture(ctx, s.Payment.ID, tabby.CaptureRequest{Amount: "100.00"})
	if e := asError(t, err); e.StatusCode != 400 || e.Message != "could not capture not authorized payments" {
		t.Fatalf("capture of CREATED: %+v", e)
	}

	// Wrong currency for the merchant code.
	req := checkoutRequest("100.00", "+971500000001", "x")
	req.Payment.Currency = "SAR"
	_, err = sim.Tabby.CreateSession(ctx, req)
	if e := asError(t, err); e.StatusCode != 400 || !strings.Contains(e.Message, "only 'AED' is supported") {
		t.Fatalf("wrong currency: %+v", e)
	}
}

func TestNonJSONErrors(t *testing.T) {
	const page = "<!DOCTYPE html><html><body>Access denied</body></html>"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v2/payments/html":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, page)
		case "/api/v2/payments/garbled":
			io.WriteString(w, "this is not JSON")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c := tabby.New("sk_test_x", tabby.WithBaseURL(srv.URL+"/"))

	_, err := c.GetPayment(ctx, "html")
	e := asError(t, err)
	if e.StatusCode != 403 || e.Message != "" || e.ErrorType != "" || e.Body != page {
		t.Fatalf("html 403: %+v", e)
	}
	if !strings.HasPrefix(e.Error(), "tabby: 403: <!DOCTYPE html>") {
		t.Fatalf("error text %q", e.Error())
	}

	_, err = c.GetPayment(ctx, "missing")
	if e := asError(t, err); e.StatusCode != 404 || e.Message != "" || !strings.Contains(e.Body, "404 page not found") {
		t.Fatalf("plain 404: %+v", e)
	}

	_, err = c.GetPayment(ctx, "garbled")
	var te *tabby.Error
	if err == nil || errors.As(err, &te) {
		t.Fatalf("garbled 200: %v, want a decoding error that is not *Error", err)
	}
}

func TestListPayments(t *testing.T) {
	sim := simtest.Start(t)
	a := authorized(t, sim, "100.00", "a")
	b := authorized(t, sim, "200.00", "b")
	if _, err := sim.Tabby.Close(ctx, b); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.Tabby.CreateSession(ctx, checkoutRequest("300.00", "+971500000001", "c")); err != nil {
		t.Fatal(err)
	}

	all, err := sim.Tabby.ListPayments(ctx, tabby.ListParams{})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if all.Pagination.TotalCount != 2 || len(all.Payments) != 2 {
		t.Fatalf("default list: total %d, %d payments; want the 2 AUTHORIZED and CLOSED", all.Pagination.TotalCount, len(all.Payments))
	}

	auth, err := sim.Tabby.ListPayments(ctx, tabby.ListParams{Status: "authorized"})
	if err != nil || len(auth.Payments) != 1 || auth.Payments[0].ID != a {
		t.Fatalf("authorized: %+v, %v", auth, err)
	}

	page, err := sim.Tabby.ListPayments(ctx, tabby.ListParams{Limit: 1, Offset: 1})
	if err != nil || len(page.Payments) != 1 || page.Pagination.Limit != 1 || page.Pagination.Offset != 1 || page.Pagination.TotalCount != 2 {
		t.Fatalf("page: %+v, %v", page, err)
	}

	today := sim.Now(t).Format("2006-01-02")
	tomorrow := sim.Now(t).Add(24 * time.Hour).Format("2006-01-02")
	got, err := sim.Tabby.ListPayments(ctx, tabby.ListParams{CreatedFrom: today, CreatedTo: today})
	if err != nil || got.Pagination.TotalCount != 2 {
		t.Fatalf("today: %+v, %v", got, err)
	}
	got, err = sim.Tabby.ListPayments(ctx, tabby.ListParams{CreatedFrom: tomorrow})
	if err != nil || got.Pagination.TotalCount != 0 || len(got.Payments) != 0 {
		t.Fatalf("tomorrow: %+v, %v", got, err)
	}

	_, err = sim.Tabby.ListPayments(ctx, tabby.ListParams{Limit: 50})
	if e := asError(t, err); e.StatusCode != 400 || e.ErrorType != "bad_data" {
		t.Fatalf("limit 50: %v", err)
	}
}

// received is one webhook call the receiver got.
type received struct {
	req  *http.Request
	body []byte
}

func receiver(t *testing.T) (*httptest.Server, <-chan received) {
	ch := make(chan received, 32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ch <- received{req: r.Clone(context.Background()), body: b}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return srv, ch
}

func TestWebhooks(t *testing.T) {
	sim := simtest.Start(t)
	srv, got := receiver(t)
	header := &tabby.WebhookHeader{Title: "X-Shop-Secret", Value: "s3cret"}

	list, err := sim.Tabby.ListWebhooks(ctx, "ae")
	if err != nil || list == nil || len(list) != 0 {
		t.Fatalf("empty list: %#v, %v", list, err)
	}

	h, err := sim.Tabby.RegisterWebhook(ctx, "ae", srv.URL+"/hook", header)
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	if h.ID == "" || h.URL != srv.URL+"/hook" || !h.IsTest || h.Header == nil || *h.Header != *header {
		t.Fatalf("registered %+v", h)
	}

	list, err = sim.Tabby.ListWebhooks(ctx, "ae")
	if err != nil || len(list) != 1 || list[0].ID != h.ID {
		t.Fatalf("list: %+v, %v", list, err)
	}
	if other, err := sim.Tabby.ListWebhooks(ctx, "sa"); err != nil || len(other) != 0 {
		t.Fatalf("list for sa: %+v, %v", other, err)
	}

	g, err := sim.Tabby.GetWebhook(ctx, "ae", h.ID)
	if err != nil || g.URL != h.URL {
		t.Fatalf("get: %+v, %v", g, err)
	}

	u, err := sim.Tabby.UpdateWebhook(ctx, "ae", h.ID, srv.URL+"/hook2", nil)
	if err != nil || u.URL != srv.URL+"/hook2" || u.Header == nil || u.Header.Title != header.Title {
		t.Fatalf("update: %+v, %v", u, err)
	}

	// A payment event reaches the endpoint with the header.
	id := authorized(t, sim, "150.00", "wh-order")
	var r received
	select {
	case r = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("no webhook arrived")
	}
	if r.req.URL.Path != "/hook2" {
		t.Fatalf("webhook went to %s", r.req.URL.Path)
	}
	if !tabby.VerifyWebhook(r.req, *header) {
		t.Fatalf("VerifyWebhook false; headers %v", r.req.Header)
	}
	if tabby.VerifyWebhook(r.req, tabby.WebhookHeader{Title: header.Title, Value: "wrong"}) ||
		tabby.VerifyWebhook(r.req, tabby.WebhookHeader{Title: "X-Other", Value: "s3cret"}) ||
		tabby.VerifyWebhook(r.req, tabby.WebhookHeader{}) {
		t.Fatal("VerifyWebhook accepted a wrong header")
	}
	payload, err := tabby.ParseWebhook(r.body)
	if err != nil {
		t.Fatalf("parse %s: %v", r.body, err)
	}
	if payload.ID != id || payload.Status != "authorized" || payload.Order.ReferenceID != "wh-order" ||
		payload.Amount == "" || payload.Currency != "AED" || !payload.IsTest || payload.ClosedAt != nil {
		t.Fatalf("payload %+v", payload)
	}

	// Closing sends "closed" with closed_at.
	if _, err := sim.Tabby.Close(ctx, id); err != nil {
		t.Fatal(err)
	}
	select {
	case r = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("no close webhook arrived")
	}
	if payload, err = tabby.ParseWebhook(r.body); err != nil || payload.Status != "closed" || payload.ClosedAt == nil {
		t.Fatalf("close payload %+v, %v", payload, err)
	}

	if err := sim.Tabby.DeleteWebhook(ctx, "ae", h.ID); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err = sim.Tabby.GetWebhook(ctx, "ae", h.ID)
	if e := asError(t, err); e.StatusCode != 404 || e.ErrorType != "not_found" {
		t.Fatalf("get after delete: %+v", e)
	}
	if err := sim.Tabby.DeleteWebhook(ctx, "ae", h.ID); !tabby.IsNotFound(err) {
		t.Fatalf("delete twice: %v", err)
	}
	_, err = sim.Tabby.RegisterWebhook(ctx, "zz", srv.URL, nil)
	if e := asError(t, err); e.StatusCode != 401 {
		t.Fatalf("register for an unknown merchant code: %v", err)
	}
}

func TestParseWebhook(t *testing.T) {
	body := `{"id":"p1","created_at":"2021-09-14T13:08:54Z","expires_at":"2022-09-14T13:08:54Z",
	"closed_at":"2021-09-14T13:09:45Z","status":"closed","is_test":false,"is_expired":false,"amount":"100",
	"currency":"SAR","order":{"reference_id":"1001"},
	"captures":[{"id":"c1","amount":"100","created_at":"2021-09-14T13:09:00Z","reference_id":"r1"}],
	"refunds":[],"meta":{"order_id":null,"customer":null},"token":null}`
	p, err := tabby.ParseWebhook([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "p1" || p.Status != "closed" || p.ClosedAt == nil || *p.ClosedAt != "2021-09-14T13:09:45Z" ||
		p.ExpiredAt != nil || p.Order.ReferenceID != "1001" || len(p.Captures) != 1 || p.Captures[0].ReferenceID != "r1" {
		t.Fatalf("payload %+v", p)
	}
	for _, bad := range []string{"", "not json", `{"status":"closed"}`, `[]`} {
		if _, err := tabby.ParseWebhook([]byte(bad)); err == nil {
			t.Errorf("ParseWebhook(%q) accepted", bad)
		}
	}
}

// lossyProxy forwards to the simulator and, for the first `fail` requests
// whose path ends in suffix, loses the answer after the simulator acted on
// the request: it answers 502 instead, or drops the connection.
type lossyProxy struct {
	target string
	suffix string
	drop   bool

	mu     sync.Mutex
	fail   int
	bodies []string
}

func (p *lossyProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req, err := http.NewRequestWithContext(r.Context(), r.Method, p.target+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)

	lose := false
	if strings.HasSuffix(r.URL.Path, p.suffix) {
		p.mu.Lock()
		p.bodies = append(p.bodies, string(body))
		if p.fail > 0 {
			p.fail--
			lose = true
		}
		p.mu.Unlock()
	}
	if lose && p.drop {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
			return
		}
	}
	if lose {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		io.WriteString(w, "<html><body>502 Bad Gateway</body></html>")
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(answer)
}

func (p *lossyProxy) sent() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.bodies...)
}

func referenceIDs(t *testing.T, bodies []string) []string {
	t.Helper()
	var out []string
	for _, b := range bodies {
		var v struct {
			ReferenceID string `json:"reference_id"`
		}
		if err := json.Unmarshal([]byte(b), &v); err != nil {
			t.Fatalf("body %q: %v", b, err)
		}
		out = append(out, v.ReferenceID)
	}
	return out
}

func startProxy(t *testing.T, sim *simtest.Sim, suffix string, drop bool, fail int) (*lossyProxy, string) {
	p := &lossyProxy{target: sim.URL, suffix: suffix, drop: drop, fail: fail}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, srv.URL
}

func TestCaptureRetryIsIdempotent(t *testing.T) {
	for _, tc := range []struct {
		name string
		drop bool
		ref  string
	}{
		{"502 after forwarding, caller's reference_id", false, "cap-retry"},
		{"connection dropped after forwarding, generated reference_id", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := simtest.Start(t)
			id := authorized(t, sim, "100.00", "o")
			proxy, url := startProxy(t, sim, "/captures", tc.drop, 1)
			c := tabby.New(sim.Merchant.Tabby.SecretKey, tabby.WithBaseURL(url),
				tabby.WithHTTPClient(&http.Client{Timeout: 10 * time.Second}), tabby.WithRetryDelay(time.Millisecond))

			p, err := c.Capture(ctx, id, tabby.CaptureRequest{Amount: "40.00", ReferenceID: tc.ref})
			if err != nil {
				t.Fatalf("capture through the lossy proxy: %v", err)
			}
			refs := referenceIDs(t, proxy.sent())
			if len(refs) != 2 || refs[0] == "" || refs[0] != refs[1] || (tc.ref != "" && refs[0] != tc.ref) {
				t.Fatalf("tries sent reference_ids %q; want two tries with the same one", refs)
			}
			if len(p.Captures) != 1 || p.Captures[0].ReferenceID != refs[0] {
				t.Fatalf("answer has captures %+v", p.Captures)
			}
			p, err = sim.Tabby.GetPayment(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Captures) != 1 || p.Status != tabby.StatusAuthorized {
				t.Fatalf("payment has %d captures, status %s; want exactly one, AUTHORIZED", len(p.Captures), p.Status)
			}
		})
	}
}

func TestRefundRetryIsIdempotent(t *testing.T) {
	sim := simtest.Start(t)
	id := authorized(t, sim, "100.00", "o")
	if _, err := sim.Tabby.Capture(ctx, id, tabby.CaptureRequest{Amount: "100.00"}); err != nil {
		t.Fatal(err)
	}
	proxy, url := startProxy(t, sim, "/refunds", true, 2)
	c := tabby.New(sim.Merchant.Tabby.SecretKey, tabby.WithBaseURL(url), tabby.WithRetryDelay(time.Millisecond))
	p, err := c.Refund(ctx, id, tabby.RefundRequest{Amount: "25.00", Reason: "returned"})
	if err != nil {
		t.Fatalf("refund: %v", err)
	}
	refs := referenceIDs(t, proxy.sent())
	if len(refs) != 3 || refs[0] != refs[1] || refs[1] != refs[2] {
		t.Fatalf("tries sent reference_ids %q; want three with the same one", refs)
	}
	if len(p.Refunds) != 1 {
		t.Fatalf("refunds %+v, want exactly one", p.Refunds)
	}
}

func TestNoRetry(t *testing.T) {
	sim := simtest.Start(t)
	id := authorized(t, sim, "100.00", "o")

	// With retries off the lost answer is the caller's 502, HTML kept in
	// Body; the capture happened anyway, and retrying by hand with the same
	// reference_id does not capture twice.
	proxy, url := startProxy(t, sim, "/captures", false, 1)
	c := tabby.New(sim.Merchant.Tabby.SecretKey, tabby.WithBaseURL(url), tabby.WithRetries(0))
	_, err := c.Capture(ctx, id, tabby.CaptureRequest{Amount: "10.00", ReferenceID: "once"})
	e := asError(t, err)
	if e.StatusCode != 502 || e.Message != "" || !strings.Contains(e.Body, "Bad Gateway") {
		t.Fatalf("lost answer: %+v", e)
	}
	if p, err := c.Capture(ctx, id, tabby.CaptureRequest{Amount: "10.00", ReferenceID: "once"}); err != nil || len(p.Captures) != 1 {
		t.Fatalf("manual retry: %+v, %v", p, err)
	}

	// 4xx answers are not retried.
	_, err = c.Capture(ctx, id, tabby.CaptureRequest{Amount: "1000.00"})
	if e := asError(t, err); e.StatusCode != 400 {
		t.Fatalf("over-capture: %v", err)
	}
	c2 := tabby.New(sim.Merchant.Tabby.SecretKey, tabby.WithBaseURL(url), tabby.WithRetries(3), tabby.WithRetryDelay(time.Millisecond))
	before := len(proxy.sent())
	_, err = c2.Capture(ctx, id, tabby.CaptureRequest{Amount: "1000.00"})
	if e := asError(t, err); e.StatusCode != 400 {
		t.Fatalf("over-capture: %v", err)
	}
	if n := len(proxy.sent()) - before; n != 1 {
		t.Fatalf("a 400 was sent %d times", n)
	}

	// A cancelled context stops the retries.
	dead := tabby.New(sim.Merchant.Tabby.SecretKey, tabby.WithBaseURL("http://127.0.0.1:1"), tabby.WithRetries(5), tabby.WithRetryDelay(time.Hour))
	cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := dead.Capture(cctx, id, tabby.CaptureRequest{Amount: "1.00"}); err == nil {
		t.Fatal("capture against a closed port succeeded")
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("retries ignored the context")
	}
}
