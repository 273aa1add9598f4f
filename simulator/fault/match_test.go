package fault_test

import (
	"context"
	"net/http"
	"testing"
)

// TestMatch: each condition of a rule's match selects the requests that
// meet it and leaves the others alone.
func TestMatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.authorized()
	capture := func(ref string, header http.Header) func() *reply {
		return func() *reply {
			return e.send(http.MethodPost, "/api/v1/payments/"+id+"/captures", e.merchant.Tabby.SecretKey, captureBody(ref), header)
		}
	}
	get := func() *reply { return e.call(http.MethodGet, "/api/v2/payments/"+id, nil, "") }
	checkout := func(reference string) func() *reply {
		return func() *reply { return e.call(http.MethodPost, "/api/v2/checkout", checkoutBody(reference), "") }
	}
	tests := []struct {
		name        string
		match       map[string]any
		hit, missed func() *reply
	}{
		{"provider", map[string]any{"provider": "tabby"}, get, nil},
		{"another provider", map[string]any{"provider": "onerway"}, nil, get},
		{"operation", map[string]any{"operation": "tabby.capture"}, capture("c1", nil), get},
		{"method", map[string]any{"method": "post"}, capture("c1", nil), get},
		{"path pattern", map[string]any{"path": "/api/v*/payments/*/captures"}, capture("c1", nil), get},
		{"header", map[string]any{"headers": map[string]string{"X-Shop": "blue"}}, capture("c1", http.Header{"X-Shop": {"blue"}}), capture("c1", http.Header{"X-Shop": {"red"}})},
		{"body value", map[string]any{"body": map[string]any{"reference_id": "cap-fail"}}, capture("cap-fail", nil), capture("cap-ok", nil)},
		{"nested body value", map[string]any{"operation": "tabby.create_session", "body": map[string]any{"payment.order.reference_id": "bad"}}, checkout("bad"), checkout("good")},
		{"body value absent", map[string]any{"operation": "tabby.capture", "body": map[string]any{"items": nil}}, capture("c2", nil), get},
		{"several body values", map[string]any{"body": map[string]any{"payment.buyer.email": "otp.success@tabby.ai", "payment.amount": "100.00"}}, checkout("x"), capture("c3", nil)},
	}
	for _, tc := range tests {
		if _, err := e.ctl.RemoveFaults(context.Background(), e.merchant.ID); err != nil {
			t.Fatal(err)
		}
		e.addRule(map[string]any{"match": tc.match, "action": map[string]any{"kind": "status", "status": 503}})
		if tc.hit != nil {
			if r := tc.hit(); r.status != http.StatusServiceUnavailable {
				t.Errorf("%s: a request that meets %v got %d %s", tc.name, tc.match, r.status, r.body)
			}
		}
		if tc.missed != nil {
			if r := tc.missed(); r.status == http.StatusServiceUnavailable {
				t.Errorf("%s: a request that does not meet %v was failed", tc.name, tc.match)
			}
		}
	}
}
