package conformance

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cucumber/godog"
	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/client/simctl"
)

// Fault steps (features/faults.feature): the simulator fails on purpose by
// running one of its shipped scenarios, the scenario proves from the
// journal that the failure happened, and the merchant is judged on how it
// took it. The steps speak through the scenario's driver (its operation
// names: checkout, capture, refund), so every provider's fault features
// use them.

// registerFaultSteps binds the fault steps to w; a scenario tagged @fault
// leaves no rule behind on its merchant, which an external target shares
// with the next scenario.
func registerFaultSteps(sc *godog.ScenarioContext, w *World) {
	sc.After(func(ctx context.Context, s *godog.Scenario, err error) (context.Context, error) {
		if w.merchant != nil && hasTag(s, "@fault") {
			_, rerr := w.env.Control.RemoveFaults(ctx, w.merchant.ID)
			return ctx, rerr
		}
		return ctx, nil
	})
	sc.Step(`^the simulator runs the scenario "([^"]*)"$`, w.runsScenario)
	sc.Step(`^the customer tries to check out `+amountIn+`$`, w.triesToCheckOut)
	sc.Step(`^the simulator failed the merchant's (checkout|capture|refund) request on purpose$`, w.failedOnPurpose)
	sc.Step(`^the merchant retried the (capture|refund) with the same reference_id$`, w.retriedSameReference)
	sc.Step(`^the payment has exactly one (capture|refund) of ([\d.]+)$`, w.exactlyOne)
	sc.Step(`^every request refused with 429 was sent again after its Retry-After, not before$`, w.waitedRetryAfter)
	sc.Step(`^the customer is told the checkout failed, or sent to pay$`, w.toldCheckoutFailed)
	sc.Step(`^the order is kept, not paid$`, w.orderKeptNotPaid)
}

func hasTag(s *godog.Scenario, tag string) bool {
	for _, t := range s.Tags {
		if t.Name == tag {
			return true
		}
	}
	return false
}

// runsScenario applies a shipped scenario (scenarios/*.json) to the
// scenario's merchant.
func (w *World) runsScenario(ctx context.Context, name string) error {
	_, err := w.env.Control.ApplyScenario(ctx, w.merchant.ID, name)
	return err
}

// triesToCheckOut starts a checkout as checksOut does, but a checkout the
// merchant could not start is for the steps that follow to judge.
func (w *World) triesToCheckOut(ctx context.Context, amount, currency string) error {
	err := w.checksOut(ctx, amount, currency)
	if w.checkout.Status < 300 {
		return err
	}
	w.data.OrderRef = w.checkout.Get(w.adapter.Checkout.OrderRef).String()
	return nil
}

// faulted are the merchant's requests of operation op that the simulator
// failed on purpose, with every request of op.
func (w *World) faulted(ctx context.Context, op string) (faulted, all []simctl.JournalEntry, err error) {
	all, err = w.apiCalls(ctx, op)
	for _, c := range all {
		if c.Fault != "" {
			faulted = append(faulted, c)
		}
	}
	return faulted, all, err
}

func (w *World) failedOnPurpose(ctx context.Context, op string) error {
	return w.eventually(ctx, func(ctx context.Context) error {
		faulted, all, err := w.faulted(ctx, op)
		if err != nil || len(faulted) > 0 {
			return err
		}
		return notArranged("none of the merchant's %d %s requests was failed (no journal entry names a fault)", len(all), op)
	})
}

// requestAnswer says what a journal entry's client got.
func requestAnswer(e simctl.JournalEntry) string {
	if e.Status == 0 {
		return "no answer (the connection was dropped)"
	}
	return fmt.Sprintf("HTTP %d", e.Status)
}

// operationRule is the rule of RULES.md that a capture, or a refund, made
// once whatever fails on the way keeps.
var operationRule = map[string]string{"capture": "R-CAPTURE-ONCE", "refund": "R-REFUND-EXACT"}

// retriedSameReference checks that after the first request of op the
// simulator failed, the merchant sent it again, with the same
// reference_id, until it succeeded. The merchant may retry in the
// background: it is given the settling window.
func (w *World) retriedSameReference(ctx context.Context, op string) error {
	return w.eventually(ctx, func(ctx context.Context) error { return w.checkRetriedSameReference(ctx, op) })
}

func (w *World) checkRetriedSameReference(ctx context.Context, op string) error {
	faulted, all, err := w.faulted(ctx, op)
	if err != nil {
		return err
	}
	if len(faulted) == 0 {
		return notArranged("none of the merchant's %s requests was failed", op)
	}
	says := fmt.Sprintf("send a %s that got a 5xx or no answer again, with the same reference_id", op)
	tries := all[slices.IndexFunc(all, func(e simctl.JournalEntry) bool { return e.Seq == faulted[0].Seq }):]
	if len(tries) == 1 {
		return broke(operationRule[op], says, "the merchant sent the %s once, got %s, and never sent it again", op, requestAnswer(tries[0]))
	}
	var refs []string
	for _, t := range tries {
		if ref := gjson.Get(t.RequestBody, "reference_id").String(); !slices.Contains(refs, ref) {
			refs = append(refs, ref)
		}
	}
	if len(refs) > 1 {
		return broke(operationRule[op], says, "the merchant sent the %s %d times with the reference_ids %s", op, len(tries), strings.Join(refs, ", "))
	}
	if last := tries[len(tries)-1]; last.Status != http.StatusOK {
		return broke(operationRule[op], says, "the merchant's last %s request got %s %s", op, requestAnswer(last), cut([]byte(last.ResponseBody)))
	}
	return nil
}

// exactlyOne checks the payment holds one capture, or one refund, of
// amount: whatever failed on the way, nothing was made twice, nor is
// across the settling window.
func (w *World) exactlyOne(ctx context.Context, kind, amount string) error {
	if err := w.needPayment(); err != nil {
		return err
	}
	want, err := w.amount(amount)
	if err != nil {
		return err
	}
	check := func(ctx context.Context) error { return w.checkExactlyOne(ctx, kind, want) }
	if err := w.eventually(ctx, check); err != nil {
		return err
	}
	return w.throughout(ctx, check)
}

func (w *World) checkExactlyOne(ctx context.Context, kind string, want money.Amount) error {
	p, err := w.env.Control.Payment(ctx, w.paymentID)
	if err != nil {
		return err
	}
	var amounts []string
	if kind == "capture" {
		for _, c := range p.Captures {
			amounts = append(amounts, c.Amount)
		}
	} else {
		for _, r := range p.Refunds {
			amounts = append(amounts, r.Amount)
		}
	}
	if len(amounts) == 1 {
		if got, err := money.Parse(amounts[0], p.Currency); err == nil && got == want {
			return nil
		}
	}
	return broke(operationRule[kind], fmt.Sprintf("make one %s of what was asked, whatever failed on the way", kind),
		"the payment has %d %ss: %s %s", len(amounts), kind, strings.Join(amounts, ", "), p.Currency)
}

// waitedRetryAfter checks that every request of the merchant the simulator
// refused with 429 was sent again (same method and path) no sooner than
// its rule's Retry-After after the refusal was answered, by the
// simulator's journal, which is given the settling window to show the
// request sent again.
func (w *World) waitedRetryAfter(ctx context.Context) error {
	return w.eventually(ctx, w.checkWaitedRetryAfter)
}

func (w *World) checkWaitedRetryAfter(ctx context.Context) error {
	entries, err := w.env.Control.Journal(ctx, w.merchant.ID, 0)
	if err != nil {
		return err
	}
	slices.Reverse(entries)
	const rule, says = "R-PROVIDER-ERRORS", "send a request refused with 429 again once its Retry-After has passed, not before"
	refused := 0
	for i, e := range entries {
		if e.Status != http.StatusTooManyRequests || e.Fault == "" || e.At.Before(w.started) {
			continue
		}
		refused++
		f, err := w.env.Control.Fault(ctx, e.Fault)
		if err != nil {
			return err
		}
		seconds, _ := f.Action["retry_after"].(float64)
		wait := time.Duration(seconds) * time.Second
		j := slices.IndexFunc(entries[i+1:], func(n simctl.JournalEntry) bool { return n.Method == e.Method && n.Path == e.Path })
		if j < 0 {
			return broke(rule, says, "the merchant never sent %s %s again", e.Method, e.Path)
		}
		answeredAt := e.At.Add(time.Duration(e.LatencyMS * float64(time.Millisecond)))
		if gap := entries[i+1+j].At.Sub(answeredAt); gap < wait {
			return broke(rule, says, "the merchant sent %s %s again %s after the 429, which asked for Retry-After: %d",
				e.Method, e.Path, gap.Round(time.Millisecond), int(wait/time.Second))
		}
	}
	if refused == 0 {
		return notArranged("no request of the merchant was refused with 429")
	}
	return nil
}

// toldCheckoutFailed checks that a checkout the merchant could not start
// did not leave the customer waiting: the merchant answered with an error
// or put the order in a failed state, unless it did start it after all and
// sent the customer to pay. The order is given the settling window to
// fail.
func (w *World) toldCheckoutFailed(ctx context.Context) error {
	if w.redirect != "" || w.checkout.Status >= 400 {
		return nil
	}
	return w.eventually(ctx, func(ctx context.Context) error {
		state, raw, ok, err := w.orderStatus(ctx)
		if err != nil || (ok && (state == "failed" || state == "cancelled")) {
			return err
		}
		return broke("R-PROVIDER-ERRORS", "tell the customer when the checkout could not start",
			"the merchant answered the checkout HTTP %d %s, with no hosted page, and the order is %q", w.checkout.Status, cut(w.checkout.Body), raw)
	})
}

// orderKeptNotPaid checks the merchant still has the order and has not
// marked it paid, across the settling window.
func (w *World) orderKeptNotPaid(ctx context.Context) error {
	if w.adapter.OrderStatus == nil {
		return nil // an adapter without order_status cannot be asked
	}
	if w.data.OrderRef == "" {
		return fmt.Errorf("the merchant's checkout answer (%s) has no order reference at %q, so the order cannot be read",
			cut(w.checkout.Body), w.adapter.Checkout.OrderRef)
	}
	return w.throughout(ctx, func(ctx context.Context) error {
		state, raw, _, err := w.orderStatus(ctx)
		switch {
		case err != nil:
			return err
		case state == "missing":
			return broke("R-PROVIDER-ERRORS", "keep the order when Tabby's answer cannot be used", "the order is gone (%s)", raw)
		case state == "paid" || state == "refunded" || state == "partially_refunded":
			return broke("R-ORDER-STATUS", "never mark an order paid without a payment", "the order is %q", raw)
		}
		return nil
	})
}
