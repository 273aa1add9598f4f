package tabby

import (
	"context"

	"github.com/tabbysim/tabbysim/simulator/apperr"
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

// Observe implements Observer with Tabby's rule: "expire" webhooks go only
// to merchants who asked for them (tabby-api.md §6.3).
func (w *WebhookSender) Observe(ctx context.Context, tx store.Tx, m *tenant.Merchant, p *Payment, e Event) error {
	if e == EventExpire && !m.Settings.Tabby.ExpireWebhooks {
		return nil
	}
	return w.SendOnDemand(ctx, tx, m, p, e)
}

// SendOnDemand implements OnDemandSender: it sends p as event e to every
// endpoint registered for it. A payment that came through a gateway gets
// none: Tabby tells the gateway, and the gateway tells the merchant.
func (w *WebhookSender) SendOnDemand(ctx context.Context, tx store.Tx, m *tenant.Merchant, p *Payment, e Event) error {
	if p.Channel.ThroughGateway() {
		return nil
	}
	hooks, err := WebhooksFor(tx, p)
	if err != nil || len(hooks) == 0 {
		return err
	}
	wj := p.WebhookJSON()
	body, err := wj.AppendJSON(nil)
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
	return "", apperr.Errorf(apperr.Invalid, "event must be one of authorize, capture, close, reject, refund, update, expire; got %q", s)
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
		c.events = append(c.events, emitted{event: e, snap: snapshot(p), onDemand: true})
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

// Observer hears of every event of a payment's lifecycle inside the
// transaction that makes the change, so that what it writes (a webhook, a
// gateway's own record of the payment) is committed with the change or not
// at all.
type Observer interface {
	// Observe receives the payment as it was right after the event; it
	// must not change it. An error undoes the whole change.
	Observe(ctx context.Context, tx store.Tx, m *tenant.Merchant, p *Payment, e Event) error
}

// OnDemandSender is an Observer that also sends a payment's current state
// when the control API asks for it, whatever the payment's status and the
// merchant's settings. Observers that are not one never hear of such
// sends, which change nothing.
type OnDemandSender interface {
	Observer
	SendOnDemand(ctx context.Context, tx store.Tx, m *tenant.Merchant, p *Payment, e Event) error
}
