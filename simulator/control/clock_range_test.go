package control_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// TestClock_RefusesTimesItCannotRepresent: a clock reads at most
// 9000-01-01T00:00:00Z, so that every time derived from its reading (an
// expiry, expires_at a year after authorization, the refund window) keeps
// the four-digit year RFC 3339 needs; a wall clock also stays within the
// offset from real time it can hold. Asking for more is a 400 naming the
// field and changes nothing; at the limit itself, payments still work.
func TestClock_RefusesTimesItCannotRepresent(t *testing.T) {
	t.Parallel()
	const latest = "9000-01-01T00:00:00Z"

	t.Run("start", func(t *testing.T) {
		for _, tc := range []struct{ id, clock, start string }{
			{"late-manual", "manual", "9999-12-31T23:59:59Z"},
			{"just-late-manual", "manual", "9000-01-01T00:00:01Z"},
			{"far-wall", "wall", "2500-01-01T00:00:00Z"},
			{"early-wall", "wall", "1500-01-01T00:00:00Z"},
		} {
			r := shared.ctl(t, http.MethodPost, "/merchants", map[string]any{"id": tc.id, "clock": tc.clock, "start": tc.start})
			wantCtlError(t, r, http.StatusBadRequest, "start: ", tc.start)
			wantCtlError(t, shared.ctl(t, http.MethodGet, "/merchants/"+tc.id, nil), http.StatusNotFound)
		}
	})

	t.Run("wall advance", func(t *testing.T) {
		r := shared.ctl(t, http.MethodPost, "/merchants", map[string]any{"clock": "wall"})
		wantStatus(t, r, http.StatusCreated)
		id := r.str("id")
		r = shared.ctl(t, http.MethodPost, "/merchants/"+id+"/clock/advance", map[string]any{"to": "2500-01-01T00:00:00Z"})
		wantCtlError(t, r, http.StatusBadRequest, "to: ", "manual clock")
		// A time.Duration holds about 292 years: the first advance fits in the
		// offset, the second would not.
		r = shared.ctl(t, http.MethodPost, "/merchants/"+id+"/clock/advance", map[string]any{"by": "2562000h"})
		wantStatus(t, r, http.StatusOK)
		r = shared.ctl(t, http.MethodPost, "/merchants/"+id+"/clock/advance", map[string]any{"by": "1000h"})
		wantCtlError(t, r, http.StatusBadRequest, "by: ", "manual clock")
	})

	t.Run("manual advance", func(t *testing.T) {
		m := newMerchantOn(t, shared)
		adv := func(body any) *resp { return m.ctl(http.MethodPost, "/merchants/"+m.id+"/clock/advance", body) }
		wantCtlError(t, adv(map[string]any{"to": "9999-12-31T23:59:59Z"}), http.StatusBadRequest, "to: ", latest)
		wantStatus(t, adv(map[string]any{"to": "8999-12-01T00:00:00Z"}), http.StatusOK)
		wantCtlError(t, adv(map[string]any{"by": "36500d"}), http.StatusBadRequest, "by: ", latest)
		r := adv(map[string]any{"to": latest})
		wantStatus(t, r, http.StatusOK)
		wantField(t, r, "now", latest)
		wantCtlError(t, adv(map[string]any{"by": "1s"}), http.StatusBadRequest, "by: ", latest)
		wantField(t, m.ctl(http.MethodGet, "/merchants/"+m.id+"/clock", nil), "now", latest)

		// At the limit a payment lives its whole life, and every answer
		// carries times RFC 3339 can hold.
		id := m.session("100.00")
		wantStatus(t, m.ctl(http.MethodPost, "/payments/"+id+"/customer", map[string]any{"action": "approve"}), http.StatusOK)
		r = m.api(http.MethodPost, "/api/v2/payments/"+id+"/captures", map[string]any{"amount": "100.00"})
		wantStatus(t, r, http.StatusOK)
		r = m.api(http.MethodPost, "/api/v2/payments/"+id+"/refunds", map[string]any{"amount": "10.00"})
		wantStatus(t, r, http.StatusOK)
		for _, p := range []string{"created_at", "expires_at", "captures.0.created_at", "refunds.0.created_at"} {
			if _, err := time.Parse(time.RFC3339, r.str(p)); err != nil {
				t.Errorf("%s: %v", p, err)
			}
		}
		wantStatus(t, m.ctl(http.MethodGet, "/payments/"+id, nil), http.StatusOK)
		r = m.ctl(http.MethodGet, "/merchants", nil)
		wantStatus(t, r, http.StatusOK)
		if got := r.j.Get(`merchants.#(id=="` + m.id + `").clock.now`); got.String() != latest {
			t.Errorf("the merchant's clock in the list: %q, want %s (%s)", got.String(), latest, gjson.Get(r.j.Raw, "merchants.#.id"))
		}
	})
}
