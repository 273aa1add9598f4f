package conformance

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/tabbysim/tabbysim/client/money"
)

// Checkout steps: the customer at the merchant and on the provider's
// hosted page, and what the payment and the order then are.

// checksOut starts a checkout of one item at amount in currency, by the
// provider's test customer.
func (w *World) checksOut(ctx context.Context, amount, currency string) error {
	return w.checkoutOf(ctx, amount, currency, nil)
}

func (w *World) checksOutAs(ctx context.Context, amount, currency, email string) error {
	return w.checkoutOf(ctx, amount, currency, func() error { w.data.Buyer.Email = email; return nil })
}

func (w *World) checksOutWithPhone(ctx context.Context, amount, currency, phone string) error {
	return w.checkoutOf(ctx, amount, currency, func() error { w.data.Buyer.Phone = phone; return nil })
}

// checksOutItems starts a checkout of quantity items at price each: an
// order total that is not a round number.
func (w *World) checksOutItems(ctx context.Context, quantity, price, currency string) error {
	n, err := strconv.Atoi(quantity)
	if err != nil || n < 1 {
		return fmt.Errorf("the scenario's quantity %q: write a whole number of 1 or more", quantity)
	}
	w.data.Currency = currency
	unit, err := w.amount(price)
	if err != nil {
		return err
	}
	total := (unit * money.Amount(n)).Format(currency)
	return w.checkoutOf(ctx, total, currency, func() error {
		w.data.Items = []CallItem{{Title: "Abaya", Quantity: n, UnitPrice: price, Category: "Clothes", InStock: true}}
		return nil
	})
}

// checksOutPartlyOutOfStock puts missing of the amount on an item the
// merchant cannot ship.
func (w *World) checksOutPartlyOutOfStock(ctx context.Context, amount, currency, missing string) error {
	return w.checkoutOf(ctx, amount, currency, func() error {
		total, err := w.amount(amount)
		if err != nil {
			return err
		}
		out, err := w.amount(missing)
		if err != nil {
			return err
		}
		w.data.Items = []CallItem{
			{Title: "Shipped item", Quantity: 1, UnitPrice: (total - out).Format(currency), Category: "Clothes", InStock: true},
			{Title: "Out of stock item", Quantity: 1, UnitPrice: missing, Category: "Clothes", InStock: false},
		}
		return nil
	})
}

// checkoutOf starts a checkout as checksOut does, with customise applied
// to what the merchant is sent.
func (w *World) checkoutOf(ctx context.Context, amount, currency string, customise func() error) error {
	w.data.Amount, w.data.Currency = amount, currency
	if _, err := w.amount(amount); err != nil {
		return err
	}
	w.data.Buyer = w.driver.customer(currency)
	w.data.Items = []CallItem{{Title: "Abaya", Quantity: 1, UnitPrice: amount, Category: "Clothes", InStock: true}}
	if customise != nil {
		if err := customise(); err != nil {
			return err
		}
	}
	return w.startCheckout(ctx)
}

func (w *World) pays(ctx context.Context) error {
	resp, err := w.onHostedPage(ctx, "pay")
	if err != nil {
		return err
	}
	return w.followRedirect(ctx, resp)
}

func (w *World) paysButClosesTheTab(ctx context.Context) error {
	resp, err := w.onHostedPage(ctx, "close-tab")
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("closing the tab on the hosted page answered HTTP %d", resp.StatusCode)
	}
	return nil
}

func (w *World) cancels(ctx context.Context) error {
	resp, err := w.onHostedPage(ctx, "cancel")
	if err != nil {
		return err
	}
	return w.followRedirect(ctx, resp)
}

func (w *World) onHostedPage(ctx context.Context, action string) (*http.Response, error) {
	if err := w.needPayment(); err != nil {
		return nil, err
	}
	resp, err := w.driver.hostedPage(ctx, action)
	w.acted()
	return resp, err
}

// abandons leaves the hosted page as a customer who closes it does.
func (w *World) abandons(ctx context.Context) error {
	if err := w.needPayment(); err != nil {
		return err
	}
	_, err := w.env.Control.Customer(ctx, w.paymentID, "abandon")
	w.acted()
	return err
}

// opensSuccessPageWithoutPaying plays a customer who guesses the success
// URL: the redirect alone must prove nothing.
func (w *World) opensSuccessPageWithoutPaying(ctx context.Context) error {
	if err := w.needPayment(); err != nil {
		return err
	}
	return w.opensReturnPageOf(ctx, "success", w.paymentID)
}

// paidEarlierOrder has the customer check out and pay for an order before
// the scenario's own, so the scenario's redirects can name its payment.
func (w *World) paidEarlierOrder(ctx context.Context, amount, currency string) error {
	if err := w.checksOut(ctx, amount, currency); err != nil {
		return err
	}
	if err := w.pays(ctx); err != nil {
		return err
	}
	w.earlierPayment = w.paymentID
	return nil
}

// opensSuccessPageWithEarlierPayment plays a customer who opens this
// order's success URL with the payment_id of the earlier order's payment.
func (w *World) opensSuccessPageWithEarlierPayment(ctx context.Context) error {
	if w.earlierPayment == "" {
		return fmt.Errorf("the customer paid for no earlier order in this scenario")
	}
	if err := w.needPayment(); err != nil {
		return err
	}
	if w.earlierPayment == w.paymentID {
		return notArranged("the scenario's order and the earlier one share payment %s", w.paymentID)
	}
	return w.opensReturnPageOf(ctx, "success", w.earlierPayment)
}

// opensReturnPage plays a customer who opens the merchant's page of kind
// ("cancel", "failure") for the payment later, with the back button or
// an old tab.
func (w *World) opensReturnPage(ctx context.Context, kind string) error {
	if err := w.needPayment(); err != nil {
		return err
	}
	return w.opensReturnPageOf(ctx, kind, w.paymentID)
}

func (w *World) opensReturnPageOf(ctx context.Context, kind, paymentID string) error {
	u, err := w.driver.returnURL(ctx, kind, paymentID)
	if err != nil {
		return err
	}
	return w.visit(ctx, u)
}

// paysButTheRedirectIsSlow pays on the hosted page, but the customer's
// browser reaches the merchant only at slowRedirectArrives.
func (w *World) paysButTheRedirectIsSlow(ctx context.Context) error {
	resp, err := w.onHostedPage(ctx, "pay")
	if err != nil {
		return err
	}
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || loc == "" {
		return fmt.Errorf("the hosted page did not redirect the customer (HTTP %d)", resp.StatusCode)
	}
	w.slowRedirect = loc
	return nil
}

func (w *World) slowRedirectArrives(ctx context.Context) error {
	if w.slowRedirect == "" {
		return fmt.Errorf("no redirect is on its way: the scenario needs \"the customer pays but the redirect is slow\" first")
	}
	u := w.slowRedirect
	w.slowRedirect = ""
	return w.visit(ctx, u)
}

// shownPages checks the customer's browser, each time it came back to the
// merchant, was shown a page, not an error.
func (w *World) shownPages(ctx context.Context) error {
	if len(w.pages) == 0 {
		return fmt.Errorf("the customer's browser never came back to the merchant in this scenario")
	}
	for _, p := range w.pages {
		if p.status < 200 || p.status >= 300 {
			return broke("R-CUSTOMER-SEES-OUTCOME", "show the customer the outcome when the browser comes back from Tabby: a page (2xx, or a redirect to one), not an error, whether the redirect or the webhook arrived first",
				"the merchant answered HTTP %d at %s", p.status, p.url)
		}
	}
	return nil
}

func (w *World) notOffered(ctx context.Context, reason string) error {
	if w.offered {
		return broke("R-PRESCORING-HIDE", "hide Tabby when pre-scoring rejects the customer",
			"the merchant answered HTTP %d and sent the customer to %s", w.checkout.Status, w.redirect)
	}
	if path := w.adapter.Checkout.RejectionReason; path != "" {
		if got := w.checkout.Get(path).String(); got != reason {
			return broke("R-REJECTION-REASON", "show the rejection reason", "the merchant showed %q", got)
		}
	}
	return nil
}

// offered tells from the merchant's answer to a checkout whether it
// offered Tabby. A merchant may answer a checkout Tabby rejected with any
// status it likes, 4xx included: a status in OfferedStatuses or
// RejectedStatuses decides; otherwise a 2xx answer with a hosted page URL
// offers Tabby, and one without a URL, or a 4xx one with a rejection
// reason, does not. Any other answer cannot be told, and is an error.
func (c CheckoutCall) offered(a Answer) (bool, error) {
	redirect := a.Get(c.RedirectURL).String() != ""
	reason := c.RejectionReason != "" && a.Get(c.RejectionReason).String() != ""
	switch {
	case slices.Contains(c.OfferedStatuses, a.Status):
		return true, nil
	case slices.Contains(c.RejectedStatuses, a.Status):
		return false, nil
	case a.Status < 300 && len(c.OfferedStatuses) == 0:
		return redirect, nil
	case a.Status >= 400 && a.Status < 500 && len(c.RejectedStatuses) == 0 && reason && !redirect:
		return false, nil
	}
	return false, fmt.Errorf("the merchant answered the checkout with HTTP %d, which does not tell whether it offered Tabby "+
		"(no rejection reason at %q; the adapter's checkout offered_statuses and rejected_statuses can say which statuses mean what): %s",
		a.Status, c.RejectionReason, cut(a.Body))
}

// sentTheOrder checks the session the merchant created is for its order:
// order.reference_id is the order's reference the checkout answered, and
// the amount and currency are the order's.
func (w *World) sentTheOrder(ctx context.Context) error {
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
	want, err := w.amount(w.data.Amount)
	if err != nil {
		return err
	}
	got, err := money.Parse(p.Amount, p.Currency)
	if err != nil || p.OrderReference != w.data.OrderRef || p.Currency != w.data.Currency || got != want {
		return broke("R-SESSION-MATCHES-ORDER", "send Tabby the order's own reference, amount and currency",
			"the order %q of %s %s became a session for order.reference_id %q of %s %s",
			w.data.OrderRef, w.data.Amount, w.data.Currency, p.OrderReference, p.Amount, p.Currency)
	}
	return nil
}

// paymentIs waits for the Tabby payment (the scenario's, or the one a
// gateway made for it) to reach status want; CREATED, the status nothing
// has happened to yet, must hold across the settling window.
func (w *World) paymentIs(ctx context.Context, want string) error {
	if err := w.needPayment(); err != nil {
		return err
	}
	id, err := w.driver.tabbyPayment(ctx)
	if err != nil {
		return err
	}
	check := func(ctx context.Context) error {
		p, err := w.env.Control.Payment(ctx, id)
		if err != nil {
			return err
		}
		if p.Status != want {
			return fmt.Errorf("the payment is %s, expected %s (history: %s)", p.Status, want, history(p))
		}
		return nil
	}
	if want == "CREATED" {
		return w.throughout(ctx, check)
	}
	return w.eventually(ctx, check)
}

// orderIs waits for the order to reach state want; pending, the state
// nothing has happened to yet, must hold across the settling window.
func (w *World) orderIs(ctx context.Context, want string) error {
	check := func(ctx context.Context) error {
		got, raw, ok, err := w.orderStatus(ctx)
		if err != nil || !ok {
			return err // an adapter without order_status cannot be asked
		}
		if got == want {
			return nil
		}
		says := "the order is " + want + ", as " + w.driver.name() + "'s payment status says"
		if w.paymentID != "" {
			if status, err := w.driver.paymentStatus(ctx); err == nil {
				says = fmt.Sprintf("the order is %s, as %s's payment status (%s) says, whatever a redirect or a webhook claimed", want, w.driver.name(), status)
			}
		}
		return broke(w.driver.orderRule(want), says, "the merchant reports the order as %q (%s)", raw, got)
	}
	if want == "pending" {
		return w.throughout(ctx, check)
	}
	return w.eventually(ctx, check)
}
