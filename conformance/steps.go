package conformance

import (
	"context"
	"strings"

	"github.com/cucumber/godog"

	"github.com/tabbysim/tabbysim/client/money"
)

// amountIn matches an amount and its currency, such as "100.00 AED" or
// "12.345 KWD".
var amountIn = `([\d.]+) (` + strings.Join(money.Currencies(), "|") + `)`

// registerSteps binds the features' steps to a World of the scenario's own
// (godog calls it once per scenario); the steps are the World's methods, in
// files by area.
func registerSteps(sc *godog.ScenarioContext, h *harness) {
	w := newWorld(h)
	sc.Before(func(ctx context.Context, s *godog.Scenario) (context.Context, error) {
		tags := make([]string, len(s.Tags))
		for i, t := range s.Tags {
			tags[i] = t.Name
		}
		return ctx, w.open(ctx, tags)
	})
	sc.After(func(ctx context.Context, s *godog.Scenario, err error) (context.Context, error) {
		w.close()
		return ctx, nil
	})

	// checkout.go: the customer, the order and the payment.
	sc.Step(`^the customer checks out `+amountIn+`$`, w.checksOut)
	sc.Step(`^the customer checks out `+amountIn+` as "([^"]*)"$`, w.checksOutAs)
	sc.Step(`^the customer checks out `+amountIn+` with the phone "([^"]*)"$`, w.checksOutWithPhone)
	sc.Step(`^the customer checks out `+amountIn+` with ([\d.]+) of it out of stock$`, w.checksOutPartlyOutOfStock)
	sc.Step(`^the customer checks out (\d+) × `+amountIn+`$`, w.checksOutItems)
	sc.Step(`^the customer pays on the hosted page$`, w.pays)
	sc.Step(`^the customer pays but closes the tab before the redirect$`, w.paysButClosesTheTab)
	sc.Step(`^the customer cancels on the hosted page$`, w.cancels)
	sc.Step(`^the customer abandons the checkout$`, w.abandons)
	sc.Step(`^the customer opens the success page without paying$`, w.opensSuccessPageWithoutPaying)
	sc.Step(`^the customer paid for an earlier order of `+amountIn+`$`, w.paidEarlierOrder)
	sc.Step(`^the customer opens the success page with the earlier order's payment$`, w.opensSuccessPageWithEarlierPayment)
	sc.Step(`^the customer opens the (cancel|failure) page of the payment$`, w.opensReturnPage)
	sc.Step(`^the customer pays but the redirect is slow$`, w.paysButTheRedirectIsSlow)
	sc.Step(`^the slow redirect reaches the merchant$`, w.slowRedirectArrives)
	sc.Step(`^the customer was shown a page, not an error$`, w.shownPages)
	sc.Step(`^Tabby is not offered and the reason "([^"]*)" is shown$`, w.notOffered)
	sc.Step(`^the merchant sent Tabby the order's reference, amount and currency$`, w.sentTheOrder)
	sc.Step(`^the payment is (CREATED|AUTHORIZED|CLOSED|REJECTED|EXPIRED)$`, w.paymentIs)
	sc.Step(`^the order is (pending|paid|cancelled|failed|refunded|partially_refunded)$`, w.orderIs)

	// webhooks.go: what the provider sends and how the merchant takes it.
	sc.Step(`^every webhook is delivered twice$`, w.chaos(map[string]any{"duplicate": 1}))
	sc.Step(`^webhooks arrive out of order$`, w.chaos(map[string]any{"reorder": true}))
	sc.Step(`^webhooks are lost on the way$`, w.chaos(map[string]any{"drop_rate": 1}))
	sc.Step(`^Tabby sends the optional expired webhooks$`, w.sendsExpiredWebhooks)
	sc.Step(`^webhooks are delivered$`, w.webhooksAreDelivered)
	sc.Step(`^Tabby resends every webhook of the payment$`, w.resendsEveryWebhook)
	sc.Step(`^a forged webhook announces the payment as authorized$`, w.forgedWebhookAuthorizes)
	sc.Step(`^an authentic webhook claims the payment is authorized although it is not$`, w.authenticWebhookAuthorizes)
	sc.Step(`^every webhook was acknowledged with 200$`, w.everyWebhookAcknowledged)
	sc.Step(`^the forged webhook was refused$`, w.forgedWebhookRefused)
	sc.Step(`^the merchant retrieved the payment$`, w.merchantRetrievedPayment)

	// capture.go: captures and refunds.
	sc.Step(`^the merchant captured ([\d.]+) exactly once$`, w.capturedOnce)
	sc.Step(`^the merchant made no capture request$`, w.noCaptureRequest)
	sc.Step(`^Tabby captured the payment in full$`, w.providerCapturedInFull)
	sc.Step(`^the merchant cancels the order$`, w.merchantCancels)
	sc.Step(`^either the order is cancelled and Tabby captured nothing, or the order is paid and captured once$`, w.cancelAgrees)
	sc.Step(`^the merchant refunds ([\d.]+)$`, w.refunds)
	sc.Step(`^the payment has refunds totalling ([\d.]+)$`, w.refundsTotal)
	sc.Step(`^each refund reached Tabby as asked, with its own reference_id$`, w.refundsAsAsked)
	sc.Step(`^no refund request exceeded what was captured$`, w.noRefundBeyondCaptured)

	// time.go: the clock and the merchant's jobs.
	sc.Step(`^the clock advances (.+)$`, w.clockAdvances)
	sc.Step(`^the merchant's reconciliation job runs$`, w.reconciles)
	sc.Step(`^the merchant retrieved the payment while it was (CREATED|AUTHORIZED)$`, w.retrievedWhile)

	// proofs.go: the arranged condition held.
	sc.Step(`^the simulator delivered every webhook twice$`, w.deliveredTwice)
	sc.Step(`^the simulator delivered every webhook again$`, w.deliveredAgain)
	sc.Step(`^the simulator delivered a webhook after the payment's next event$`, w.deliveredOutOfOrder)
	sc.Step(`^the simulator lost every webhook on the way$`, w.lostEveryWebhook)
	sc.Step(`^the simulator delivered the expired webhook$`, w.deliveredExpiredWebhook)
	sc.Step(`^the simulator recorded that the customer (closed the tab before the redirect|left the hosted page)$`, w.recordedCustomer)
	sc.Step(`^Tabby rejected the customer at pre-scoring with "([^"]*)"$`, w.rejectedAtPrescoring)
	sc.Step(`^Tabby's auto-capture of the payment fell due$`, w.autoCaptureFellDue)
	sc.Step(`^the webhook sent was forged$`, w.sentWebhookWasForged)
	sc.Step(`^the webhook sent was authentic but disagreed with the payment$`, w.sentWebhookWasAuthentic)

	// faults.go: the simulator fails on purpose.
	registerFaultSteps(sc, w)
	// onerway_steps.go: what only Tabby through the Onerway gateway has.
	registerOnerwaySteps(sc, w)
}
