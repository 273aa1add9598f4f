package tabby

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"strings"

	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

const kindWebhook = "tabby.webhook"

// MaxWebhooks is how many webhooks one merchant code and key may register
// (tabby-api.md §3.10).
const MaxWebhooks = 4

// Webhook is a registered webhook endpoint.
type Webhook struct {
	ID           string         `json:"id"`
	Merchant     string         `json:"-"`
	MerchantCode string         `json:"-"`
	URL          string         `json:"url"`
	IsTest       bool           `json:"is_test"`
	Header       *WebhookHeader `json:"header,omitempty"`
}

// WebhookHeader is sent as "Title: Value" with every delivery.
type WebhookHeader struct {
	Title string `json:"title"`
	Value string `json:"value"`
}

// stored adds the owner fields the wire form leaves out.
type storedWebhook struct {
	Webhook
	Merchant     string `json:"merchant"`
	MerchantCode string `json:"merchant_code"`
}

// WebhookInput is the body of a register or update call.
type WebhookInput struct {
	URL    *string        `json:"url"`
	IsTest *bool          `json:"is_test"`
	Header *WebhookHeader `json:"header"`
}

// Webhooks manages webhook registrations.
type Webhooks struct {
	Store store.Store
	IDs   interface{ UUID() string }
}

// checkCode resolves the X-Merchant-Code header for merchant m.
func checkCode(m *tenant.Merchant, code string) error {
	if code == "" {
		return apperr.Errorf(apperr.Invalid, "the X-Merchant-Code header is required")
	}
	if _, ok := m.Currency(code); !ok {
		return ErrUnknownMerchantCode
	}
	return nil
}

func (in *WebhookInput) validate(strict bool) error {
	if in.URL == nil || *in.URL == "" {
		return apperr.Errorf(apperr.Invalid, "url is required")
	}
	u, err := parseMerchantURL("url", *in.URL)
	if err != nil {
		return err
	}
	if strict {
		host := u.Hostname()
		ip := net.ParseIP(host)
		if u.Scheme != "https" || host == "localhost" || (ip != nil && (ip.IsLoopback() || ip.IsPrivate())) {
			return apperr.Errorf(apperr.Invalid, "url: %q must be a public https URL (strict mode)", *in.URL)
		}
	}
	if h := in.Header; h != nil {
		switch {
		case (h.Title == "") != (h.Value == ""):
			return apperr.Errorf(apperr.Invalid, "header: title and value go together")
		case h.Title != "" && !isToken(h.Title):
			return apperr.Errorf(apperr.Invalid, "header.title: %q is not an HTTP header name: letters, digits and !#$%%&'*+-.^_`|~ only (RFC 9110 §5.1)", h.Title)
		case connectionHeaders[strings.ToLower(h.Title)]:
			return apperr.Errorf(apperr.Invalid, "header.title: %q belongs to the HTTP connection and does not reach the endpoint as sent; choose another name, such as X-Webhook-Secret", h.Title)
		case strings.ContainsFunc(h.Value, isControl):
			return apperr.Errorf(apperr.Invalid, "header.value must not contain control characters (U+0000 to U+001F but tab, U+007F): HTTP cannot carry them (RFC 9110 §5.5)")
		case strings.Trim(h.Value, " \t") != h.Value:
			return apperr.Errorf(apperr.Invalid, "header.value must not begin or end with a space or tab: HTTP drops them (RFC 9110 §5.5)")
		}
	}
	return nil
}

// isToken reports whether s is an HTTP header name (RFC 9110 token).
func isToken(s string) bool {
	for _, r := range s {
		if r > 0x7e || r <= ' ' || strings.ContainsRune("\"(),/:;<=>?@[\\]{}", r) {
			return false
		}
	}
	return s != ""
}

// isControl reports the characters an HTTP field value cannot hold
// (RFC 9110 §5.5): every control character but tab.
func isControl(r rune) bool { return (r < ' ' && r != '\t') || r == 0x7f }

// connectionHeaders are the header names HTTP itself sets or strips on the
// way (RFC 9110 §7.6.1, RFC 9112 §6): a registered header by one of these
// names would never reach the endpoint as registered.
var connectionHeaders = map[string]bool{
	"host": true, "content-length": true, "transfer-encoding": true, "trailer": true, "te": true,
	"connection": true, "keep-alive": true, "proxy-connection": true, "upgrade": true,
}

// Register adds a webhook for merchant m's code.
func (w *Webhooks) Register(ctx context.Context, m *tenant.Merchant, code string, in *WebhookInput) (*Webhook, error) {
	if err := checkCode(m, code); err != nil {
		return nil, err
	}
	if err := in.validate(m.Settings.Strict); err != nil {
		return nil, err
	}
	hook := storedWebhook{Merchant: m.ID, MerchantCode: code}
	hook.ID, hook.URL, hook.IsTest = w.IDs.UUID(), *in.URL, true
	if in.IsTest != nil {
		hook.IsTest = *in.IsTest
	}
	if in.Header != nil && in.Header.Title != "" {
		hook.Header = in.Header
	}
	err := w.Store.Update(ctx, func(tx store.Tx) error {
		if err := stillThere(tx, m); err != nil {
			return err
		}
		_, n, err := tx.List(kindWebhook, store.Query{Merchant: m.ID, Index: map[string]string{"code": code}})
		if err != nil {
			return err
		}
		if n >= MaxWebhooks {
			return apperr.Errorf(apperr.Invalid, "merchant code %q already has %d webhooks, the most Tabby allows; delete one first", code, MaxWebhooks)
		}
		return store.CreateJSON(tx, webhookDoc(&hook), &hook)
	})
	if err != nil {
		return nil, err
	}
	return hook.public(), nil
}

func webhookDoc(h *storedWebhook) store.Doc {
	return store.Doc{Kind: kindWebhook, ID: h.ID, Merchant: h.Merchant, Index: map[string]string{"code": h.MerchantCode}}
}

func (h *storedWebhook) public() *Webhook {
	out := h.Webhook
	out.Merchant, out.MerchantCode = h.Merchant, h.MerchantCode
	return &out
}

// List returns merchant m's webhooks for code; never nil.
func (w *Webhooks) List(ctx context.Context, m *tenant.Merchant, code string) ([]*Webhook, error) {
	if err := checkCode(m, code); err != nil {
		return nil, err
	}
	out := []*Webhook{}
	err := w.Store.View(ctx, func(tx store.Tx) error {
		hooks, err := listWebhooks(tx, m.ID, code)
		out = append(out, hooks...)
		return err
	})
	return out, err
}

func listWebhooks(tx store.Tx, merchant, code string) ([]*Webhook, error) {
	docs, _, err := tx.List(kindWebhook, store.Query{Merchant: merchant, Index: map[string]string{"code": code}})
	if err != nil {
		return nil, err
	}
	var out []*Webhook
	for i := len(docs) - 1; i >= 0; i-- { // oldest first
		var h storedWebhook
		if err := json.Unmarshal(docs[i].Data, &h); err != nil {
			return nil, err
		}
		out = append(out, h.public())
	}
	return out, nil
}

// WebhooksFor lists the endpoints a payment's webhooks go to.
func WebhooksFor(tx store.Tx, p *Payment) ([]*Webhook, error) {
	return listWebhooks(tx, p.Merchant, p.MerchantCode)
}

func (w *Webhooks) get(tx store.Tx, m *tenant.Merchant, code, id string) (*storedWebhook, error) {
	var h storedWebhook
	_, err := store.GetJSON(tx, kindWebhook, id, &h)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (h.Merchant != m.ID || h.MerchantCode != code)) {
		return nil, apperr.Errorf(apperr.NotFound, "no such webhook")
	}
	return &h, err
}

// Get returns one of merchant m's webhooks.
func (w *Webhooks) Get(ctx context.Context, m *tenant.Merchant, code, id string) (*Webhook, error) {
	if err := checkCode(m, code); err != nil {
		return nil, err
	}
	var out *Webhook
	err := w.Store.View(ctx, func(tx store.Tx) error {
		h, err := w.get(tx, m, code, id)
		if err == nil {
			out = h.public()
		}
		return err
	})
	return out, err
}

// Update replaces a webhook's url, and its header and is_test when given.
func (w *Webhooks) Update(ctx context.Context, m *tenant.Merchant, code, id string, in *WebhookInput) (*Webhook, error) {
	if err := checkCode(m, code); err != nil {
		return nil, err
	}
	if err := in.validate(m.Settings.Strict); err != nil {
		return nil, err
	}
	var out *Webhook
	err := w.Store.Update(ctx, func(tx store.Tx) error {
		if err := stillThere(tx, m); err != nil {
			return err
		}
		h, err := w.get(tx, m, code, id)
		if err != nil {
			return err
		}
		h.URL = *in.URL
		if in.IsTest != nil {
			h.IsTest = *in.IsTest
		}
		if in.Header != nil {
			h.Header = in.Header
			if in.Header.Title == "" {
				h.Header = nil
			}
		}
		out = h.public()
		return store.PutJSON(tx, webhookDoc(h), h)
	})
	return out, err
}

// Delete removes a webhook.
func (w *Webhooks) Delete(ctx context.Context, m *tenant.Merchant, code, id string) error {
	if err := checkCode(m, code); err != nil {
		return err
	}
	return w.Store.Update(ctx, func(tx store.Tx) error {
		if _, err := w.get(tx, m, code, id); err != nil {
			return err
		}
		return tx.Delete(kindWebhook, id)
	})
}
