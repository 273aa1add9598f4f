package tabbyapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
	"github.com/tidwall/gjson"
)

func TestCheckout_MalformedJSON(t *testing.T) {
	m := newMerchant(t)
	for _, raw := range []string{`{`, `not json`, `{"payment": }`, `{"lang":"en"} {"lang":"ar"}`} {
		r := m.Env.Do(t, e2e.Req{Method: http.MethodPost, Path: "/api/v2/checkout", Key: m.SecretKey, Body: raw})
		e2e.WantError(t, r, http.StatusBadRequest, "bad_data", "could not decode request")
	}
}

// A first value with a field of the wrong type is refused naming the
// field, whatever follows it in the body.
func TestCheckout_WrongTypeBeforeMoreJSON(t *testing.T) {
	m := newMerchant(t)
	r := m.Env.Do(t, e2e.Req{Method: http.MethodPost, Path: "/api/v2/checkout", Key: m.SecretKey,
		Body: `{"payment": {"currency": 1}} {"lang": "en"}`})
	e2e.WantError(t, r, http.StatusBadRequest, "bad_data", "payment.currency: expected a string, got number")
}

// TestCheckout_WrongTypeNamesTheField; an amount sent as a number is
// read leniently, with a warning (TestLint).
func TestCheckout_WrongTypeNamesTheField(t *testing.T) {
	m := newMerchant(t)
	for _, tc := range []struct {
		path  string
		value any
		field string
	}{
		{"payment.currency", 1, "payment.currency"},
		{"payment.buyer.phone", 500000001, "payment.buyer.phone"},
		{"payment.buyer", "Sara", "payment.buyer"},
		{"merchant_code", true, "merchant_code"},
		{"payment.order.items", map[string]any{}, "payment.order.items"},
		{"payment.order.items", []any{map[string]any{"title": "x", "quantity": "1", "unit_price": "1.00"}}, "quantity"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			r := m.Env.Do(t, e2e.Req{Method: http.MethodPost, Path: "/api/v2/checkout", Key: m.SecretKey,
				Body: e2e.Set(e2e.CheckoutBody(), tc.path, tc.value)})
			e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", tc.field)
		})
	}
}

func TestCheckout_RequiredFields(t *testing.T) {
	m := newMerchant(t)
	for _, tc := range []struct{ path, field string }{
		{"payment.amount", "payment.amount"},
		{"payment.currency", "payment.currency"},
		{"payment.buyer.email", "payment.buyer.email"},
		{"payment.buyer.phone", "payment.buyer.phone"},
		{"merchant_code", "merchant_code"},
		{"payment", "payment"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			r := m.Env.Do(t, e2e.Req{Method: http.MethodPost, Path: "/api/v2/checkout", Key: m.SecretKey,
				Body: e2e.Set(e2e.CheckoutBody(), tc.path, e2e.Deleted)})
			e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", tc.field)
		})
	}
	// Empty strings count as missing.
	r := m.Checkout("payment.buyer.email", "")
	e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "payment.buyer.email")
}

func TestCheckout_CurrencyMustMatchMerchantCode(t *testing.T) {
	m := newMerchant(t)
	r := m.Checkout("payment.currency", "SAR")
	e2e.WantError(t, r, http.StatusBadRequest, "bad_data", "could not create payment: only 'AED' is supported, but got 'SAR'")
	r = m.Checkout("merchant_code", "sa")
	e2e.WantError(t, r, http.StatusBadRequest, "bad_data", "could not create payment: only 'SAR' is supported, but got 'AED'")
	// The matching pairs work.
	for code, cur := range map[string]string{"ae": "AED", "sa": "SAR", "kw": "KWD"} {
		r := m.Checkout("merchant_code", code, "payment.currency", cur, "payment.amount", "100")
		e2e.WantStatus(t, r, http.StatusOK)
		e2e.WantField(t, r, "payment.currency", cur)
	}
	// A currency Tabby does not know names the field.
	r = m.Checkout("payment.currency", "USD")
	e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "payment.currency")
}

func TestCheckout_AmountDecimals(t *testing.T) {
	m := newMerchant(t)
	for _, tc := range []struct {
		code, currency, amount string
		ok                     bool
		want                   string // payment.amount in the answer
	}{
		{"ae", "AED", "100", true, "100.00"},
		{"ae", "AED", "100.5", true, "100.50"},
		{"ae", "AED", "100.25", true, "100.25"},
		{"ae", "AED", "100.255", false, ""},
		{"sa", "SAR", "100.001", false, ""},
		{"kw", "KWD", "10.125", true, "10.125"},
		{"kw", "KWD", "10.1255", false, ""},
		{"ae", "AED", "-5.00", false, ""},
		{"ae", "AED", "1e3", false, ""},
		{"ae", "AED", "0", false, ""},
		{"ae", "AED", " 100", false, ""},
	} {
		t.Run(tc.currency+"_"+tc.amount, func(t *testing.T) {
			r := m.Env.Do(t, e2e.Req{Method: http.MethodPost, Path: "/api/v2/checkout", Key: m.SecretKey, Body: e2e.Set(e2e.Set(e2e.Set(e2e.CheckoutBody(),
				"merchant_code", tc.code), "payment.currency", tc.currency), "payment.amount", tc.amount)})
			if !tc.ok {
				e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "payment.amount")
				return
			}
			e2e.WantStatus(t, r, http.StatusOK)
			e2e.WantField(t, r, "payment.amount", tc.want)
		})
	}
}

func TestCheckout_UnknownMerchantCode(t *testing.T) {
	m := newMerchant(t)
	r := m.Checkout("merchant_code", "qa")
	e2e.WantError(t, r, http.StatusUnauthorized, "not_authorized", "merchant is null")
}

func TestCheckout_CreatedAnswer(t *testing.T) {
	m := newMerchant(t)
	r := m.Checkout()
	e2e.WantStatus(t, r, http.StatusOK)
	sid, pid := r.Str("id"), r.Str("payment.id")
	if sid == "" || pid == "" || sid == pid {
		t.Fatalf("session id %q and payment id %q must be distinct and set", sid, pid)
	}
	e2e.WantField(t, r, "status", "created")
	e2e.WantField(t, r, "configuration.available_products.installments.0.web_url", m.Env.URL+"/hpp/"+sid)
	if !strings.HasPrefix(m.Env.URL, "http://127.0.0.1:") {
		t.Errorf("test server URL %q is not on loopback", m.Env.URL)
	}
	e2e.WantField(t, r, "configuration.products.installments.type", "installments")
	e2e.WantField(t, r, "configuration.products.installments.is_available", "true")
	if v := r.JSON.Get("rejection_reason_code"); v.Exists() && v.Type != gjson.Null {
		t.Errorf("rejection_reason_code = %s on an accepted session", v.Raw)
	}
	e2e.WantField(t, r, "payment.status", "CREATED")
	e2e.WantField(t, r, "payment.currency", "AED")
	e2e.WantField(t, r, "payment.is_test", "true")
	e2e.WantField(t, r, "payment.order.reference_id", "1001")
	e2e.WantField(t, r, "merchant_urls.success", e2e.SuccessURL)
	for _, p := range []string{"payment.amount", "payment.order.tax_amount", "payment.order.shipping_amount",
		"payment.order.discount_amount", "payment.order.items.0.unit_price"} {
		if v := r.JSON.Get(p); v.Type != gjson.String {
			t.Errorf("%s = %s, want a JSON string", p, v.Raw)
		}
	}
	e2e.WantField(t, r, "payment.amount", "100.00")
	created := e2e.MustTime(t, r.Str("payment.created_at"))
	if now := m.Now().Truncate(time.Second); !created.Equal(now) {
		t.Errorf("payment.created_at = %s, want the merchant clock's now %s", created, now)
	}

	// GET returns the same session.
	g := m.Get("/api/v2/checkout/" + sid)
	e2e.WantStatus(t, g, http.StatusOK)
	e2e.WantField(t, g, "id", sid)
	e2e.WantField(t, g, "payment.id", pid)
	e2e.WantField(t, g, "status", "created")
	e2e.WantField(t, g, "configuration.available_products.installments.0.web_url", m.Env.URL+"/hpp/"+sid)

	// The hosted page the link points at is really served.
	res, err := m.Env.Client.Get(r.Str("configuration.available_products.installments.0.web_url"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET web_url = %d, want 200", res.StatusCode)
	}
}

func TestCheckout_SessionOfAnotherMerchantIsHidden(t *testing.T) {
	a := newMerchant(t)
	b := shared.NewMerchant(t, nil)
	_, sid := a.Session()
	// Spec conflict: the contract's 404 for this operation is Error_404, a
	// bare JSON string ("404 page not found"); the simulator answers with
	// Tabby's not_found envelope, as for payments and webhooks.
	r := b.Env.Do(t, e2e.Req{Method: http.MethodGet, Path: "/api/v2/checkout/" + sid, Key: b.SecretKey, Spec: e2e.SpecConflict})
	e2e.WantError(t, r, http.StatusNotFound, "not_found", "no such session")
}

func TestPrescoring_RejectedPhones(t *testing.T) {
	m := newMerchant(t)
	for _, phone := range []string{"500000002", "0500000002", "+971500000002", "971500000002"} {
		t.Run(phone, func(t *testing.T) {
			r := m.Env.Do(t, e2e.Req{Method: http.MethodPost, Path: "/api/v2/checkout", Key: m.SecretKey,
				Body: e2e.Set(e2e.CheckoutBody(), "payment.buyer.phone", phone)})
			wantRejected(t, r, "not_available")
		})
	}
	// …0001 is the happy buyer in every format.
	for _, phone := range []string{"500000001", "0500000001", "+971500000001", "971500000001"} {
		r := m.Checkout("payment.buyer.phone", phone)
		e2e.WantStatus(t, r, http.StatusOK)
		e2e.WantField(t, r, "status", "created")
	}
}

// wantRejected checks a session rejected at pre-scoring.
func wantRejected(t testing.TB, r *e2e.Resp, reason string) {
	t.Helper()
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "status", "rejected")
	e2e.WantField(t, r, "configuration.products.installments.rejection_reason", reason)
	e2e.WantField(t, r, "configuration.products.installments.is_available", "false")
	e2e.WantField(t, r, "rejection_reason_code", reason)
	if ap := r.JSON.Get("configuration.available_products"); !ap.IsObject() || ap.Raw != "{}" {
		t.Errorf("configuration.available_products = %s, want {}", ap.Raw)
	}
	if r.Str("payment.id") == "" {
		t.Errorf("a rejected session still carries its payment: %s", r)
	}
}

func TestPrescoring_RejectedSessionCannotBePaid(t *testing.T) {
	m := newMerchant(t)
	r := m.Checkout("payment.buyer.phone", "+971500000002")
	wantRejected(t, r, "not_available")
	g := m.Get("/api/v2/checkout/" + r.Str("id"))
	wantRejected(t, g, "not_available")
	a := m.Act(r.Str("payment.id"), "approve")
	e2e.WantStatus(t, a, http.StatusConflict)
}

func TestPrescoring_AmountLimits(t *testing.T) {
	m := newMerchant(t)
	type limitCase struct{ amount, reason string }
	check := func(cases []limitCase) {
		t.Helper()
		for _, tc := range cases {
			r := m.Checkout("payment.amount", tc.amount)
			if tc.reason == "" {
				e2e.WantStatus(t, r, http.StatusOK)
				e2e.WantField(t, r, "status", "created")
				continue
			}
			wantRejected(t, r, tc.reason)
		}
	}
	check([]limitCase{
		{"9.99", "order_amount_too_low"},
		{"10.00", ""},
		{"25000.00", ""},
		{"25000.01", "order_amount_too_high"},
	})
	// KWD has its own limits.
	r := m.Checkout("merchant_code", "kw", "payment.currency", "KWD", "payment.amount", "0.999")
	wantRejected(t, r, "order_amount_too_low")

	// New limits take effect on the next session.
	m.Settings(map[string]any{"tabby": map[string]any{"limits": map[string]any{"AED": map[string]any{"min": "1.00", "max": "50.00"}}}})
	check([]limitCase{
		{"0.99", "order_amount_too_low"},
		{"5.00", ""},
		{"50.00", ""},
		{"50.01", "order_amount_too_high"},
		{"100.00", "order_amount_too_high"},
	})
}

func TestPrescoring_OTPRejectedBuyer(t *testing.T) {
	m := newMerchant(t)
	id, _ := m.Session("payment.buyer.email", "otp.rejected@tabby.ai")
	r := m.Act(id, "approve")
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "status", "REJECTED")
	e2e.WantField(t, r, "redirect_url", e2e.FailureURL+"&payment_id="+id)
	e2e.WantField(t, m.Payment(id), "status", "REJECTED")
}

func TestCheckout_CancelSession(t *testing.T) {
	m := newMerchant(t)
	id, sid := m.Session()
	// POST /api/v2/checkout/{id}/cancel is documented on Tabby's POS and
	// payment-link pages but not in the OpenAPI file.
	cancel := func(sid string) *e2e.Resp {
		return m.Env.Do(t, e2e.Req{Method: http.MethodPost, Path: "/api/v2/checkout/" + sid + "/cancel", Key: m.SecretKey, Spec: e2e.SpecUnknownOp})
	}
	r := cancel(sid)
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "id", sid)
	e2e.WantField(t, r, "status", "expired")
	e2e.WantField(t, r, "payment.status", "EXPIRED")
	e2e.WantField(t, m.Payment(id), "status", "EXPIRED")
	e2e.WantStatus(t, m.Act(id, "approve"), http.StatusConflict)

	// Only an open checkout can be cancelled.
	r = cancel(sid)
	e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "EXPIRED")
	authorized := m.Authorized("100.00")
	r = cancel(m.Payment(authorized).Str("id")) // a payment id is not a session id
	e2e.WantError(t, r, http.StatusNotFound, "not_found", "no such session")

	// The public key cannot cancel.
	_, sid2 := m.Session()
	r = m.Env.Do(t, e2e.Req{Method: http.MethodPost, Path: "/api/v2/checkout/" + sid2 + "/cancel", Key: m.PublicKey, Spec: e2e.SpecUnknownOp})
	e2e.WantError(t, r, http.StatusUnauthorized, "not_authorized", "invalid secret key")
}

// TestCheckout_MerchantURLsMustBeHTTP: the hosted page sends the browser to
// the merchant URLs, so only absolute http and https URLs with a host are
// accepted; a javascript: or data: URL would run in the customer's browser.
func TestCheckout_MerchantURLsMustBeHTTP(t *testing.T) {
	m := newMerchant(t)
	for _, field := range []string{"success", "cancel", "failure"} {
		for _, u := range []string{
			"javascript:alert(1)", "JavaScript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>",
			"vbscript:msgbox(1)", "/tabby/success", "//evil.example/ok", "http://", "https://:443/ok", "http:shop.example/ok",
			"ftp://shop.example/ok",
		} {
			t.Run(field+" "+u, func(t *testing.T) {
				r := m.Checkout("merchant_urls."+field, u)
				e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "merchant_urls."+field, u)
			})
		}
	}
	// Any case of http and https is a scheme like another.
	id, _ := m.Session("merchant_urls.success", "HTTPS://shop.example/ok?order=1#top")
	e2e.WantField(t, m.Act(id, "approve"), "redirect_url", "https://shop.example/ok?order=1&payment_id="+id+"#top")
}
