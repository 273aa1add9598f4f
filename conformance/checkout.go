package conformance

import (
	"context"
	"fmt"
	"net/http"
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
	return w.driver.hostedPage(ctx, action)
}

// abandons leaves the hosted page as a customer who closes it does.
func (w *World) abandons(ctx context.Context) error {
	if err := w.needPayment(); err != nil {
		return err
	}
	_, err := w.env.Control.Customer(ctx, w.paymentID, "abandon")
	return err
}

// opensSuccessPageWithoutPaying plays a customer who guesses the success
// URL: the redirect alone must prove nothing.
func (w *World) opensSuccessPageWithoutPaying(ctx context.Context) error {
	if err := w.needPayment(); err != nil {
		return err
	}
	u, err := w.driver.successURL(ctx)
	if err != nil {
		return err
	}
	return w.visit(ctx, u)
}

func (w *World) notOffered(ctx context.Context, reason string) error {
	if w.redirect != "" {
		return broke("hide Tabby when pre-scoring rejects the customer", "tabby-api.md §3.1.1, §7",
			"the merchant sent the customer to %s", w.redirect)
	}
	if path := w.adapter.Checkout.RejectionReason; path != "" {
		if got := w.checkout.Get(path).String(); got != reason {
			return broke("show the rejection reason", "tabby-api.md §3.1.1", "the merchant showed %q", got)
		}
	}
	return nil
}

func (w *World) paymentIs(ctx context.Context, want string) error {
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
	if p.Status != want {
		return fmt.Errorf("the payment is %s, expected %s (history: %s)", p.Status, want, history(p))
	}
	return nil
}

func (w *World) orderIs(ctx context.Context, want string) error {
	got, raw, ok, err := w.orderStatus(ctx)
	if err != nil || !ok {
		return err // an adapter without order_status cannot be asked
	}
	if got != want {
		return broke("the order is "+want+", consistent with "+w.driver.name()+"'s payment status", w.driver.orderRuleSource(want),
			"the merchant reports the order as %q (%s)", raw, got)
	}
	return nil
}

var orderRuleSource = map[string]string{
	"pending":            "seed 000 step 4, seed 002: only Tabby's status decides",
	"paid":               "seed 002: AUTHORIZED means process the order",
	"cancelled":          "seed 002: EXPIRED means cancel the order and keep the cart",
	"failed":             "seed 002: REJECTED means the order failed",
	"refunded":           "tabby-api.md §3.7",
	"partially_refunded": "tabby-api.md §3.7",
}
