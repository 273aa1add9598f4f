// Package simctl is a Go client for the tabbysim control API under
// /_sim/v1: merchants and their settings, clocks, customer actions on the
// hosted page, payments and Onerway transactions with their history,
// webhook deliveries, the request journal and reset.
package simctl

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Prefix is where the control API lives under the simulator's base URL.
const Prefix = "/_sim/v1"

// Client calls the control API. It is safe for concurrent use.
type Client struct {
	baseURL string
	token   string
	http    *http.Client
}

// Option configures a Client.
type Option func(*Client)

// WithToken sets the control token, sent as "Authorization: Bearer <t>".
func WithToken(t string) Option { return func(c *Client) { c.token = t } }

// WithHTTPClient sets the HTTP client the requests go through.
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) {
		if h != nil {
			c.http = h
		}
	}
}

// New returns a client for the simulator at baseURL, such as
// http://127.0.0.1:4600 (a trailing /_sim/v1 is accepted too).
func New(baseURL string, opts ...Option) *Client {
	base := strings.TrimRight(baseURL, "/")
	base = strings.TrimSuffix(base, Prefix)
	// No client timeout: an advance lasts as long as the webhook tries due
	// in its window; callers bound calls with their context.
	c := &Client{baseURL: base, http: &http.Client{}}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Error is an answer other than 2xx; Message is the control API's "error"
// text, or the body itself when it is not the control API's JSON.
type Error struct {
	StatusCode int
	Message    string
}

// Error reads like "simctl: 404: no such merchant".
func (e *Error) Error() string {
	return "simctl: " + strconv.Itoa(e.StatusCode) + ": " + e.Message
}

func (c *Client) do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	u := c.baseURL + Prefix + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("simctl: encoding the request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("simctl: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("simctl: %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("simctl: %s %s: reading the answer: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := &Error{StatusCode: resp.StatusCode, Message: strings.TrimSpace(string(data))}
		var env struct {
			Error string `json:"error"`
		}
		if json.Unmarshal(data, &env) == nil && env.Error != "" {
			e.Message = env.Error
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("simctl: %s %s: decoding the answer: %w", method, path, err)
	}
	return nil
}

// Health checks the simulator answers.
func (c *Client) Health(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/health", nil, nil, nil)
}

// Reset forgets every merchant, payment, delivery and journal entry; the
// simulator starts again with only its default merchant.
func (c *Client) Reset(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/reset", nil, nil, nil)
}

// TabbyKeys are a merchant's Tabby credentials; MerchantCodes maps each
// merchant code to its currency.
type TabbyKeys struct {
	SecretKey     string            `json:"secret_key"`
	PublicKey     string            `json:"public_key"`
	MerchantCodes map[string]string `json:"merchant_codes"`
}

// OnerwayCredentials are a merchant's Onerway credentials: its merchantNo,
// the secret key that signs requests and webhooks, and its appId.
type OnerwayCredentials struct {
	MerchantNo string `json:"merchant_no"`
	SecretKey  string `json:"secret_key"`
	AppID      string `json:"app_id"`
}

// Clock is a merchant's clock reading; Mode is "manual" or "wall".
type Clock struct {
	Now  time.Time `json:"now"`
	Mode string    `json:"mode"`
}

// Merchant is a simulator tenant with its keys, settings and clock.
type Merchant struct {
	ID        string             `json:"id"`
	Name      string             `json:"name"`
	CreatedAt time.Time          `json:"created_at"`
	Tabby     TabbyKeys          `json:"tabby"`
	Onerway   OnerwayCredentials `json:"onerway"`
	Settings  json.RawMessage    `json:"settings"`
	Clock     Clock              `json:"clock"`
}

// CreateMerchantRequest creates a merchant; every field is optional. Clock
// is "manual" or "wall" (default: the simulator's mode); Settings override
// the defaults (tabby.session_ttl, tabby.auto_capture, onerway.limits, webhooks…).
type CreateMerchantRequest struct {
	ID            string            `json:"id,omitempty"`
	Name          string            `json:"name,omitempty"`
	MerchantCodes map[string]string `json:"merchant_codes,omitempty"`
	Clock         string            `json:"clock,omitempty"`
	// Start is where the merchant's clock starts; default now.
	Start    *time.Time     `json:"start,omitempty"`
	Settings map[string]any `json:"settings,omitempty"`
}

// CreateMerchant creates a merchant with fresh keys and its own clock.
func (c *Client) CreateMerchant(ctx context.Context, req CreateMerchantRequest) (*Merchant, error) {
	var m Merchant
	if err := c.do(ctx, http.MethodPost, "/merchants", nil, req, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

func merchantPath(id string) string { return "/merchants/" + url.PathEscape(id) }

// Merchant returns one merchant.
func (c *Client) Merchant(ctx context.Context, id string) (*Merchant, error) {
	var m Merchant
	if err := c.do(ctx, http.MethodGet, merchantPath(id), nil, nil, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// Merchants returns every merchant, newest first.
func (c *Client) Merchants(ctx context.Context) ([]Merchant, error) {
	var out struct {
		Merchants []Merchant `json:"merchants"`
	}
	if err := c.do(ctx, http.MethodGet, "/merchants", nil, nil, &out); err != nil {
		return nil, err
	}
	return out.Merchants, nil
}

// UpdateSettings changes the settings fields named in patch, such as
// {"tabby": {"auto_capture": "immediate"}}, and returns the merchant.
func (c *Client) UpdateSettings(ctx context.Context, merchantID string, patch map[string]any) (*Merchant, error) {
	var m Merchant
	body := map[string]any{"settings": patch}
	if err := c.do(ctx, http.MethodPatch, merchantPath(merchantID), nil, body, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// Clock reads a merchant's clock.
func (c *Client) Clock(ctx context.Context, merchantID string) (*Clock, error) {
	var k Clock
	if err := c.do(ctx, http.MethodGet, merchantPath(merchantID)+"/clock", nil, nil, &k); err != nil {
		return nil, err
	}
	return &k, nil
}

// Advance moves a merchant's clock forward by d, firing everything that
// falls due on the way (expiries, auto-captures, webhook retries), and
// returns when they have run.
func (c *Client) Advance(ctx context.Context, merchantID string, by time.Duration) (*Clock, error) {
	return c.advance(ctx, merchantID, map[string]any{"by": by.String()})
}

// AdvanceTo moves a merchant's clock forward to t, like Advance.
func (c *Client) AdvanceTo(ctx context.Context, merchantID string, t time.Time) (*Clock, error) {
	return c.advance(ctx, merchantID, map[string]any{"to": t.UTC()})
}

func (c *Client) advance(ctx context.Context, merchantID string, body map[string]any) (*Clock, error) {
	var k Clock
	if err := c.do(ctx, http.MethodPost, merchantPath(merchantID)+"/clock/advance", nil, body, &k); err != nil {
		return nil, err
	}
	return &k, nil
}

// Customer actions on the hosted payment page.
const (
	ActionApprove                = "approve"
	ActionReject                 = "reject"
	ActionCancel                 = "cancel"
	ActionApproveWithoutRedirect = "approve_without_redirect"
	ActionAbandon                = "abandon"
)

// CustomerResult is what a customer action did: the payment's new status
// and where the browser was sent (nil when nowhere). For a payment through
// the Onerway gateway, TransactionID and TransactionStatus are its
// transaction's ("S", "F" or still "R").
type CustomerResult struct {
	PaymentID         string  `json:"payment_id"`
	Status            string  `json:"status"`
	RedirectURL       *string `json:"redirect_url"`
	TransactionID     string  `json:"transaction_id"`
	TransactionStatus string  `json:"transaction_status"`
}

// Customer plays the customer on the hosted page: action is "approve",
// "reject", "cancel", "approve_without_redirect" or "abandon". paymentID
// is a Tabby payment id, or an Onerway transactionId, which names the
// Tabby payment the gateway made for it.
func (c *Client) Customer(ctx context.Context, paymentID, action string) (*CustomerResult, error) {
	var r CustomerResult
	body := map[string]string{"action": action}
	if err := c.do(ctx, http.MethodPost, "/payments/"+url.PathEscape(paymentID)+"/customer", nil, body, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// HistoryEntry is one thing that happened to a payment; By is "merchant",
// "customer" or "simulator".
type HistoryEntry struct {
	At     time.Time `json:"at"`
	Event  string    `json:"event"`
	By     string    `json:"by"`
	Detail string    `json:"detail"`
}

// Capture is one capture of a payment.
type Capture struct {
	ID          string `json:"id"`
	Amount      string `json:"amount"`
	ReferenceID string `json:"reference_id"`
}

// Refund is one refund of a payment.
type Refund struct {
	ID          string `json:"id"`
	Amount      string `json:"amount"`
	ReferenceID string `json:"reference_id"`
}

// PaymentInfo is a payment as the control API shows it: the main fields of
// Tabby's payment object, what only the simulator knows (owner, session,
// history), and Raw, Tabby's whole payment object.
type PaymentInfo struct {
	ID             string
	Status         string
	Amount         string
	Currency       string
	OrderReference string
	Captures       []Capture
	Refunds        []Refund
	Merchant       string
	MerchantCode   string
	SessionID      string
	SessionStatus  string
	Channel        Channel
	History        []HistoryEntry
	// Raw is the "payment" object, exactly as Tabby's API renders it.
	Raw json.RawMessage
}

// Channel is how a payment came to Tabby: Via "direct" (the merchant's own
// call) or "onerway" (the Onerway gateway, for its transaction
// TransactionID).
type Channel struct {
	Via           string `json:"via"`
	TransactionID string `json:"transaction_id,omitempty"`
}

// paymentWire is the control API's payment JSON.
type paymentWire struct {
	Payment       json.RawMessage `json:"payment"`
	Merchant      string          `json:"merchant"`
	MerchantCode  string          `json:"merchant_code"`
	SessionID     string          `json:"session_id"`
	SessionStatus string          `json:"session_status"`
	Channel       Channel         `json:"channel"`
	History       []HistoryEntry  `json:"history"`
}

func (w *paymentWire) info() (PaymentInfo, error) {
	var p struct {
		ID       string `json:"id"`
		Status   string `json:"status"`
		Amount   string `json:"amount"`
		Currency string `json:"currency"`
		Order    struct {
			ReferenceID string `json:"reference_id"`
		} `json:"order"`
		Captures []Capture `json:"captures"`
		Refunds  []Refund  `json:"refunds"`
	}
	if len(w.Payment) > 0 {
		if err := json.Unmarshal(w.Payment, &p); err != nil {
			return PaymentInfo{}, fmt.Errorf("simctl: decoding the payment: %w", err)
		}
	}
	return PaymentInfo{
		ID: p.ID, Status: p.Status, Amount: p.Amount, Currency: p.Currency, OrderReference: p.Order.ReferenceID,
		Captures: p.Captures, Refunds: p.Refunds,
		Merchant: w.Merchant, MerchantCode: w.MerchantCode, SessionID: w.SessionID, SessionStatus: w.SessionStatus,
		Channel: w.Channel, History: w.History, Raw: w.Payment,
	}, nil
}

// Payment returns any merchant's payment with its history.
func (c *Client) Payment(ctx context.Context, id string) (*PaymentInfo, error) {
	var w paymentWire
	if err := c.do(ctx, http.MethodGet, "/payments/"+url.PathEscape(id), nil, nil, &w); err != nil {
		return nil, err
	}
	p, err := w.info()
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// Payments returns every payment of a merchant, whatever its status,
// newest first.
func (c *Client) Payments(ctx context.Context, merchantID string) ([]PaymentInfo, error) {
	var out struct {
		Payments []paymentWire `json:"payments"`
	}
	// limit=0 asks for all of them.
	q := url.Values{"merchant": {merchantID}, "limit": {"0"}}
	if err := c.do(ctx, http.MethodGet, "/payments", q, nil, &out); err != nil {
		return nil, err
	}
	ps := make([]PaymentInfo, 0, len(out.Payments))
	for i := range out.Payments {
		p, err := out.Payments[i].info()
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// Attempt is one try of a webhook delivery.
type Attempt struct {
	N              int               `json:"n"`
	At             time.Time         `json:"at"`
	URL            string            `json:"url"`
	RequestHeaders map[string]string `json:"request_headers"`
	Status         int               `json:"status"`
	ResponseBody   string            `json:"response_body"`
	LatencyMS      float64           `json:"latency_ms"`
	Error          string            `json:"error"`
	Accepted       bool              `json:"accepted"`
}

// Delivery is one webhook on its way to one endpoint, with every try.
// Status is "pending", "held", "delivered", "failed" or "dropped".
type Delivery struct {
	ID        string            `json:"id"`
	Merchant  string            `json:"merchant"`
	Provider  string            `json:"provider"`
	PaymentID string            `json:"payment_id"`
	Event     string            `json:"event"`
	URL       string            `json:"url"`
	Body      string            `json:"body"`
	Status    string            `json:"status"`
	CreatedAt time.Time         `json:"created_at"`
	Headers   map[string]string `json:"headers"`
	// Chaos lists what failure injection did to the delivery.
	Chaos       []string  `json:"chaos"`
	DuplicateOf string    `json:"duplicate_of"`
	ResendOf    string    `json:"resend_of"`
	Attempts    []Attempt `json:"attempts"`
	// Then are the deliveries whose first try came right after this
	// one's: a delivery held back for reordering is among the Then of
	// the later event it was sent after.
	Then []string `json:"then"`
}

// DeliveryFilter narrows Deliveries; empty fields match everything.
type DeliveryFilter struct {
	Merchant, Payment, Status string
}

// Deliveries lists webhook deliveries, newest first.
func (c *Client) Deliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error) {
	q := url.Values{"limit": {"0"}}
	if f.Merchant != "" {
		q.Set("merchant", f.Merchant)
	}
	if f.Payment != "" {
		q.Set("payment", f.Payment)
	}
	if f.Status != "" {
		q.Set("status", f.Status)
	}
	var out struct {
		Deliveries []Delivery `json:"deliveries"`
	}
	if err := c.do(ctx, http.MethodGet, "/deliveries", q, nil, &out); err != nil {
		return nil, err
	}
	return out.Deliveries, nil
}

// Delivery returns one delivery with every try.
func (c *Client) Delivery(ctx context.Context, id string) (*Delivery, error) {
	var d Delivery
	if err := c.do(ctx, http.MethodGet, "/deliveries/"+url.PathEscape(id), nil, nil, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// Resend delivers a delivery's webhook again as a new delivery.
func (c *Client) Resend(ctx context.Context, id string) (*Delivery, error) {
	var d Delivery
	if err := c.do(ctx, http.MethodPost, "/deliveries/"+url.PathEscape(id)+"/resend", nil, nil, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// SendWebhook sends the payment's current state as event ("authorize",
// "capture", "close", "reject", "refund", "update", "expire") to every
// webhook registered for it, whatever its status.
func (c *Client) SendWebhook(ctx context.Context, paymentID, event string) error {
	body := map[string]string{"event": event}
	return c.do(ctx, http.MethodPost, "/payments/"+url.PathEscape(paymentID)+"/webhooks", nil, body, nil)
}

// JournalEntry is one request the simulator's provider APIs served.
type JournalEntry struct {
	Seq          uint64    `json:"seq"`
	At           time.Time `json:"at"`
	RequestID    string    `json:"request_id"`
	Provider     string    `json:"provider"`  // such as "tabby"
	Operation    string    `json:"operation"` // such as "tabby.capture"
	Merchant     string    `json:"merchant"`
	Method       string    `json:"method"`
	Path         string    `json:"path"`
	Query        string    `json:"query"`
	Status       int       `json:"status"`
	LatencyMS    float64   `json:"latency_ms"`
	RequestBody  string    `json:"request_body"`
	ResponseBody string    `json:"response_body"`
	// Truncated says a body was cut to the journal's limit.
	Truncated bool `json:"truncated"`
}

// Journal returns up to limit recent requests of a merchant ("" for
// every merchant), newest first; limit <= 0 returns all the journal keeps.
func (c *Client) Journal(ctx context.Context, merchantID string, limit int) ([]JournalEntry, error) {
	if limit < 0 {
		limit = 0
	}
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if merchantID != "" {
		q.Set("merchant", merchantID)
	}
	var out struct {
		Entries []JournalEntry `json:"entries"`
	}
	if err := c.do(ctx, http.MethodGet, "/journal", q, nil, &out); err != nil {
		return nil, err
	}
	return out.Entries, nil
}
