package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/tenant"
	"github.com/tidwall/gjson"
)

// Merchant is a merchant of an Env, made through the control API: its own
// keys, its own clock. Its calls fail the test that made it when they
// cannot be sent.
type Merchant struct {
	Env *Env
	T   testing.TB
	ID  string
	// SecretKey and PublicKey are its Tabby keys.
	SecretKey string
	PublicKey string
	// Codes maps its Tabby merchant codes to their currencies.
	Codes map[string]string
	// Onerway is its Onerway credentials.
	Onerway tenant.OnerwayCredentials
}

// NewMerchant makes a merchant with the control API's create call, body
// its request (nil: a manual clock), and fails the test unless it answers
// 201 with the merchant's id and keys.
func (e *Env) NewMerchant(t testing.TB, body map[string]any) *Merchant {
	t.Helper()
	if body == nil {
		body = map[string]any{"clock": "manual"}
	}
	r := e.Ctl(t, http.MethodPost, "/merchants", body)
	if r.Status != http.StatusCreated {
		t.Fatalf("create merchant: %s", r)
	}
	m := &Merchant{Env: e, T: t, ID: r.Str("id"), SecretKey: r.Str("tabby.secret_key"), PublicKey: r.Str("tabby.public_key"),
		Codes: map[string]string{},
		Onerway: tenant.OnerwayCredentials{MerchantNo: r.Str("onerway.merchant_no"), SecretKey: r.Str("onerway.secret_key"),
			AppID: r.Str("onerway.app_id")}}
	r.JSON.Get("tabby.merchant_codes").ForEach(func(k, v gjson.Result) bool {
		m.Codes[k.String()] = v.String()
		return true
	})
	if m.ID == "" || !strings.HasPrefix(m.SecretKey, "sk_test_") || !strings.HasPrefix(m.PublicKey, "pk_test_") ||
		m.Onerway.MerchantNo == "" || m.Onerway.SecretKey == "" || m.Onerway.AppID == "" {
		t.Fatalf("create merchant: incomplete answer %s", r)
	}
	return m
}

// ParallelMerchant marks the test parallel, as the tests that share an
// Env are, and makes it a merchant with a manual clock.
func (e *Env) ParallelMerchant(t *testing.T) *Merchant {
	t.Helper()
	t.Parallel()
	return e.NewMerchant(t, nil)
}

// DefaultMerchant is the merchant every simulator starts with, with its
// fixed, documented keys and credentials.
func (e *Env) DefaultMerchant(t testing.TB) *Merchant {
	return &Merchant{Env: e, T: t, ID: simulator.DefaultMerchantID, SecretKey: simulator.DefaultSecretKey,
		PublicKey: simulator.DefaultPublicKey, Codes: tenant.DefaultMerchantCodes(),
		Onerway: tenant.OnerwayCredentials{MerchantNo: simulator.DefaultOnerwayMerchantNo,
			SecretKey: simulator.DefaultOnerwaySecretKey, AppID: simulator.DefaultOnerwayAppID}}
}

// API calls the Tabby API with the merchant's secret key.
func (m *Merchant) API(method, path string, body any) *Resp {
	m.T.Helper()
	return m.Env.Do(m.T, Req{Method: method, Path: path, Key: m.SecretKey, Body: body})
}

// Get GETs path from the Tabby API.
func (m *Merchant) Get(path string) *Resp {
	m.T.Helper()
	return m.API(http.MethodGet, path, nil)
}

// Post POSTs body to path on the Tabby API.
func (m *Merchant) Post(path string, body any) *Resp {
	m.T.Helper()
	return m.API(http.MethodPost, path, body)
}

// Ctl calls the control API.
func (m *Merchant) Ctl(method, path string, body any) *Resp {
	m.T.Helper()
	return m.Env.Ctl(m.T, method, path, body)
}

// Settings patches the merchant's settings, grouped as the control API
// groups them ({"tabby": {...}, "onerway": {...}, "webhooks": {...},
// "strict": ...}), and fails the test unless it took.
func (m *Merchant) Settings(patch map[string]any) {
	m.T.Helper()
	if r := m.Ctl(http.MethodPatch, "/merchants/"+m.ID, map[string]any{"settings": patch}); r.Status != http.StatusOK {
		m.T.Fatalf("patch settings %v: %s", patch, r)
	}
}

// Advance moves the merchant's clock forward by d ("21m", "21d"; "0s"
// fires what is due now) and returns once the webhook attempts due by then
// were made.
func (m *Merchant) Advance(d string) {
	m.T.Helper()
	if r := m.Ctl(http.MethodPost, "/merchants/"+m.ID+"/clock/advance", map[string]any{"by": d}); r.Status != http.StatusOK {
		m.T.Fatalf("advance %s: %s", d, r)
	}
}

// Now reads the merchant's clock.
func (m *Merchant) Now() time.Time {
	m.T.Helper()
	r := m.Ctl(http.MethodGet, "/merchants/"+m.ID+"/clock", nil)
	if r.Status != http.StatusOK {
		m.T.Fatalf("clock: %s", r)
	}
	return MustTime(m.T, r.Str("now"))
}

// RegisterWebhook registers a webhook at url for merchant code "ae", with
// the header {"title", "value"} it is to carry unless header is nil.
func (m *Merchant) RegisterWebhook(url string, header map[string]any) *Resp {
	m.T.Helper()
	body := map[string]any{"url": url}
	if header != nil {
		body["header"] = header
	}
	return m.Env.Do(m.T, Req{Method: http.MethodPost, Path: "/api/v1/webhooks", Key: m.SecretKey,
		Header: map[string]string{"X-Merchant-Code": "ae"}, Body: body})
}

// Checkout creates a session from CheckoutBody edited by the pairs (path,
// value) as Set does, and returns the answer.
func (m *Merchant) Checkout(edits ...any) *Resp {
	m.T.Helper()
	body := CheckoutBody()
	for i := 0; i+1 < len(edits); i += 2 {
		Set(body, edits[i].(string), edits[i+1])
	}
	return m.Post("/api/v2/checkout", body)
}

// Session creates a session, as Checkout does, that pre-scoring must
// accept, and returns its payment's id and its own.
func (m *Merchant) Session(edits ...any) (paymentID, sessionID string) {
	m.T.Helper()
	r := m.Checkout(edits...)
	if r.Status != http.StatusOK || r.Str("status") != "created" {
		m.T.Fatalf("create session: %s", r)
	}
	return r.Str("payment.id"), r.Str("id")
}

// Act plays the customer on the hosted page through the control API.
func (m *Merchant) Act(paymentID, action string) *Resp {
	m.T.Helper()
	return m.Ctl(http.MethodPost, "/payments/"+paymentID+"/customer", map[string]any{"action": action})
}

// Authorized returns a payment of amount AED the customer approved.
func (m *Merchant) Authorized(amount string) string {
	m.T.Helper()
	id, _ := m.Session("payment.amount", amount)
	if r := m.Act(id, "approve"); r.Status != http.StatusOK || r.Str("status") != "AUTHORIZED" {
		m.T.Fatalf("approve: %s", r)
	}
	return id
}

// Capture posts a capture.
func (m *Merchant) Capture(id, amount, ref string) *Resp {
	m.T.Helper()
	return m.Post("/api/v2/payments/"+id+"/captures", map[string]any{"amount": amount, "reference_id": ref})
}

// Refund posts a refund.
func (m *Merchant) Refund(id, amount, ref string) *Resp {
	m.T.Helper()
	return m.Post("/api/v2/payments/"+id+"/refunds", map[string]any{"amount": amount, "reference_id": ref, "reason": "returned"})
}

// Close closes a payment.
func (m *Merchant) Close(id string) *Resp {
	m.T.Helper()
	return m.Post("/api/v2/payments/"+id+"/close", nil)
}

// Closed returns a payment of amount AED captured in full (so CLOSED).
func (m *Merchant) Closed(amount string) string {
	m.T.Helper()
	id := m.Authorized(amount)
	if r := m.Capture(id, amount, "full"); r.Status != http.StatusOK || r.Str("status") != "CLOSED" {
		m.T.Fatalf("capture in full: %s", r)
	}
	return id
}

// Payment GETs a payment that must exist.
func (m *Merchant) Payment(id string) *Resp {
	m.T.Helper()
	r := m.Get("/api/v2/payments/" + id)
	if r.Status != http.StatusOK {
		m.T.Fatalf("get payment %s: %s", id, r)
	}
	return r
}

// The merchant URLs of CheckoutBody. The failure URL already has a query,
// so its payment_id comes after "&".
const (
	SuccessURL = "https://shop.example/tabby/success"
	CancelURL  = "https://shop.example/tabby/cancel"
	FailureURL = "https://shop.example/tabby/failure?order=1001"
)

// CheckoutBody is a valid create-session request of 100.00 AED for
// merchant code "ae" by a buyer pre-scoring accepts.
func CheckoutBody() map[string]any {
	return map[string]any{
		"lang":          "en",
		"merchant_code": "ae",
		"merchant_urls": map[string]any{"success": SuccessURL, "cancel": CancelURL, "failure": FailureURL},
		"payment": map[string]any{
			"amount":      "100.00",
			"currency":    "AED",
			"description": "Order 1001",
			"buyer":       map[string]any{"name": "Sara Ali", "email": "otp.success@tabby.ai", "phone": "500000001"},
			"shipping_address": map[string]any{
				"city": "Dubai", "address": "Sheikh Zayed Road 1", "zip": "00000",
			},
			"order": map[string]any{
				"reference_id": "1001",
				"items": []any{map[string]any{
					"title": "Desk lamp", "quantity": 1, "unit_price": "100.00", "category": "Home",
				}},
			},
		},
	}
}

// Set writes v at a dotted path of a nested map, creating objects as
// needed; v == Deleted removes the key. It returns body.
func Set(body map[string]any, path string, v any) map[string]any {
	keys := strings.Split(path, ".")
	cur := body
	for _, k := range keys[:len(keys)-1] {
		next, ok := cur[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[k] = next
		}
		cur = next
	}
	last := keys[len(keys)-1]
	if v == Deleted {
		delete(cur, last)
	} else {
		cur[last] = v
	}
	return body
}

type deleted struct{}

// Deleted, given to Set, removes the key.
var Deleted = deleted{}
