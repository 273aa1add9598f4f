package openapi

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

const (
	paymentID = "5f0c8e2a-7b3d-4c1e-9a6f-2d4b8c0e1f3a"
	paymentP  = "/api/v2/payments/" + paymentID
	jsonCT    = "application/json"
)

// payment is a PaymentResponse as the simulator would send it, nulls included.
const payment = `{
  "id": "5f0c8e2a-7b3d-4c1e-9a6f-2d4b8c0e1f3a",
  "created_at": "2024-05-01T10:00:00Z",
  "expires_at": "2024-05-31T10:00:00Z",
  "status": "AUTHORIZED",
  "is_test": true,
  "amount": "100.00",
  "currency": "AED",
  "description": null,
  "buyer": {"name": "John Doe", "email": "card.success@tabby.ai", "phone": "500000001", "dob": "2000-01-20"},
  "shipping_address": {"city": "Dubai", "address": "Dubai", "zip": "1111"},
  "order": {
    "reference_id": "1001",
    "updated_at": "2024-05-01T10:00:00Z",
    "tax_amount": "0.00",
    "shipping_amount": "0.00",
    "discount_amount": "0.00",
    "items": [{
      "reference_id": "SKU123",
      "title": "Name of the product",
      "description": null,
      "quantity": 1,
      "unit_price": "100.00",
      "category": "Clothes",
      "image_url": "https://example.com/item.png",
      "product_url": null
    }]
  },
  "captures": [],
  "refunds": [],
  "buyer_history": {"registered_since": "2019-08-24T14:15:22Z", "loyalty_level": 0, "wishlist_count": 0, "is_email_verified": null},
  "order_history": [],
  "meta": {"customer": "#customer-id", "order_id": "#1234"},
  "attachment": null
}`

var capture = map[string]any{
	"id":              "0b7e2c1d-3f4a-4b5c-8d6e-7f8091a2b3c4",
	"created_at":      "2024-05-02T08:30:00Z",
	"amount":          "100.00",
	"tax_amount":      "0.00",
	"shipping_amount": "0.00",
	"discount_amount": "0.00",
	"items":           []any{},
	"reference_id":    "capture-1",
}

const checkoutSession = `{
  "id": "9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
  "configuration": {
    "available_products": {"installments": [{"web_url": "https://checkout.tabby.ai/?sessionId=9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}]},
    "products": {"installments": {"type": "installments", "is_available": true, "rejection_reason": null}}
  },
  "token": null,
  "payment": {
    "id": "5f0c8e2a-7b3d-4c1e-9a6f-2d4b8c0e1f3a",
    "created_at": "2024-05-01T10:00:00Z",
    "status": "CREATED",
    "is_test": true,
    "amount": "100.00",
    "currency": "AED",
    "description": null,
    "buyer": {"name": "John Doe", "email": "card.success@tabby.ai", "phone": "500000001"},
    "buyer_history": {"registered_since": "2019-08-24T14:15:22Z", "loyalty_level": 0},
    "order_history": [],
    "shipping_address": {"city": "Dubai", "address": "Dubai", "zip": "1111"},
    "order": {"reference_id": "1001", "items": []},
    "meta": null,
    "attachment": null
  },
  "status": "created",
  "merchant_urls": {"success": "https://your-store/success", "cancel": "https://your-store/cancel", "failure": null}
}`

const webhook = `{"id": "wh_1", "url": "https://example.com/hook", "is_test": true, "header": {"title": "X-Sig", "value": "secret"}}`

// set returns body with top-level key replaced by v (deleted if v is nil).
func set(t *testing.T, body, key string, v any) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatal(err)
	}
	if v == nil {
		delete(m, key)
	} else {
		m[key] = v
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name, method, path string
		status             int
		contentType, body  string
		wantErr            string // substring of the error; "" means valid
		wantIs             error
	}{
		{name: "payment ok", method: "GET", path: paymentP, status: 200, body: payment},
		{name: "payment with charset", method: "GET", path: paymentP, status: 200, contentType: "application/json; charset=utf-8", body: payment},
		{name: "nullable captures may be null", method: "GET", path: paymentP, status: 200, body: set(t, payment, "captures", json.RawMessage("null"))},
		{name: "payment with a capture", method: "GET", path: paymentP, status: 200, body: set(t, payment, "captures", []any{capture})},
		{name: "lower-case status", method: "GET", path: paymentP, status: 200, body: set(t, payment, "status", "authorized"), wantErr: "/status: value is not one of the allowed values"},
		{name: "numeric amount", method: "GET", path: paymentP, status: 200, body: set(t, payment, "amount", 100), wantErr: "/amount: value must be a string"},
		{name: "captures object", method: "GET", path: paymentP, status: 200, body: set(t, payment, "captures", map[string]any{}), wantErr: "/captures: value must be an array"},
		{name: "missing currency", method: "GET", path: paymentP, status: 200, body: set(t, payment, "currency", nil), wantErr: `property "currency" is missing`},
		{name: "bad uuid", method: "GET", path: paymentP, status: 200, body: set(t, payment, "id", "not-a-uuid"), wantErr: "/id:"},
		{name: "non RFC 3339 time", method: "GET", path: paymentP, status: 200, body: set(t, payment, "created_at", "2024-05-01 10:00:00"), wantErr: "/created_at:"},
		{name: "null where not nullable", method: "GET", path: paymentP, status: 200, body: set(t, payment, "amount", json.RawMessage("null")), wantErr: "/amount:"},
		{name: "several violations listed", method: "GET", path: paymentP, status: 200, body: set(t, set(t, payment, "status", "authorized"), "amount", 100), wantErr: "/amount: value must be a string\n  /status:"},
		{name: "not found error", method: "GET", path: paymentP, status: 404, body: `{"status":"error","errorType":"not_found","error":"no such payment"}`},
		{name: "error with numeric type", method: "GET", path: paymentP, status: 404, body: `{"status":"error","errorType":404,"error":"no such payment"}`, wantErr: "/errorType: value must be a string"},
		{name: "capture ok", method: "POST", path: paymentP + "/captures", status: 200, body: set(t, set(t, payment, "status", "CLOSED"), "captures", []any{capture})},
		{name: "v1 captures is v2", method: "POST", path: "/api/v1/payments/" + paymentID + "/captures", status: 200, body: set(t, payment, "captures", []any{capture})},
		{name: "v1 captures checked as v2", method: "POST", path: "/api/v1/payments/" + paymentID + "/captures", status: 200, body: set(t, payment, "status", "captured"), wantErr: "POST /api/v2/payments/{id}/captures 200"},
		{name: "capture response captures not nullable", method: "POST", path: paymentP + "/captures", status: 200, body: set(t, payment, "captures", json.RawMessage("null")), wantErr: "/captures:"},
		{name: "capture amount number", method: "POST", path: paymentP + "/captures", status: 200, body: set(t, payment, "captures", []any{map[string]any{"amount": 100, "reference_id": "c"}}), wantErr: "/captures/0/amount: value must be a string"},
		{name: "checkout ok", method: "POST", path: "/api/v2/checkout", status: 200, body: checkoutSession},
		{name: "checkout get ok", method: "GET", path: "/api/v2/checkout/9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", status: 200, body: checkoutSession},
		{name: "checkout bad status", method: "POST", path: "/api/v2/checkout", status: 200, body: set(t, checkoutSession, "status", "CREATED"), wantErr: "/status:"},
		{name: "checkout web_url not uri", method: "POST", path: "/api/v2/checkout", status: 200, body: set(t, checkoutSession, "configuration", map[string]any{"available_products": map[string]any{"installments": []any{map[string]any{"web_url": "checkout page"}}}}), wantErr: "/configuration/available_products/installments/0/web_url:"},
		{name: "checkout 404 is a string", method: "GET", path: "/api/v2/checkout/x", status: 404, body: `"404 page not found"`},
		{name: "webhook ok", method: "GET", path: "/api/v1/webhooks/wh_1", status: 200, body: webhook},
		{name: "webhook missing url", method: "PUT", path: "/api/v1/webhooks/wh_1", status: 200, body: set(t, webhook, "url", nil), wantErr: `property "url" is missing`},
		{name: "wrong content type", method: "GET", path: paymentP, status: 200, contentType: "text/html", body: payment, wantErr: `content type "text/html" not in spec`},
		{name: "not JSON", method: "GET", path: paymentP, status: 200, body: `{"status":`, wantErr: "body is not JSON"},
		{name: "unknown path", method: "GET", path: "/api/v2/refunds", status: 200, body: `{}`, wantIs: ErrUnknownOperation},
		{name: "unknown method", method: "DELETE", path: paymentP, status: 200, body: `{}`, wantIs: ErrUnknownOperation},
		{name: "undocumented status", method: "GET", path: paymentP, status: 418, body: `{}`, wantIs: ErrUndocumentedStatus},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ct := tc.contentType
			if ct == "" {
				ct = jsonCT
			}
			err := Validate(tc.method, tc.path, tc.status, ct, []byte(tc.body))
			switch {
			case tc.wantIs != nil:
				if !errors.Is(err, tc.wantIs) {
					t.Fatalf("err = %v, want %v", err, tc.wantIs)
				}
			case tc.wantErr == "":
				if err != nil {
					t.Fatalf("want valid, got:\n%v", err)
				}
			case err == nil:
				t.Fatalf("want error containing %q, got nil", tc.wantErr)
			case !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("error does not contain %q:\n%v", tc.wantErr, err)
			}
		})
	}
}

func TestTemplate(t *testing.T) {
	tests := map[string]string{
		"/api/v2/payments": "/api/v2/payments",
		"/api/v1/payments": "/api/v2/payments",
		paymentP:           "/api/v2/payments/{id}",
		"/api/v1/payments/" + paymentID + "/refunds":        "/api/v2/payments/{id}/refunds",
		"/api/v2/payments/" + paymentID + "/close?x=1":      "/api/v2/payments/{id}/close",
		"/api/v1/webhooks/abc":                              "/api/v1/webhooks/{id}",
		"/api/v1/disputes/approve":                          "/api/v1/disputes/approve",
		"/api/v1/disputes/abc":                              "/api/v1/disputes/{disputeId}",
		"/api/v1/paymentsX/" + paymentID:                    "",
		"/api/v2/payments/":                                 "",
		"/api/v2/payments/" + paymentID + "/captures/extra": "",
	}
	for path, want := range tests {
		got, ok := Template(path)
		if got != want || ok != (want != "") {
			t.Errorf("Template(%q) = %q, %v; want %q", path, got, ok, want)
		}
	}
}

func BenchmarkValidate(b *testing.B) {
	body := []byte(payment)
	for b.Loop() {
		if err := Validate("GET", paymentP, 200, jsonCT, body); err != nil {
			b.Fatal(err)
		}
	}
}
