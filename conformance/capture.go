package conformance

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/client/simctl"
)

// Capture and refund steps: what the merchant asked the provider to take
// and to give back, and what the payment holds. Amounts are in the
// scenario's currency.

func (w *World) capturedOnce(ctx context.Context, amount string) error {
	if err := w.needPayment(); err != nil {
		return err
	}
	want, err := w.amount(amount)
	if err != nil {
		return err
	}
	return w.eventually(ctx, func(ctx context.Context) error { return w.checkCapturedOnce(ctx, want) })
}

func (w *World) checkCapturedOnce(ctx context.Context, want money.Amount) error {
	calls, err := w.apiCalls(ctx, "capture")
	if err != nil {
		return err
	}
	const rule, says = "R-CAPTURE-ONCE", "capture an authorized payment exactly once, reusing the reference_id on retries"
	if len(calls) == 0 {
		return broke(rule, says, "the merchant never captured the payment")
	}
	refs := map[string]bool{}
	for _, c := range calls {
		refs[gjson.Get(c.RequestBody, "reference_id").String()] = true
	}
	if len(refs) > 1 {
		return broke(rule, says, "the merchant sent %d capture requests with %d different reference_ids", len(calls), len(refs))
	}
	for _, c := range calls {
		if c.Status != http.StatusOK {
			return broke(rule, says, "a capture request was answered HTTP %d %s", c.Status, cut([]byte(c.ResponseBody)))
		}
	}
	p, captured, _, err := w.totals(ctx)
	if err != nil {
		return err
	}
	if captured != want {
		return broke(rule, says, "the payment's captures total %s %s", captured.Format(p.Currency), p.Currency)
	}
	return nil
}

func (w *World) noCaptureRequest(ctx context.Context) error {
	return w.throughout(ctx, func(ctx context.Context) error {
		calls, err := w.apiCalls(ctx, "capture")
		if err != nil || len(calls) == 0 {
			return err
		}
		return broke("R-CAPTURE-AUTHORIZED-ONLY", "capture only AUTHORIZED payments",
			"the merchant sent %d capture request(s); the first was answered HTTP %d %s", len(calls), calls[0].Status, cut([]byte(calls[0].ResponseBody)))
	})
}

// providerCapturedInFull checks the payment was captured by the provider
// alone (a capture without the merchant's reference_id) and the merchant
// did not capture again.
func (w *World) providerCapturedInFull(ctx context.Context) error {
	check := func(ctx context.Context) error {
		p, err := w.env.Control.Payment(ctx, w.paymentID)
		if err != nil {
			return err
		}
		calls, err := w.apiCalls(ctx, "capture")
		if err != nil {
			return err
		}
		if len(p.Captures) != 1 || p.Captures[0].ReferenceID != "" || len(calls) > 0 {
			return broke("R-AUTO-CAPTURE", "after Tabby's auto-capture the merchant reconciles the order without capturing again",
				"the payment has %d capture(s) and the merchant sent %d capture request(s)", len(p.Captures), len(calls))
		}
		return nil
	}
	if err := w.eventually(ctx, check); err != nil {
		return err
	}
	return w.throughout(ctx, check)
}

// merchantCancels asks the merchant to cancel the order, as its back
// office would; refusing (a 4xx answer) is the merchant's right, and the
// steps that follow judge the outcome.
func (w *World) merchantCancels(ctx context.Context) error {
	a, err := w.action(ctx, "cancel")
	if err != nil {
		return err
	}
	if a.Status >= 500 {
		return fmt.Errorf("the merchant's cancel action answered HTTP %d: %s", a.Status, cut(a.Body))
	}
	return nil
}

// cancelAgrees checks the order and the payment agree after the merchant
// cancelled an order whose payment was authorized unseen: the order is
// cancelled and the payment closed without a capture, or the cancel was
// refused and the order is paid, captured once in full. An order cancelled
// while Tabby captures the money (its auto-capture after 21 days) is not.
func (w *World) cancelAgrees(ctx context.Context) error {
	if err := w.needPayment(); err != nil {
		return err
	}
	want, err := w.amount(w.data.Amount)
	if err != nil {
		return err
	}
	return w.eventually(ctx, func(ctx context.Context) error {
		p, captured, _, err := w.totals(ctx)
		if err != nil {
			return err
		}
		calls, err := w.apiCalls(ctx, "capture")
		if err != nil {
			return err
		}
		state, raw, known, err := w.orderStatus(ctx)
		if err != nil {
			return err
		}
		refs := map[string]bool{}
		for _, c := range calls {
			refs[gjson.Get(c.RequestBody, "reference_id").String()] = true
		}
		closed := p.Status == "CLOSED" && len(p.Captures) == 0 && len(calls) == 0
		fulfilled := p.Status == "CLOSED" && len(p.Captures) == 1 && p.Captures[0].ReferenceID != "" && len(refs) == 1 && captured == want
		switch {
		case closed && (!known || state == "cancelled"), fulfilled && (!known || state == "paid"):
			return nil
		}
		order := "the order's state is unknown (the adapter has no order_status)"
		if known {
			order = fmt.Sprintf("the merchant reports the order as %q (%s)", raw, state)
		}
		return broke("R-CANCEL-IS-CLOSE", "a merchant's cancel is a close: either the order is cancelled and its payment closed at Tabby without a capture, or the cancel is refused and the order is paid and captured once",
			"%s while Tabby's payment is %s with %d capture(s) totalling %s %s, %d of them requested by the merchant (history: %s)",
			order, p.Status, len(p.Captures), captured.Format(p.Currency), p.Currency, len(calls), history(p))
	})
}

// refunds asks the merchant to refund amount of the order; what the
// provider did is checked by the steps that follow.
func (w *World) refunds(ctx context.Context, amount string) error {
	saved := w.data
	w.data.Amount = amount
	_, err := w.action(ctx, "refund")
	w.data = saved
	w.refundsAsked = append(w.refundsAsked, amount)
	return err
}

// refundsAsAsked checks every refund asked of the merchant reached the
// provider as an operation of its own: with a reference_id no other refund
// of the payment has, for exactly the amount asked.
func (w *World) refundsAsAsked(ctx context.Context) error {
	if err := w.needPayment(); err != nil {
		return err
	}
	var asked []money.Amount
	for _, a := range w.refundsAsked {
		v, err := w.amount(a)
		if err != nil {
			return err
		}
		asked = append(asked, v)
	}
	if len(asked) == 0 {
		return fmt.Errorf("no refund was asked of the merchant in this scenario")
	}
	return w.eventually(ctx, func(ctx context.Context) error {
		p, err := w.env.Control.Payment(ctx, w.paymentID)
		if err != nil {
			return err
		}
		calls, err := w.apiCalls(ctx, "refund")
		if err != nil {
			return err
		}
		refs := map[string]bool{}
		for _, c := range calls {
			refs[gjson.Get(c.RequestBody, "reference_id").String()] = true
		}
		var got []money.Amount
		var shown []string
		for _, r := range p.Refunds {
			v, _ := money.Parse(r.Amount, p.Currency)
			got = append(got, v)
			shown = append(shown, r.Amount)
		}
		if !slices.Equal(got, asked) || len(refs) != len(asked) {
			return broke("R-REFUND-EXACT", "every refund is an operation of its own: its own reference_id, exactly the amount asked",
				"for the refunds of %s %s asked, the merchant sent %d refund request(s) with %d distinct reference_id(s), and the payment's refunds are [%s]",
				strings.Join(w.refundsAsked, ", "), p.Currency, len(calls), len(refs), strings.Join(shown, ", "))
		}
		return nil
	})
}

func (w *World) refundsTotal(ctx context.Context, total string) error {
	want, err := w.amount(total)
	if err != nil {
		return err
	}
	return w.eventually(ctx, func(ctx context.Context) error {
		p, _, refunded, err := w.totals(ctx)
		if err != nil {
			return err
		}
		if refunded != want {
			return broke("R-REFUND-EXACT", "refund what was asked for, within what was captured",
				"the payment has refunds totalling %s %s", refunded.Format(p.Currency), p.Currency)
		}
		return nil
	})
}

// totals reads the scenario's payment and what its captures and its
// refunds add up to.
func (w *World) totals(ctx context.Context) (p *simctl.PaymentInfo, captured, refunded money.Amount, err error) {
	if p, err = w.env.Control.Payment(ctx, w.paymentID); err != nil {
		return nil, 0, 0, err
	}
	for _, c := range p.Captures {
		v, _ := money.Parse(c.Amount, p.Currency)
		captured += v
	}
	for _, r := range p.Refunds {
		v, _ := money.Parse(r.Amount, p.Currency)
		refunded += v
	}
	return p, captured, refunded, nil
}

func (w *World) noRefundBeyondCaptured(ctx context.Context) error {
	return w.throughout(ctx, func(ctx context.Context) error {
		calls, err := w.apiCalls(ctx, "refund")
		if err != nil {
			return err
		}
		for _, c := range calls {
			if c.Status != http.StatusOK {
				return broke("R-REFUND-WITHIN-CAPTURED", "never refund beyond the captured amount",
					"the merchant asked Tabby to refund %s and got HTTP %d %s", gjson.Get(c.RequestBody, "amount").String(), c.Status, cut([]byte(c.ResponseBody)))
			}
		}
		return nil
	})
}
