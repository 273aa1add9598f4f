package tabby

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// WebhookHeader is a header Tabby sends with every webhook delivery, as
// "Title: Value"; it is how a receiver knows the call came from Tabby.
type WebhookHeader struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

// Webhook is a registered webhook endpoint.
type Webhook struct {
	ID     string         `json:"id"`
	URL    string         `json:"url"`
	IsTest bool           `json:"is_test"`
	Header *WebhookHeader `json:"header,omitempty"`
}

// webhookBody is the body of register and update.
type webhookBody struct {
	URL    string         `json:"url"`
	IsTest *bool          `json:"is_test,omitempty"`
	Header *WebhookHeader `json:"header,omitempty"`
}

func (c *Client) isTestKey() bool { return strings.HasPrefix(c.secretKey, "sk_test") }

// RegisterWebhook registers url for merchantCode's payments; header, when
// not nil, comes with every delivery. Tabby allows 4 webhooks per code.
func (c *Client) RegisterWebhook(ctx context.Context, merchantCode, url string, header *WebhookHeader) (*Webhook, error) {
	isTest := c.isTestKey()
	var h Webhook
	r := request{method: http.MethodPost, path: "/api/v1/webhooks", merchantCode: merchantCode,
		body: webhookBody{URL: url, IsTest: &isTest, Header: header}}
	if err := c.do(ctx, r, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

// ListWebhooks returns merchantCode's webhooks; never nil on success.
func (c *Client) ListWebhooks(ctx context.Context, merchantCode string) ([]Webhook, error) {
	var raw json.RawMessage
	r := request{method: http.MethodGet, path: "/api/v1/webhooks", merchantCode: merchantCode}
	if err := c.do(ctx, r, &raw); err != nil {
		return nil, err
	}
	// Tabby documents a list, a single object or null; accept all three.
	out := []Webhook{}
	switch t := bytes.TrimSpace(raw); {
	case len(t) == 0, bytes.Equal(t, []byte("null")):
	case t[0] == '{':
		var h Webhook
		if err := json.Unmarshal(t, &h); err != nil {
			return nil, fmt.Errorf("tabby: GET /api/v1/webhooks: decoding the answer: %w", err)
		}
		out = append(out, h)
	default:
		if err := json.Unmarshal(t, &out); err != nil {
			return nil, fmt.Errorf("tabby: GET /api/v1/webhooks: decoding the answer: %w", err)
		}
		if out == nil {
			out = []Webhook{}
		}
	}
	return out, nil
}

func webhookPath(id string) string { return "/api/v1/webhooks/" + url.PathEscape(id) }

// GetWebhook returns one webhook.
func (c *Client) GetWebhook(ctx context.Context, merchantCode, id string) (*Webhook, error) {
	var h Webhook
	if err := c.do(ctx, request{method: http.MethodGet, path: webhookPath(id), merchantCode: merchantCode}, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

// UpdateWebhook replaces a webhook's URL and, when header is not nil, its
// header.
func (c *Client) UpdateWebhook(ctx context.Context, merchantCode, id, url string, header *WebhookHeader) (*Webhook, error) {
	var h Webhook
	r := request{method: http.MethodPut, path: webhookPath(id), merchantCode: merchantCode,
		body: webhookBody{URL: url, Header: header}}
	if err := c.do(ctx, r, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

// DeleteWebhook removes a webhook.
func (c *Client) DeleteWebhook(ctx context.Context, merchantCode, id string) error {
	return c.do(ctx, request{method: http.MethodDelete, path: webhookPath(id), merchantCode: merchantCode}, nil)
}

// WebhookPayload is the body of a payment webhook: a subset of the payment
// with a lower-case status ("authorized", "closed", "rejected", "expired").
// It carries no event name; a capture arrives as "authorized" with a longer
// Captures, a refund as "closed" with a longer Refunds. Treat it as a
// notification and confirm with GetPayment.
type WebhookPayload struct {
	ID        string  `json:"id"`
	CreatedAt string  `json:"created_at"`
	ExpiresAt string  `json:"expires_at"`
	ClosedAt  *string `json:"closed_at"`
	ExpiredAt *string `json:"expired_at"`
	Status    string  `json:"status"`
	IsTest    bool    `json:"is_test"`
	IsExpired bool    `json:"is_expired"`
	Amount    string  `json:"amount"`
	Currency  string  `json:"currency"`
	Order     struct {
		ReferenceID string `json:"reference_id"`
	} `json:"order"`
	Captures []Capture `json:"captures"`
	Refunds  []Refund  `json:"refunds"`
}

// ParseWebhook decodes a webhook body. It fails on malformed JSON and on a
// body without a payment id.
func ParseWebhook(body []byte) (*WebhookPayload, error) {
	var p WebhookPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("tabby: webhook body: %w", err)
	}
	if p.ID == "" {
		return nil, errors.New("tabby: webhook body has no payment id")
	}
	return &p, nil
}

// VerifyWebhook reports whether r carries the header registered with the
// webhook, comparing values in constant time. It is false when header has
// no title or no value.
func VerifyWebhook(r *http.Request, header WebhookHeader) bool {
	if header.Title == "" || header.Value == "" {
		return false
	}
	got := r.Header.Get(header.Title)
	return subtle.ConstantTimeCompare([]byte(got), []byte(header.Value)) == 1
}
