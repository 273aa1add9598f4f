package tabbyapi_test

import (
	"net/http"
	"testing"
	"time"
)

func TestTime_SessionExpiresThenPayment(t *testing.T) {
	m := newMerchant(t)
	r := m.checkout()
	id, sid := r.str("payment.id"), r.str("id")
	created := mustTime(t, r.str("payment.created_at"))
	wantField(t, r, "payment.expires_at", created.Add(20*time.Minute).Format(time.RFC3339))

	m.advance("19m")
	wantField(t, m.get("/api/v2/checkout/"+sid), "status", "created")

	m.advance("2m") // 21 minutes
	s := m.get("/api/v2/checkout/" + sid)
	wantStatus(t, s, http.StatusOK)
	wantField(t, s, "status", "expired")
	wantField(t, s, "payment.status", "CREATED")
	wantField(t, m.payment(id), "status", "CREATED")

	// The customer can no longer pay.
	a := m.act(id, "approve")
	wantStatus(t, a, http.StatusConflict)
	wantField(t, m.payment(id), "status", "CREATED")

	m.advance("3m") // 24 minutes
	wantField(t, m.payment(id), "status", "CREATED")
	m.advance("2m") // 26 minutes
	p := m.payment(id)
	wantField(t, p, "status", "EXPIRED")
	wantArrayLen(t, p, "captures", 0)
	wantField(t, m.get("/api/v2/checkout/"+sid), "status", "expired")
}

func TestTime_PaymentExpiresAtExactly25Minutes(t *testing.T) {
	m := newMerchant(t)
	id, _ := m.session()
	m.advance("24m59s")
	wantField(t, m.payment(id), "status", "CREATED")
	m.advance("1s")
	wantField(t, m.payment(id), "status", "EXPIRED")
}

func TestTime_PerMerchantTimings(t *testing.T) {
	m := newMerchant(t)
	m.settings(map[string]any{"tabby": map[string]any{"session_ttl": "10m", "expire_after_session": "2m"}})
	r := m.checkout()
	id, sid := r.str("payment.id"), r.str("id")
	created := mustTime(t, r.str("payment.created_at"))
	wantField(t, r, "payment.expires_at", created.Add(10*time.Minute).Format(time.RFC3339))

	m.advance("9m")
	wantField(t, m.get("/api/v2/checkout/"+sid), "status", "created")
	m.advance("2m") // 11 minutes
	wantField(t, m.get("/api/v2/checkout/"+sid), "status", "expired")
	wantField(t, m.payment(id), "status", "CREATED")
	wantStatus(t, m.act(id, "approve"), http.StatusConflict)
	m.advance("1m") // 12 minutes
	wantField(t, m.payment(id), "status", "EXPIRED")

	// The settings read back as they were written.
	g := m.ctl(http.MethodGet, "/merchants/"+m.id, nil)
	wantField(t, g, "settings.tabby.session_ttl", "10m")
	wantField(t, g, "settings.tabby.expire_after_session", "2m")
}

func TestTime_AutoCaptureAfter21Days(t *testing.T) {
	m := newMerchant(t)
	id := m.authorized("100.00")
	m.advance("20d")
	wantField(t, m.payment(id), "status", "AUTHORIZED")
	m.advance("24h1m")
	p := m.payment(id)
	wantField(t, p, "status", "CLOSED")
	wantArrayLen(t, p, "captures", 1)
	wantField(t, p, "captures.0.amount", "100.00")
	wantField(t, p, "captures.0.reference_id", "")
	// Tabby captured it: refunds work as on any captured payment.
	wantStatus(t, m.refund(id, "100.00", "r"), http.StatusOK)
}

func TestTime_AutoCaptureTakesTheRemainder(t *testing.T) {
	m := newMerchant(t)
	id := m.authorized("100.00")
	wantStatus(t, m.capture(id, "30.00", "part"), http.StatusOK)
	m.advance("21d")
	m.advance("1m")
	p := m.payment(id)
	wantField(t, p, "status", "CLOSED")
	wantArrayLen(t, p, "captures", 2)
	wantField(t, p, "captures.0.reference_id", "part")
	wantField(t, p, "captures.1.amount", "70.00")
	wantField(t, p, "captures.1.reference_id", "")
}

func TestTime_AutoCaptureLeavesClosedPaymentsAlone(t *testing.T) {
	m := newMerchant(t)
	id := m.authorized("100.00")
	wantStatus(t, m.capture(id, "30.00", "part"), http.StatusOK)
	wantStatus(t, m.post("/api/v2/payments/"+id+"/close", nil), http.StatusOK)
	m.advance("22d")
	p := m.payment(id)
	wantField(t, p, "status", "CLOSED")
	wantArrayLen(t, p, "captures", 1)
}

func TestTime_AutoCaptureOff(t *testing.T) {
	m := newMerchant(t)
	m.settings(map[string]any{"tabby": map[string]any{"auto_capture": "off"}})
	id := m.authorized("100.00")
	m.advance("22d")
	p := m.payment(id)
	wantField(t, p, "status", "AUTHORIZED")
	wantArrayLen(t, p, "captures", 0)
}

func TestTime_AutoCaptureImmediate(t *testing.T) {
	m := newMerchant(t)
	m.settings(map[string]any{"tabby": map[string]any{"auto_capture": "immediate"}})
	id, _ := m.session()
	r := m.act(id, "approve")
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "status", "CLOSED")
	wantField(t, r, "redirect_url", successURL+"?payment_id="+id)
	p := m.payment(id)
	wantField(t, p, "status", "CLOSED")
	wantArrayLen(t, p, "captures", 1)
	wantField(t, p, "captures.0.amount", "100.00")
	wantField(t, p, "captures.0.reference_id", "")
	r = m.capture(id, "1.00", "late")
	wantError(t, r, http.StatusBadRequest, "bad_data", "could not capture not authorized payments")
}

func TestTime_ExpiresAt(t *testing.T) {
	m := newMerchant(t)
	r := m.checkout()
	id := r.str("payment.id")
	created := mustTime(t, r.str("payment.created_at"))
	wantField(t, m.payment(id), "expires_at", created.Add(20*time.Minute).Format(time.RFC3339))

	m.advance("5m")
	authorizedAt := m.now()
	wantStatus(t, m.act(id, "approve"), http.StatusOK)
	want := authorizedAt.AddDate(1, 0, 0).Format(time.RFC3339)
	wantField(t, m.payment(id), "expires_at", want)
	// The embedded payment of the session says the same.
	wantField(t, m.get("/api/v2/checkout/"+r.str("id")), "payment.expires_at", want)
}

func TestTime_CustomerActionAfterSessionExpiry(t *testing.T) {
	m := newMerchant(t)
	for _, action := range []string{"approve", "reject", "cancel", "approve_without_redirect", "abandon"} {
		id, _ := m.session()
		m.advance("20m")
		r := m.act(id, action)
		wantStatus(t, r, http.StatusConflict)
		wantField(t, m.payment(id), "status", "CREATED")
	}
}

func TestIsolation_ClocksArePerMerchant(t *testing.T) {
	a := newMerchant(t)
	b := newMerchantOn(t, shared)
	aID, aSID := a.session()
	bID, bSID := b.session()
	bNow := b.now()

	a.advance("26m")
	wantField(t, a.payment(aID), "status", "EXPIRED")
	wantField(t, a.get("/api/v2/checkout/"+aSID), "status", "expired")

	if got := b.now(); !got.Equal(bNow) {
		t.Errorf("advancing one merchant moved another's clock from %s to %s", bNow, got)
	}
	wantField(t, b.get("/api/v2/checkout/"+bSID), "status", "created")
	wantField(t, b.payment(bID), "status", "CREATED")
	r := b.act(bID, "approve")
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "status", "AUTHORIZED")
}

func TestTime_AuthorizedPaymentDoesNotExpire(t *testing.T) {
	m := newMerchant(t)
	id := m.authorized("100.00")
	m.advance("26m")
	p := m.payment(id)
	wantField(t, p, "status", "AUTHORIZED")
	// Abandoning does not keep a checkout alive either.
	id2, _ := m.session()
	wantStatus(t, m.act(id2, "abandon"), http.StatusOK)
	m.advance("26m")
	wantField(t, m.payment(id2), "status", "EXPIRED")
	wantField(t, m.payment(id), "status", "AUTHORIZED")
}
