package tabby

import (
	"context"
	"encoding/json"

	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tenant"
	"github.com/tabbysim/tabbysim/simulator/webhook"
)

// WebhookSender turns payment events into deliveries to every endpoint
// registered for the payment's merchant code, each with its registered
// header (tabby-api.md §6).
type WebhookSender struct {
	Outbox *webhook.Engine
}

// Notify implements Notifier.
func (w *WebhookSender) Notify(ctx context.Context, tx store.Tx, m *tenant.Merchant, p *Payment, e Event) error {
	hooks, err := WebhooksFor(tx, p)
	if err != nil || len(hooks) == 0 {
		return err
	}
	body, err := json.Marshal(p.WebhookJSON())
	if err != nil {
		return err
	}
	for _, h := range hooks {
		d := webhook.Delivery{
			Provider: webhookProvider, PaymentID: p.ID, Event: string(e), URL: h.URL, Body: string(body),
			Headers: map[string]string{"Content-Type": "application/json", "User-Agent": "tabbysim-webhooks"},
		}
		if h.Header != nil {
			d.Headers[h.Header.Title] = h.Header.Value
			d.AuthHeader = h.Header.Title
		}
		if err := w.Outbox.Enqueue(tx, m, d); err != nil {
			return err
		}
	}
	return nil
}

// ParseEvent checks a webhook event's name.
func ParseEvent(s string) (Event, error) {
	switch e := Event(s); e {
	case EventAuthorize, EventCapture, EventClose, EventReject, EventRefund, EventUpdate, EventExpire:
		return e, nil
	}
	return "", errorf(Invalid, "event must be one of authorize, capture, close, reject, refund, update, expire; got %q", s)
}

// SendWebhook sends the payment's current state as event e, on demand,
// whatever the payment's status.
func (s *Service) SendWebhook(ctx context.Context, paymentID string, e Event) (*Payment, error) {
	m, err := s.owner(ctx, paymentID)
	if err != nil {
		return nil, err
	}
	return s.mutate(ctx, m, paymentID, func(p *Payment, c *change) error {
		p.record(c.now, "webhook sent on demand", BySimulator, string(e))
		c.emit(p, e)
		return nil
	})
}

// Event is a change Tabby sends a webhook for (tabby-api.md §6.3).
type Event string

// Webhook events, one per transition Tabby documents.
const (
	EventAuthorize Event = "authorize"
	EventCapture   Event = "capture"
	EventClose     Event = "close"
	EventReject    Event = "reject"
	EventRefund    Event = "refund"
	EventUpdate    Event = "update"
	EventExpire    Event = "expire"
)

// Notifier hears of every webhook event inside the transaction that makes
// the change, so the webhook is stored in the same step as the change.
type Notifier interface {
	// Notify receives the payment as it was right after the event.
	Notify(ctx context.Context, tx store.Tx, m *tenant.Merchant, p *Payment, e Event) error
}
