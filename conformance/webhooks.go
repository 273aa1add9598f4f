package conformance

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/tabbysim/tabbysim/client/simctl"
)

// Webhook steps: what the provider sends, what the harness sends in its
// name, and how the merchant takes them.

// chaos switches the simulator's failure injection of webhooks on for the
// scenario's merchant.
func (w *World) chaos(settings map[string]any) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		_, err := w.env.Control.UpdateSettings(ctx, w.merchant.ID, map[string]any{"webhooks": settings})
		return err
	}
}

func (w *World) sendsExpiredWebhooks(ctx context.Context) error {
	_, err := w.env.Control.UpdateSettings(ctx, w.merchant.ID, map[string]any{"tabby": map[string]any{"expire_webhooks": true}})
	return err
}

// webhooksAreDelivered sends the webhooks due now: the clock advances by
// nothing.
func (w *World) webhooksAreDelivered(ctx context.Context) error {
	_, err := w.env.Control.Advance(ctx, w.merchant.ID, 0)
	w.acted()
	return err
}

func (w *World) resendsEveryWebhook(ctx context.Context) error {
	ds, err := w.env.Control.Deliveries(ctx, simctl.DeliveryFilter{Merchant: w.merchant.ID, Payment: w.paymentID})
	if err != nil {
		return err
	}
	for _, d := range ds {
		if _, err := w.env.Control.Resend(ctx, d.ID); err != nil {
			return err
		}
	}
	return w.webhooksAreDelivered(ctx)
}

func (w *World) forgedWebhookAuthorizes(ctx context.Context) error {
	return w.sendWebhook(ctx, "authorized", true)
}

func (w *World) authenticWebhookAuthorizes(ctx context.Context) error {
	return w.sendWebhook(ctx, "authorized", false)
}

// sendWebhook sends the merchant a webhook of the payment announcing
// status, forged or not, and records it in w.sent.
func (w *World) sendWebhook(ctx context.Context, status string, forged bool) error {
	if err := w.needPayment(); err != nil {
		return err
	}
	req, sent, err := w.driver.webhook(ctx, status, forged)
	if err != nil {
		return err
	}
	resp, err := w.http.Do(req)
	w.acted()
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	sent.answer = Answer{Status: resp.StatusCode, Body: b}
	w.sent = sent
	return nil
}

func (w *World) sentWebhook() (*sentWebhook, error) {
	if w.sent == nil {
		return nil, fmt.Errorf("the harness sent no webhook of its own")
	}
	return w.sent, nil
}

// everyWebhookAcknowledged waits for every webhook of the payment to have
// been sent (a merchant that works after it answered causes webhooks
// later), and checks the merchant answered each with 200.
func (w *World) everyWebhookAcknowledged(ctx context.Context) error {
	var ds []simctl.Delivery
	err := w.eventually(ctx, func(ctx context.Context) (err error) {
		if ds, err = w.deliveries(ctx); err != nil {
			return err
		}
		for _, d := range ds {
			if d.Status != "dropped" && len(d.Attempts) == 0 {
				return fmt.Errorf("the %s webhook (%s) was not sent yet; deliver webhooks before this check", d.Event, d.Status)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, d := range ds {
		if d.Status == "dropped" {
			continue
		}
		if a := d.Attempts[0]; !a.Accepted {
			return broke("R-WEBHOOK-ACK-200", "acknowledge every webhook with HTTP 200",
				"the %s webhook was answered HTTP %d %s%s", d.Event, a.Status, a.Error, cut([]byte(a.ResponseBody)))
		}
	}
	return nil
}

func (w *World) forgedWebhookRefused(ctx context.Context) error {
	s, err := w.sentWebhook()
	if err != nil {
		return err
	}
	if s.answer.Status < 400 || s.answer.Status >= 500 {
		return broke("R-WEBHOOK-AUTH", "refuse a webhook without the registered auth header",
			"the merchant answered HTTP %d", s.answer.Status)
	}
	return nil
}

func (w *World) merchantRetrievedPayment(ctx context.Context) error {
	return w.eventually(ctx, func(ctx context.Context) error {
		calls, err := w.apiCalls(ctx, "retrieve")
		if err != nil || len(calls) > 0 {
			return err
		}
		return broke("R-WEBHOOK-VERIFY", "retrieve the payment before acting on a webhook", "the merchant never called GET /api/v2/payments/%s", w.paymentID)
	})
}

// deliveries lists the webhooks of the scenario's payment, oldest first.
func (w *World) deliveries(ctx context.Context) ([]simctl.Delivery, error) {
	if err := w.needPayment(); err != nil {
		return nil, err
	}
	ds, err := w.env.Control.Deliveries(ctx, simctl.DeliveryFilter{Merchant: w.merchant.ID, Payment: w.paymentID})
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, broke("R-WEBHOOK-REGISTERED", "register a webhook so Tabby can notify the merchant", "no webhook was sent: none is registered")
	}
	slices.Reverse(ds)
	return ds, nil
}
