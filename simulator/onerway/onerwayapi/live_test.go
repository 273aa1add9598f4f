package onerwayapi_test

// The gateway as the simulator serves it (simtest), talked to over
// loopback HTTP with client/onerway, the customer played through the
// control API or the pages themselves, and a shop on loopback that
// receives the customer back and the notifications.

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/client/simctl"
	"github.com/tabbysim/tabbysim/simulator/simtest"
)

// shop is the merchant's site: the page returnUrl leads to, and the
// notifyUrl, which acknowledges each notification with its transactionId
// unless ack says otherwise.
type shop struct {
	srv *httptest.Server

	mu      sync.Mutex
	returns []url.Values
	notes   [][]byte
	// ack answers a notification; nil acknowledges it as Onerway asks.
	ack func(body []byte) (status int, answer string)
}

func newShop(t *testing.T) *shop {
	t.Helper()
	s := &shop{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /return", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.returns = append(s.returns, r.URL.Query())
		s.mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<!DOCTYPE html><title>shop</title><h1 id="landing">back at the shop</h1>`)
	})
	mux.HandleFunc("POST /notify", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.notes = append(s.notes, body)
		ack := s.ack
		s.mu.Unlock()
		status, answer := 200, ""
		if ack != nil {
			status, answer = ack(body)
		} else {
			var n struct {
				TransactionID string `json:"transactionId"`
			}
			_ = json.Unmarshal(body, &n)
			answer = n.TransactionID
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	})
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

func (s *shop) returnURL() string { return s.srv.URL + "/return?order=42" }
func (s *shop) notifyURL() string { return s.srv.URL + "/notify" }

// notifications are the notification bodies received so far.
func (s *shop) notifications() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.notes...)
}

// live is a simulator, its merchant and the merchant's shop.
type live struct {
	t    *testing.T
	sim  *simtest.Sim
	shop *shop
	// browser follows no redirect, so each hop can be looked at.
	browser *http.Client
}

func startLive(t *testing.T, opts ...simtest.Option) *live {
	t.Helper()
	return &live{t: t, sim: simtest.Start(t, opts...), shop: newShop(t),
		browser: &http.Client{Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// request is a Tabby payment of 250.00 SAR for goods, returning to and
// notifying the shop: physical goods with the seed's addresses, virtual
// goods with only a name and an email, as seed 001's virtual example.
func (l *live) request(merchantTxnID string, goods onerway.GoodsType) onerway.PaymentRequest {
	req := onerway.PaymentRequest{
		MerchantTxnID: merchantTxnID, MerchantCustID: "customer_12345",
		ProductType: onerway.ProductLPMS, SubProductType: onerway.SubProductDirect, TxnType: onerway.TxnSale,
		OrderAmount: "250", OrderCurrency: "SAR", LpmsInfo: &onerway.LpmsInfo{LpmsType: onerway.LpmsTabby},
		TxnOrderMsg: onerway.TxnOrderMsg{
			ReturnURL: l.shop.returnURL(), NotifyURL: l.shop.notifyURL(), CustomerPlatform: "shop.example",
			Products: []onerway.Product{{Name: "iPhone 15", Price: "250.00", Num: "1", Currency: "SAR",
				Type: goods, ProductAvatarURL: "https://cdn.shop.example/iphone15.jpg"}},
		},
		BillingInformation: onerway.Address{FirstName: "Ahmad", LastName: "Al-Salem", Email: "otp.success@tabby.ai"},
	}
	if goods == onerway.GoodsPhysical {
		address := onerway.Address{FirstName: "Ahmad", LastName: "Al-Salem", Phone: "966501234567",
			Email: "otp.success@tabby.ai", Country: "SA", City: "Riyadh", Address: "King Fahd Road", PostalCode: "12345"}
		req.BillingInformation, req.ShippingInformation = address, &address
	}
	return req
}

// pay sends req, which must be accepted (status R).
func (l *live) pay(req onerway.PaymentRequest) *onerway.Payment {
	l.t.Helper()
	p, err := l.sim.Onerway.DoTransaction(context.Background(), req)
	if err != nil {
		l.t.Fatalf("doTransaction: %v", err)
	}
	if p.Status != onerway.StatusRedirect || p.ActionType != onerway.ActionRedirect {
		l.t.Fatalf("doTransaction answered status %q, actionType %q; want R, RedirectURL", p.Status, p.ActionType)
	}
	return p
}

// txn reads a transaction through the control API.
func (l *live) txn(id string) *simctl.OnerwayTransaction {
	l.t.Helper()
	t, err := l.sim.Control.OnerwayTransaction(context.Background(), id)
	if err != nil {
		l.t.Fatal(err)
	}
	return t
}

// customer acts on a transaction's Tabby payment through the control API,
// naming the transaction.
func (l *live) customer(id, action string) *simctl.CustomerResult {
	l.t.Helper()
	r, err := l.sim.Control.Customer(context.Background(), id, action)
	if err != nil {
		l.t.Fatalf("customer %s: %v", action, err)
	}
	return r
}

// settle runs what is due now on the merchant's clock (the first try of
// every notification queued) and waits for it.
func (l *live) settle() { l.sim.Advance(l.t, 0) }

// deliveries are the merchant's notifications of a transaction, newest
// first.
func (l *live) deliveries(id string) []simctl.Delivery {
	l.t.Helper()
	ds, err := l.sim.Control.Deliveries(context.Background(), simctl.DeliveryFilter{Merchant: l.sim.Merchant.ID, Payment: id})
	if err != nil {
		l.t.Fatal(err)
	}
	return ds
}

// notification is the only notification of transaction id, delivered,
// its sign verified with client/onerway.
func (l *live) notification(id string) *onerway.Webhook {
	l.t.Helper()
	ds := l.deliveries(id)
	if len(ds) != 1 || ds[0].Provider != "onerway" || ds[0].Status != "delivered" {
		l.t.Fatalf("deliveries of %s: %+v; want one onerway delivery, delivered", id, ds)
	}
	w, err := l.sim.Onerway.ParseWebhook([]byte(ds[0].Body))
	if err != nil {
		l.t.Fatalf("the notification does not verify: %v\n%s", err, ds[0].Body)
	}
	return w
}

// get fetches a page as a browser would, without following a redirect.
func (l *live) get(u string) *http.Response {
	l.t.Helper()
	res, err := l.browser.Get(u)
	if err != nil {
		l.t.Fatal(err)
	}
	l.t.Cleanup(func() { res.Body.Close() })
	return res
}

// post submits a form of a page.
func (l *live) post(path string, form url.Values) *http.Response {
	l.t.Helper()
	res, err := l.browser.PostForm(l.sim.URL+path, form)
	if err != nil {
		l.t.Fatal(err)
	}
	l.t.Cleanup(func() { res.Body.Close() })
	return res
}

// redirected checks res is a 303 and returns where it leads.
func (l *live) redirected(res *http.Response) string {
	l.t.Helper()
	if res.StatusCode != http.StatusSeeOther {
		body, _ := io.ReadAll(res.Body)
		l.t.Fatalf("%s: HTTP %d, want 303\n%s", res.Request.URL, res.StatusCode, body)
	}
	return res.Header.Get("Location")
}

// body reads a page.
func body(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// declined is the answer to a doTransaction that failed at once: an
// *onerway.Error with its code and the transaction in its data.
func declined(t *testing.T, err error) *onerway.Error {
	t.Helper()
	var e *onerway.Error
	if !errors.As(err, &e) || e.RespCode == "" {
		t.Fatalf("doTransaction: %v; want Onerway's refusal", err)
	}
	return e
}

// wantReturn checks u is the shop's returnUrl with the transaction's
// transactionId, status and merchantTxnId, the shop's own query kept.
func wantReturn(t *testing.T, u string, l *live, id, status, merchantTxnID string) {
	t.Helper()
	if !strings.HasPrefix(u, l.shop.srv.URL+"/return?") {
		t.Fatalf("sent to %q, want the shop's returnUrl", u)
	}
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	q := parsed.Query()
	if q.Get("order") != "42" || q.Get("transactionId") != id || q.Get("status") != status || q.Get("merchantTxnId") != merchantTxnID {
		t.Errorf("returnUrl query %v, want order 42, transactionId %s, status %s, merchantTxnId %s", q, id, status, merchantTxnID)
	}
}
