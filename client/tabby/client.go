// Package tabby is a Go client for Tabby's merchant API (checkout sessions,
// payments, captures, refunds and webhooks). It talks to the real hosts
// (https://api.tabby.ai, https://api.tabby.sa) or to any server with the
// same API, such as the tabbysim simulator, chosen with WithBaseURL.
package tabby

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// DefaultBaseURL is Tabby's API host for the UAE and Kuwait. KSA merchants
// use https://api.tabby.sa.
const DefaultBaseURL = "https://api.tabby.ai"

// maxResponse bounds how much of an answer the client reads.
const maxResponse = 8 << 20

// Client calls Tabby's API with one merchant's keys. It is safe for
// concurrent use.
type Client struct {
	secretKey  string
	publicKey  string
	baseURL    string
	http       *http.Client
	retries    int
	retryDelay time.Duration
	userAgent  string
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL sets the API's base URL, such as https://api.tabby.sa or a
// simulator's address.
func WithBaseURL(u string) Option {
	return func(c *Client) { c.baseURL = strings.TrimRight(u, "/") }
}

// WithHTTPClient sets the HTTP client the requests go through.
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) {
		if h != nil {
			c.http = h
		}
	}
}

// WithPublicKey sets the public key; CreateSession uses it when set, as
// Tabby's SDKs do. Every other call uses the secret key.
func WithPublicKey(pk string) Option {
	return func(c *Client) { c.publicKey = pk }
}

// WithRetries sets how many times a request is sent again (default 2):
// any request after a 429, once its Retry-After has passed; Capture and
// Refund after a network error or a 5xx answer too, with the same
// reference_id, so Tabby performs the operation at most once.
func WithRetries(n int) Option {
	return func(c *Client) {
		if n < 0 {
			n = 0
		}
		c.retries = n
	}
}

// WithRetryDelay sets the wait before the first retry (default 200ms); it
// doubles with each further retry.
func WithRetryDelay(d time.Duration) Option {
	return func(c *Client) {
		if d < 0 {
			d = 0
		}
		c.retryDelay = d
	}
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) { c.userAgent = ua }
}

// New returns a client that authenticates with secretKey.
func New(secretKey string, opts ...Option) *Client {
	c := &Client{
		secretKey:  secretKey,
		baseURL:    DefaultBaseURL,
		http:       &http.Client{Timeout: 60 * time.Second},
		retries:    2,
		retryDelay: 200 * time.Millisecond,
		userAgent:  "tabbysim-go-client/1",
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// request is one API call.
type request struct {
	method, path string
	query        url.Values
	body         any
	key          string // default the secret key
	merchantCode string // sent as X-Merchant-Code when set
}

// do sends r and decodes a 2xx answer into out (when out is not nil).
// Other answers become *Error. A 429 is sent again once its Retry-After
// has passed (see retry).
func (c *Client) do(ctx context.Context, r request, out any) error {
	return c.retry(ctx, r, out, false)
}

func (c *Client) send(ctx context.Context, r request, payload []byte, out any) error {
	u := c.baseURL + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, body)
	if err != nil {
		return fmt.Errorf("tabby: %w", err)
	}
	key := r.key
	if key == "" {
		key = c.secretKey
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.merchantCode != "" {
		req.Header.Set("X-Merchant-Code", r.merchantCode)
	}
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return &transportError{op: r.method + " " + r.path, err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return &transportError{op: r.method + " " + r.path + ": reading the answer", err: err}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := newError(resp.StatusCode, data)
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("tabby: %s %s: decoding the answer: %w", r.method, r.path, err)
	}
	return nil
}

// doRetry sends r as do does, and sends it again after network errors
// and 5xx answers too: for captures and refunds, which their reference_id
// makes idempotent.
func (c *Client) doRetry(ctx context.Context, r request, out any) error {
	return c.retry(ctx, r, out, true)
}

// maxRetryAfter is the longest Retry-After the client waits for; a 429
// asking for longer is returned to the caller.
const maxRetryAfter = time.Minute

// retry sends r, and sends it again up to the client's retries: after a
// 429, once its Retry-After has passed (or after the retry delay when it
// gives none), since Tabby performed nothing; when idempotent, after a
// network error or a 5xx answer too, waiting the retry delay, doubled at
// each try. The body is encoded once, so every try sends the same bytes.
func (c *Client) retry(ctx context.Context, r request, out any, idempotent bool) error {
	var payload []byte
	if r.body != nil {
		var err error
		if payload, err = json.Marshal(r.body); err != nil {
			return fmt.Errorf("tabby: encoding the request: %w", err)
		}
	}
	delay := c.retryDelay
	for try := 0; ; try++ {
		err := c.send(ctx, r, payload, out)
		wait, again := retryWait(ctx, err, idempotent, delay)
		if err == nil || try >= c.retries || !again {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		delay *= 2
	}
}

// retryWait says whether err is worth another try, and after how long: a
// 429, after its Retry-After; for an idempotent request, a 5xx answer or a
// failure to get the whole answer, after delay; nothing once the context
// is done.
func retryWait(ctx context.Context, err error, idempotent bool, delay time.Duration) (time.Duration, bool) {
	if err == nil || ctx.Err() != nil {
		return 0, false
	}
	var e *Error
	if errors.As(err, &e) {
		switch {
		case e.StatusCode == http.StatusTooManyRequests && e.RetryAfter > maxRetryAfter:
			return 0, false
		case e.StatusCode == http.StatusTooManyRequests && e.RetryAfter > 0:
			return e.RetryAfter, true
		case e.StatusCode == http.StatusTooManyRequests:
			return delay, true
		}
		return delay, idempotent && e.StatusCode >= 500
	}
	var te *transportError
	return delay, idempotent && errors.As(err, &te)
}

// transportError is a request that got no complete answer: the operation
// may or may not have happened.
type transportError struct {
	op  string
	err error
}

func (e *transportError) Error() string { return "tabby: " + e.op + ": " + e.err.Error() }
func (e *transportError) Unwrap() error { return e.err }

// CreateSession creates a checkout session and its payment; Tabby runs
// pre-scoring and answers status "created" (send the customer to
// Session.WebURL) or "rejected" (see Session.RejectionReason).
func (c *Client) CreateSession(ctx context.Context, req *CheckoutRequest) (*Session, error) {
	if req == nil {
		return nil, errors.New("tabby: CreateSession needs a request")
	}
	var s Session
	if err := c.do(ctx, request{method: http.MethodPost, path: "/api/v2/checkout", body: req, key: c.publicKey}, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// GetSession returns a checkout session.
func (c *Client) GetSession(ctx context.Context, id string) (*Session, error) {
	var s Session
	if err := c.do(ctx, request{method: http.MethodGet, path: "/api/v2/checkout/" + url.PathEscape(id)}, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// CancelSession cancels a checkout the customer has not finished; its
// payment turns EXPIRED.
func (c *Client) CancelSession(ctx context.Context, id string) (*Session, error) {
	var s Session
	if err := c.do(ctx, request{method: http.MethodPost, path: "/api/v2/checkout/" + url.PathEscape(id) + "/cancel"}, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

func paymentPath(id string) string { return "/api/v2/payments/" + url.PathEscape(id) }

func (c *Client) payment(ctx context.Context, r request, retry bool) (*Payment, error) {
	var p Payment
	var err error
	if retry {
		err = c.doRetry(ctx, r, &p)
	} else {
		err = c.do(ctx, r, &p)
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// GetPayment returns a payment with its captures and refunds.
func (c *Client) GetPayment(ctx context.Context, id string) (*Payment, error) {
	return c.payment(ctx, request{method: http.MethodGet, path: paymentPath(id)}, false)
}

// UpdateReference sets the payment's order.reference_id, the only field
// Tabby lets a merchant change; the payment must be AUTHORIZED or CLOSED.
func (c *Client) UpdateReference(ctx context.Context, paymentID, referenceID string) (*Payment, error) {
	body := map[string]any{"order": map[string]string{"reference_id": referenceID}}
	return c.payment(ctx, request{method: http.MethodPut, path: paymentPath(paymentID), body: body}, false)
}

// CaptureRequest is the body of a capture. ReferenceID is the idempotency
// key; Capture generates one when it is empty.
type CaptureRequest struct {
	Amount         string `json:"amount"`
	ReferenceID    string `json:"reference_id"`
	TaxAmount      string `json:"tax_amount,omitempty"`
	ShippingAmount string `json:"shipping_amount,omitempty"`
	DiscountAmount string `json:"discount_amount,omitempty"`
	Items          []Item `json:"items,omitempty"`
}

// RefundRequest is the body of a refund. ReferenceID is the idempotency
// key; Refund generates one when it is empty.
type RefundRequest struct {
	Amount      string `json:"amount"`
	ReferenceID string `json:"reference_id"`
	Reason      string `json:"reason,omitempty"`
	Items       []Item `json:"items,omitempty"`
}

// Capture captures amount of an AUTHORIZED payment; capturing the rest in
// full closes it. Network errors and 5xx answers are retried with the same
// reference_id (see WithRetries), so at most one capture is made.
func (c *Client) Capture(ctx context.Context, paymentID string, req CaptureRequest) (*Payment, error) {
	if req.ReferenceID == "" {
		req.ReferenceID = uuid.NewString()
	}
	return c.payment(ctx, request{method: http.MethodPost, path: paymentPath(paymentID) + "/captures", body: req}, true)
}

// Refund refunds amount of a CLOSED payment, at most what was captured.
// Network errors and 5xx answers are retried with the same reference_id
// (see WithRetries), so at most one refund is made.
func (c *Client) Refund(ctx context.Context, paymentID string, req RefundRequest) (*Payment, error) {
	if req.ReferenceID == "" {
		req.ReferenceID = uuid.NewString()
	}
	return c.payment(ctx, request{method: http.MethodPost, path: paymentPath(paymentID) + "/refunds", body: req}, true)
}

// Close closes an AUTHORIZED payment, cancelling what was not captured. A
// payment closed already gives an error IsAlreadyClosed recognises.
func (c *Client) Close(ctx context.Context, paymentID string) (*Payment, error) {
	return c.payment(ctx, request{method: http.MethodPost, path: paymentPath(paymentID) + "/close"}, false)
}

// ListParams filters ListPayments. Zero values are left out.
type ListParams struct {
	// Status is an API status (authorized, closed, rejected) or a
	// dashboard one (new, captured, refunded, cancelled); empty lists
	// AUTHORIZED and CLOSED payments.
	Status string
	// CreatedFrom and CreatedTo bound the creation date, inclusive, as
	// YYYY-MM-DD.
	CreatedFrom, CreatedTo string
	// Limit is at most 20; Offset counts from 0.
	Limit, Offset int
}

// PaymentList is a page of payments, newest first.
type PaymentList struct {
	Payments   []Payment `json:"payments"`
	Pagination struct {
		Limit      int `json:"limit"`
		Offset     int `json:"offset"`
		TotalCount int `json:"total_count"`
	} `json:"pagination"`
}

// ListPayments lists the merchant's payments.
func (c *Client) ListPayments(ctx context.Context, p ListParams) (*PaymentList, error) {
	q := url.Values{}
	if p.Status != "" {
		q.Set("status", p.Status)
	}
	if p.CreatedFrom != "" {
		q.Set("created_at__gte", p.CreatedFrom)
	}
	if p.CreatedTo != "" {
		q.Set("created_at__lte", p.CreatedTo)
	}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.Offset > 0 {
		q.Set("offset", strconv.Itoa(p.Offset))
	}
	var out PaymentList
	if err := c.do(ctx, request{method: http.MethodGet, path: "/api/v2/payments", query: q}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
