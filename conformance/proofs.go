package conformance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/client/simctl"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// A scenario that arranges a condition (a fault, a lost redirect, a forged
// header) proves from the simulator's records that the condition held:
// otherwise a merchant that mishandles the condition could pass a scenario
// in which it never arose. The steps below are those proofs.

// notArranged is the failure of a scenario whose arrangement did not hold.
func notArranged(format string, args ...any) error {
	return fmt.Errorf("the scenario's arrangement did not hold, so it proves nothing: "+format, args...)
}

func (w *World) deliveredTwice(ctx context.Context) error {
	ds, err := w.deliveries(ctx)
	if err != nil {
		return err
	}
	for _, d := range originals(ds) {
		i := slices.IndexFunc(ds, func(c simctl.Delivery) bool { return c.DuplicateOf == d.ID && hasChaos(c, "duplicate") })
		if i < 0 {
			return notArranged("the %s webhook (%s) has no duplicate in the delivery log: %s", d.Event, d.ID, deliveryLog(ds))
		}
		if len(d.Attempts) == 0 || len(ds[i].Attempts) == 0 {
			return notArranged("the %s webhook and its duplicate did not both go out: %s", d.Event, deliveryLog(ds))
		}
	}
	return nil
}

func (w *World) deliveredAgain(ctx context.Context) error {
	ds, err := w.deliveries(ctx)
	if err != nil {
		return err
	}
	for _, d := range originals(ds) {
		if !slices.ContainsFunc(ds, func(r simctl.Delivery) bool { return r.ResendOf == d.ID && len(r.Attempts) > 0 }) {
			return notArranged("the %s webhook (%s) was not sent again: %s", d.Event, d.ID, deliveryLog(ds))
		}
	}
	return nil
}

func (w *World) deliveredOutOfOrder(ctx context.Context) error {
	ds, err := w.deliveries(ctx)
	if err != nil {
		return err
	}
	for _, held := range ds {
		if !hasChaos(held, "held back") || len(held.Attempts) == 0 {
			continue
		}
		// The simulator sends a held delivery right after the later event
		// that released it, and records it among that one's Then.
		if slices.ContainsFunc(ds, func(next simctl.Delivery) bool {
			return slices.Contains(next.Then, held.ID) && len(next.Attempts) > 0
		}) {
			return nil
		}
	}
	return notArranged("no webhook was held back and delivered after a later one: %s", deliveryLog(ds))
}

func (w *World) lostEveryWebhook(ctx context.Context) error {
	ds, err := w.deliveries(ctx)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if d.Status != "dropped" || len(d.Attempts) > 0 {
			return notArranged("the %s webhook reached the merchant: %s", d.Event, deliveryLog(ds))
		}
	}
	return nil
}

func (w *World) deliveredExpiredWebhook(ctx context.Context) error {
	ds, err := w.deliveries(ctx)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(ds, func(d simctl.Delivery) bool { return d.Event == "expire" && len(d.Attempts) > 0 }) {
		return notArranged("no expired webhook went out: %s", deliveryLog(ds))
	}
	return nil
}

// autoCaptureFellDue proves the clock passed the time the provider
// captures a payment left authorized (tabby.auto_capture_after after its
// authorization), whatever became of the payment.
func (w *World) autoCaptureFellDue(ctx context.Context) error {
	if err := w.needPayment(); err != nil {
		return err
	}
	p, err := w.env.Control.Payment(ctx, w.paymentID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(p.History, func(e simctl.HistoryEntry) bool { return e.Event == "authorized" })
	if i < 0 {
		return notArranged("the payment was never authorized (history: %s)", history(p))
	}
	m, err := w.env.Control.Merchant(ctx, w.merchant.ID)
	if err != nil {
		return err
	}
	if mode := gjson.GetBytes(m.Settings, "tabby.auto_capture").String(); mode != "after_delay" {
		return notArranged("the merchant's tabby.auto_capture is %q, not after_delay", mode)
	}
	after, err := tenant.ParseDuration(gjson.GetBytes(m.Settings, "tabby.auto_capture_after").String())
	if err != nil {
		return err
	}
	due := p.History[i].At.Add(time.Duration(after))
	if m.Clock.Now.Before(due) {
		return notArranged("the clock reads %s, before the auto-capture due %s after the authorization", m.Clock.Now.Format(time.RFC3339), after)
	}
	return nil
}

func (w *World) recordedCustomer(ctx context.Context, what string) error {
	return w.recorded(ctx, "customer "+what, "")
}

func (w *World) rejectedAtPrescoring(ctx context.Context, reason string) error {
	return w.recorded(ctx, "session rejected at pre-scoring", reason)
}

func (w *World) sentWebhookWasForged(ctx context.Context) error {
	s, err := w.sentWebhook()
	if err != nil {
		return err
	}
	if s.unprotected != nil {
		return s.unprotected
	}
	if s.authentic {
		return notArranged("the webhook carried %s", s.auth)
	}
	return nil
}

func (w *World) sentWebhookWasAuthentic(ctx context.Context) error {
	s, err := w.sentWebhook()
	if err != nil {
		return err
	}
	if !s.authentic {
		return notArranged("the webhook did not carry %s", s.auth)
	}
	if strings.EqualFold(s.claimed, s.paymentStatus) {
		return notArranged("the webhook announced %s, which the payment was", s.claimed)
	}
	return nil
}

// originals are the deliveries of the payment's events, without the copies
// failure injection or a resend made of them.
func originals(ds []simctl.Delivery) []simctl.Delivery {
	return slices.DeleteFunc(slices.Clone(ds), func(d simctl.Delivery) bool { return d.DuplicateOf != "" || d.ResendOf != "" })
}

func hasChaos(d simctl.Delivery, what string) bool {
	return slices.ContainsFunc(d.Chaos, func(c string) bool { return strings.Contains(c, what) })
}

// deliveryLog sums the delivery log up for a failure message.
func deliveryLog(ds []simctl.Delivery) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = fmt.Sprintf("%s %s %s after %d tries", d.ID, d.Event, d.Status, len(d.Attempts))
		if len(d.Chaos) > 0 {
			parts[i] += " (" + strings.Join(d.Chaos, "; ") + ")"
		}
	}
	return strings.Join(parts, ", ")
}

// recorded checks the payment's history has event, with detail unless
// detail is "".
func (w *World) recorded(ctx context.Context, event, detail string) error {
	if err := w.needPayment(); err != nil {
		return err
	}
	id, err := w.driver.tabbyPayment(ctx)
	if err != nil {
		return err
	}
	p, err := w.env.Control.Payment(ctx, id)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(p.History, func(e simctl.HistoryEntry) bool {
		return e.Event == event && (detail == "" || e.Detail == detail)
	}) {
		if detail != "" {
			event += " (" + detail + ")"
		}
		return notArranged("the payment's history does not record %q (history: %s)", event, history(p))
	}
	return nil
}
