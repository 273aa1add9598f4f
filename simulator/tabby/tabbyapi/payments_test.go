package tabbyapi_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
)

// paymentIn returns a fresh payment of merchant m in the named state.
func paymentIn(m *e2e.Merchant, state string) string {
	m.T.Helper()
	switch state {
	case "CREATED":
		id, _ := m.Session()
		return id
	case "AUTHORIZED":
		return m.Authorized("100.00")
	case "EXPIRED", "REJECTED":
		id, _ := m.Session()
		action := map[string]string{"EXPIRED": "cancel", "REJECTED": "reject"}[state]
		if r := m.Act(id, action); r.Status != http.StatusOK || r.Str("status") != state {
			m.T.Fatalf("%s: %s", action, r)
		}
		return id
	case "CLOSED":
		id := m.Authorized("100.00")
		if r := m.Post("/api/v2/payments/"+id+"/close", nil); r.Status != http.StatusOK {
			m.T.Fatalf("close: %s", r)
		}
		return id
	case "CAPTURED":
		return m.Closed("100.00")
	}
	m.T.Fatalf("no state %s", state)
	return ""
}

func TestCapture_RequiresAuthorized(t *testing.T) {
	m := newMerchant(t)
	for _, state := range []string{"CREATED", "EXPIRED", "REJECTED", "CLOSED", "CAPTURED"} {
		t.Run(state, func(t *testing.T) {
			id := paymentIn(m, state)
			before := m.Payment(id)
			r := m.Env.Do(t, e2e.Req{Method: http.MethodPost, Path: "/api/v2/payments/" + id + "/captures", Key: m.SecretKey,
				Body: map[string]any{"amount": "10.00", "reference_id": "late-" + state}})
			e2e.WantError(t, r, http.StatusBadRequest, "bad_data", "could not capture not authorized payments")
			after := m.Payment(id)
			e2e.WantField(t, after, "status", before.Str("status"))
			if a, b := len(after.JSON.Get("captures").Array()), len(before.JSON.Get("captures").Array()); a != b {
				t.Errorf("captures went from %d to %d", b, a)
			}
		})
	}
}

func TestCapture_PartialThenFull(t *testing.T) {
	m := newMerchant(t)
	id := m.Authorized("100.00")

	r := m.Capture(id, "30.00", "cap-1")
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "status", "AUTHORIZED")
	e2e.WantArrayLen(t, r, "captures", 1)
	e2e.WantField(t, r, "captures.0.amount", "30.00")
	e2e.WantField(t, r, "captures.0.reference_id", "cap-1")
	if r.Str("captures.0.id") == "" || r.Str("captures.0.created_at") == "" {
		t.Errorf("capture lacks id or created_at: %s", r.JSON.Get("captures.0").Raw)
	}
	e2e.WantArrayLen(t, r, "refunds", 0)

	r = m.Capture(id, "20.5", "cap-2")
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "status", "AUTHORIZED")
	e2e.WantArrayLen(t, r, "captures", 2)
	e2e.WantField(t, r, "captures.1.amount", "20.50")

	// Capturing the rest (sum == amount) closes the payment.
	r = m.Capture(id, "49.50", "cap-3")
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "status", "CLOSED")
	e2e.WantArrayLen(t, r, "captures", 3)

	p := m.Payment(id)
	e2e.WantField(t, p, "status", "CLOSED")
	e2e.WantArrayLen(t, p, "captures", 3)
}

func TestCapture_FullAmountAtOnceCloses(t *testing.T) {
	m := newMerchant(t)
	id := m.Authorized("100.00")
	r := m.Capture(id, "100", "all")
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "status", "CLOSED")
	e2e.WantField(t, r, "captures.0.amount", "100.00")
}

func TestCapture_OverCapture(t *testing.T) {
	m := newMerchant(t)
	id := m.Authorized("100.00")
	r := m.Capture(id, "100.01", "too-much")
	e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "100.01", "100.00")
	e2e.WantStatus(t, m.Capture(id, "60.00", "part"), http.StatusOK)
	r = m.Capture(id, "40.01", "too-much-2")
	e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "40.01", "40.00")
	p := m.Payment(id)
	e2e.WantField(t, p, "status", "AUTHORIZED")
	e2e.WantArrayLen(t, p, "captures", 1)
}

func TestCapture_BadRequests(t *testing.T) {
	m := newMerchant(t)
	id := m.Authorized("100.00")
	for _, tc := range []struct {
		name string
		body map[string]any
		want string
	}{
		{"no amount", map[string]any{"reference_id": "a"}, "amount"},
		{"zero", map[string]any{"amount": "0", "reference_id": "b"}, "amount"},
		{"three decimals", map[string]any{"amount": "1.005", "reference_id": "c"}, "amount"},
		{"not a number", map[string]any{"amount": "ten", "reference_id": "d"}, "amount"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := m.Env.Do(t, e2e.Req{Method: http.MethodPost, Path: "/api/v2/payments/" + id + "/captures", Key: m.SecretKey, Body: tc.body})
			e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", tc.want)
		})
	}
	r := m.Env.Do(t, e2e.Req{Method: http.MethodPost, Path: "/api/v2/payments/" + id + "/captures", Key: m.SecretKey, Body: "{"})
	e2e.WantError(t, r, http.StatusBadRequest, "bad_data", "could not decode request")
	e2e.WantArrayLen(t, m.Payment(id), "captures", 0)
}

func TestCapture_IdempotentReferenceID(t *testing.T) {
	m := newMerchant(t)
	id := m.Authorized("100.00")
	first := m.Capture(id, "40.00", "cap-A")
	e2e.WantStatus(t, first, http.StatusOK)
	capID := first.Str("captures.0.id")

	// The same reference_id again: 200, nothing new, whatever the amount.
	for _, amount := range []string{"40.00", "10.00"} {
		r := m.Capture(id, amount, "cap-A")
		e2e.WantStatus(t, r, http.StatusOK)
		e2e.WantArrayLen(t, r, "captures", 1)
		e2e.WantField(t, r, "captures.0.id", capID)
		e2e.WantField(t, r, "captures.0.amount", "40.00")
		e2e.WantField(t, r, "status", "AUTHORIZED")
	}

	// A different reference_id is a new capture.
	r := m.Capture(id, "60.00", "cap-B")
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantArrayLen(t, r, "captures", 2)
	e2e.WantField(t, r, "status", "CLOSED")

	// Retrying either after the payment closed is still a 200 replay.
	for _, ref := range []string{"cap-A", "cap-B"} {
		r := m.Capture(id, "60.00", ref)
		e2e.WantStatus(t, r, http.StatusOK)
		e2e.WantArrayLen(t, r, "captures", 2)
		e2e.WantField(t, r, "status", "CLOSED")
	}
	// A new reference_id on the closed payment is refused.
	r = m.Capture(id, "1.00", "cap-C")
	e2e.WantError(t, r, http.StatusBadRequest, "bad_data", "could not capture not authorized payments")
}

func TestCapture_ArraysNeverNull(t *testing.T) {
	m := newMerchant(t)
	for _, state := range []string{"CREATED", "AUTHORIZED", "EXPIRED", "REJECTED", "CLOSED"} {
		p := m.Payment(paymentIn(m, state))
		e2e.WantArrayLen(t, p, "captures", 0)
		e2e.WantArrayLen(t, p, "refunds", 0)
	}
	closed := m.Closed("100.00")
	p := m.Payment(closed)
	e2e.WantArrayLen(t, p, "captures", 1)
	e2e.WantArrayLen(t, p, "refunds", 0)
	e2e.WantArrayLen(t, p, "captures.0.items", 0)
}

func TestRefund_RequiresCaptures(t *testing.T) {
	m := newMerchant(t)
	id := m.Authorized("100.00")
	r := m.Refund(id, "10.00", "ref-1")
	e2e.WantError(t, r, http.StatusBadRequest, "bad_data", "can not refund payment that has no captures and not closed")
	for _, state := range []string{"CREATED", "EXPIRED", "REJECTED"} {
		r := m.Refund(paymentIn(m, state), "10.00", "ref-1")
		e2e.WantError(t, r, http.StatusBadRequest, "bad_data", "can not refund payment that has no captures and not closed")
	}
	// Partially captured but still AUTHORIZED: refused with a message that
	// says to close it first.
	e2e.WantStatus(t, m.Capture(id, "50.00", "cap"), http.StatusOK)
	r = m.Refund(id, "10.00", "ref-1")
	e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "not closed")
	e2e.WantArrayLen(t, m.Payment(id), "refunds", 0)
}

func TestRefund_ClosedWithoutCapturesHasNothingToRefund(t *testing.T) {
	m := newMerchant(t)
	id := paymentIn(m, "CLOSED")
	r := m.Refund(id, "10.00", "ref-1")
	e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "10.00")
	e2e.WantArrayLen(t, m.Payment(id), "refunds", 0)
}

func TestRefund_PartialThenFull(t *testing.T) {
	m := newMerchant(t)
	id := m.Closed("100.00")

	r := m.Refund(id, "30.00", "ref-1")
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "status", "CLOSED")
	e2e.WantArrayLen(t, r, "refunds", 1)
	e2e.WantField(t, r, "refunds.0.amount", "30.00")
	e2e.WantField(t, r, "refunds.0.reference_id", "ref-1")
	e2e.WantField(t, r, "refunds.0.reason", "returned")

	r = m.Refund(id, "70.00", "ref-2")
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "status", "CLOSED")
	e2e.WantArrayLen(t, r, "refunds", 2)

	// Everything is refunded: one fils more is too much.
	r = m.Refund(id, "0.01", "ref-3")
	e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "0.01")
	e2e.WantArrayLen(t, m.Payment(id), "refunds", 2)
}

func TestRefund_PartialCaptureThenClose(t *testing.T) {
	m := newMerchant(t)
	id := m.Authorized("100.00")
	e2e.WantStatus(t, m.Capture(id, "40.00", "cap"), http.StatusOK)
	r := m.Post("/api/v2/payments/"+id+"/close", nil)
	e2e.WantField(t, r, "status", "CLOSED")
	// Only what was captured can be refunded.
	r = m.Refund(id, "40.01", "too-much")
	e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "40.01", "40.00")
	r = m.Refund(id, "40.00", "all")
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantArrayLen(t, r, "refunds", 1)
}

func TestRefund_OverRefund(t *testing.T) {
	m := newMerchant(t)
	id := m.Closed("100.00")
	r := m.Refund(id, "100.01", "too-much")
	e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "100.01", "100.00")
	e2e.WantArrayLen(t, m.Payment(id), "refunds", 0)
}

func TestRefund_IdempotentReferenceID(t *testing.T) {
	m := newMerchant(t)
	id := m.Closed("100.00")
	first := m.Refund(id, "25.00", "ref-A")
	e2e.WantStatus(t, first, http.StatusOK)
	for _, amount := range []string{"25.00", "5.00"} {
		r := m.Refund(id, amount, "ref-A")
		e2e.WantStatus(t, r, http.StatusOK)
		e2e.WantArrayLen(t, r, "refunds", 1)
		e2e.WantField(t, r, "refunds.0.id", first.Str("refunds.0.id"))
		e2e.WantField(t, r, "refunds.0.amount", "25.00")
	}
	r := m.Refund(id, "25.00", "ref-B")
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantArrayLen(t, r, "refunds", 2)
}

func TestRefund_BadAmounts(t *testing.T) {
	m := newMerchant(t)
	id := m.Closed("100.00")
	for _, body := range []map[string]any{
		{"reference_id": "a"},
		{"amount": "0", "reference_id": "b"},
		{"amount": "1.001", "reference_id": "c"},
	} {
		r := m.Post("/api/v2/payments/"+id+"/refunds", body)
		e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "amount")
	}
	e2e.WantArrayLen(t, m.Payment(id), "refunds", 0)
}

func TestRefund_WindowOf180Days(t *testing.T) {
	m := newMerchant(t)
	id := m.Closed("100.00")
	m.Advance("179d")
	e2e.WantStatus(t, m.Refund(id, "10.00", "in-time"), http.StatusOK)
	m.Advance("2d")
	r := m.Refund(id, "10.00", "too-late")
	e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "180d")
	e2e.WantArrayLen(t, m.Payment(id), "refunds", 1)
	// A retry of the refund made in time is still a replay.
	r = m.Refund(id, "10.00", "in-time")
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantArrayLen(t, r, "refunds", 1)
}

func TestRefund_WindowAfter181Days(t *testing.T) {
	m := newMerchant(t)
	id := m.Closed("100.00")
	m.Advance("181d")
	r := m.Refund(id, "10.00", "too-late")
	e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "refund")
	e2e.WantArrayLen(t, m.Payment(id), "refunds", 0)
}

func TestClose_Authorized(t *testing.T) {
	m := newMerchant(t)
	id := m.Authorized("100.00")
	r := m.Post("/api/v2/payments/"+id+"/close", nil)
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "status", "CLOSED")
	e2e.WantArrayLen(t, r, "captures", 0)
	e2e.WantArrayLen(t, r, "refunds", 0)

	r = m.Post("/api/v2/payments/"+id+"/close", nil)
	e2e.WantError(t, r, http.StatusBadRequest, "bad_data", "already closed")
	// Closing a payment captured in full also answers "already closed".
	r = m.Post("/api/v2/payments/"+m.Closed("100.00")+"/close", nil)
	e2e.WantError(t, r, http.StatusBadRequest, "bad_data", "already closed")
}

func TestClose_AfterPartialCapture(t *testing.T) {
	m := newMerchant(t)
	id := m.Authorized("100.00")
	e2e.WantStatus(t, m.Capture(id, "40.00", "cap"), http.StatusOK)
	r := m.Post("/api/v2/payments/"+id+"/close", nil)
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "status", "CLOSED")
	e2e.WantArrayLen(t, r, "captures", 1)
}

func TestClose_RequiresAuthorized(t *testing.T) {
	m := newMerchant(t)
	for _, state := range []string{"CREATED", "EXPIRED", "REJECTED"} {
		t.Run(state, func(t *testing.T) {
			id := paymentIn(m, state)
			r := m.Env.Do(t, e2e.Req{Method: http.MethodPost, Path: "/api/v2/payments/" + id + "/close", Key: m.SecretKey})
			e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "close")
			if r.Str("error") == "already closed" {
				t.Errorf("a %s payment was never closed, got %q", state, r.Str("error"))
			}
			e2e.WantField(t, m.Payment(id), "status", state)
		})
	}
}

func TestUpdate_ReferenceID(t *testing.T) {
	m := newMerchant(t)
	for _, state := range []string{"AUTHORIZED", "CLOSED", "CAPTURED"} {
		t.Run(state, func(t *testing.T) {
			id := paymentIn(m, state)
			before := m.Payment(id)
			r := m.Env.Do(t, e2e.Req{Method: http.MethodPut, Path: "/api/v2/payments/" + id, Key: m.SecretKey, Body: map[string]any{
				"order":  map[string]any{"reference_id": "new", "tax_amount": "99.00", "items": []any{}},
				"amount": "1.00", "status": "CREATED", "buyer": map[string]any{"email": "x@example.com"},
			}})
			e2e.WantStatus(t, r, http.StatusOK)
			e2e.WantField(t, r, "order.reference_id", "new")
			// Every other field is ignored.
			for _, f := range []string{"status", "amount", "buyer.email", "order.tax_amount", "order.items.#", "captures.#"} {
				e2e.WantField(t, r, f, before.Str(f))
			}
			e2e.WantField(t, m.Payment(id), "order.reference_id", "new")
		})
	}
}

func TestUpdate_RequiresAuthorizedOrClosed(t *testing.T) {
	m := newMerchant(t)
	for _, state := range []string{"CREATED", "EXPIRED", "REJECTED"} {
		id := paymentIn(m, state)
		r := m.API(http.MethodPut, "/api/v2/payments/"+id, map[string]any{"order": map[string]any{"reference_id": "new"}})
		e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", state)
		e2e.WantField(t, m.Payment(id), "order.reference_id", "1001")
	}
}

func TestUpdate_MissingReferenceID(t *testing.T) {
	m := newMerchant(t)
	id := m.Authorized("100.00")
	for _, body := range []map[string]any{
		{},
		{"order": map[string]any{}},
		{"order": map[string]any{"tax_amount": "1.00"}},
		{"reference_id": "top-level"},
	} {
		r := m.API(http.MethodPut, "/api/v2/payments/"+id, body)
		e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "order.reference_id")
	}
	r := m.Env.Do(t, e2e.Req{Method: http.MethodPut, Path: "/api/v2/payments/" + id, Key: m.SecretKey, Body: "nope"})
	e2e.WantError(t, r, http.StatusBadRequest, "bad_data", "could not decode request")
	e2e.WantField(t, m.Payment(id), "order.reference_id", "1001")
}

// TestV1_AliasesBehaveLikeV2 runs the lifecycle through the legacy
// /api/v1/payments paths a shipped plugin still uses.
func TestV1_AliasesBehaveLikeV2(t *testing.T) {
	m := newMerchant(t)
	id := m.Authorized("100.00")
	v1 := "/api/v1/payments/" + id

	r := m.Get(v1)
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "id", id)
	e2e.WantField(t, r, "status", "AUTHORIZED")

	r = m.API(http.MethodPut, v1, map[string]any{"order": map[string]any{"reference_id": "v1-ref"}})
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "order.reference_id", "v1-ref")

	r = m.Post(v1+"/captures", map[string]any{"amount": "60.00", "reference_id": "c1"})
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "status", "AUTHORIZED")
	r = m.Post(v1+"/captures", map[string]any{"amount": "60.00", "reference_id": "c1"})
	e2e.WantArrayLen(t, r, "captures", 1)

	r = m.Post(v1+"/refunds", map[string]any{"amount": "10.00", "reference_id": "r1"})
	e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "not closed")

	r = m.Post(v1+"/close", nil)
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "status", "CLOSED")
	r = m.Post(v1+"/close", nil)
	e2e.WantError(t, r, http.StatusBadRequest, "bad_data", "already closed")

	r = m.Post(v1+"/captures", map[string]any{"amount": "1.00", "reference_id": "c2"})
	e2e.WantError(t, r, http.StatusBadRequest, "bad_data", "could not capture not authorized payments")

	r = m.Post(v1+"/refunds", map[string]any{"amount": "60.00", "reference_id": "r1"})
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantArrayLen(t, r, "refunds", 1)

	// What v1 did, v2 sees, and the other way round.
	p := m.Payment(id)
	e2e.WantField(t, p, "order.reference_id", "v1-ref")
	e2e.WantArrayLen(t, p, "captures", 1)
	e2e.WantArrayLen(t, p, "refunds", 1)

	l := m.Get("/api/v1/payments")
	e2e.WantStatus(t, l, http.StatusOK)
	e2e.WantField(t, l, "pagination.total_count", "1")
	e2e.WantField(t, l, "payments.0.id", id)

	r = m.Get("/api/v1/payments/nope")
	e2e.WantError(t, r, http.StatusBadRequest, "bad_data", "invalid payment id")
	other := shared.NewMerchant(t, nil)
	r = other.Get(v1)
	e2e.WantError(t, r, http.StatusNotFound, "not_found", "no such payment")
}

func TestCapture_ConcurrentRetriesCaptureOnce(t *testing.T) {
	m := newMerchant(t)
	id := m.Authorized("100.00")
	const n = 12
	results := make(chan *e2e.Resp, n)
	for range n {
		go func() {
			var r *e2e.Resp
			defer func() { results <- r }() // also when t.Fatal ends the goroutine
			r = m.Capture(id, "40.00", "same-ref")
		}()
	}
	for range n {
		r := <-results
		if r == nil {
			t.FailNow()
		}
		e2e.WantStatus(t, r, http.StatusOK)
		e2e.WantArrayLen(t, r, "captures", 1)
	}
	e2e.WantArrayLen(t, m.Payment(id), "captures", 1)
}

func TestCapture_ConcurrentCapturesNeverExceedAmount(t *testing.T) {
	m := newMerchant(t)
	id := m.Authorized("100.00")
	const n = 15 // 15 × 10.00 against 100.00: exactly ten fit
	results := make(chan *e2e.Resp, n)
	for i := range n {
		go func() {
			var r *e2e.Resp
			defer func() { results <- r }() // also when t.Fatal ends the goroutine
			r = m.Capture(id, "10.00", "part-"+strconv.Itoa(i))
		}()
	}
	ok, refused := 0, 0
	for range n {
		r := <-results
		if r == nil {
			t.FailNow()
		}
		switch r.Status {
		case http.StatusOK:
			ok++
		case http.StatusBadRequest:
			refused++
		default:
			t.Errorf("unexpected answer %s", r)
		}
	}
	if ok != 10 || refused != 5 {
		t.Errorf("%d captures accepted and %d refused, want 10 and 5", ok, refused)
	}
	p := m.Payment(id)
	e2e.WantField(t, p, "status", "CLOSED")
	e2e.WantArrayLen(t, p, "captures", 10)
}
