package tabbyapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
)

// TestLint: what Tabby's own SDKs and plugins send although Tabby's OpenAPI
// file does not allow it is served to a lenient merchant, with a warning
// naming the rule on the request's journal entry, and refused to a strict
// one, as the contract says.
func TestLint(t *testing.T) {
	tests := []struct {
		name string
		rule string
		// setup readies the merchant while it is lenient (a strict one
		// needs every field the contract requires) and returns a payment.
		setup func(m *e2e.Merchant) string
		// send makes the request and returns its answer.
		send func(m *e2e.Merchant, id string) *e2e.Resp
		// lenient checks a lenient merchant's answer.
		lenient func(t *testing.T, m *e2e.Merchant, r *e2e.Resp)
		// strict is what a strict merchant's answer's error says.
		strict string
	}{
		{
			name: "an amount as a JSON number, as Tabby's Android SDK sends it", rule: "R-AMOUNT-STRING",
			send: func(m *e2e.Merchant, _ string) *e2e.Resp { return m.Checkout("payment.amount", 100) },
			lenient: func(t *testing.T, m *e2e.Merchant, r *e2e.Resp) {
				e2e.WantStatus(t, r, http.StatusOK)
				e2e.WantField(t, r, "payment.amount", "100.00")
			},
			strict: "payment.amount: expected a string, got number",
		},
		{
			name: "an item's price as a JSON number", rule: "R-AMOUNT-STRING",
			send: func(m *e2e.Merchant, _ string) *e2e.Resp {
				return m.Checkout("payment.order.items", []any{map[string]any{"title": "Lamp", "quantity": 1, "unit_price": 100.5, "category": "Home"}})
			},
			lenient: func(t *testing.T, m *e2e.Merchant, r *e2e.Resp) {
				e2e.WantStatus(t, r, http.StatusOK)
				e2e.WantField(t, r, "payment.order.items.0.unit_price", "100.50")
				wantLint(t, m, "R-AMOUNT-STRING", "payment.order.items[0].unit_price")
			},
			strict: "payment.order.items.unit_price: expected a string, got number",
		},
		{
			name: "a capture amount as a JSON number", rule: "R-AMOUNT-STRING",
			setup: func(m *e2e.Merchant) string { return m.Authorized("100.00") },
			send: func(m *e2e.Merchant, id string) *e2e.Resp {
				return m.Post("/api/v2/payments/"+id+"/captures", map[string]any{"amount": 100, "reference_id": "c1"})
			},
			lenient: func(t *testing.T, m *e2e.Merchant, r *e2e.Resp) {
				e2e.WantStatus(t, r, http.StatusOK)
				e2e.WantField(t, r, "status", "CLOSED")
			},
			strict: "amount: expected a string, got number",
		},
		{
			name: "a refund amount as a JSON number", rule: "R-AMOUNT-STRING",
			setup: func(m *e2e.Merchant) string { return m.Closed("100.00") },
			send: func(m *e2e.Merchant, id string) *e2e.Resp {
				return m.Post("/api/v2/payments/"+id+"/refunds", map[string]any{"amount": 30, "reference_id": "r1"})
			},
			lenient: func(t *testing.T, m *e2e.Merchant, r *e2e.Resp) {
				e2e.WantStatus(t, r, http.StatusOK)
				e2e.WantField(t, r, "refunds.0.amount", "30.00")
			},
			strict: "amount: expected a string, got number",
		},
		{
			name: "an item's gender in upper case", rule: "R-ITEM-GENDER",
			send: func(m *e2e.Merchant, _ string) *e2e.Resp {
				return m.Checkout("payment.order.items", []any{map[string]any{"title": "Abaya", "quantity": 1, "unit_price": "100.00", "category": "Clothes", "gender": "FEMALE"}})
			},
			lenient: func(t *testing.T, m *e2e.Merchant, r *e2e.Resp) {
				e2e.WantStatus(t, r, http.StatusOK)
				e2e.WantField(t, r, "payment.order.items.0.gender", "Female")
			},
			strict: `payment.order.items[0].gender must be Male, Female, Kids or Other, got "FEMALE"`,
		},
		{
			name: "a list bound with a time", rule: "R-LIST-DATE",
			setup: func(m *e2e.Merchant) string { return m.Closed("100.00") },
			send: func(m *e2e.Merchant, _ string) *e2e.Resp {
				return m.Get("/api/v2/payments?created_at__lte=2099-03-01T10:00:00Z")
			},
			lenient: func(t *testing.T, m *e2e.Merchant, r *e2e.Resp) {
				e2e.WantStatus(t, r, http.StatusOK)
				e2e.WantArrayLen(t, r, "payments", 1)
			},
			strict: "failed to decode request: created_at__lte must be a date such as 2025-03-01",
		},
		{
			name: "a top-level reference_id on PUT", rule: "R-UPDATE-BODY",
			setup: func(m *e2e.Merchant) string { return m.Authorized("100.00") },
			send: func(m *e2e.Merchant, id string) *e2e.Resp {
				return m.API(http.MethodPut, "/api/v2/payments/"+id, map[string]any{"reference_id": "top", "order": map[string]any{"reference_id": "2002"}})
			},
			lenient: func(t *testing.T, m *e2e.Merchant, r *e2e.Resp) {
				e2e.WantStatus(t, r, http.StatusOK)
				e2e.WantField(t, r, "order.reference_id", "2002")
			},
			strict: "reference_id: Tabby ignores a top-level reference_id; send the new reference as order.reference_id only (strict mode)",
		},
		{
			name: "a webhook call without X-Merchant-Code", rule: "R-WEBHOOK-MERCHANT-CODE",
			send: func(m *e2e.Merchant, _ string) *e2e.Resp {
				return hook(m.T, m, http.MethodPost, "", "", map[string]any{"url": "https://shop.example/hook"}, e2e.SpecValid)
			},
			lenient: func(t *testing.T, m *e2e.Merchant, r *e2e.Resp) {
				e2e.WantStatus(t, r, http.StatusOK)
				if l := hook(t, m, http.MethodGet, "", "ae", nil, e2e.SpecValid); !strings.Contains(l.Text(), "https://shop.example/hook") {
					t.Errorf("the webhook is not registered under ae, the key's first code: %s", l)
				}
			},
			strict: "the X-Merchant-Code header is required",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Run("lenient", func(t *testing.T) {
				m := newMerchant(t)
				r := tc.send(m, setup(tc.setup, m))
				if r.Status >= 400 {
					t.Fatalf("refused: %s", r)
				}
				wantLint(t, m, tc.rule, "")
				tc.lenient(t, m, r)
			})
			t.Run("strict", func(t *testing.T) {
				m := newMerchant(t)
				id := setup(tc.setup, m)
				m.Settings(map[string]any{"strict": true})
				r := tc.send(m, id)
				e2e.WantError(t, r, http.StatusBadRequest, "bad_data", tc.strict)
				if lint := journalLint(t, m); lint != "" {
					t.Errorf("a refused request carries lint: %s", lint)
				}
			})
		})
	}
}

func setup(f func(*e2e.Merchant) string, m *e2e.Merchant) string {
	if f == nil {
		return ""
	}
	return f(m)
}

// TestLint_CleanRequestsCarryNone: a request the contract allows has no
// warning on its journal entry.
func TestLint_CleanRequestsCarryNone(t *testing.T) {
	m := newMerchant(t)
	id := m.Closed("100.00")
	e2e.WantStatus(t, m.Refund(id, "10.00", "r1"), http.StatusOK)
	e2e.WantStatus(t, hook(t, m, http.MethodGet, "", "ae", nil, e2e.SpecValid), http.StatusOK)
	r := m.Ctl(http.MethodGet, "/journal?merchant="+m.ID, nil)
	if n := len(r.JSON.Get("entries").Array()); n < 4 {
		t.Fatalf("the journal holds %d entries: %s", n, r)
	}
	if lint := r.JSON.Get("entries.#.lint").Raw; lint != "[]" {
		t.Fatalf("clean requests carry lint: %s", lint)
	}
}

// journalLint is the lint of the merchant's newest journal entry, as JSON;
// "" when it has none.
func journalLint(t *testing.T, m *e2e.Merchant) string {
	t.Helper()
	r := m.Ctl(http.MethodGet, "/journal?merchant="+m.ID+"&limit=1", nil)
	return r.JSON.Get("entries.0.lint").Raw
}

// wantLint checks the merchant's newest journal entry carries a warning of
// rule whose message mentions field (any message when field is ""), with
// a public source.
func wantLint(t *testing.T, m *e2e.Merchant, rule, field string) {
	t.Helper()
	r := m.Ctl(http.MethodGet, "/journal?merchant="+m.ID+"&limit=1", nil)
	for _, w := range r.JSON.Get("entries.0.lint").Array() {
		if w.Get("rule").String() == rule && strings.Contains(w.Get("message").String(), field) &&
			strings.HasPrefix(w.Get("source").String(), "https://docs.tabby.ai/") {
			return
		}
	}
	t.Fatalf("no %s warning mentioning %q on the journal entry: %s", rule, field, r.JSON.Get("entries.0").Raw)
}
