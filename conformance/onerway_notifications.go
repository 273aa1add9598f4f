package conformance

import (
	"context"
	"fmt"
	"slices"

	gateway "github.com/tabbysim/tabbysim/simulator/onerway"

	"github.com/tabbysim/tabbysim/client/simctl"
	"github.com/tabbysim/tabbysim/simulator/webhook"
)

// notifications are the deliveries of the payment's notifications and of
// its refunds', each a transaction of its own, oldest first.
func (w *World) notifications(ctx context.Context) ([]simctl.Delivery, error) {
	ds, err := w.deliveries(ctx)
	if err != nil {
		return nil, err
	}
	refunds, err := w.gatewayRefunds(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range refunds {
		rds, err := w.env.Control.Deliveries(ctx, simctl.DeliveryFilter{Merchant: w.merchant.ID, Payment: r.TransactionID})
		if err != nil {
			return nil, err
		}
		slices.Reverse(rds)
		ds = append(ds, rds...)
	}
	return ds, nil
}

// eachNotification runs check on every notification the gateway sent
// about the payment; check answers the rule it broke.
func (w *World) eachNotification(ctx context.Context, check func(d simctl.Delivery) error) error {
	ds, err := w.notifications(ctx)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if d.Status == "dropped" {
			continue
		}
		if len(d.Attempts) == 0 {
			return fmt.Errorf("the %s notification (%s) was not sent yet; deliver webhooks before this check", d.Event, d.Status)
		}
		if err := check(d); err != nil {
			return err
		}
	}
	return nil
}

// attemptAnswer says what a notification's try got.
func attemptAnswer(a simctl.Attempt) string {
	if a.Error != "" {
		return a.Error
	}
	return fmt.Sprintf("HTTP %d %q", a.Status, cut([]byte(a.ResponseBody)))
}

func (w *World) notificationsAcknowledged(ctx context.Context) error {
	return w.eachNotification(ctx, func(d simctl.Delivery) error {
		if slices.ContainsFunc(d.Attempts, func(a simctl.Attempt) bool { return a.Accepted }) {
			return nil
		}
		return broke("R-OW-WEBHOOK-ACK", ruleAck, "the merchant answered the %s notification's %d tries, the last with %s",
			d.Event, len(d.Attempts), attemptAnswer(d.Attempts[len(d.Attempts)-1]))
	})
}

func (w *World) notificationsSentOnce(ctx context.Context) error {
	return w.eachNotification(ctx, func(d simctl.Delivery) error {
		if len(d.Attempts) == 1 {
			return nil
		}
		return broke("R-OW-WEBHOOK-ACK", ruleAck, "Onerway tried the %s notification %d times, the first answered %s",
			d.Event, len(d.Attempts), attemptAnswer(d.Attempts[0]))
	})
}

func (w *World) noNotificationAcknowledged(ctx context.Context) error {
	return w.eachNotification(ctx, func(d simctl.Delivery) error {
		if i := slices.IndexFunc(d.Attempts, func(a simctl.Attempt) bool { return a.Accepted }); i >= 0 {
			return broke("R-OW-WEBHOOK-SIGNATURE", ruleNotifySign, "the merchant acknowledged the %s notification, whose sign does not verify, with %s",
				d.Event, attemptAnswer(d.Attempts[i]))
		}
		return nil
	})
}

// notificationRefused checks the harness's own notification was not
// acknowledged as Onerway counts acknowledgements.
func (w *World) notificationRefused(ctx context.Context) error {
	s, err := w.sentWebhook()
	if err != nil {
		return err
	}
	if gateway.WebhookPolicy.Accepts(s.answer.Status, s.answer.Body, &webhook.Delivery{AckToken: w.paymentID}) {
		return broke("R-OW-WEBHOOK-SIGNATURE", ruleNotifySign, "the merchant acknowledged it with HTTP %d %q", s.answer.Status, cut(s.answer.Body))
	}
	return nil
}

func (w *World) forgedEveryNotification(ctx context.Context) error {
	ds, err := w.deliveries(ctx)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if !hasChaos(d, "forged: sent with a wrong sign") || len(d.Attempts) == 0 {
			return notArranged("the %s notification went out with its own sign: %s", d.Event, deliveryLog(ds))
		}
	}
	return nil
}

func (w *World) retriedAfterTimeout(ctx context.Context) error {
	ds, err := w.deliveries(ctx)
	if err != nil {
		return err
	}
	for _, d := range originals(ds) {
		if len(d.Attempts) < 2 || d.Attempts[0].Accepted || d.Attempts[0].Error == "" {
			return notArranged("the %s notification was not tried again after a first try that timed out: %s", d.Event, deliveryLog(ds))
		}
	}
	return nil
}
