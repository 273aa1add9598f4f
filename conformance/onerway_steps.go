package conformance

import (
	"context"
	"time"

	"github.com/cucumber/godog"
	"github.com/tidwall/gjson"

	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/client/simctl"
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

func respOf(e simctl.JournalEntry) string {
	return gjson.Get(e.ResponseBody, "respCode").String() + " " + gjson.Get(e.ResponseBody, "respMsg").String()
}
