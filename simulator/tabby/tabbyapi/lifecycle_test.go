package tabbyapi_test

import (
	"net/http"
	"testing"

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
		{"approve", "AUTHORIZED", successURL, "?", "created"},
		{"reject", "REJECTED", failureURL, "&", ""}, // undocumented; not pinned
		{"cancel", "EXPIRED", cancelURL, "?", "expired"},
		{"approve_without_redirect", "AUTHORIZED", "", "", "created"},
		{"abandon", "CREATED", "", "", "created"},
	} {
		t.Run(tc.action, func(t *testing.T) {
			id, sid := m.session()
			r := m.act(id, tc.action)
			wantStatus(t, r, http.StatusOK)
			wantField(t, r, "payment_id", id)
			wantField(t, r, "status", tc.status)
			if tc.redirect == "" {
				if v := r.j.Get("redirect_url"); v.Type != gjson.Null {
					t.Errorf("redirect_url = %s, want null", v.Raw)
				}
			} else {
				wantField(t, r, "redirect_url", tc.redirect+tc.sep+"payment_id="+id)
			}
			p := m.e.do(t, req{method: http.MethodGet, path: "/api/v2/payments/" + id, key: m.sk})
			wantStatus(t, p, http.StatusOK)
			wantField(t, p, "status", tc.status)
			s := m.e.do(t, req{method: http.MethodGet, path: "/api/v2/checkout/" + sid, key: m.sk})
			if tc.session != "" {
				wantField(t, s, "status", tc.session)
			}
			wantField(t, s, "payment.status", tc.status)
		})
	}
}

func TestLifecycle_ActionsOnFinishedPaymentConflict(t *testing.T) {
	m := newMerchant(t)
	for _, first := range []string{"approve", "reject", "cancel", "approve_without_redirect"} {
		t.Run(first, func(t *testing.T) {
			id, _ := m.session()
			wantStatus(t, m.act(id, first), http.StatusOK)
			before := m.e.do(t, req{method: http.MethodGet, path: "/api/v2/payments/" + id, key: m.sk}).str("status")
			for _, again := range []string{"approve", "reject", "cancel", "approve_without_redirect", "abandon"} {
				r := m.act(id, again)
				if r.status != http.StatusConflict || r.str("error") == "" {
					t.Errorf("%s after %s: want 409 with an error, got %s", again, first, r)
				}
			}
			after := m.e.do(t, req{method: http.MethodGet, path: "/api/v2/payments/" + id, key: m.sk}).str("status")
			if after != before {
				t.Errorf("status moved from %s to %s after refused actions", before, after)
			}
		})
	}
	// Abandoning leaves the checkout open: the customer can still pay.
	id, _ := m.session()
	wantStatus(t, m.act(id, "abandon"), http.StatusOK)
	r := m.act(id, "approve")
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "status", "AUTHORIZED")
}

func TestLifecycle_UnknownActionAndPayment(t *testing.T) {
	m := newMerchant(t)
	id, _ := m.session()
	r := m.act(id, "dance")
	wantStatus(t, r, http.StatusBadRequest)
	r = m.act("00000000-0000-4000-8000-00000000beef", "approve")
	wantStatus(t, r, http.StatusNotFound)
	wantField(t, m.payment(id), "status", "CREATED")
}

func TestLifecycle_AuthorizedPaymentObject(t *testing.T) {
	m := newMerchant(t)
	id := m.authorized("250.50")
	p := m.payment(id)
	wantField(t, p, "id", id)
	wantField(t, p, "status", "AUTHORIZED")
	wantField(t, p, "amount", "250.50")
	wantField(t, p, "currency", "AED")
	wantField(t, p, "is_test", "true")
	wantField(t, p, "buyer.email", "otp.success@tabby.ai")
	wantField(t, p, "order.reference_id", "1001")
	wantField(t, p, "shipping_address.city", "Dubai")
	wantArrayLen(t, p, "captures", 0)
	wantArrayLen(t, p, "refunds", 0)
	if v := p.j.Get("amount"); v.Type != gjson.String {
		t.Errorf("amount = %s, want a JSON string", v.Raw)
	}
}
