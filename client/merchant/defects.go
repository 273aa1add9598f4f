package merchant

import (
	"fmt"
	"strings"
)

// Defect is a mistake the reference merchant can be told to make, so the
// conformance suite can prove it catches that mistake.
type Defect struct {
	Name        string
	Description string
}

// The defects' names.
const (
	DefectIgnoresWebhooks             = "ignores-webhooks"
	DefectTrustsRedirect              = "trusts-redirect"
	DefectSkipsWebhookAuth            = "skips-webhook-auth"
	DefectNoRereadOnWebhook           = "no-reread-on-webhook"
	DefectCapturesTwice               = "captures-twice"
	DefectCapturesBeforeAuthorization = "captures-before-authorization"
	DefectNeverPolls                  = "never-polls"
	DefectNeverCaptures               = "never-captures"
	DefectIgnoresRejection            = "ignores-rejection"
	DefectWebhookNon200               = "webhook-non-200"
	DefectLosesOrderOnCancel          = "loses-order-on-cancel"
	DefectRefundsBeyondCaptured       = "refunds-beyond-captured"
	DefectRejectsRepeatedWebhooks     = "rejects-repeated-webhooks"
	DefectTrustsWebhookOrder          = "trusts-webhook-order"
	DefectTwoDecimals                 = "two-decimals"
	DefectTrustsRedirectPaymentID     = "trusts-redirect-payment-id"
	DefectTrustsCancelRedirect        = "trusts-cancel-redirect"
	DefectRedirectExpectsAuthorized   = "redirect-expects-authorized"
	DefectErrorPageOnLateRedirect     = "error-page-on-late-redirect"
	DefectCancelWithoutClose          = "cancel-without-close"
	DefectPollsOnce                   = "polls-once"
	DefectReusesRefundReference       = "reuses-refund-reference"
	DefectFloatAmounts                = "float-amounts"
	DefectWrongOrderReference         = "wrong-order-reference"

	// The defects in how the merchant takes Tabby's failures
	// (failures.go).
	DefectNewReferenceOnRetry = "new-reference-on-retry"
	DefectNoRetryOn5xx        = "no-retry-on-5xx"
	DefectTrustsNonJSON       = "trusts-non-json"
	DefectIgnoresRetryAfter   = "ignores-retry-after"

	// The Onerway mode's.
	DefectSkipsWebhookSign         = "skips-webhook-sign"
	DefectAcksWithoutTransactionID = "acks-without-transaction-id"
	DefectTrustsReturnURL          = "trusts-return-url"
	DefectNeverUploadsLogistics    = "never-uploads-logistics"
	DefectUploadsBeforeSuccess     = "uploads-before-success"
	DefectVirtualAsPhysical        = "virtual-as-physical"
	DefectSignsReserialisedJSON    = "signs-reserialised-json"
	DefectReusesMerchantTxnID      = "reuses-merchant-txn-id"
	DefectTrustsHTTP200            = "trusts-http-200"
	DefectNewMerchantTxnIDOnRetry  = "new-merchant-txn-id-on-retry"
)

// Defects is the catalogue of defects, in a stable order. Each breaks one
// rule of seeds 000 and 002 or of tabby-api.md §4, §6, §8 and §11; those of
// the Onerway mode, after them, one of seed 001 or of onerway-api.md. A
// defect of one mode changes nothing in the other.
var Defects = []Defect{
	{DefectIgnoresWebhooks, "acknowledges webhooks with 200 but does nothing with them, so a payment authorized without the redirect stays pending"},
	{DefectTrustsRedirect, "the success redirect marks the order paid without retrieving the payment (never rely on the redirect alone: https://docs.tabby.ai/pay-in-4-custom-integration/quick-start)"},
	{DefectSkipsWebhookAuth, "processes webhooks without checking the registered auth header, and answers 200 to forged ones"},
	{DefectNoRereadOnWebhook, "applies the status in the webhook body instead of retrieving the payment (webhooks are notifications only: https://docs.tabby.ai/pay-in-4-custom-integration/webhooks)"},
	{DefectCapturesTwice, "every notice of authorization (redirect, webhook, poll) sends a capture with a fresh reference_id"},
	{DefectCapturesBeforeAuthorization, "sends a capture right after creating the session, before the customer paid (capture only AUTHORIZED payments: https://docs.tabby.ai/pay-in-4-custom-integration/payment-processing)"},
	{DefectNeverPolls, "never retrieves pending payments on its own: PollOnce and the poller do nothing (webhooks or a cron job: https://docs.tabby.ai/pay-in-4-custom-integration/payment-processing)"},
	{DefectNeverCaptures, "never captures authorized payments and relies on Tabby's auto-capture after 21 days (https://docs.tabby.ai/pay-in-4-custom-integration/payment-processing)"},
	{DefectIgnoresRejection, "on pre-scoring rejection still offers Tabby (status pending, no rejection_reason), and leaves orders of REJECTED payments pending"},
	{DefectWebhookNon200, "answers webhooks with 204 No Content, which Tabby counts as a failure and retries (https://docs.tabby.ai/pay-in-4-custom-integration/webhooks)"},
	{DefectLosesOrderOnCancel, "deletes the order on the cancel redirect and on EXPIRED, emptying the cart (the cart must not be emptied: https://docs.tabby.ai/testing-guidelines/testing-credentials)"},
	{DefectRefundsBeyondCaptured, "forwards any refund amount to Tabby without checking it against what was captured and not yet refunded"},
	{DefectRejectsRepeatedWebhooks, "answers a webhook it has processed before (same payment, status, captures and refunds) with 409 Conflict instead of 200, so Tabby counts every duplicate as failed and retries it (duplicates happen: https://docs.tabby.ai/pay-in-4-custom-integration/webhooks)"},
	{DefectTrustsWebhookOrder, "retrieves the payment only to confirm a webhook is genuine, then applies the status and amounts the webhook carries in the order webhooks arrive, so a stale webhook sets a refunded order back to paid (their order is not guaranteed: https://docs.tabby.ai/pay-in-4-custom-integration/webhooks)"},
	{DefectTwoDecimals, "prints every amount it sends Tabby with two decimals, so a KWD order is charged, captured and refunded without its third decimal (KWD amounts have up to 3: https://docs.tabby.ai/introduction/technical-requirements)"},
	{DefectTrustsRedirectPaymentID, "on the success redirect retrieves the payment the URL's payment_id names and applies it to the order without checking it pays for that order, so another order's paid payment marks this one paid (https://docs.tabby.ai/pay-in-4-custom-integration/quick-start)"},
	{DefectTrustsCancelRedirect, "marks the order cancelled on the cancel redirect and failed on the failure redirect without retrieving the payment, so a paid order opened at those pages later is undone (https://docs.tabby.ai/pay-in-4-custom-integration/payment-processing)"},
	{DefectRedirectExpectsAuthorized, "on the success redirect fails the order unless the payment is AUTHORIZED, so a redirect that arrives after the webhook led to the capture (CLOSED) fails a paid order (any other status calls for an investigation: https://docs.tabby.ai/pay-in-4-custom-integration/payment-processing)"},
	{DefectErrorPageOnLateRedirect, "answers the success redirect of an order already paid with 409 Conflict instead of showing it, so a customer whose webhook arrived first sees an error"},
	{DefectCancelWithoutClose, "cancels a pending order in the shop without asking Tabby, so a payment authorized unseen stays open and Tabby captures it after 21 days (a cancel is a close: https://docs.tabby.ai/api-reference/payments/close-a-payment)"},
	{DefectPollsOnce, "its reconciliation job retrieves each order's payment once: a payment not final yet at that run is never retrieved again (until AUTHORIZED, REJECTED or EXPIRED: https://docs.tabby.ai/pay-in-4-custom-integration/payment-processing)"},
	{DefectReusesRefundReference, "sends every refund of an order with the same reference_id, so Tabby takes a second partial refund for a retry of the first and refunds nothing more (reference_id is the refund's idempotency key: https://docs.tabby.ai/api-reference/payments/refund-a-payment)"},
	{DefectFloatAmounts, "reads the prices and refund amounts it is given as float64 and truncates them to minor units, so 19.99 becomes 19.98 (amounts are exact decimals: https://docs.tabby.ai/introduction/technical-requirements)"},
	{DefectWrongOrderReference, "sends Tabby its cart's id (cart_<n>) as order.reference_id instead of the order's reference, so Tabby's payment and the shop's order cannot be matched (https://docs.tabby.ai/api-reference/checkout/create-a-session)"},

	{DefectNewReferenceOnRetry, "sends a capture or refund that failed with a 5xx or a lost answer again with a new reference_id, so one Tabby made before the failure is made twice (retry with the same reference_id: https://docs.tabby.ai/api-reference/payments/capture-a-payment)"},
	{DefectNoRetryOn5xx, "never sends a request again: a capture or refund that failed with a 5xx or a lost answer, or a request refused with 429, is given up (captures and refunds are safe to retry: https://docs.tabby.ai/api-reference/payments/capture-a-payment)"},
	{DefectTrustsNonJSON, "takes any answer that is not JSON (a firewall's HTML page, a proxy's plain-text 5xx) for success, as a shop does that only looks for Tabby's error envelope (https://docs.tabby.ai/introduction/technical-requirements)"},
	{DefectIgnoresRetryAfter, "sends a request refused with 429 again after its own short delay, before the Retry-After the answer asks for (https://docs.tabby.ai/introduction/technical-requirements)"},

	{DefectSkipsWebhookSign, "applies Onerway's notifications without verifying their sign, so a forged one marks an order paid (verify the webhook signature: https://docs.onerway.com/apis/en/v0.6/tabby)"},
	{DefectAcksWithoutTransactionID, "acknowledges notifications with HTTP 200 and {\"received\":true} instead of the transactionId, so Onerway counts each as not received and retries it (https://docs.onerway.com/apis/en/v0.6/tabby)"},
	{DefectTrustsReturnURL, "takes the status in the returnUrl's parameters for the payment's, without the notification or /v1/txn/list (the redirect may not reflect the outcome: https://docs.onerway.com/apis/en/v0.6/tabby)"},
	{DefectNeverUploadsLogistics, "never reports the delivery of physical goods, so Onerway never settles them (upload within 30 days after delivery: https://docs.onerway.com/apis/en/v0.6/tabby)"},
	{DefectUploadsBeforeSuccess, "reports a delivery at once, before the payment succeeded, and never again after Onerway refused it (the order must reach success first: https://docs.onerway.com/apis/en/v0.6/tabby)"},
	{DefectVirtualAsPhysical, "sends every product as physical goods, virtual ones too, so Onerway holds their settlement for a logistics upload that never comes (https://docs.onerway.com/apis/en/v0.6/tabby)"},
	{DefectSignsReserialisedJSON, "signs nested objects as it encodes them again (keys sorted) rather than as the strings it sends, so Onerway refuses every request's sign (https://docs.onerway.com/apis/en/v0.6/sign)"},
	{DefectReusesMerchantTxnID, "derives the merchantTxnId from the cart, so a new order after a failed or cancelled payment reuses the old one and Onerway refuses it as a duplicate"},
	{DefectTrustsHTTP200, "takes any answer Onerway sends with HTTP 200 for success, whatever its respCode: a payment refused with 11001 System exception leaves the customer with no cashier and no word, and a refund answered with HTTP 200 is counted as refunded at once, one refused with 11001 too (success is respCode 20000, and a refund is done once the audit passes: https://docs.onerway.com/payments/payment-operations/appendix/error-codes)"},
	{DefectNewMerchantTxnIDOnRetry, "applies for a refund whose answer was lost again under a new merchantTxnId, so the gateway, which took the first, refunds the customer twice (the merchantTxnId names the refund; /v1/txn/list finds it: https://docs.onerway.com/apis/en/v0.6/refund)"},
}

// Provider is the mode whose behaviour the defect changes: ProviderTabby
// or ProviderOnerway.
func (d Defect) Provider() string {
	switch d.Name {
	case DefectSkipsWebhookSign, DefectAcksWithoutTransactionID, DefectTrustsReturnURL, DefectNeverUploadsLogistics,
		DefectUploadsBeforeSuccess, DefectVirtualAsPhysical, DefectSignsReserialisedJSON, DefectReusesMerchantTxnID, DefectTrustsHTTP200, DefectNewMerchantTxnIDOnRetry:
		return ProviderOnerway
	}
	return ProviderTabby
}

// checkDefect accepts "" or a name from Defects.
func checkDefect(name string) error {
	if name == "" {
		return nil
	}
	for _, d := range Defects {
		if d.Name == name {
			return nil
		}
	}
	return fmt.Errorf("merchant: unknown defect %q; known defects: %s", name, defectNames())
}

// defectNames lists the defects' names, comma-separated.
func defectNames() string {
	names := make([]string, len(Defects))
	for i, d := range Defects {
		names[i] = d.Name
	}
	return strings.Join(names, ", ")
}
