package conformance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cucumber/godog"
	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/client/money"
	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/client/simctl"
	gateway "github.com/tabbysim/tabbysim/simulator/onerway"
	"github.com/tabbysim/tabbysim/simulator/onerway/onerwayapi"
	"github.com/tabbysim/tabbysim/simulator/webhook"
)

// Steps only Tabby through the Onerway gateway has (@onerway): goods that
// are physical or virtual, the gateway's transaction and its refusals,
// notifications acknowledged with the transactionId, and the logistics of
// physical goods (seed 001, onerway-api.md).

// The rules these steps check, in their own words.
const (
	ruleSign       = "sign every request over the exact strings it sends"
	ruleNotifySign = "verify the sign of every notification and refuse one that does not verify"
	ruleAck        = "acknowledge every notification with HTTP 200 and its transactionId"
	ruleLogistics  = "upload the delivery of paid physical goods within 30 days after it, and only then"
)

func registerOnerwaySteps(sc *godog.ScenarioContext, w *World) {
	goods := ` of (physical|virtual) goods`
	sc.Step(`^the customer checks out `+amountIn+goods+`$`, w.checksOutGoods)
	sc.Step(`^the customer checks out `+amountIn+goods+` as "([^"]*)"$`, w.checksOutGoodsAs)
	sc.Step(`^the customer checks out `+amountIn+goods+` with the phone "([^"]*)"$`, w.checksOutGoodsWithPhone)
	sc.Step(`^the customer tries to check out `+amountIn+goods+`$`, w.triesToCheckOutGoods)
	sc.Step(`^the customer opens a returnUrl saying the payment succeeded$`, w.opensSuccessPageWithoutPaying)
	sc.Step(`^the transaction is (S|F|R|N)$`, func(ctx context.Context, want string) error {
		return w.eventually(ctx, func(ctx context.Context) error { return w.transactionIs(ctx, want) })
	})
	sc.Step(`^the gateway declined the payment at once$`, w.declinedAtOnce)
	sc.Step(`^the gateway refused the payment with respCode (\d+)$`, w.refusedWith)
	sc.Step(`^the customer was sent to no cashier$`, w.sentToNoCashier)
	sc.Step(`^every merchantTxnId the merchant sent was new$`, w.merchantTxnIDsNew)
	sc.Step(`^the merchant queried the transaction$`, w.until(w.queriedTransaction))

	sc.Step(`^every notification carries a wrong sign$`, w.chaos(map[string]any{"forge": "wrong"}))
	// A timeout no answer can meet, then the gateway's own again.
	sc.Step(`^Onerway gives up waiting for the merchant's answers at once$`, w.chaos(map[string]any{"timeout": "1ns"}))
	sc.Step(`^Onerway waits for the merchant's answers as usual again$`, w.chaos(map[string]any{"timeout": "0s"}))
	sc.Step(`^a notification with a wrong sign announces the payment as successful$`,
		func(ctx context.Context) error { return w.sendWebhook(ctx, string(ow.StatusSuccess), true) })
	sc.Step(`^an authentic notification announces the payment as successful$`,
		func(ctx context.Context) error { return w.sendWebhook(ctx, string(ow.StatusSuccess), false) })
	sc.Step(`^every notification was acknowledged with its transactionId$`, w.until(w.notificationsAcknowledged))
	sc.Step(`^the gateway sent every notification once$`, w.until(w.notificationsSentOnce))
	sc.Step(`^the merchant acknowledged no notification$`, w.always(w.noNotificationAcknowledged))
	sc.Step(`^the merchant refused the notification$`, w.notificationRefused)
	sc.Step(`^the simulator forged every notification$`, w.forgedEveryNotification)
	sc.Step(`^the simulator tried every notification again after its first try timed out$`, w.retriedAfterTimeout)

	sc.Step(`^the package is delivered$`, func(ctx context.Context) error { return w.delivered(ctx, 0) })
	sc.Step(`^the merchant learns the package was delivered (\d+) days ago$`,
		func(ctx context.Context, days int) error { return w.delivered(ctx, time.Duration(days)*24*time.Hour) })
	sc.Step(`^the gateway took the goods as (physical|virtual)$`, w.goodsTakenAs)
	sc.Step(`^the merchant uploaded no logistics$`, w.always(w.noLogistics))
	sc.Step(`^the merchant uploaded the logistics within 30 days after the delivery$`, w.until(w.logisticsUploaded))
	sc.Step(`^every logistics upload was accepted$`, w.always(w.everyUploadAccepted))
	sc.Step(`^the gateway refused the logistics as more than 30 days after the delivery$`, w.logisticsLate)
	sc.Step(`^the settlement is (awaiting_logistics|overdue|scheduled|settled)$`, func(ctx context.Context, want string) error {
		return w.eventually(ctx, func(ctx context.Context) error { return w.settlementIs(ctx, want) })
	})

	sc.Step(`^the refund is pending Onerway's audit$`, w.until(w.refundPendingAudit))
	sc.Step(`^Onerway's audit rejected the refund$`, w.auditRejected)
	sc.Step(`^the gateway refunded ([\d.]+) in total$`, func(ctx context.Context, total string) error {
		return w.eventually(ctx, func(ctx context.Context) error { return w.refundedInTotal(ctx, total) })
	})
	sc.Step(`^no refund request exceeded what was paid$`, w.always(w.noRefundBeyondPaid))
	sc.Step(`^the merchant counts no refund Onerway has not made$`, w.always(w.noRefundNotMade))
	sc.Step(`^the merchant applied for the refund once$`, w.always(w.appliedForRefundOnce))
}

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

// delivered tells the merchant the order's package was signed for ago
// before now on the simulator's clock.
func (w *World) delivered(ctx context.Context, ago time.Duration) error {
	c, err := w.env.Control.Clock(ctx, w.merchant.ID)
	if err != nil {
		return err
	}
	w.data.DeliveredAt = c.Now.Add(-ago).UTC().Format(time.RFC3339)
	_, err = w.action(ctx, "deliver") // a refusal is the merchant's to answer as it sees fit
	return err
}

func (w *World) goodsTakenAs(ctx context.Context, goods string) error {
	t, err := w.transaction(ctx)
	if err != nil {
		return err
	}
	if t.Order == nil || t.Order.Goods != goods {
		got := "unknown"
		if t.Order != nil {
			got = t.Order.Goods
		}
		return broke("R-OW-PRODUCT-TYPE", "give every product its type, physical or virtual, as it is",
			"the products of %s goods were sent as %s goods", goods, got)
	}
	return nil
}

func (w *World) noLogistics(ctx context.Context) error {
	calls, err := w.apiCalls(ctx, "logistics")
	if err != nil || len(calls) == 0 {
		return err
	}
	return broke("R-OW-LOGISTICS-PHYSICAL-ONLY", "upload logistics for physical goods only",
		"the merchant uploaded logistics %d time(s), answered %s", len(calls), respOf(calls[0]))
}

func respOf(e simctl.JournalEntry) string {
	return gjson.Get(e.ResponseBody, "respCode").String() + " " + gjson.Get(e.ResponseBody, "respMsg").String()
}

func (w *World) logisticsUploaded(ctx context.Context) error {
	calls, err := w.apiCalls(ctx, "logistics")
	if err != nil {
		return err
	}
	for _, c := range calls {
		if gjson.Get(c.ResponseBody, "respCode").String() == ow.RespSuccess {
			return nil
		}
	}
	if len(calls) == 0 {
		return broke("R-OW-LOGISTICS", ruleLogistics, "the merchant never uploaded the logistics of the delivered order")
	}
	return broke("R-OW-LOGISTICS", ruleLogistics, "the gateway refused every upload; the last: %s", respOf(calls[len(calls)-1]))
}

func (w *World) everyUploadAccepted(ctx context.Context) error {
	calls, err := w.apiCalls(ctx, "logistics")
	if err != nil {
		return err
	}
	for _, c := range calls {
		if gjson.Get(c.ResponseBody, "respCode").String() != ow.RespSuccess {
			return broke("R-OW-LOGISTICS-AFTER-SUCCESS", ruleLogistics,
				"the merchant uploaded logistics the gateway refused: %s", respOf(c))
		}
	}
	return nil
}

// logisticsLate proves the merchant's upload came too late and was
// refused for it.
func (w *World) logisticsLate(ctx context.Context) error {
	calls, err := w.apiCalls(ctx, "logistics")
	if err != nil {
		return err
	}
	if len(calls) == 0 {
		return notArranged("the merchant made no upload")
	}
	last := calls[len(calls)-1]
	if gjson.Get(last.ResponseBody, "respCode").String() != string(onerwayapi.CodeUploadTooLate) {
		return notArranged("the upload was answered %s", respOf(last))
	}
	return nil
}

func (w *World) settlementIs(ctx context.Context, want string) error {
	if err := w.needPayment(); err != nil {
		return err
	}
	st, err := w.env.Control.OnerwaySettlement(ctx, w.paymentID)
	if err != nil {
		return err
	}
	switch {
	case st.State == want:
		return nil
	case st.Goods == string(ow.GoodsPhysical) && (st.State == "awaiting_logistics" || st.State == "overdue"):
		return broke("R-OW-LOGISTICS", ruleLogistics,
			"Onerway still waits for the logistics of the %s goods: the settlement is %s, not %s", st.Goods, st.State, want)
	}
	return fmt.Errorf("the settlement of %s goods is %s, expected %s", st.Goods, st.State, want)
}

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
