package conformance

import (
	"context"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"

	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/client/simctl"
	gateway "github.com/tabbysim/tabbysim/simulator/onerway"
	"github.com/tabbysim/tabbysim/simulator/onerway/onerwayapi"
)

// checksOutGoods checks out one item of goods; a payment the gateway
// refused for the merchant's own fault breaks that rule.
func (w *World) checksOutGoods(ctx context.Context, amount, currency, goods string) error {
	return w.checkoutGoods(ctx, amount, currency, goods, nil)
}

func (w *World) checksOutGoodsAs(ctx context.Context, amount, currency, goods, email string) error {
	return w.checkoutGoods(ctx, amount, currency, goods, func() { w.data.Buyer.Email = email })
}

func (w *World) checksOutGoodsWithPhone(ctx context.Context, amount, currency, goods, phone string) error {
	return w.checkoutGoods(ctx, amount, currency, goods, func() { w.data.Buyer.Phone = phone })
}

func (w *World) checkoutGoods(ctx context.Context, amount, currency, goods string, customise func()) error {
	err := w.checkoutOf(ctx, amount, currency, func() error {
		for i := range w.data.Items {
			w.data.Items[i].Type = goods
		}
		if customise != nil {
			customise()
		}
		return nil
	})
	if err != nil {
		if rule := w.merchantsFault(ctx); rule != nil {
			return rule
		}
	}
	return err
}

// merchantsFault is the rule the scenario's latest doTransaction broke, as
// the gateway's refusal tells: a sign that does not verify, a reused
// merchantTxnId; nil for any other answer.
func (w *World) merchantsFault(ctx context.Context) error {
	calls, err := w.apiCalls(ctx, "checkout")
	if err != nil || len(calls) == 0 {
		return nil
	}
	last := calls[len(calls)-1]
	code, msg := gjson.Get(last.ResponseBody, "respCode").String(), gjson.Get(last.ResponseBody, "respMsg").String()
	switch code {
	case "40001":
		return broke("R-OW-SIGN", ruleSign, "Onerway refused the sign of the merchant's doTransaction: %s %s", code, msg)
	case "40006":
		return broke("R-OW-MERCHANT-TXN-ID", "give every new payment a merchantTxnId of its own",
			"the merchant sent merchantTxnId %s again: %s %s", gjson.Get(last.RequestBody, "merchantTxnId").String(), code, msg)
	case string(onerwayapi.CodeMissing), string(onerwayapi.CodeInvalid):
		for _, f := range requiredFields {
			if strings.Contains(msg, f.field) {
				return broke(f.rule, f.says, "Onerway refused the merchant's doTransaction: %s %s", code, msg)
			}
		}
	}
	return nil
}

// requiredFields are the fields of a Tabby payment the gateway refuses it
// without, each with the rule that asks for it: its id in RULES.md and
// what it asks of the field.
var requiredFields = []struct{ field, rule, says string }{
	{"customerPlatform", "R-OW-CUSTOMER-PLATFORM", "send customerPlatform in txnOrderMsg"},
	{"productAvatarUrl", "R-OW-PRODUCT-IMAGE", "give every product an https productAvatarUrl"},
	{"returnUrl", "R-OW-MERCHANT-URLS", "send txnOrderMsg.returnUrl with the payment"},
	{"notifyUrl", "R-OW-MERCHANT-URLS", "send txnOrderMsg.notifyUrl with the payment"},
	{"lpmsInfo", "R-OW-PAYMENT-REQUEST", "request the payment with productType LPMS and lpmsInfo naming tabby"},
	{"productType", "R-OW-PAYMENT-REQUEST", "request the payment with productType LPMS and lpmsInfo naming tabby"},
}

// triesToCheckOutGoods checks out as checksOutGoods does, the merchant
// being free to answer an error: the steps that follow say what it
// should have done.
func (w *World) triesToCheckOutGoods(ctx context.Context, amount, currency, goods string) error {
	w.checkout = Answer{}
	err := w.checkoutGoods(ctx, amount, currency, goods, nil)
	if err == nil || w.checkout.Status < 300 {
		return err
	}
	w.data.OrderRef = w.checkout.Get(w.adapter.Checkout.OrderRef).String()
	w.redirect = w.checkout.Get(w.adapter.Checkout.RedirectURL).String()
	w.paymentID, err = w.driver.findPayment(ctx)
	return err
}

func (w *World) transaction(ctx context.Context) (*simctl.OnerwayTransaction, error) {
	if err := w.needPayment(); err != nil {
		return nil, err
	}
	return w.env.Control.OnerwayTransaction(ctx, w.paymentID)
}

func (w *World) transactionIs(ctx context.Context, want string) error {
	t, err := w.transaction(ctx)
	if err != nil {
		return err
	}
	if t.Status != want {
		return fmt.Errorf("the transaction is %s, expected %s (history: %s)", t.Status, want, txnHistory(t))
	}
	return nil
}

func txnHistory(t *simctl.OnerwayTransaction) string {
	parts := make([]string, len(t.History))
	for i, e := range t.History {
		parts[i] = e.Event + " by " + e.By
	}
	return strings.Join(parts, ", ")
}

// declinedAtOnce proves the payment failed within doTransaction: Tabby
// rejected the customer at pre-scoring.
func (w *World) declinedAtOnce(ctx context.Context) error {
	t, err := w.transaction(ctx)
	if err != nil {
		return err
	}
	if t.Status != string(ow.StatusFailed) || t.Reason == nil || t.Reason.RespCode != gateway.Declined.Code {
		return notArranged("the transaction is %s, not declined (history: %s)", t.Status, txnHistory(t))
	}
	return nil
}

// refusedWith proves the gateway refused the scenario's doTransaction
// with code.
func (w *World) refusedWith(ctx context.Context, code string) error {
	if rule := w.merchantsFault(ctx); rule != nil {
		return rule
	}
	calls, err := w.apiCalls(ctx, "checkout")
	if err != nil {
		return err
	}
	if len(calls) == 0 {
		return notArranged("the merchant made no doTransaction request")
	}
	last := calls[len(calls)-1]
	if got := gjson.Get(last.ResponseBody, "respCode").String(); got != code {
		return notArranged("the gateway answered the doTransaction %s %s", got, gjson.Get(last.ResponseBody, "respMsg").String())
	}
	return nil
}

func (w *World) sentToNoCashier(ctx context.Context) error {
	if w.redirect != "" {
		return broke("R-OW-REDIRECT", "send the customer to the redirectUrl only when the payment's status is R",
			"the merchant sent the customer to %s", w.redirect)
	}
	return nil
}

func (w *World) merchantTxnIDsNew(ctx context.Context) error {
	calls, err := w.apiCalls(ctx, "checkout")
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, c := range calls {
		id := gjson.Get(c.RequestBody, "merchantTxnId").String()
		if seen[id] {
			return broke("R-OW-MERCHANT-TXN-ID", "give every new payment a merchantTxnId of its own",
				"the merchant sent merchantTxnId %s twice", id)
		}
		seen[id] = true
	}
	return nil
}

func (w *World) queriedTransaction(ctx context.Context) error {
	calls, err := w.apiCalls(ctx, "retrieve")
	if err != nil || len(calls) > 0 {
		return err
	}
	return broke("R-OW-POLL", "query the transaction's status when no notification came",
		"the merchant never called %s", ow.PathList)
}
