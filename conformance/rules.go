package conformance

import (
	"regexp"
	"slices"
)

// Rule is a rule an integration must keep, as RULES.md at the root of the
// repository states it with the provider's words it comes from.
type Rule struct {
	// ID names the rule in RULES.md, such as "R-CAPTURE-ONCE".
	ID string
	// Says is what the integration must do, in one line.
	Says string
	// Sources are the public pages the rule comes from.
	Sources []string
}

// Public pages the rules come from.
const (
	pageQuickStart    = "https://docs.tabby.ai/pay-in-4-custom-integration/quick-start"
	pageProcessing    = "https://docs.tabby.ai/pay-in-4-custom-integration/payment-processing"
	pageStatuses      = "https://docs.tabby.ai/pay-in-4-custom-integration/payment-statuses"
	pageWebhooks      = "https://docs.tabby.ai/pay-in-4-custom-integration/webhooks"
	pageCheckoutFlow  = "https://docs.tabby.ai/pay-in-4-custom-integration/checkout-flow"
	pageCredentials   = "https://docs.tabby.ai/testing-guidelines/testing-credentials"
	pageFAQ           = "https://docs.tabby.ai/introduction/faq"
	pageTechnical     = "https://docs.tabby.ai/introduction/technical-requirements"
	pageCreate        = "https://docs.tabby.ai/api-reference/checkout/create-a-session"
	pageCapture       = "https://docs.tabby.ai/api-reference/payments/capture-a-payment"
	pageRefund        = "https://docs.tabby.ai/api-reference/payments/refund-a-payment"
	pageClose         = "https://docs.tabby.ai/api-reference/payments/close-a-payment"
	pageOpenAPI       = "https://docs.tabby.ai/openapi.yaml"
	pageOnerwayTabby  = "https://docs.onerway.com/apis/en/v0.6/tabby"
	pageOnerwaySign   = "https://docs.onerway.com/apis/en/v0.6/sign"
	pageOnerwayNote   = "https://docs.onerway.com/apis/en/v0.6/transaction-notification"
	pageOnerwayShip   = "https://docs.onerway.com/apis/en/v0.6/logistics-upload"
	pageOnerwayQuery  = "https://docs.onerway.com/apis/en/v0.6/order-query"
	pageOnerwayError  = "https://docs.onerway.com/payments/payment-operations/appendix/error-codes"
	pageOnerwayRefund = "https://docs.onerway.com/apis/en/v0.6/refund"
)

// Rules are every rule of RULES.md, in its order.
var Rules = []Rule{
	// The checkout.
	{"R-PRESCORING-HIDE", "hide Tabby when pre-scoring rejects the customer", []string{pageQuickStart, pageCheckoutFlow, pageCreate}},
	{"R-REJECTION-REASON", "show the customer the rejection reason Tabby gives", []string{pageCreate, pageCredentials}},
	{"R-HOSTED-PAGE", "create a checkout session and send the customer to its hosted page", []string{pageQuickStart, pageCreate}},
	{"R-MERCHANT-URLS", "send the success, cancel and failure URLs with the session", []string{pageCreate}},
	{"R-SESSION-MATCHES-ORDER", "send Tabby the order's own reference, amount and currency", []string{pageCreate}},
	{"R-CUSTOMER-SEES-OUTCOME", "answer every redirect from the hosted page with a page that shows the outcome", []string{pageCredentials}},
	// The payment's status.
	{"R-REDIRECT-UNTRUSTED", "never trust a redirect: retrieve the payment and act on Tabby's status only", []string{pageQuickStart, pageProcessing}},
	{"R-ORDER-STATUS", "keep the order consistent with Tabby's payment status", []string{pageProcessing, pageStatuses}},
	{"R-LOST-REDIRECT", "process a payment authorized without a redirect, from its webhook or by polling", []string{pageProcessing}},
	{"R-POLL-UNTIL-TERMINAL", "poll open payments until AUTHORIZED, REJECTED or EXPIRED", []string{pageProcessing}},
	// Webhooks.
	{"R-WEBHOOK-REGISTERED", "register a webhook for every merchant code", []string{pageProcessing, pageWebhooks}},
	{"R-WEBHOOK-AUTH", "register the webhook with a secret header and refuse webhooks without it", []string{pageWebhooks, pageFAQ}},
	{"R-WEBHOOK-ACK-200", "acknowledge every webhook with HTTP 200", []string{pageWebhooks}},
	{"R-WEBHOOK-VERIFY", "treat a webhook as a notification: retrieve the payment before acting on it", []string{pageFAQ, pageWebhooks}},
	{"R-WEBHOOK-IDEMPOTENT", "process duplicated and reordered webhooks idempotently", []string{pageWebhooks, pageProcessing}},
	// Captures, closes and refunds.
	{"R-CAPTURE-ONCE", "capture an authorized payment exactly once, reusing the reference_id on retries", []string{pageProcessing, pageCapture}},
	{"R-CAPTURE-AUTHORIZED-ONLY", "capture only AUTHORIZED payments", []string{pageProcessing, pageCapture}},
	{"R-PARTIAL-CAPTURE-CLOSE", "capture what ships and close the rest", []string{pageClose, pageStatuses}},
	{"R-CANCEL-IS-CLOSE", "close the payment of an order the shop cancels, or refuse the cancel once the payment is authorized", []string{pageClose, pageProcessing}},
	{"R-AUTO-CAPTURE", "after Tabby's auto-capture, reconcile the order without capturing again", []string{pageProcessing}},
	{"R-REFUND-EXACT", "refund exactly what was asked, each refund under its own reference_id", []string{pageRefund, pageStatuses}},
	{"R-REFUND-WITHIN-CAPTURED", "never refund beyond the captured amount", []string{pageStatuses, pageRefund}},
	{"R-AMOUNT-EXACT", "send amounts exact to the currency's decimals: 2 for AED and SAR, 3 for KWD", []string{pageTechnical}},
	{"R-PROVIDER-ERRORS", "handle the provider's error answers and timeouts without losing or duplicating the order", []string{pageTechnical, pageOnerwayError}},
	// Requests the API accepts although its contract does not allow them.
	{"R-AMOUNT-STRING", "send amounts as JSON strings", []string{pageCreate, pageTechnical}},
	{"R-ITEM-GENDER", "send an item's gender as Male, Female, Kids or Other, exactly", []string{pageCreate}},
	{"R-LIST-DATE", "send created_at__gte and created_at__lte as dates, without a time", []string{pageOpenAPI}},
	{"R-UPDATE-BODY", "update a payment's reference with order.reference_id, not a top-level reference_id", []string{pageOpenAPI}},
	{"R-WEBHOOK-MERCHANT-CODE", "send X-Merchant-Code with every webhook call", []string{pageOpenAPI}},
	// Tabby through the Onerway gateway.
	{"R-OW-PAYMENT-REQUEST", "request the payment with productType LPMS and lpmsInfo naming tabby", []string{pageOnerwayTabby}},
	{"R-OW-SIGN", "sign every request as Onerway's signature rules say", []string{pageOnerwaySign}},
	{"R-OW-REDIRECT", "send the customer to redirectUrl when the answer has status R", []string{pageOnerwayTabby}},
	{"R-OW-PRODUCT-TYPE", "give every product its type, physical or virtual", []string{pageOnerwayTabby}},
	{"R-OW-PRODUCT-IMAGE", "give every product an https productAvatarUrl", []string{pageOnerwayTabby}},
	{"R-OW-CUSTOMER-PLATFORM", "send customerPlatform in txnOrderMsg: the domain on the web, the app's name in an app", []string{pageOnerwayTabby}},
	{"R-OW-LOGISTICS", "upload the delivery of physical goods to trigger settlement", []string{pageOnerwayTabby, pageOnerwayShip}},
	{"R-OW-LOGISTICS-AFTER-SUCCESS", "upload logistics only for orders whose payment succeeded", []string{pageOnerwayTabby, pageOnerwayShip}},
	{"R-OW-LOGISTICS-WITHIN-30-DAYS", "upload logistics within 30 days of the delivery", []string{pageOnerwayTabby, pageOnerwayShip}},
	{"R-OW-WEBHOOK-SIGNATURE", "verify the signature of every notification", []string{pageOnerwayNote, pageOnerwaySign}},
	{"R-OW-WEBHOOK-ACK", "acknowledge every notification with HTTP 200 and its transactionId", []string{pageOnerwayTabby, pageOnerwayNote}},
	{"R-OW-POLL", "query the transaction's status rather than trust the redirect's parameters", []string{pageOnerwayTabby, pageOnerwayQuery}},
	{"R-OW-MERCHANT-TXN-ID", "give every payment a merchantTxnId of its own", []string{pageOnerwayTabby}},
	{"R-OW-MERCHANT-URLS", "send returnUrl and notifyUrl in txnOrderMsg with every payment", []string{pageOnerwayTabby, pageOnerwayNote}},
	{"R-OW-LOGISTICS-PHYSICAL-ONLY", "upload logistics for physical goods only", []string{pageOnerwayTabby}},
	{"R-OW-REFUND-EXACT", "refund through onlineRefund exactly what was asked; a refund is done once Onerway's audit passes", []string{pageOnerwayRefund, pageOnerwayQuery, pageOnerwayError}},
	{"R-OW-REFUND-WITHIN-PAID", "never refund beyond what is left of the payment, counting the refunds under audit", []string{pageOnerwayRefund}},
}

// ruleByID returns the rule of RULES.md with id.
func ruleByID(id string) (Rule, bool) {
	i := slices.IndexFunc(Rules, func(r Rule) bool { return r.ID == id })
	if i < 0 {
		return Rule{}, false
	}
	return Rules[i], true
}

// Finding is what a failed check says: the rule broken (ID "" when the
// check failed without naming one) and what the integration did instead.
type Finding struct {
	Rule Rule
	// Instead is what the integration did, or the whole failure when no
	// rule was named.
	Instead string
}

// brokenRule reads broke's message: "rule broken (id): says; instead did".
var brokenRule = regexp.MustCompile(`(?s)^rule broken \((.*?)\): (.*?); instead (.*)$`)

// findingOf reads the failure of a step as a merchant reads it: the rule of
// RULES.md, in the step's own words, and its public pages.
func findingOf(err error) Finding {
	msg := err.Error()
	m := brokenRule.FindStringSubmatch(msg)
	if m == nil {
		return Finding{Instead: msg}
	}
	// An id not in RULES.md leaves the step's words alone to show; a test
	// (TestRules_EveryBrokenRuleIsListed) keeps that from shipping.
	r, _ := ruleByID(m[1])
	r.Says = m[2] // the step's own words are the more precise
	return Finding{Rule: r, Instead: m[3]}
}
