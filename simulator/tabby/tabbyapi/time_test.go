package tabbyapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
)

func TestTime_SessionExpiresThenPayment(t *testing.T) {
	m := newMerchant(t)
	r := m.Checkout()
	id, sid := r.Str("payment.id"), r.Str("id")
	created := e2e.MustTime(t, r.Str("payment.created_at"))
	e2e.WantField(t, r, "payment.expires_at", created.Add(20*time.Minute).Format(time.RFC3339))

	m.Advance("19m")
	e2e.WantField(t, m.Get("/api/v2/checkout/"+sid), "status", "created")

	m.Advance("2m") // 21 minutes
	s := m.Get("/api/v2/checkout/" + sid)
	e2e.WantStatus(t, s, http.StatusOK)
	e2e.WantField(t, s, "status", "expired")
	e2e.WantField(t, s, "payment.status", "CREATED")
	e2e.WantField(t, m.Payment(id), "status", "CREATED")

	// The customer can no longer pay.
	a := m.Act(id, "approve")
	e2e.WantStatus(t, a, http.StatusConflict)
	e2e.WantField(t, m.Payment(id), "status", "CREATED")

	m.Advance("3m") // 24 minutes
	e2e.WantField(t, m.Payment(id), "status", "CREATED")
	m.Advance("2m") // 26 minutes
	p := m.Payment(id)
	e2e.WantField(t, p, "status", "EXPIRED")
	e2e.WantArrayLen(t, p, "captures", 0)
	e2e.WantField(t, m.Get("/api/v2/checkout/"+sid), "status", "expired")
}

func TestTime_PaymentExpiresAtExactly25Minutes(t *testing.T) {
	m := newMerchant(t)
	id, _ := m.Session()
	m.Advance("24m59s")
	e2e.WantField(t, m.Payment(id), "status", "CREATED")
	m.Advance("1s")
	e2e.WantField(t, m.Payment(id), "status", "EXPIRED")
}

func TestTime_PerMerchantTimings(t *testing.T) {
	m := newMerchant(t)
	m.Settings(map[string]any{"tabby": map[string]any{"session_ttl": "10m", "expire_after_session": "2m"}})
	r := m.Checkout()
	id, sid := r.Str("payment.id"), r.Str("id")
	created := e2e.MustTime(t, r.Str("payment.created_at"))
	e2e.WantField(t, r, "payment.expires_at", created.Add(10*time.Minute).Format(time.RFC3339))

	m.Advance("9m")
	e2e.WantField(t, m.Get("/api/v2/checkout/"+sid), "status", "created")
	m.Advance("2m") // 11 minutes
	e2e.WantField(t, m.Get("/api/v2/checkout/"+sid), "status", "expired")
	e2e.WantField(t, m.Payment(id), "status", "CREATED")
	e2e.WantStatus(t, m.Act(id, "approve"), http.StatusConflict)
	m.Advance("1m") // 12 minutes
	e2e.WantField(t, m.Payment(id), "status", "EXPIRED")

	// The settings read back as they were written.
	g := m.Ctl(http.MethodGet, "/merchants/"+m.ID, nil)
	e2e.WantField(t, g, "settings.tabby.session_ttl", "10m")
	e2e.WantField(t, g, "settings.tabby.expire_after_session", "2m")
}

func TestTime_AutoCaptureAfter21Days(t *testing.T) {
	m := newMerchant(t)
	id := m.Authorized("100.00")
	m.Advance("20d")
	e2e.WantField(t, m.Payment(id), "status", "AUTHORIZED")
	m.Advance("24h1m")
	p := m.Payment(id)
	e2e.WantField(t, p, "status", "CLOSED")
	e2e.WantArrayLen(t, p, "captures", 1)
	e2e.WantField(t, p, "captures.0.amount", "100.00")
	e2e.WantField(t, p, "captures.0.reference_id", "")
	// Tabby captured it: refunds work as on any captured payment.
	e2e.WantStatus(t, m.Refund(id, "100.00", "r"), http.StatusOK)
}

func TestTime_AutoCaptureTakesTheRemainder(t *testing.T) {
	m := newMerchant(t)
	id := m.Authorized("100.00")
	e2e.WantStatus(t, m.Capture(id, "30.00", "part"), http.StatusOK)
	m.Advance("21d")
	m.Advance("1m")
	p := m.Payment(id)
	e2e.WantField(t, p, "status", "CLOSED")
	e2e.WantArrayLen(t, p, "captures", 2)
	e2e.WantField(t, p, "captures.0.reference_id", "part")
	e2e.WantField(t, p, "captures.1.amount", "70.00")
	e2e.WantField(t, p, "captures.1.reference_id", "")
}

func TestTime_AutoCaptureLeavesClosedPaymentsAlone(t *testing.T) {
	m := newMerchant(t)
	id := m.Authorized("100.00")
	e2e.WantStatus(t, m.Capture(id, "30.00", "part"), http.StatusOK)
	e2e.WantStatus(t, m.Post("/api/v2/payments/"+id+"/close", nil), http.StatusOK)
	m.Advance("22d")
	p := m.Payment(id)
	e2e.WantField(t, p, "status", "CLOSED")
	e2e.WantArrayLen(t, p, "captures", 1)
}

func TestTime_AutoCaptureOff(t *testing.T) {
	m := newMerchant(t)
	m.Settings(map[string]any{"tabby": map[string]any{"auto_capture": "off"}})
	id := m.Authorized("100.00")
	m.Advance("22d")
	p := m.Payment(id)
	e2e.WantField(t, p, "status", "AUTHORIZED")
	e2e.WantArrayLen(t, p, "captures", 0)
}

func TestTime_AutoCaptureImmediate(t *testing.T) {
	m := newMerchant(t)
	m.Settings(map[string]any{"tabby": map[string]any{"auto_capture": "immediate"}})
	id, _ := m.Session()
	r := m.Act(id, "approve")
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "status", "CLOSED")
	e2e.WantField(t, r, "redirect_url", e2e.SuccessURL+"?payment_id="+id)
	p := m.Payment(id)
	e2e.WantField(t, p, "status", "CLOSED")
	e2e.WantArrayLen(t, p, "captures", 1)
	e2e.WantField(t, p, "captures.0.amount", "100.00")
	e2e.WantField(t, p, "captures.0.reference_id", "")
	r = m.Capture(id, "1.00", "late")
	e2e.WantError(t, r, http.StatusBadRequest, "bad_data", "could not capture not authorized payments")
}

func TestTime_ExpiresAt(t *testing.T) {
	m := newMerchant(t)
	r := m.Checkout()
	id := r.Str("payment.id")
	created := e2e.MustTime(t, r.Str("payment.created_at"))
	e2e.WantField(t, m.Payment(id), "expires_at", created.Add(20*time.Minute).Format(time.RFC3339))

	m.Advance("5m")
	authorizedAt := m.Now()
	e2e.WantStatus(t, m.Act(id, "approve"), http.StatusOK)
	want := authorizedAt.AddDate(1, 0, 0).Format(time.RFC3339)
	e2e.WantField(t, m.Payment(id), "expires_at", want)
	// The embedded payment of the session says the same.
	e2e.WantField(t, m.Get("/api/v2/checkout/"+r.Str("id")), "payment.expires_at", want)
}

func TestTime_CustomerActionAfterSessionExpiry(t *testing.T) {
	m := newMerchant(t)
	for _, action := range []string{"approve", "reject", "cancel", "approve_without_redirect", "abandon"} {
		id, _ := m.Session()
		m.Advance("20m")
		r := m.Act(id, action)
		e2e.WantStatus(t, r, http.StatusConflict)
		e2e.WantField(t, m.Payment(id), "status", "CREATED")
	}
}

func TestIsolation_ClocksArePerMerchant(t *testing.T) {
	a := newMerchant(t)
	b := shared.NewMerchant(t, nil)
	aID, aSID := a.Session()
	bID, bSID := b.Session()
	bNow := b.Now()

	a.Advance("26m")
	e2e.WantField(t, a.Payment(aID), "status", "EXPIRED")
	e2e.WantField(t, a.Get("/api/v2/checkout/"+aSID), "status", "expired")

	if got := b.Now(); !got.Equal(bNow) {
		t.Errorf("advancing one merchant moved another's clock from %s to %s", bNow, got)
	}
	e2e.WantField(t, b.Get("/api/v2/checkout/"+bSID), "status", "created")
	e2e.WantField(t, b.Payment(bID), "status", "CREATED")
	r := b.Act(bID, "approve")
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "status", "AUTHORIZED")
}

func TestTime_AuthorizedPaymentDoesNotExpire(t *testing.T) {
	m := newMerchant(t)
	id := m.Authorized("100.00")
	m.Advance("26m")
	p := m.Payment(id)
	e2e.WantField(t, p, "status", "AUTHORIZED")
	// Abandoning does not keep a checkout alive either.
	id2, _ := m.Session()
	e2e.WantStatus(t, m.Act(id2, "abandon"), http.StatusOK)
	m.Advance("26m")
	e2e.WantField(t, m.Payment(id2), "status", "EXPIRED")
	e2e.WantField(t, m.Payment(id), "status", "AUTHORIZED")
}
