package hpp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/ids"
	"github.com/tabbysim/tabbysim/simulator/onerway"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tabby"
	"github.com/tabbysim/tabbysim/simulator/tenant"
	"github.com/tabbysim/tabbysim/simulator/webhook"
)

// cashierEnv is the Onerway gateway over the Tabby lifecycle, its cashier
// and Tabby's pages on one loopback server.
type cashierEnv struct {
	*env
	gw *onerway.Service
}

func newCashierEnv(t *testing.T) *cashierEnv {
	t.Helper()
	st := store.NewMemory()
	reg := &tenant.Registry{Store: st}
	sched := clock.NewScheduler(time.Now)
	sched.AddClock("m1", clock.Manual, start)
	source := ids.New(1)
	svc := &tabby.Service{Store: st, Merchants: reg, Clocks: sched, IDs: source}
	outbox := &webhook.Engine{Store: st, Clocks: sched, IDs: source, Merchants: reg}
	outbox.Register(onerway.WebhookPolicy)
	outbox.Start()
	gw := &onerway.Service{Store: st, Merchants: reg, Clocks: sched, IDs: source, Tabby: svc, Outbox: outbox}
	svc.Observers = []tabby.Observer{gw}
	svc.Start()
	m := &tenant.Merchant{ID: "m1", Tabby: tenant.TabbyKeys{SecretKey: "sk_test_x", PublicKey: "pk_test_x",
		MerchantCodes: tenant.DefaultMerchantCodes()}, Settings: tenant.DefaultSettings(),
		Onerway: tenant.OnerwayCredentials{MerchantNo: "800001", SecretKey: "0123456789abcdef0123456789abcdef", AppID: "1"}}
	if err := reg.Create(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	r := mux.NewRouter()
	(&Pages{Service: svc}).Register(r)
	(&Cashier{Gateway: gw}).Register(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	gw.CashierURL = func(id string) string { return srv.URL + CashierPath(id) }
	gw.ReturnURL = func(id string) string { return srv.URL + ReturnPath(id) }
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &cashierEnv{env: &env{t: t, svc: svc, sched: sched, m: m, srv: srv, client: client}, gw: gw}
}

// sale makes a Tabby payment of 250.00 SAR through the gateway for a
// virtual order edited by edit, returning to returnURL.
func (e *cashierEnv) sale(returnURL string, edit func(*onerway.Sale)) *onerway.Transaction {
	e.t.Helper()
	s := &onerway.Sale{MerchantTxnID: "order-42", Amount: 25000, Currency: "SAR", Order: onerway.Order{
		MerchantCustID: "cust-1", LpmsType: "tabby", ReturnURL: returnURL, NotifyURL: "https://shop.example/notify",
		CustomerPlatform: "shop.example", Goods: ow.GoodsVirtual,
		Products: []ow.Product{{Name: "Gift card", Price: "250.00", Num: "1", Currency: "SAR", Type: ow.GoodsVirtual,
			ProductAvatarURL: "https://cdn.shop.example/card.png"}},
		Billing: ow.Address{FirstName: "Sara", LastName: "Ali", Email: tabby.EmailSuccess, Phone: "+966500000001"},
	}}
	if edit != nil {
		edit(s)
	}
	tx, err := e.gw.DoTransaction(context.Background(), e.m, s)
	if err != nil {
		e.t.Fatal(err)
	}
	return tx
}

func (e *cashierEnv) transaction(id string) *onerway.Transaction {
	e.t.Helper()
	tx, err := e.gw.TransactionAnyMerchant(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return tx
}

func TestCashier_ShowsOrderAndLeadsToTabby(t *testing.T) {
	e := newCashierEnv(t)
	tx := e.sale("https://shop.example/return", nil)
	a := e.get(CashierPath(tx.ID))
	if a.status != http.StatusOK || a.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("HTTP %d %s", a.status, a.header.Get("Content-Type"))
	}
	if csp := a.header.Get("Content-Security-Policy"); csp != "default-src 'none'; style-src 'unsafe-inline'" {
		t.Errorf("CSP %q", csp)
	}
	mustContain(t, a, `<html lang="en" dir="ltr">`, "Onerway", "250.00 SAR", "order-42", "shop.example", "Gift card",
		cashierEnglish.Continue, `<form method="get" action="/hpp/`+tx.TabbySessionID+`">`)
	mustNotContain(t, a, "<script", `id="back-to-shop"`)
	if got := e.get("/hpp/" + tx.TabbySessionID); got.status != http.StatusOK {
		t.Errorf("Tabby's page: HTTP %d", got.status)
	}
}

func TestCashier_EscapesInput(t *testing.T) {
	e := newCashierEnv(t)
	evil := `<script>alert("x")</script>`
	tx := e.sale("https://shop.example/return?next=\"><b>x", func(s *onerway.Sale) {
		s.MerchantTxnID = `"><b>ref`
		s.CustomerPlatform = evil
		s.Products[0].Name = evil
	})
	e.verifyOTP(e.payment(tx.TabbyPaymentID))
	a := e.get(CashierPath(tx.ID))
	mustNotContain(t, a, "<script", "<b>")
	mustContain(t, a, "&lt;script&gt;", "&#34;&gt;&lt;b&gt;ref")
	if _, _, err := e.svc.Act(context.Background(), tx.TabbyPaymentID, tabby.Approve); err != nil {
		t.Fatal(err)
	}
	a = e.get(CashierPath(tx.ID))
	mustNotContain(t, a, "<script", "<b>")
	mustContain(t, a, `id="back-to-shop" href="https://shop.example/return?next=%22%3e%3cb%3ex&amp;`)
}

func TestCashier_Arabic(t *testing.T) {
	e := newCashierEnv(t)
	tx := e.sale("https://shop.example/return", func(s *onerway.Sale) { s.Language = "ar-SA" })
	mustContain(t, e.get(CashierPath(tx.ID)), `<html lang="ar" dir="rtl">`, cashierArabic.Continue, cashierArabic.Order)
	if p := e.payment(tx.TabbyPaymentID); p.Lang != "ar" {
		t.Errorf("Tabby's page is in %q, want ar", p.Lang)
	}
}

// TestCashier_Return: the gateway's return handler sends the customer to
// returnUrl with the transaction's id, status and merchantTxnId, keeping
// the shop's own query; a final transaction's cashier shows the result and
// the way back.
func TestCashier_Return(t *testing.T) {
	tests := []struct {
		name   string
		action tabby.Action
		status ow.Status
		shown  string
	}{
		{"approved", tabby.Approve, ow.StatusSuccess, cashierEnglish.Succeeded},
		{"cancelled", tabby.Cancel, ow.StatusFailed, cashierEnglish.Cancelled},
		{"rejected", tabby.Reject, ow.StatusFailed, cashierEnglish.Declined},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newCashierEnv(t)
			tx := e.sale("https://shop.example/return?order=42", nil)
			_, redirect, err := e.svc.Act(context.Background(), tx.TabbyPaymentID, tc.action)
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(redirect)
			if err != nil || u.Path != ReturnPath(tx.ID) {
				t.Fatalf("Tabby's page sends the customer to %q, want the return handler", redirect)
			}
			a := e.get(u.RequestURI())
			want := "https://shop.example/return?order=42&merchantTxnId=order-42&status=" + string(tc.status) + "&transactionId=" + tx.ID
			if a.status != http.StatusSeeOther || a.header.Get("Location") != want {
				t.Errorf("HTTP %d to %q, want 303 to %q", a.status, a.header.Get("Location"), want)
			}
			mustContain(t, e.get(CashierPath(tx.ID)), tc.shown, `id="back-to-shop"`)
		})
	}
}

func TestCashier_Errors(t *testing.T) {
	e := newCashierEnv(t)
	for _, path := range []string{CashierPath("1234567890123456789"), ReturnPath("1234567890123456789")} {
		a := e.get(path)
		if a.status != http.StatusNotFound {
			t.Errorf("%s: HTTP %d, want 404", path, a.status)
		}
		mustContain(t, a, cashierEnglish.NotFoundTitle)
	}
	tx := e.sale("https://shop.example/return", nil)
	a := e.post(CashierPath(tx.ID), url.Values{})
	if a.status != http.StatusMethodNotAllowed || a.header.Get("Allow") != "GET, HEAD" || !strings.Contains(a.body, cashierEnglish.MethodNotAllowed) {
		t.Errorf("POST: HTTP %d, Allow %q", a.status, a.header.Get("Allow"))
	}
}
