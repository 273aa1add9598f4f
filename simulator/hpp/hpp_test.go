package hpp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/ids"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tabby"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

var start = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

type env struct {
	t      *testing.T
	svc    *tabby.Service
	sched  *clock.Scheduler
	m      *tenant.Merchant
	srv    *httptest.Server
	client *http.Client
}

func newEnv(t *testing.T) *env {
	return newEnvWith(t, nil)
}

// newEnvWith builds the service on st, or on a fresh memory store.
func newEnvWith(t *testing.T, st store.Store) *env {
	t.Helper()
	ctx := context.Background()
	if st == nil {
		st = store.NewMemory()
	}
	reg := &tenant.Registry{Store: st}
	sched := clock.NewScheduler(time.Now)
	sched.AddClock("m1", clock.Manual, start)
	svc := &tabby.Service{Store: st, Merchants: reg, Clocks: sched, IDs: ids.New(1)}
	svc.Start()
	m := &tenant.Merchant{ID: "m1", Tabby: tenant.TabbyKeys{SecretKey: "sk_test_x", PublicKey: "pk_test_x",
		MerchantCodes: tenant.DefaultMerchantCodes()}, Settings: tenant.DefaultSettings(),
		Onerway: tenant.OnerwayCredentials{MerchantNo: "800001", SecretKey: "00", AppID: "1"}}
	if err := reg.Create(ctx, m); err != nil {
		t.Fatal(err)
	}
	r := mux.NewRouter()
	(&Pages{Service: svc}).Register(r)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &env{t: t, svc: svc, sched: sched, m: m, srv: srv, client: client}
}

// session creates a checkout session from a default request edited by edit.
func (e *env) session(edit func(*tabby.CheckoutRequest)) *tabby.Payment {
	e.t.Helper()
	req := &tabby.CheckoutRequest{
		Lang: "en", MerchantCode: "ae",
		MerchantURLs: &tabby.MerchantURLs{Success: "https://shop.example/ok", Cancel: "https://shop.example/cancel", Failure: "https://shop.example/fail"},
		Payment: &tabby.PaymentRequest{
			Amount: "150.5", Currency: "AED",
			Buyer: &tabby.Buyer{Name: "Sara Ali", Email: tabby.EmailSuccess, Phone: "+971500000001"},
			Order: &tabby.OrderRequest{ReferenceID: "order-42", Items: []tabby.Item{
				{Title: "Desk lamp", Quantity: 2, UnitPrice: "75.25", Category: "Home"},
			}},
		},
	}
	if edit != nil {
		edit(req)
	}
	p, err := e.svc.CreateSession(context.Background(), e.m, req, true)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

type answer struct {
	status int
	header http.Header
	body   string
}

func (e *env) do(method, path string, body io.Reader, contentType string) answer {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return answer{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (e *env) get(path string) answer { return e.do(http.MethodGet, path, nil, "") }

func (e *env) post(path string, form url.Values) answer {
	return e.do(http.MethodPost, path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

func (e *env) payment(id string) *tabby.Payment {
	e.t.Helper()
	p, err := e.svc.PaymentAnyMerchant(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *env) verifyOTP(p *tabby.Payment) {
	e.t.Helper()
	if a := e.post(page(p, "otp"), url.Values{"code": {tabby.OTPCode}}); a.status != http.StatusOK {
		e.t.Fatalf("otp: %d\n%s", a.status, a.body)
	}
}

func page(p *tabby.Payment, step string) string {
	if step == "" {
		return "/hpp/" + p.SessionID
	}
	return "/hpp/" + p.SessionID + "/" + step
}

func mustContain(t *testing.T, a answer, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(a.body, w) {
			t.Errorf("page lacks %q:\n%s", w, a.body)
		}
	}
}

func mustNotContain(t *testing.T, a answer, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(a.body, w) {
			t.Errorf("page has %q:\n%s", w, a.body)
		}
	}
}

func TestPageShowsOrder(t *testing.T) {
	e := newEnv(t)
	p := e.session(nil)
	a := e.get(page(p, ""))
	if a.status != http.StatusOK {
		t.Fatalf("status %d", a.status)
	}
	if ct := a.header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	mustContain(t, a, `<html lang="en" dir="ltr">`, "150.50 AED", "order-42", "Desk lamp", "75.25 AED",
		tabby.EmailSuccess, "Sara Ali", `value="&#43;971500000001"`, "Continue", "Cancel",
		`action="/hpp/`+p.SessionID+`/phone"`, `action="/hpp/`+p.SessionID+`/cancel"`)
	mustNotContain(t, a, "<script", english.Pay+"</button>")
}

func TestPageEscapesInput(t *testing.T) {
	e := newEnv(t)
	evil := `<script>alert("x")</script>`
	p := e.session(func(r *tabby.CheckoutRequest) {
		r.Payment.Buyer.Name = evil
		r.Payment.Order.ReferenceID = `"><b>ref`
		r.Payment.Order.Items[0].Title = evil
	})
	for _, a := range []answer{e.get(page(p, "")), e.post(page(p, "phone"), url.Values{"phone": {`"><script>x</script>`}})} {
		mustNotContain(t, a, "<script", "<b>ref")
		mustContain(t, a, "&lt;script&gt;")
	}
}

func TestPhoneStep(t *testing.T) {
	e := newEnv(t)
	p := e.session(nil)

	a := e.post(page(p, "phone"), url.Values{"phone": {"+971 50 000 0001"}})
	if a.status != http.StatusOK {
		t.Fatalf("status %d", a.status)
	}
	mustContain(t, a, `name="code"`, english.CodeSentTo, "&#43;971 50 000 0001", english.CodeHint, english.Cancel)

	a = e.post(page(p, "phone"), url.Values{"phone": {"  "}})
	if a.status != http.StatusOK {
		t.Fatalf("empty phone: status %d", a.status)
	}
	mustContain(t, a, english.PhoneRequired, `name="phone"`)
}

func TestWrongOTP(t *testing.T) {
	e := newEnv(t)
	p := e.session(nil)
	for _, code := range []string{"1234", "", "8888 8888", strings.Repeat("9", 5000)} {
		a := e.post(page(p, "otp"), url.Values{"code": {code}, "phone": {"0500000001"}})
		if a.status != http.StatusOK || a.header.Get("Location") != "" {
			t.Fatalf("code %.10q: status %d, Location %q", code, a.status, a.header.Get("Location"))
		}
		mustContain(t, a, `role="alert"`, "Wrong code", "8888", `name="code"`, "0500000001")
	}
	if got := e.payment(p.ID); got.Status != tabby.Created || got.OTPVerified {
		t.Errorf("payment %s, verified %v; want CREATED, unverified", got.Status, got.OTPVerified)
	}
}

func TestOTPThenPayStep(t *testing.T) {
	e := newEnv(t)
	p := e.session(nil)
	a := e.post(page(p, "otp"), url.Values{"code": {" 8888 "}})
	if a.status != http.StatusOK {
		t.Fatalf("status %d", a.status)
	}
	buttons := []string{english.Pay + "</button>", english.PayCloseTab, english.Cancel + "</button>"}
	mustContain(t, a, buttons...)
	if !e.payment(p.ID).OTPVerified {
		t.Error("OTP not recorded")
	}
	// The page opened again stays on the pay step.
	mustContain(t, e.get(page(p, "")), buttons...)
}

func TestActions(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(*tabby.CheckoutRequest)
		otp        bool
		step       string
		wantStatus int
		wantURL    string // without payment_id
		wantSep    string // before payment_id
		wantPage   string
		wantState  tabby.Status
	}{
		{name: "pay", otp: true, step: "pay",
			wantStatus: http.StatusSeeOther, wantURL: "https://shop.example/ok", wantSep: "?", wantState: tabby.Authorized},
		{name: "pay, success URL with a query", otp: true, step: "pay",
			edit:       func(r *tabby.CheckoutRequest) { r.MerchantURLs.Success = "https://shop.example/ok?order=42" },
			wantStatus: http.StatusSeeOther, wantURL: "https://shop.example/ok?order=42", wantSep: "&", wantState: tabby.Authorized},
		{name: "cancel on the phone step", step: "cancel",
			wantStatus: http.StatusSeeOther, wantURL: "https://shop.example/cancel", wantSep: "?", wantState: tabby.Expired},
		{name: "cancel on the pay step", otp: true, step: "cancel",
			wantStatus: http.StatusSeeOther, wantURL: "https://shop.example/cancel", wantSep: "?", wantState: tabby.Expired},
		{name: "rejected after OTP", otp: true, step: "pay",
			edit:       func(r *tabby.CheckoutRequest) { r.Payment.Buyer.Email = tabby.EmailRejected },
			wantStatus: http.StatusSeeOther, wantURL: "https://shop.example/fail", wantSep: "?", wantState: tabby.Rejected},
		{name: "close the tab", otp: true, step: "close-tab",
			wantStatus: http.StatusOK, wantPage: english.CloseTab, wantState: tabby.Authorized},
		{name: "close the tab, rejected", otp: true, step: "close-tab",
			edit:       func(r *tabby.CheckoutRequest) { r.Payment.Buyer.Email = tabby.EmailRejected },
			wantStatus: http.StatusOK, wantPage: english.Rejected, wantState: tabby.Rejected},
		{name: "pay without merchant URLs", otp: true, step: "pay",
			edit:       func(r *tabby.CheckoutRequest) { r.MerchantURLs = nil },
			wantStatus: http.StatusOK, wantPage: english.Authorized, wantState: tabby.Authorized},
		{name: "cancel without merchant URLs", step: "cancel",
			edit:       func(r *tabby.CheckoutRequest) { r.MerchantURLs = nil },
			wantStatus: http.StatusOK, wantPage: english.Cancelled, wantState: tabby.Expired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			p := e.session(tt.edit)
			if tt.otp {
				e.verifyOTP(p)
			}
			a := e.post(page(p, tt.step), nil)
			if a.status != tt.wantStatus {
				t.Fatalf("status %d, want %d\n%s", a.status, tt.wantStatus, a.body)
			}
			loc := a.header.Get("Location")
			if tt.wantURL != "" {
				if want := tt.wantURL + tt.wantSep + "payment_id=" + p.ID; loc != want {
					t.Errorf("Location %q, want %q", loc, want)
				}
			} else {
				if loc != "" {
					t.Errorf("Location %q, want none", loc)
				}
				mustContain(t, a, tt.wantPage)
				mustNotContain(t, a, "<button")
			}
			if got := e.payment(p.ID).Status; got != tt.wantState {
				t.Errorf("payment %s, want %s", got, tt.wantState)
			}
		})
	}
}

func TestPayNeedsOTP(t *testing.T) {
	for _, step := range []string{"pay", "close-tab"} {
		t.Run(step, func(t *testing.T) {
			e := newEnv(t)
			p := e.session(nil)
			e.post(page(p, "otp"), url.Values{"code": {"0000"}})
			a := e.post(page(p, step), nil)
			if a.status != http.StatusConflict || a.header.Get("Location") != "" {
				t.Fatalf("status %d, Location %q", a.status, a.header.Get("Location"))
			}
			mustContain(t, a, english.CodeFirst, `name="code"`)
			if got := e.payment(p.ID).Status; got != tabby.Created {
				t.Errorf("payment %s, want CREATED", got)
			}
		})
	}
}

func TestArabic(t *testing.T) {
	e := newEnv(t)
	p := e.session(func(r *tabby.CheckoutRequest) { r.Lang = "ar" })

	a := e.get(page(p, ""))
	mustContain(t, a, `<html lang="ar" dir="rtl">`, arabic.Continue, arabic.Summary, arabic.Cancel, "150.50 AED")
	mustNotContain(t, a, english.Continue, english.Summary, english.Sandbox)

	a = e.post(page(p, "otp"), url.Values{"code": {"1"}})
	mustContain(t, a, arabic.WrongCode)
	mustNotContain(t, a, "Wrong code")

	e.verifyOTP(p)
	a = e.post(page(p, "close-tab"), nil)
	mustContain(t, a, `dir="rtl"`, arabic.CloseTab)
	mustContain(t, e.get(page(p, "")), arabic.AlreadyAuthorized)
}

// TestTablesComplete keeps the two languages in step: a string added to
// one table must be translated in the other.
func TestTablesComplete(t *testing.T) {
	for name, tab := range map[string]text{"en": english, "ar": arabic} {
		v := reflect.ValueOf(tab)
		for i := range v.NumField() {
			if v.Field(i).String() == "" {
				t.Errorf("%s: %s is empty", name, v.Type().Field(i).Name)
			}
		}
	}
}

// TestClosedCheckouts covers the sessions the customer can no longer act
// on: the page states why and every POST is refused without a change.
func TestClosedCheckouts(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*tabby.CheckoutRequest)
		setup func(e *env, p *tabby.Payment)
		want  string
		state tabby.Status
	}{
		{name: "expired", want: english.Expired, state: tabby.Created, setup: func(e *env, p *tabby.Payment) {
			e.verifyOTP(p)
			if _, err := e.sched.Advance(context.Background(), "m1", start.Add(21*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "expired by the timer", want: english.Expired, state: tabby.Expired, setup: func(e *env, p *tabby.Payment) {
			if _, err := e.sched.Advance(context.Background(), "m1", start.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "cancelled", want: english.Cancelled, state: tabby.Expired, setup: func(e *env, p *tabby.Payment) {
			e.post(page(p, "cancel"), nil)
		}},
		{name: "authorized", want: english.AlreadyAuthorized, state: tabby.Authorized, setup: func(e *env, p *tabby.Payment) {
			e.verifyOTP(p)
			e.post(page(p, "pay"), nil)
		}},
		{name: "declined", want: english.Declined, state: tabby.Rejected,
			edit: func(r *tabby.CheckoutRequest) { r.Payment.Buyer.Email = tabby.EmailRejected },
			setup: func(e *env, p *tabby.Payment) {
				e.verifyOTP(p)
				e.post(page(p, "pay"), nil)
			}},
		{name: "rejected at pre-scoring", want: english.ReasonNotAvailable, state: tabby.Rejected,
			edit: func(r *tabby.CheckoutRequest) { r.Payment.Buyer.Phone = "0500000002" }},
		{name: "amount too high", want: english.ReasonTooHigh, state: tabby.Rejected,
			edit: func(r *tabby.CheckoutRequest) {
				r.Payment.Amount = "30000"
				r.Payment.Order.Items[0].UnitPrice = "15000"
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			p := e.session(tt.edit)
			if tt.setup != nil {
				tt.setup(e, p)
			}
			a := e.get(page(p, ""))
			if a.status != http.StatusOK {
				t.Fatalf("GET: status %d", a.status)
			}
			mustContain(t, a, tt.want, p.Amount.Format(p.Currency)+" AED")
			mustNotContain(t, a, "<button", "<form")
			for _, step := range []string{"phone", "otp", "pay", "close-tab", "cancel"} {
				a := e.post(page(p, step), url.Values{"code": {tabby.OTPCode}})
				if a.status != http.StatusConflict || a.header.Get("Location") != "" {
					t.Errorf("POST %s: status %d, Location %q", step, a.status, a.header.Get("Location"))
				}
				mustContain(t, a, tt.want)
				mustNotContain(t, a, "<button")
			}
			if got := e.payment(p.ID).Status; got != tt.state {
				t.Errorf("payment %s, want %s", got, tt.state)
			}
		})
	}
}

func TestUnknownSession(t *testing.T) {
	e := newEnv(t)
	for _, a := range []answer{
		e.get("/hpp/no-such-session"),
		e.post("/hpp/no-such-session/pay", nil),
		e.post("/hpp/%3Cscript%3E/otp", url.Values{"code": {"8888"}}),
	} {
		if a.status != http.StatusNotFound {
			t.Errorf("status %d, want 404", a.status)
		}
		mustContain(t, a, english.NotFound)
		mustNotContain(t, a, "<script")
	}
}

func TestBadRequests(t *testing.T) {
	e := newEnv(t)
	p := e.session(nil)
	tests := []struct {
		name        string
		method      string
		path        string
		body        string
		contentType string
		want        int
	}{
		{"POST the page", http.MethodPost, page(p, ""), "", "", http.StatusMethodNotAllowed},
		{"DELETE the page", http.MethodDelete, page(p, ""), "", "", http.StatusMethodNotAllowed},
		{"GET a form endpoint (a reload) goes back to the page", http.MethodGet, page(p, "pay"), "", "", http.StatusSeeOther},
		{"PUT a form endpoint", http.MethodPut, page(p, "pay"), "", "", http.StatusMethodNotAllowed},
		{"unknown step", http.MethodPost, page(p, "approve"), "", "", http.StatusNotFound},
		{"path too deep", http.MethodPost, page(p, "pay") + "/now", "", "", http.StatusNotFound},
		{"bad form encoding", http.MethodPost, page(p, "otp"), "code=%zz", "application/x-www-form-urlencoded", http.StatusBadRequest},
		{"form too large", http.MethodPost, page(p, "otp"), "code=" + strings.Repeat("8", maxForm), "application/x-www-form-urlencoded", http.StatusBadRequest},
		{"JSON body", http.MethodPost, page(p, "otp"), `{"code":"8888"}`, "application/json", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := e.do(tt.method, tt.path, strings.NewReader(tt.body), tt.contentType)
			if a.status != tt.want {
				t.Errorf("status %d, want %d\n%s", a.status, tt.want, a.body)
			}
			if tt.want == http.StatusMethodNotAllowed && a.header.Get("Allow") == "" {
				t.Error("no Allow header")
			}
		})
	}
	if got := e.payment(p.ID); got.Status != tabby.Created || got.OTPVerified {
		t.Errorf("payment %s, verified %v; want CREATED, unverified", got.Status, got.OTPVerified)
	}
	if a := e.do(http.MethodHead, page(p, ""), nil, ""); a.status != http.StatusOK {
		t.Errorf("HEAD: status %d", a.status)
	}
}

// TestDoubleSubmit pays from two tabs at once: one wins, the other is told
// the payment is already authorized.
func TestDoubleSubmit(t *testing.T) {
	e := newEnv(t)
	p := e.session(nil)
	e.verifyOTP(p)
	var wg sync.WaitGroup
	statuses := make([]int, 4)
	for i := range statuses {
		wg.Go(func() { statuses[i] = e.post(page(p, "pay"), nil).status })
	}
	wg.Wait()
	var won, refused int
	for _, s := range statuses {
		switch s {
		case http.StatusSeeOther:
			won++
		case http.StatusConflict:
			refused++
		}
	}
	if won != 1 || refused != len(statuses)-1 {
		t.Errorf("statuses %v: want one 303 and the rest 409", statuses)
	}
}

// brokenStore fails every read, as a store whose disk went away would.
type brokenStore struct{ *store.Memory }

var errDisk = errors.New("disk on fire")

func (b brokenStore) View(context.Context, func(store.Tx) error) error { return errDisk }

func TestUnexpectedError(t *testing.T) {
	e := newEnvWith(t, brokenStore{store.NewMemory()})
	for _, a := range []answer{e.get("/hpp/any"), e.post("/hpp/any/pay", nil)} {
		if a.status != http.StatusInternalServerError {
			t.Errorf("status %d, want 500", a.status)
		}
		mustContain(t, a, english.Internal)
		mustNotContain(t, a, errDisk.Error())
	}
}

// TestStoredUnsafeURLIsNotFollowed: a payment kept in a data file from
// before merchant URLs were checked may hold a javascript: URL; the hosted
// page shows its own page rather than send the browser there.
func TestStoredUnsafeURLIsNotFollowed(t *testing.T) {
	e := newEnv(t)
	p := e.session(nil)
	err := e.svc.Store.Update(context.Background(), func(tx store.Tx) error {
		d, err := tx.Get("tabby.payment", p.ID)
		if err != nil {
			return err
		}
		safe, unsafe := `"success":"https://shop.example/ok"`, `"success":"javascript:alert(1)"`
		if !strings.Contains(string(d.Data), safe) {
			return errors.New("the stored payment has no success URL to replace: " + string(d.Data))
		}
		d.Data = []byte(strings.Replace(string(d.Data), safe, unsafe, 1))
		return tx.Put(d)
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.payment(p.ID).URLs.Success; got != "javascript:alert(1)" {
		t.Fatalf("stored success URL %q, want the javascript: one", got)
	}
	e.verifyOTP(p)
	a := e.post(page(p, "pay"), nil)
	if a.status != http.StatusOK || a.header.Get("Location") != "" {
		t.Fatalf("pay: status %d, Location %q; want 200 and no redirect", a.status, a.header.Get("Location"))
	}
	mustContain(t, a, english.Authorized)
}
