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
	{DefectTrustsRedirect, "the success redirect marks the order paid without retrieving the payment (seed 000: never rely on the redirect alone)"},
	{DefectSkipsWebhookAuth, "processes webhooks without checking the registered auth header, and answers 200 to forged ones"},
	{DefectNoRereadOnWebhook, "applies the status in the webhook body instead of retrieving the payment (tabby-api.md §6.2: webhooks are notifications only)"},
	{DefectCapturesTwice, "every notice of authorization (redirect, webhook, poll) sends a capture with a fresh reference_id"},
	{DefectCapturesBeforeAuthorization, "sends a capture right after creating the session, before the customer paid (seed 002: capture only AUTHORIZED payments)"},
	{DefectNeverPolls, "never retrieves pending payments on its own: PollOnce and the poller do nothing (seed 002: webhooks or a cron job)"},
	{DefectNeverCaptures, "never captures authorized payments and relies on Tabby's auto-capture after 21 days (seed 002)"},
	{DefectIgnoresRejection, "on pre-scoring rejection still offers Tabby (status pending, no rejection_reason), and leaves orders of REJECTED payments pending"},
	{DefectWebhookNon200, "answers webhooks with 204 No Content, which Tabby counts as a failure and retries (tabby-api.md §6.2)"},
	{DefectLosesOrderOnCancel, "deletes the order on the cancel redirect and on EXPIRED, emptying the cart (tabby-api.md §8: the cart must not be emptied)"},
	{DefectRefundsBeyondCaptured, "forwards any refund amount to Tabby without checking it against what was captured and not yet refunded"},
	{DefectRejectsRepeatedWebhooks, "answers a webhook it has processed before (same payment, status, captures and refunds) with 409 Conflict instead of 200, so Tabby counts every duplicate as failed and retries it (tabby-api.md §6.2: duplicates happen)"},
	{DefectTrustsWebhookOrder, "retrieves the payment only to confirm a webhook is genuine, then applies the status and amounts the webhook carries in the order webhooks arrive, so a stale webhook sets a refunded order back to paid (tabby-api.md §6.2: their order is not guaranteed)"},
	{DefectTwoDecimals, "prints every amount it sends Tabby with two decimals, so a KWD order is charged, captured and refunded without its third decimal (tabby-api.md §1.3: KWD amounts have up to 3)"},
	{DefectTrustsRedirectPaymentID, "on the success redirect retrieves the payment the URL's payment_id names and applies it to the order without checking it pays for that order, so another order's paid payment marks this one paid (seed 000 step 4)"},
	{DefectTrustsCancelRedirect, "marks the order cancelled on the cancel redirect and failed on the failure redirect without retrieving the payment, so a paid order opened at those pages later is undone (seed 002)"},
	{DefectRedirectExpectsAuthorized, "on the success redirect fails the order unless the payment is AUTHORIZED, so a redirect that arrives after the webhook led to the capture (CLOSED) fails a paid order (seed 002: any other status calls for an investigation)"},
	{DefectErrorPageOnLateRedirect, "answers the success redirect of an order already paid with 409 Conflict instead of showing it, so a customer whose webhook arrived first sees an error"},
	{DefectCancelWithoutClose, "cancels a pending order in the shop without asking Tabby, so a payment authorized unseen stays open and Tabby captures it after 21 days (tabby-api.md §3.8: a cancel is a close)"},
	{DefectPollsOnce, "its reconciliation job retrieves each order's payment once: a payment not final yet at that run is never retrieved again (seed 002: until AUTHORIZED, REJECTED or EXPIRED)"},
	{DefectReusesRefundReference, "sends every refund of an order with the same reference_id, so Tabby takes a second partial refund for a retry of the first and refunds nothing more (tabby-api.md §3.7: reference_id is the refund's idempotency key)"},
	{DefectFloatAmounts, "reads the prices and refund amounts it is given as float64 and truncates them to minor units, so 19.99 becomes 19.98 (tabby-api.md §1.3: amounts are exact decimals)"},
	{DefectWrongOrderReference, "sends Tabby its cart's id (cart_<n>) as order.reference_id instead of the order's reference, so Tabby's payment and the shop's order cannot be matched (tabby-api.md §3.1)"},

	{DefectNewReferenceOnRetry, "sends a capture or refund that failed with a 5xx or a lost answer again with a new reference_id, so one Tabby made before the failure is made twice (tabby-api.md §3.6: retry with the same reference_id)"},
	{DefectNoRetryOn5xx, "never sends a request again: a capture or refund that failed with a 5xx or a lost answer, or a request refused with 429, is given up (tabby-api.md §3.6: captures and refunds are safe to retry)"},
	{DefectTrustsNonJSON, "takes any answer that is not JSON (a firewall's HTML page, a proxy's plain-text 5xx) for success, as a shop does that only looks for Tabby's error envelope (tabby-api.md §11)"},
	{DefectIgnoresRetryAfter, "sends a request refused with 429 again after its own short delay, before the Retry-After the answer asks for (tabby-api.md §1.4)"},

	{DefectSkipsWebhookSign, "applies Onerway's notifications without verifying their sign, so a forged one marks an order paid (seed 001: verify the webhook signature)"},
	{DefectAcksWithoutTransactionID, "acknowledges notifications with HTTP 200 and {\"received\":true} instead of the transactionId, so Onerway counts each as not received and retries it (seed 001)"},
	{DefectTrustsReturnURL, "takes the status in the returnUrl's parameters for the payment's, without the notification or /v1/txn/list (seed 001: the redirect may not reflect the outcome)"},
	{DefectNeverUploadsLogistics, "never reports the delivery of physical goods, so Onerway never settles them (seed 001: upload within 30 days after delivery)"},
	{DefectUploadsBeforeSuccess, "reports a delivery at once, before the payment succeeded, and never again after Onerway refused it (seed 001: the order must reach success first)"},
	{DefectVirtualAsPhysical, "sends every product as physical goods, virtual ones too, so Onerway holds their settlement for a logistics upload that never comes (seed 001)"},
	{DefectSignsReserialisedJSON, "signs nested objects as it encodes them again (keys sorted) rather than as the strings it sends, so Onerway refuses every request's sign (onerway-api.md §2.1)"},
	{DefectReusesMerchantTxnID, "derives the merchantTxnId from the cart, so a new order after a failed or cancelled payment reuses the old one and Onerway refuses it as a duplicate"},
	{DefectTrustsHTTP200, "takes any answer Onerway sends with HTTP 200 for success, whatever its respCode: a payment refused with 11001 System exception leaves the customer with no cashier and no word, and a refund answered with HTTP 200 is counted as refunded at once, one refused with 11001 too (onerway-api.md §10: success is respCode 20000, and a refund is done once the audit passes)"},
	{DefectNewMerchantTxnIDOnRetry, "applies for a refund whose answer was lost again under a new merchantTxnId, so the gateway, which took the first, refunds the customer twice (onerway-api.md §6: the merchantTxnId names the refund; /v1/txn/list finds it)"},
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
