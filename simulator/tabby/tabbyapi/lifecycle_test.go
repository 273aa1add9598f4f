package tabbyapi_test

import (
	"net/http"
	"testing"

	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
	"github.com/tidwall/gjson"
)

func TestLifecycle_CustomerActions(t *testing.T) {
	m := newMerchant(t)
	for _, tc := range []struct {
		action   string
		status   string
		redirect string // "" wants redirect_url null; otherwise the URL before payment_id
		sep      string
		session  string // the session's status afterwards; "" skips the check
	}{
		{"approve", "AUTHORIZED", e2e.SuccessURL, "?", "created"},
		{"reject", "REJECTED", e2e.FailureURL, "&", ""}, // undocumented; not pinned
		{"cancel", "EXPIRED", e2e.CancelURL, "?", "expired"},
		{"approve_without_redirect", "AUTHORIZED", "", "", "created"},
		{"abandon", "CREATED", "", "", "created"},
	} {
		t.Run(tc.action, func(t *testing.T) {
			id, sid := m.Session()
			r := m.Act(id, tc.action)
			e2e.WantStatus(t, r, http.StatusOK)
			e2e.WantField(t, r, "payment_id", id)
			e2e.WantField(t, r, "status", tc.status)
			if tc.redirect == "" {
				if v := r.JSON.Get("redirect_url"); v.Type != gjson.Null {
					t.Errorf("redirect_url = %s, want null", v.Raw)
				}
			} else {
				e2e.WantField(t, r, "redirect_url", tc.redirect+tc.sep+"payment_id="+id)
			}
			p := m.Env.Do(t, e2e.Req{Method: http.MethodGet, Path: "/api/v2/payments/" + id, Key: m.SecretKey})
			e2e.WantStatus(t, p, http.StatusOK)
			e2e.WantField(t, p, "status", tc.status)
			s := m.Env.Do(t, e2e.Req{Method: http.MethodGet, Path: "/api/v2/checkout/" + sid, Key: m.SecretKey})
			if tc.session != "" {
				e2e.WantField(t, s, "status", tc.session)
			}
			e2e.WantField(t, s, "payment.status", tc.status)
		})
	}
}

func TestLifecycle_ActionsOnFinishedPaymentConflict(t *testing.T) {
	m := newMerchant(t)
	for _, first := range []string{"approve", "reject", "cancel", "approve_without_redirect"} {
		t.Run(first, func(t *testing.T) {
			id, _ := m.Session()
			e2e.WantStatus(t, m.Act(id, first), http.StatusOK)
			before := m.Env.Do(t, e2e.Req{Method: http.MethodGet, Path: "/api/v2/payments/" + id, Key: m.SecretKey}).Str("status")
			for _, again := range []string{"approve", "reject", "cancel", "approve_without_redirect", "abandon"} {
				r := m.Act(id, again)
				if r.Status != http.StatusConflict || r.Str("error") == "" {
					t.Errorf("%s after %s: want 409 with an error, got %s", again, first, r)
				}
			}
			after := m.Env.Do(t, e2e.Req{Method: http.MethodGet, Path: "/api/v2/payments/" + id, Key: m.SecretKey}).Str("status")
			if after != before {
				t.Errorf("status moved from %s to %s after refused actions", before, after)
			}
		})
	}
	// Abandoning leaves the checkout open: the customer can still pay.
	id, _ := m.Session()
	e2e.WantStatus(t, m.Act(id, "abandon"), http.StatusOK)
	r := m.Act(id, "approve")
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "status", "AUTHORIZED")
}

func TestLifecycle_UnknownActionAndPayment(t *testing.T) {
	m := newMerchant(t)
	id, _ := m.Session()
	r := m.Act(id, "dance")
	e2e.WantStatus(t, r, http.StatusBadRequest)
	r = m.Act("00000000-0000-4000-8000-00000000beef", "approve")
	e2e.WantStatus(t, r, http.StatusNotFound)
	e2e.WantField(t, m.Payment(id), "status", "CREATED")
}

func TestLifecycle_AuthorizedPaymentObject(t *testing.T) {
	m := newMerchant(t)
	id := m.Authorized("250.50")
	p := m.Payment(id)
	e2e.WantField(t, p, "id", id)
	e2e.WantField(t, p, "status", "AUTHORIZED")
	e2e.WantField(t, p, "amount", "250.50")
	e2e.WantField(t, p, "currency", "AED")
	e2e.WantField(t, p, "is_test", "true")
	e2e.WantField(t, p, "buyer.email", "otp.success@tabby.ai")
	e2e.WantField(t, p, "order.reference_id", "1001")
	e2e.WantField(t, p, "shipping_address.city", "Dubai")
	e2e.WantArrayLen(t, p, "captures", 0)
	e2e.WantArrayLen(t, p, "refunds", 0)
	if v := p.JSON.Get("amount"); v.Type != gjson.String {
		t.Errorf("amount = %s, want a JSON string", v.Raw)
	}
}
