package conformance

import (
	"context"
	"fmt"
	"slices"
	"strings"

	gateway "github.com/tabbysim/tabbysim/simulator/onerway"

	ow "github.com/tabbysim/tabbysim/client/onerway"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/client/simctl"
)

// gatewayRefunds are the payment's refunds at the gateway, oldest first.
func (w *World) gatewayRefunds(ctx context.Context) ([]simctl.OnerwayTransaction, error) {
	ts, err := w.env.Control.OnerwayTransactions(ctx, w.merchant.ID)
	if err != nil {
		return nil, err
	}
	out := slices.DeleteFunc(ts, func(t simctl.OnerwayTransaction) bool {
		return t.TxnType != string(ow.TxnRefund) || t.OriginTransactionID != w.paymentID
	})
	slices.Reverse(out)
	return out, nil
}

func (w *World) latestRefund(ctx context.Context) (*simctl.OnerwayTransaction, error) {
	rs, err := w.gatewayRefunds(ctx)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		calls, _ := w.apiCalls(ctx, "refund")
		if len(calls) > 0 {
			return nil, broke("R-OW-REFUND-WITHIN-PAID", "refund through onlineRefund, within what was paid",
				"the gateway refused the merchant's refund: %s", respOf(calls[len(calls)-1]))
		}
		return nil, broke("R-OW-REFUND-EXACT", "refund through onlineRefund", "the merchant asked the gateway for no refund")
	}
	return &rs[len(rs)-1], nil
}

func (w *World) refundPendingAudit(ctx context.Context) error {
	r, err := w.latestRefund(ctx)
	if err != nil {
		return err
	}
	if r.Status != string(ow.StatusPendingAudit) {
		return fmt.Errorf("the refund %s is %s, not I pending audit (history: %s)", r.TransactionID, r.Status, txnHistory(r))
	}
	return nil
}

func (w *World) auditRejected(ctx context.Context) error {
	r, err := w.latestRefund(ctx)
	if err != nil {
		return err
	}
	if r.Status != string(ow.StatusFailed) || r.Reason == nil || r.Reason.RespCode != gateway.AuditRejected.Code {
		return notArranged("the refund %s is %s, not rejected by the audit (history: %s)", r.TransactionID, r.Status, txnHistory(r))
	}
	return nil
}

// gatewayRefunded is what the gateway refunded of the payment: its
// refunds whose audit passed.
func (w *World) gatewayRefunded(ctx context.Context) (money.Amount, error) {
	rs, err := w.gatewayRefunds(ctx)
	if err != nil {
		return 0, err
	}
	var got money.Amount
	for _, r := range rs {
		if r.Status == string(ow.StatusSuccess) {
			a, err := money.Parse(r.Amount, r.Currency)
			if err != nil {
				return 0, err
			}
			got += a
		}
	}
	return got, nil
}

func (w *World) refundedInTotal(ctx context.Context, total string) error {
	want, err := w.amount(total)
	if err != nil {
		return err
	}
	got, err := w.gatewayRefunded(ctx)
	if err != nil {
		return err
	}
	if got != want {
		return broke("R-OW-REFUND-EXACT", "refund what was asked for, within what was paid",
			"Onerway refunded %s %s after its audit", got.Format(w.data.Currency), w.data.Currency)
	}
	return nil
}

func (w *World) noRefundBeyondPaid(ctx context.Context) error {
	calls, err := w.apiCalls(ctx, "refund")
	if err != nil {
		return err
	}
	for _, c := range calls {
		if gjson.Get(c.ResponseBody, "respCode").String() != ow.RespSuccess {
			return broke("R-OW-REFUND-WITHIN-PAID", "never refund beyond what is left of the payment",
				"the merchant asked for a refund of %s and Onerway answered %s", gjson.Get(c.RequestBody, "refundAmount").String(), respOf(c))
		}
	}
	return nil
}

// noRefundNotMade checks the order shows no refund while the gateway has
// refunded nothing: an onlineRefund refused, with HTTP 200 and a respCode
// such as 11001, was not applied for, and one applied for is done only once
// the audit passes.
func (w *World) noRefundNotMade(ctx context.Context) error {
	state, raw, ok, err := w.orderStatus(ctx)
	if err != nil || !ok || (state != "refunded" && state != "partially_refunded") {
		return err
	}
	refunded, err := w.gatewayRefunded(ctx)
	if err != nil || refunded > 0 {
		return err
	}
	calls, err := w.apiCalls(ctx, "refund")
	if err != nil {
		return err
	}
	answers := make([]string, len(calls))
	for i, c := range calls {
		answers[i] = respOf(c)
	}
	return broke("R-OW-REFUND-EXACT", "count a refund only once Onerway made it: respCode 20000, then the audit passed",
		"the merchant reports the order as %q while Onerway refunded nothing; it answered the merchant's refunds %s", raw, strings.Join(answers, ", "))
}

// appliedForRefundOnce checks the gateway holds one refund of the payment:
// a refund whose answer was lost was applied for all the same, and sending
// it again under a new merchantTxnId applies for a second (onerway-api.md
// §6: merchantTxnId is the merchant's refund id; §7: /v1/txn/list finds a
// transaction by it).
func (w *World) appliedForRefundOnce(ctx context.Context) error {
	rs, err := w.gatewayRefunds(ctx)
	if err != nil || len(rs) == 1 {
		return err
	}
	if len(rs) == 0 {
		return broke("R-OW-REFUND-EXACT", "refund through onlineRefund", "the gateway has no refund of the payment")
	}
	shown := make([]string, len(rs))
	for i, r := range rs {
		shown[i] = fmt.Sprintf("%s %s under merchantTxnId %s", r.Amount, r.Currency, r.MerchantTxnID)
	}
	return broke("R-OW-REFUND-EXACT", "apply for a refund whose answer was lost once: find it by its merchantTxnId, never send it under a new one",
		"the gateway holds %d refunds of the payment: %s", len(rs), strings.Join(shown, "; "))
}
