package control_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
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
			r := shared.Ctl(t, http.MethodPost, "/merchants", map[string]any{"id": tc.id, "clock": tc.clock, "start": tc.start})
			e2e.WantCtlError(t, r, http.StatusBadRequest, "start: ", tc.start)
			e2e.WantCtlError(t, shared.Ctl(t, http.MethodGet, "/merchants/"+tc.id, nil), http.StatusNotFound)
		}
	})

	t.Run("wall advance", func(t *testing.T) {
		r := shared.Ctl(t, http.MethodPost, "/merchants", map[string]any{"clock": "wall"})
		e2e.WantStatus(t, r, http.StatusCreated)
		id := r.Str("id")
		r = shared.Ctl(t, http.MethodPost, "/merchants/"+id+"/clock/advance", map[string]any{"to": "2500-01-01T00:00:00Z"})
		e2e.WantCtlError(t, r, http.StatusBadRequest, "to: ", "manual clock")
		// A time.Duration holds about 292 years: the first advance fits in the
		// offset, the second would not.
		r = shared.Ctl(t, http.MethodPost, "/merchants/"+id+"/clock/advance", map[string]any{"by": "2562000h"})
		e2e.WantStatus(t, r, http.StatusOK)
		r = shared.Ctl(t, http.MethodPost, "/merchants/"+id+"/clock/advance", map[string]any{"by": "1000h"})
		e2e.WantCtlError(t, r, http.StatusBadRequest, "by: ", "manual clock")
	})

	t.Run("manual advance", func(t *testing.T) {
		m := shared.NewMerchant(t, nil)
		adv := func(body any) *e2e.Resp { return m.Ctl(http.MethodPost, "/merchants/"+m.ID+"/clock/advance", body) }
		e2e.WantCtlError(t, adv(map[string]any{"to": "9999-12-31T23:59:59Z"}), http.StatusBadRequest, "to: ", latest)
		e2e.WantStatus(t, adv(map[string]any{"to": "8999-12-01T00:00:00Z"}), http.StatusOK)
		e2e.WantCtlError(t, adv(map[string]any{"by": "36500d"}), http.StatusBadRequest, "by: ", latest)
		r := adv(map[string]any{"to": latest})
		e2e.WantStatus(t, r, http.StatusOK)
		e2e.WantField(t, r, "now", latest)
		e2e.WantCtlError(t, adv(map[string]any{"by": "1s"}), http.StatusBadRequest, "by: ", latest)
		e2e.WantField(t, m.Ctl(http.MethodGet, "/merchants/"+m.ID+"/clock", nil), "now", latest)

		// At the limit a payment lives its whole life, and every answer
		// carries times RFC 3339 can hold.
		id, _ := m.Session()
		e2e.WantStatus(t, m.Ctl(http.MethodPost, "/payments/"+id+"/customer", map[string]any{"action": "approve"}), http.StatusOK)
		r = m.API(http.MethodPost, "/api/v2/payments/"+id+"/captures", map[string]any{"amount": "100.00"})
		e2e.WantStatus(t, r, http.StatusOK)
		r = m.API(http.MethodPost, "/api/v2/payments/"+id+"/refunds", map[string]any{"amount": "10.00"})
		e2e.WantStatus(t, r, http.StatusOK)
		for _, p := range []string{"created_at", "expires_at", "captures.0.created_at", "refunds.0.created_at"} {
			if _, err := time.Parse(time.RFC3339, r.Str(p)); err != nil {
				t.Errorf("%s: %v", p, err)
			}
		}
		e2e.WantStatus(t, m.Ctl(http.MethodGet, "/payments/"+id, nil), http.StatusOK)
		r = m.Ctl(http.MethodGet, "/merchants", nil)
		e2e.WantStatus(t, r, http.StatusOK)
		if got := r.JSON.Get(`merchants.#(id=="` + m.ID + `").clock.now`); got.String() != latest {
			t.Errorf("the merchant's clock in the list: %q, want %s (%s)", got.String(), latest, gjson.Get(r.JSON.Raw, "merchants.#.id"))
		}
	})
}
