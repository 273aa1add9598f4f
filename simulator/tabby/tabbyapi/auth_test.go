package tabbyapi_test

import (
	"net/http"
	"testing"
)

func TestAuth_MissingOrMalformedHeader(t *testing.T) {
	m := newMerchant(t)
	id, _ := m.session()
	for _, tc := range []struct {
		name   string
		header map[string]string
	}{
		{"no header", nil},
		{"no scheme", map[string]string{"Authorization": m.sk}},
		{"basic scheme", map[string]string{"Authorization": "Basic " + m.sk}},
		{"empty bearer", map[string]string{"Authorization": "Bearer "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := m.e.do(t, req{method: http.MethodGet, path: "/api/v2/payments/" + id, header: tc.header})
			wantError(t, r, http.StatusUnauthorized, "not_authorized", "missing Bearer scheme")
		})
	}
}

func TestAuth_UnknownKey(t *testing.T) {
	m := newMerchant(t)
	id, _ := m.session()
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/api/v2/payments/" + id},
		{http.MethodGet, "/api/v2/payments"},
		{http.MethodPost, "/api/v2/payments/" + id + "/close"},
	} {
		r := m.e.do(t, req{method: tc.method, path: tc.path, key: "sk_test_00000000-dead-4bee-8f00-000000000000"})
		wantError(t, r, http.StatusUnauthorized, "not_authorized", "auth: provided key doesn't exist")
	}
	r := m.e.do(t, req{method: http.MethodPost, path: "/api/v2/checkout", key: "pk_test_nobody", body: checkoutBody()})
	wantError(t, r, http.StatusUnauthorized, "not_authorized", "auth: provided key doesn't exist")
}

func TestAuth_PublicKeyOnlyCreatesSessions(t *testing.T) {
	m := newMerchant(t)
	r := m.e.do(t, req{method: http.MethodPost, path: "/api/v2/checkout", key: m.pk, body: checkoutBody()})
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "status", "created")
	wantField(t, r, "payment.status", "CREATED")
	wantField(t, r, "payment.is_test", "true")
	id, sid := r.str("payment.id"), r.str("id")

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
		r := m.e.do(t, req{method: tc.method, path: tc.path, key: m.pk, body: tc.body})
		wantError(t, r, http.StatusUnauthorized, "not_authorized", "invalid secret key")
	}
	// The payment the public key created belongs to the merchant.
	wantField(t, m.payment(id), "id", id)
}

func TestAuth_OtherMerchantsPaymentIsNotFound(t *testing.T) {
	a := newMerchant(t)
	b := newMerchantOn(t, shared)
	id := a.authorized("100.00")
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
		r := b.api(tc.method, tc.path, tc.body)
		wantError(t, r, http.StatusNotFound, "not_found", "no such payment")
	}
	// Nothing the other merchant tried changed the payment.
	p := a.payment(id)
	wantField(t, p, "status", "AUTHORIZED")
	wantField(t, p, "order.reference_id", "1001")
	wantArrayLen(t, p, "captures", 0)

	// A payment id nobody has is the same 404.
	r := a.get("/api/v2/payments/00000000-0000-4000-8000-00000000beef")
	wantError(t, r, http.StatusNotFound, "not_found", "no such payment")
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
		r := m.api(tc.method, tc.path, tc.body)
		wantError(t, r, http.StatusBadRequest, "bad_data", "invalid payment id")
	}
}
