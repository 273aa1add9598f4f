package tabbyapi_test

import (
	"net/http"
	"strconv"
	"testing"
)

// paymentIn returns a fresh payment of merchant m in the named state.
func paymentIn(m *merchant, state string) string {
	m.t.Helper()
	switch state {
	case "CREATED":
		id, _ := m.session()
		return id
	case "AUTHORIZED":
		return m.authorized("100.00")
	case "EXPIRED", "REJECTED":
		id, _ := m.session()
		action := map[string]string{"EXPIRED": "cancel", "REJECTED": "reject"}[state]
		if r := m.act(id, action); r.status != http.StatusOK || r.str("status") != state {
			m.t.Fatalf("%s: %s", action, r)
		}
		return id
	case "CLOSED":
		id := m.authorized("100.00")
		if r := m.post("/api/v2/payments/"+id+"/close", nil); r.status != http.StatusOK {
			m.t.Fatalf("close: %s", r)
		}
		return id
	case "CAPTURED":
		return m.closed("100.00")
	}
	m.t.Fatalf("no state %s", state)
	return ""
}

func TestCapture_RequiresAuthorized(t *testing.T) {
	m := newMerchant(t)
	for _, state := range []string{"CREATED", "EXPIRED", "REJECTED", "CLOSED", "CAPTURED"} {
		t.Run(state, func(t *testing.T) {
			id := paymentIn(m, state)
			before := m.payment(id)
			r := m.e.do(t, req{method: http.MethodPost, path: "/api/v2/payments/" + id + "/captures", key: m.sk,
				body: map[string]any{"amount": "10.00", "reference_id": "late-" + state}})
			wantError(t, r, http.StatusBadRequest, "bad_data", "could not capture not authorized payments")
			after := m.payment(id)
			wantField(t, after, "status", before.str("status"))
			if a, b := len(after.j.Get("captures").Array()), len(before.j.Get("captures").Array()); a != b {
				t.Errorf("captures went from %d to %d", b, a)
			}
		})
	}
}

func TestCapture_PartialThenFull(t *testing.T) {
	m := newMerchant(t)
	id := m.authorized("100.00")

	r := m.capture(id, "30.00", "cap-1")
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "status", "AUTHORIZED")
	wantArrayLen(t, r, "captures", 1)
	wantField(t, r, "captures.0.amount", "30.00")
	wantField(t, r, "captures.0.reference_id", "cap-1")
	if r.str("captures.0.id") == "" || r.str("captures.0.created_at") == "" {
		t.Errorf("capture lacks id or created_at: %s", r.j.Get("captures.0").Raw)
	}
	wantArrayLen(t, r, "refunds", 0)

	r = m.capture(id, "20.5", "cap-2")
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "status", "AUTHORIZED")
	wantArrayLen(t, r, "captures", 2)
	wantField(t, r, "captures.1.amount", "20.50")

	// Capturing the rest (sum == amount) closes the payment.
	r = m.capture(id, "49.50", "cap-3")
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "status", "CLOSED")
	wantArrayLen(t, r, "captures", 3)

	p := m.payment(id)
	wantField(t, p, "status", "CLOSED")
	wantArrayLen(t, p, "captures", 3)
}

func TestCapture_FullAmountAtOnceCloses(t *testing.T) {
	m := newMerchant(t)
	id := m.authorized("100.00")
	r := m.capture(id, "100", "all")
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "status", "CLOSED")
	wantField(t, r, "captures.0.amount", "100.00")
}

func TestCapture_OverCapture(t *testing.T) {
	m := newMerchant(t)
	id := m.authorized("100.00")
	r := m.capture(id, "100.01", "too-much")
	wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "100.01", "100.00")
	wantStatus(t, m.capture(id, "60.00", "part"), http.StatusOK)
	r = m.capture(id, "40.01", "too-much-2")
	wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "40.01", "40.00")
	p := m.payment(id)
	wantField(t, p, "status", "AUTHORIZED")
	wantArrayLen(t, p, "captures", 1)
}

func TestCapture_BadRequests(t *testing.T) {
	m := newMerchant(t)
	id := m.authorized("100.00")
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
			r := m.e.do(t, req{method: http.MethodPost, path: "/api/v2/payments/" + id + "/captures", key: m.sk, body: tc.body})
			wantErrorContains(t, r, http.StatusBadRequest, "bad_data", tc.want)
		})
	}
	r := m.e.do(t, req{method: http.MethodPost, path: "/api/v2/payments/" + id + "/captures", key: m.sk, raw: "{"})
	wantError(t, r, http.StatusBadRequest, "bad_data", "could not decode request")
	wantArrayLen(t, m.payment(id), "captures", 0)
}

func TestCapture_IdempotentReferenceID(t *testing.T) {
	m := newMerchant(t)
	id := m.authorized("100.00")
	first := m.capture(id, "40.00", "cap-A")
	wantStatus(t, first, http.StatusOK)
	capID := first.str("captures.0.id")

	// The same reference_id again: 200, nothing new, whatever the amount.
	for _, amount := range []string{"40.00", "10.00"} {
		r := m.capture(id, amount, "cap-A")
		wantStatus(t, r, http.StatusOK)
		wantArrayLen(t, r, "captures", 1)
		wantField(t, r, "captures.0.id", capID)
		wantField(t, r, "captures.0.amount", "40.00")
		wantField(t, r, "status", "AUTHORIZED")
	}

	// A different reference_id is a new capture.
	r := m.capture(id, "60.00", "cap-B")
	wantStatus(t, r, http.StatusOK)
	wantArrayLen(t, r, "captures", 2)
	wantField(t, r, "status", "CLOSED")

	// Retrying either after the payment closed is still a 200 replay.
	for _, ref := range []string{"cap-A", "cap-B"} {
		r := m.capture(id, "60.00", ref)
		wantStatus(t, r, http.StatusOK)
		wantArrayLen(t, r, "captures", 2)
		wantField(t, r, "status", "CLOSED")
	}
	// A new reference_id on the closed payment is refused.
	r = m.capture(id, "1.00", "cap-C")
	wantError(t, r, http.StatusBadRequest, "bad_data", "could not capture not authorized payments")
}

func TestCapture_ArraysNeverNull(t *testing.T) {
	m := newMerchant(t)
	for _, state := range []string{"CREATED", "AUTHORIZED", "EXPIRED", "REJECTED", "CLOSED"} {
		p := m.payment(paymentIn(m, state))
		wantArrayLen(t, p, "captures", 0)
		wantArrayLen(t, p, "refunds", 0)
	}
	closed := m.closed("100.00")
	p := m.payment(closed)
	wantArrayLen(t, p, "captures", 1)
	wantArrayLen(t, p, "refunds", 0)
	wantArrayLen(t, p, "captures.0.items", 0)
}

func TestRefund_RequiresCaptures(t *testing.T) {
	m := newMerchant(t)
	id := m.authorized("100.00")
	r := m.refund(id, "10.00", "ref-1")
	wantError(t, r, http.StatusBadRequest, "bad_data", "can not refund payment that has no captures and not closed")
	for _, state := range []string{"CREATED", "EXPIRED", "REJECTED"} {
		r := m.refund(paymentIn(m, state), "10.00", "ref-1")
		wantError(t, r, http.StatusBadRequest, "bad_data", "can not refund payment that has no captures and not closed")
	}
	// Partially captured but still AUTHORIZED: refused with a message that
	// says to close it first.
	wantStatus(t, m.capture(id, "50.00", "cap"), http.StatusOK)
	r = m.refund(id, "10.00", "ref-1")
	wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "not closed")
	wantArrayLen(t, m.payment(id), "refunds", 0)
}

func TestRefund_ClosedWithoutCapturesHasNothingToRefund(t *testing.T) {
	m := newMerchant(t)
	id := paymentIn(m, "CLOSED")
	r := m.refund(id, "10.00", "ref-1")
	wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "10.00")
	wantArrayLen(t, m.payment(id), "refunds", 0)
}

func TestRefund_PartialThenFull(t *testing.T) {
	m := newMerchant(t)
	id := m.closed("100.00")

	r := m.refund(id, "30.00", "ref-1")
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "status", "CLOSED")
	wantArrayLen(t, r, "refunds", 1)
	wantField(t, r, "refunds.0.amount", "30.00")
	wantField(t, r, "refunds.0.reference_id", "ref-1")
	wantField(t, r, "refunds.0.reason", "returned")

	r = m.refund(id, "70.00", "ref-2")
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "status", "CLOSED")
	wantArrayLen(t, r, "refunds", 2)

	// Everything is refunded: one fils more is too much.
	r = m.refund(id, "0.01", "ref-3")
	wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "0.01")
	wantArrayLen(t, m.payment(id), "refunds", 2)
}

func TestRefund_PartialCaptureThenClose(t *testing.T) {
	m := newMerchant(t)
	id := m.authorized("100.00")
	wantStatus(t, m.capture(id, "40.00", "cap"), http.StatusOK)
	r := m.post("/api/v2/payments/"+id+"/close", nil)
	wantField(t, r, "status", "CLOSED")
	// Only what was captured can be refunded.
	r = m.refund(id, "40.01", "too-much")
	wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "40.01", "40.00")
	r = m.refund(id, "40.00", "all")
	wantStatus(t, r, http.StatusOK)
	wantArrayLen(t, r, "refunds", 1)
}

func TestRefund_OverRefund(t *testing.T) {
	m := newMerchant(t)
	id := m.closed("100.00")
	r := m.refund(id, "100.01", "too-much")
	wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "100.01", "100.00")
	wantArrayLen(t, m.payment(id), "refunds", 0)
}

func TestRefund_IdempotentReferenceID(t *testing.T) {
	m := newMerchant(t)
	id := m.closed("100.00")
	first := m.refund(id, "25.00", "ref-A")
	wantStatus(t, first, http.StatusOK)
	for _, amount := range []string{"25.00", "5.00"} {
		r := m.refund(id, amount, "ref-A")
		wantStatus(t, r, http.StatusOK)
		wantArrayLen(t, r, "refunds", 1)
		wantField(t, r, "refunds.0.id", first.str("refunds.0.id"))
		wantField(t, r, "refunds.0.amount", "25.00")
	}
	r := m.refund(id, "25.00", "ref-B")
	wantStatus(t, r, http.StatusOK)
	wantArrayLen(t, r, "refunds", 2)
}

func TestRefund_BadAmounts(t *testing.T) {
	m := newMerchant(t)
	id := m.closed("100.00")
	for _, body := range []map[string]any{
		{"reference_id": "a"},
		{"amount": "0", "reference_id": "b"},
		{"amount": "1.001", "reference_id": "c"},
	} {
		r := m.post("/api/v2/payments/"+id+"/refunds", body)
		wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "amount")
	}
	wantArrayLen(t, m.payment(id), "refunds", 0)
}

func TestRefund_WindowOf180Days(t *testing.T) {
	m := newMerchant(t)
	id := m.closed("100.00")
	m.advance("179d")
	wantStatus(t, m.refund(id, "10.00", "in-time"), http.StatusOK)
	m.advance("2d")
	r := m.refund(id, "10.00", "too-late")
	wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "180d")
	wantArrayLen(t, m.payment(id), "refunds", 1)
	// A retry of the refund made in time is still a replay.
	r = m.refund(id, "10.00", "in-time")
	wantStatus(t, r, http.StatusOK)
	wantArrayLen(t, r, "refunds", 1)
}

func TestRefund_WindowAfter181Days(t *testing.T) {
	m := newMerchant(t)
	id := m.closed("100.00")
	m.advance("181d")
	r := m.refund(id, "10.00", "too-late")
	wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "refund")
	wantArrayLen(t, m.payment(id), "refunds", 0)
}

func TestClose_Authorized(t *testing.T) {
	m := newMerchant(t)
	id := m.authorized("100.00")
	r := m.post("/api/v2/payments/"+id+"/close", nil)
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "status", "CLOSED")
	wantArrayLen(t, r, "captures", 0)
	wantArrayLen(t, r, "refunds", 0)

	r = m.post("/api/v2/payments/"+id+"/close", nil)
	wantError(t, r, http.StatusBadRequest, "bad_data", "already closed")
	// Closing a payment captured in full also answers "already closed".
	r = m.post("/api/v2/payments/"+m.closed("100.00")+"/close", nil)
	wantError(t, r, http.StatusBadRequest, "bad_data", "already closed")
}

func TestClose_AfterPartialCapture(t *testing.T) {
	m := newMerchant(t)
	id := m.authorized("100.00")
	wantStatus(t, m.capture(id, "40.00", "cap"), http.StatusOK)
	r := m.post("/api/v2/payments/"+id+"/close", nil)
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "status", "CLOSED")
	wantArrayLen(t, r, "captures", 1)
}

func TestClose_RequiresAuthorized(t *testing.T) {
	m := newMerchant(t)
	for _, state := range []string{"CREATED", "EXPIRED", "REJECTED"} {
		t.Run(state, func(t *testing.T) {
			id := paymentIn(m, state)
			r := m.e.do(t, req{method: http.MethodPost, path: "/api/v2/payments/" + id + "/close", key: m.sk})
			wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "close")
			if r.str("error") == "already closed" {
				t.Errorf("a %s payment was never closed, got %q", state, r.str("error"))
			}
			wantField(t, m.payment(id), "status", state)
		})
	}
}

func TestUpdate_ReferenceID(t *testing.T) {
	m := newMerchant(t)
	for _, state := range []string{"AUTHORIZED", "CLOSED", "CAPTURED"} {
		t.Run(state, func(t *testing.T) {
			id := paymentIn(m, state)
			before := m.payment(id)
			r := m.e.do(t, req{method: http.MethodPut, path: "/api/v2/payments/" + id, key: m.sk, body: map[string]any{
				"order":  map[string]any{"reference_id": "new", "tax_amount": "99.00", "items": []any{}},
				"amount": "1.00", "status": "CREATED", "buyer": map[string]any{"email": "x@example.com"},
			}})
			wantStatus(t, r, http.StatusOK)
			wantField(t, r, "order.reference_id", "new")
			// Every other field is ignored.
			for _, f := range []string{"status", "amount", "buyer.email", "order.tax_amount", "order.items.#", "captures.#"} {
				wantField(t, r, f, before.str(f))
			}
			wantField(t, m.payment(id), "order.reference_id", "new")
		})
	}
}

func TestUpdate_RequiresAuthorizedOrClosed(t *testing.T) {
	m := newMerchant(t)
	for _, state := range []string{"CREATED", "EXPIRED", "REJECTED"} {
		id := paymentIn(m, state)
		r := m.api(http.MethodPut, "/api/v2/payments/"+id, map[string]any{"order": map[string]any{"reference_id": "new"}})
		wantErrorContains(t, r, http.StatusBadRequest, "bad_data", state)
		wantField(t, m.payment(id), "order.reference_id", "1001")
	}
}

func TestUpdate_MissingReferenceID(t *testing.T) {
	m := newMerchant(t)
	id := m.authorized("100.00")
	for _, body := range []map[string]any{
		{},
		{"order": map[string]any{}},
		{"order": map[string]any{"tax_amount": "1.00"}},
		{"reference_id": "top-level"},
	} {
		r := m.api(http.MethodPut, "/api/v2/payments/"+id, body)
		wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "order.reference_id")
	}
	r := m.e.do(t, req{method: http.MethodPut, path: "/api/v2/payments/" + id, key: m.sk, raw: "nope"})
	wantError(t, r, http.StatusBadRequest, "bad_data", "could not decode request")
	wantField(t, m.payment(id), "order.reference_id", "1001")
}

// TestV1_AliasesBehaveLikeV2 runs the lifecycle through the legacy
// /api/v1/payments paths a shipped plugin still uses.
func TestV1_AliasesBehaveLikeV2(t *testing.T) {
	m := newMerchant(t)
	id := m.authorized("100.00")
	v1 := "/api/v1/payments/" + id

	r := m.get(v1)
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "id", id)
	wantField(t, r, "status", "AUTHORIZED")

	r = m.api(http.MethodPut, v1, map[string]any{"order": map[string]any{"reference_id": "v1-ref"}})
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "order.reference_id", "v1-ref")

	r = m.post(v1+"/captures", map[string]any{"amount": "60.00", "reference_id": "c1"})
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "status", "AUTHORIZED")
	r = m.post(v1+"/captures", map[string]any{"amount": "60.00", "reference_id": "c1"})
	wantArrayLen(t, r, "captures", 1)

	r = m.post(v1+"/refunds", map[string]any{"amount": "10.00", "reference_id": "r1"})
	wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "not closed")

	r = m.post(v1+"/close", nil)
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "status", "CLOSED")
	r = m.post(v1+"/close", nil)
	wantError(t, r, http.StatusBadRequest, "bad_data", "already closed")

	r = m.post(v1+"/captures", map[string]any{"amount": "1.00", "reference_id": "c2"})
	wantError(t, r, http.StatusBadRequest, "bad_data", "could not capture not authorized payments")

	r = m.post(v1+"/refunds", map[string]any{"amount": "60.00", "reference_id": "r1"})
	wantStatus(t, r, http.StatusOK)
	wantArrayLen(t, r, "refunds", 1)

	// What v1 did, v2 sees, and the other way round.
	p := m.payment(id)
	wantField(t, p, "order.reference_id", "v1-ref")
	wantArrayLen(t, p, "captures", 1)
	wantArrayLen(t, p, "refunds", 1)

	l := m.get("/api/v1/payments")
	wantStatus(t, l, http.StatusOK)
	wantField(t, l, "pagination.total_count", "1")
	wantField(t, l, "payments.0.id", id)

	r = m.get("/api/v1/payments/nope")
	wantError(t, r, http.StatusBadRequest, "bad_data", "invalid payment id")
	other := newMerchantOn(t, shared)
	r = other.get(v1)
	wantError(t, r, http.StatusNotFound, "not_found", "no such payment")
}

func TestCapture_ConcurrentRetriesCaptureOnce(t *testing.T) {
	m := newMerchant(t)
	id := m.authorized("100.00")
	const n = 12
	results := make(chan *resp, n)
	for range n {
		go func() {
			var r *resp
			defer func() { results <- r }() // also when t.Fatal ends the goroutine
			r = m.capture(id, "40.00", "same-ref")
		}()
	}
	for range n {
		r := <-results
		if r == nil {
			t.FailNow()
		}
		wantStatus(t, r, http.StatusOK)
		wantArrayLen(t, r, "captures", 1)
	}
	wantArrayLen(t, m.payment(id), "captures", 1)
}

func TestCapture_ConcurrentCapturesNeverExceedAmount(t *testing.T) {
	m := newMerchant(t)
	id := m.authorized("100.00")
	const n = 15 // 15 × 10.00 against 100.00: exactly ten fit
	results := make(chan *resp, n)
	for i := range n {
		go func() {
			var r *resp
			defer func() { results <- r }() // also when t.Fatal ends the goroutine
			r = m.capture(id, "10.00", "part-"+strconv.Itoa(i))
		}()
	}
	ok, refused := 0, 0
	for range n {
		r := <-results
		if r == nil {
			t.FailNow()
		}
		switch r.status {
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
	p := m.payment(id)
	wantField(t, p, "status", "CLOSED")
	wantArrayLen(t, p, "captures", 10)
}
