package tabbyapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

func TestCheckout_MalformedJSON(t *testing.T) {
	m := newMerchant(t)
	for _, raw := range []string{`{`, `not json`, `{"payment": }`, `{"lang":"en"} {"lang":"ar"}`} {
		r := m.e.do(t, req{method: http.MethodPost, path: "/api/v2/checkout", key: m.sk, raw: raw})
		wantError(t, r, http.StatusBadRequest, "bad_data", "could not decode request")
	}
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
			r := m.e.do(t, req{method: http.MethodPost, path: "/api/v2/checkout", key: m.sk,
				body: set(checkoutBody(), tc.path, tc.value)})
			wantErrorContains(t, r, http.StatusBadRequest, "bad_data", tc.field)
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
			r := m.e.do(t, req{method: http.MethodPost, path: "/api/v2/checkout", key: m.sk,
				body: set(checkoutBody(), tc.path, deleted)})
			wantErrorContains(t, r, http.StatusBadRequest, "bad_data", tc.field)
		})
	}
	// Empty strings count as missing.
	r := m.checkout("payment.buyer.email", "")
	wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "payment.buyer.email")
}

func TestCheckout_CurrencyMustMatchMerchantCode(t *testing.T) {
	m := newMerchant(t)
	r := m.checkout("payment.currency", "SAR")
	wantError(t, r, http.StatusBadRequest, "bad_data", "could not create payment: only 'AED' is supported, but got 'SAR'")
	r = m.checkout("merchant_code", "sa")
	wantError(t, r, http.StatusBadRequest, "bad_data", "could not create payment: only 'SAR' is supported, but got 'AED'")
	// The matching pairs work.
	for code, cur := range map[string]string{"ae": "AED", "sa": "SAR", "kw": "KWD"} {
		r := m.checkout("merchant_code", code, "payment.currency", cur, "payment.amount", "100")
		wantStatus(t, r, http.StatusOK)
		wantField(t, r, "payment.currency", cur)
	}
	// A currency Tabby does not know names the field.
	r = m.checkout("payment.currency", "USD")
	wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "payment.currency")
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
			r := m.e.do(t, req{method: http.MethodPost, path: "/api/v2/checkout", key: m.sk, body: set(set(set(checkoutBody(),
				"merchant_code", tc.code), "payment.currency", tc.currency), "payment.amount", tc.amount)})
			if !tc.ok {
				wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "payment.amount")
				return
			}
			wantStatus(t, r, http.StatusOK)
			wantField(t, r, "payment.amount", tc.want)
		})
	}
}

func TestCheckout_UnknownMerchantCode(t *testing.T) {
	m := newMerchant(t)
	r := m.checkout("merchant_code", "qa")
	wantError(t, r, http.StatusUnauthorized, "not_authorized", "merchant is null")
}

func TestCheckout_CreatedAnswer(t *testing.T) {
	m := newMerchant(t)
	r := m.checkout()
	wantStatus(t, r, http.StatusOK)
	sid, pid := r.str("id"), r.str("payment.id")
	if sid == "" || pid == "" || sid == pid {
		t.Fatalf("session id %q and payment id %q must be distinct and set", sid, pid)
	}
	wantField(t, r, "status", "created")
	wantField(t, r, "configuration.available_products.installments.0.web_url", m.e.url+"/hpp/"+sid)
	if !strings.HasPrefix(m.e.url, "http://127.0.0.1:") {
		t.Errorf("test server URL %q is not on loopback", m.e.url)
	}
	wantField(t, r, "configuration.products.installments.type", "installments")
	wantField(t, r, "configuration.products.installments.is_available", "true")
	if v := r.j.Get("rejection_reason_code"); v.Exists() && v.Type != gjson.Null {
		t.Errorf("rejection_reason_code = %s on an accepted session", v.Raw)
	}
	wantField(t, r, "payment.status", "CREATED")
	wantField(t, r, "payment.currency", "AED")
	wantField(t, r, "payment.is_test", "true")
	wantField(t, r, "payment.order.reference_id", "1001")
	wantField(t, r, "merchant_urls.success", successURL)
	for _, p := range []string{"payment.amount", "payment.order.tax_amount", "payment.order.shipping_amount",
		"payment.order.discount_amount", "payment.order.items.0.unit_price"} {
		if v := r.j.Get(p); v.Type != gjson.String {
			t.Errorf("%s = %s, want a JSON string", p, v.Raw)
		}
	}
	wantField(t, r, "payment.amount", "100.00")
	created := mustTime(t, r.str("payment.created_at"))
	if now := m.now().Truncate(time.Second); !created.Equal(now) {
		t.Errorf("payment.created_at = %s, want the merchant clock's now %s", created, now)
	}

	// GET returns the same session.
	g := m.get("/api/v2/checkout/" + sid)
	wantStatus(t, g, http.StatusOK)
	wantField(t, g, "id", sid)
	wantField(t, g, "payment.id", pid)
	wantField(t, g, "status", "created")
	wantField(t, g, "configuration.available_products.installments.0.web_url", m.e.url+"/hpp/"+sid)

	// The hosted page the link points at is really served.
	res, err := m.e.client.Get(r.str("configuration.available_products.installments.0.web_url"))
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
	b := newMerchantOn(t, shared)
	_, sid := a.session()
	// Spec conflict: the contract's 404 for this operation is Error_404, a
	// bare JSON string ("404 page not found"); the simulator answers with
	// Tabby's not_found envelope, as for payments and webhooks.
	r := b.e.do(t, req{method: http.MethodGet, path: "/api/v2/checkout/" + sid, key: b.sk, spec: specConflict})
	wantError(t, r, http.StatusNotFound, "not_found", "no such session")
}

func TestPrescoring_RejectedPhones(t *testing.T) {
	m := newMerchant(t)
	for _, phone := range []string{"500000002", "0500000002", "+971500000002", "971500000002"} {
		t.Run(phone, func(t *testing.T) {
			r := m.e.do(t, req{method: http.MethodPost, path: "/api/v2/checkout", key: m.sk,
				body: set(checkoutBody(), "payment.buyer.phone", phone)})
			wantRejected(t, r, "not_available")
		})
	}
	// …0001 is the happy buyer in every format.
	for _, phone := range []string{"500000001", "0500000001", "+971500000001", "971500000001"} {
		r := m.checkout("payment.buyer.phone", phone)
		wantStatus(t, r, http.StatusOK)
		wantField(t, r, "status", "created")
	}
}

// wantRejected checks a session rejected at pre-scoring.
func wantRejected(t testing.TB, r *resp, reason string) {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "status", "rejected")
	wantField(t, r, "configuration.products.installments.rejection_reason", reason)
	wantField(t, r, "configuration.products.installments.is_available", "false")
	wantField(t, r, "rejection_reason_code", reason)
	if ap := r.j.Get("configuration.available_products"); !ap.IsObject() || ap.Raw != "{}" {
		t.Errorf("configuration.available_products = %s, want {}", ap.Raw)
	}
	if r.str("payment.id") == "" {
		t.Errorf("a rejected session still carries its payment: %s", r)
	}
}

func TestPrescoring_RejectedSessionCannotBePaid(t *testing.T) {
	m := newMerchant(t)
	r := m.checkout("payment.buyer.phone", "+971500000002")
	wantRejected(t, r, "not_available")
	g := m.get("/api/v2/checkout/" + r.str("id"))
	wantRejected(t, g, "not_available")
	a := m.act(r.str("payment.id"), "approve")
	wantStatus(t, a, http.StatusConflict)
}

func TestPrescoring_AmountLimits(t *testing.T) {
	m := newMerchant(t)
	type limitCase struct{ amount, reason string }
	check := func(cases []limitCase) {
		t.Helper()
		for _, tc := range cases {
			r := m.checkout("payment.amount", tc.amount)
			if tc.reason == "" {
				wantStatus(t, r, http.StatusOK)
				wantField(t, r, "status", "created")
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
	r := m.checkout("merchant_code", "kw", "payment.currency", "KWD", "payment.amount", "0.999")
	wantRejected(t, r, "order_amount_too_low")

	// New limits take effect on the next session.
	m.settings(map[string]any{"tabby": map[string]any{"limits": map[string]any{"AED": map[string]any{"min": "1.00", "max": "50.00"}}}})
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
	id, _ := m.session("payment.buyer.email", "otp.rejected@tabby.ai")
	r := m.act(id, "approve")
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "status", "REJECTED")
	wantField(t, r, "redirect_url", failureURL+"&payment_id="+id)
	wantField(t, m.payment(id), "status", "REJECTED")
}

func TestCheckout_CancelSession(t *testing.T) {
	m := newMerchant(t)
	id, sid := m.session()
	// POST /api/v2/checkout/{id}/cancel is documented on Tabby's POS and
	// payment-link pages but not in the OpenAPI file.
	cancel := func(sid string) *resp {
		return m.e.do(t, req{method: http.MethodPost, path: "/api/v2/checkout/" + sid + "/cancel", key: m.sk, spec: specUnknownOp})
	}
	r := cancel(sid)
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "id", sid)
	wantField(t, r, "status", "expired")
	wantField(t, r, "payment.status", "EXPIRED")
	wantField(t, m.payment(id), "status", "EXPIRED")
	wantStatus(t, m.act(id, "approve"), http.StatusConflict)

	// Only an open checkout can be cancelled.
	r = cancel(sid)
	wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "EXPIRED")
	authorized := m.authorized("100.00")
	r = cancel(m.payment(authorized).str("id")) // a payment id is not a session id
	wantError(t, r, http.StatusNotFound, "not_found", "no such session")

	// The public key cannot cancel.
	_, sid2 := m.session()
	r = m.e.do(t, req{method: http.MethodPost, path: "/api/v2/checkout/" + sid2 + "/cancel", key: m.pk, spec: specUnknownOp})
	wantError(t, r, http.StatusUnauthorized, "not_authorized", "invalid secret key")
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
				r := m.checkout("merchant_urls."+field, u)
				wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "merchant_urls."+field, u)
			})
		}
	}
	// Any case of http and https is a scheme like another.
	id, _ := m.session("merchant_urls.success", "HTTPS://shop.example/ok?order=1#top")
	wantField(t, m.act(id, "approve"), "redirect_url", "https://shop.example/ok?order=1&payment_id="+id+"#top")
}
