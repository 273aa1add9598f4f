package tabbyapi_test

import (
	"net/http"
	"testing"

	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
)

func TestAuth_MissingOrMalformedHeader(t *testing.T) {
	m := newMerchant(t)
	id, _ := m.Session()
	for _, tc := range []struct {
		name   string
		header map[string]string
	}{
		{"no header", nil},
		{"no scheme", map[string]string{"Authorization": m.SecretKey}},
		{"basic scheme", map[string]string{"Authorization": "Basic " + m.SecretKey}},
		{"empty bearer", map[string]string{"Authorization": "Bearer "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := m.Env.Do(t, e2e.Req{Method: http.MethodGet, Path: "/api/v2/payments/" + id, Header: tc.header})
			e2e.WantError(t, r, http.StatusUnauthorized, "not_authorized", "missing Bearer scheme")
		})
	}
}

func TestAuth_UnknownKey(t *testing.T) {
	m := newMerchant(t)
	id, _ := m.Session()
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/api/v2/payments/" + id},
		{http.MethodGet, "/api/v2/payments"},
		{http.MethodPost, "/api/v2/payments/" + id + "/close"},
	} {
		r := m.Env.Do(t, e2e.Req{Method: tc.method, Path: tc.path, Key: "sk_test_00000000-dead-4bee-8f00-000000000000"})
		e2e.WantError(t, r, http.StatusUnauthorized, "not_authorized", "auth: provided key doesn't exist")
	}
	r := m.Env.Do(t, e2e.Req{Method: http.MethodPost, Path: "/api/v2/checkout", Key: "pk_test_nobody", Body: e2e.CheckoutBody()})
	e2e.WantError(t, r, http.StatusUnauthorized, "not_authorized", "auth: provided key doesn't exist")
}

func TestAuth_PublicKeyOnlyCreatesSessions(t *testing.T) {
	m := newMerchant(t)
	r := m.Env.Do(t, e2e.Req{Method: http.MethodPost, Path: "/api/v2/checkout", Key: m.PublicKey, Body: e2e.CheckoutBody()})
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "status", "created")
	e2e.WantField(t, r, "payment.status", "CREATED")
	e2e.WantField(t, r, "payment.is_test", "true")
	id, sid := r.Str("payment.id"), r.Str("id")

	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, "/api/v2/payments/" + id, nil},
		{http.MethodGet, "/api/v2/checkout/" + sid, nil},
		{http.MethodGet, "/api/v2/payments", nil},
		{http.MethodPost, "/api/v2/payments/" + id + "/captures", map[string]any{"amount": "1.00", "reference_id": "x"}},
		{http.MethodPost, "/api/v2/payments/" + id + "/close", nil},
	} {
		r := m.Env.Do(t, e2e.Req{Method: tc.method, Path: tc.path, Key: m.PublicKey, Body: tc.body})
		e2e.WantError(t, r, http.StatusUnauthorized, "not_authorized", "invalid secret key")
	}
	// The payment the public key created belongs to the merchant.
	e2e.WantField(t, m.Payment(id), "id", id)
}

func TestAuth_OtherMerchantsPaymentIsNotFound(t *testing.T) {
	a := newMerchant(t)
	b := shared.NewMerchant(t, nil)
	id := a.Authorized("100.00")
	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, "/api/v2/payments/" + id, nil},
		{http.MethodGet, "/api/v1/payments/" + id, nil},
		{http.MethodPut, "/api/v2/payments/" + id, map[string]any{"order": map[string]any{"reference_id": "stolen"}}},
		{http.MethodPost, "/api/v2/payments/" + id + "/captures", map[string]any{"amount": "100.00", "reference_id": "x"}},
		{http.MethodPost, "/api/v2/payments/" + id + "/refunds", map[string]any{"amount": "1.00", "reference_id": "x"}},
		{http.MethodPost, "/api/v2/payments/" + id + "/close", nil},
	} {
		r := b.API(tc.method, tc.path, tc.body)
		e2e.WantError(t, r, http.StatusNotFound, "not_found", "no such payment")
	}
	// Nothing the other merchant tried changed the payment.
	p := a.Payment(id)
	e2e.WantField(t, p, "status", "AUTHORIZED")
	e2e.WantField(t, p, "order.reference_id", "1001")
	e2e.WantArrayLen(t, p, "captures", 0)

	// A payment id nobody has is the same 404.
	r := a.Get("/api/v2/payments/00000000-0000-4000-8000-00000000beef")
	e2e.WantError(t, r, http.StatusNotFound, "not_found", "no such payment")
}

func TestAuth_InvalidPaymentID(t *testing.T) {
	m := newMerchant(t)
	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, "/api/v2/payments/not-a-uuid", nil},
		{http.MethodGet, "/api/v2/payments/12345", nil},
		{http.MethodPut, "/api/v2/payments/12345", map[string]any{"order": map[string]any{"reference_id": "x"}}},
		{http.MethodPost, "/api/v2/payments/12345/captures", map[string]any{"amount": "1.00", "reference_id": "x"}},
		{http.MethodPost, "/api/v2/payments/12345/refunds", map[string]any{"amount": "1.00", "reference_id": "x"}},
		{http.MethodPost, "/api/v2/payments/12345/close", nil},
		{http.MethodGet, "/api/v1/payments/12345", nil},
	} {
		r := m.API(tc.method, tc.path, tc.body)
		e2e.WantError(t, r, http.StatusBadRequest, "bad_data", "invalid payment id")
	}
}

// Each request reads its merchant as stored now: a settings patch applies
// from the next request on, to that merchant only, whichever key it sends.
func TestAuth_MerchantAsPatched(t *testing.T) {
	a := newMerchant(t)
	b := shared.NewMerchant(t, nil)
	limit := func(max string) map[string]any {
		return map[string]any{"tabby": map[string]any{"limits": map[string]any{"AED": map[string]any{"min": "1.00", "max": max}}}}
	}
	status := func(m *e2e.Merchant, key string) string {
		r := m.Env.Do(t, e2e.Req{Method: http.MethodPost, Path: "/api/v2/checkout", Key: key, Body: e2e.CheckoutBody()})
		e2e.WantStatus(t, r, http.StatusOK)
		return r.Str("status")
	}
	for _, step := range []struct{ max, want string }{{"50.00", "rejected"}, {"500.00", "created"}, {"99.00", "rejected"}} {
		a.Settings(limit(step.max))
		for _, key := range []string{a.SecretKey, a.PublicKey} {
			if got := status(a, key); got != step.want {
				t.Errorf("a 100.00 session with AED max %s: %s, want %s", step.max, got, step.want)
			}
		}
		if got := status(b, b.SecretKey); got != "created" {
			t.Errorf("the other merchant's session while a's AED max is %s: %s, want created", step.max, got)
		}
	}
}
