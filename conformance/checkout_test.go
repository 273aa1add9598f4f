package conformance

import (
	"strings"
	"testing"
)

// TestCheckoutCall_Offered: a merchant may answer a checkout Tabby
// rejected with any status; the adapter's statuses decide, else a 2xx
// answer's hosted page URL, else a 4xx answer's rejection reason, and the
// harness errs only when it cannot tell.
func TestCheckoutCall_Offered(t *testing.T) {
	plain := CheckoutCall{RedirectURL: "redirect_url", RejectionReason: "reason"}
	declared := plain
	declared.OfferedStatuses, declared.RejectedStatuses = []int{201}, []int{409}
	const (
		page     = `{"redirect_url": "http://sim/hpp/1"}`
		rejected = `{"reason": "not_available"}`
		nothing  = `{"error": "out of stock"}`
	)
	for _, c := range []struct {
		name    string
		call    CheckoutCall
		status  int
		body    string
		offered bool
		err     bool
	}{
		{"200 with a hosted page", plain, 200, page, true, false},
		{"200 without one", plain, 200, rejected, false, false},
		{"422 with a reason", plain, 422, rejected, false, false},
		{"400 without a reason", plain, 400, nothing, false, true},
		{"422 with a hosted page", plain, 422, page, false, true},
		{"502", plain, 502, rejected, false, true},
		{"302", plain, 302, page, false, true},
		{"declared offered", declared, 201, page, true, false},
		{"declared rejected, without a reason", declared, 409, nothing, false, false},
		{"200 outside the declared statuses", declared, 200, page, false, true},
		{"422 outside the declared statuses", declared, 422, rejected, false, true},
	} {
		offered, err := c.call.offered(Answer{Status: c.status, Body: []byte(c.body)})
		if offered != c.offered || (err != nil) != c.err {
			t.Errorf("%s: offered %v, error %v; want %v, error %v", c.name, offered, err, c.offered, c.err)
		}
		if err != nil && !strings.Contains(err.Error(), "offered_statuses") {
			t.Errorf("%s: the error does not say how to tell: %v", c.name, err)
		}
	}
}

func TestAdapter_CheckoutStatuses(t *testing.T) {
	for name, doc := range map[string]string{
		"not a status":       `{"base_url": "http://x", "checkout": {"path": "/c", "redirect_url": "u", "order_ref": "o", "rejected_statuses": [42]}}`,
		"in both lists":      `{"base_url": "http://x", "checkout": {"path": "/c", "redirect_url": "u", "order_ref": "o", "offered_statuses": [200], "rejected_statuses": [200, 422]}}`,
		"not a list of ints": `{"base_url": "http://x", "checkout": {"path": "/c", "redirect_url": "u", "order_ref": "o", "offered_statuses": "200"}}`,
	} {
		if _, err := ParseAdapter([]byte(doc)); err == nil {
			t.Errorf("%s: the adapter was accepted", name)
		}
	}
	a, err := ParseAdapter([]byte(`{"base_url": "http://x", "checkout": {"path": "/c", "redirect_url": "u", "order_ref": "o", "offered_statuses": [200, 201], "rejected_statuses": [422]}}`))
	if err != nil || len(a.Checkout.OfferedStatuses) != 2 || a.Checkout.RejectedStatuses[0] != 422 {
		t.Fatalf("an adapter with both lists: %+v, %v", a, err)
	}
}
