package conformance

import (
	"regexp"
	"slices"
	"strings"
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
	pageRetrieve      = "https://docs.tabby.ai/api-reference/payments/retrieve-a-payment"
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

// citations maps what a step names when it fails (see broke: the rule in
// its own words, and the seed document or reference section the feature
// was written from) to the rule of RULES.md, which names the public pages.
// A row matches when the rule's words start with says and the citation is
// cites (any, if cites is ""); the first row that matches wins.
var citations = []struct{ says, cites, rule string }{
	{"hide Tabby when pre-scoring rejects the customer", "tabby-api.md §3.1.1, §7", "R-PRESCORING-HIDE"},
	{"show the rejection reason", "tabby-api.md §3.1.1", "R-REJECTION-REASON"},
	{"send merchant_urls.", "tabby-api.md §3.1", "R-MERCHANT-URLS"},
	{"send Tabby the order's own reference, amount and currency", "tabby-api.md §3.1", "R-SESSION-MATCHES-ORDER"},
	{"show the customer the outcome", "tabby-api.md §8", "R-CUSTOMER-SEES-OUTCOME"},
	{"poll open payments until", "seed 002", "R-POLL-UNTIL-TERMINAL"},
	{"a merchant's cancel is a close", "tabby-api.md §3.8", "R-CANCEL-IS-CLOSE"},
	{"every refund is an operation of its own", "tabby-api.md §3.7", "R-REFUND-EXACT"},
	{"the order is pending", "seed 000 step 4, seed 002: only Tabby's status decides", "R-REDIRECT-UNTRUSTED"},
	{"the order is pending", "seed 001: rely on the notification or the transaction query, never on the redirect", "R-OW-POLL"},
	{"the order is ", "", "R-ORDER-STATUS"},
	{"register a webhook for the merchant code", "seed 002, tabby-api.md §3.10", "R-WEBHOOK-REGISTERED"},
	{"register a webhook so Tabby can notify the merchant", "seed 002", "R-WEBHOOK-REGISTERED"},
	{"register the webhook with an auth header", "tabby-api.md §6.2", "R-WEBHOOK-AUTH"},
	{"refuse a webhook without the registered auth header", "tabby-api.md §6.2", "R-WEBHOOK-AUTH"},
	{"acknowledge every webhook with HTTP 200", "tabby-api.md §6.2", "R-WEBHOOK-ACK-200"},
	{"retrieve the payment before acting on a webhook", "tabby-api.md §6.2 (3)", "R-WEBHOOK-VERIFY"},
	{"capture an authorized payment exactly once", "seed 002, tabby-api.md §3.6", "R-CAPTURE-ONCE"},
	{"capture only AUTHORIZED payments", "seed 002", "R-CAPTURE-AUTHORIZED-ONLY"},
	{"after Tabby's auto-capture", "seed 002", "R-AUTO-CAPTURE"},
	{"refund what was asked for", "tabby-api.md §3.7", "R-REFUND-EXACT"},
	{"never refund beyond the captured amount", "tabby-api.md §3.7", "R-REFUND-WITHIN-CAPTURED"},
	// The provider's failures (faults.go).
	{"send a capture that got a 5xx or no answer again, with the same reference_id", "tabby-api.md §3.6", "R-CAPTURE-ONCE"},
	{"send a refund that got a 5xx or no answer again, with the same reference_id", "tabby-api.md §3.6", "R-REFUND-EXACT"},
	{"make one capture of what was asked", "tabby-api.md §3.6, §3.7", "R-CAPTURE-ONCE"},
	{"make one refund of what was asked", "tabby-api.md §3.6, §3.7", "R-REFUND-EXACT"},
	{"send a request refused with 429 again once its Retry-After has passed", "tabby-api.md §1.4", "R-PROVIDER-ERRORS"},
	{"tell the customer when the checkout could not start", "tabby-api.md §11", "R-PROVIDER-ERRORS"},
	{"keep the order when Tabby's answer cannot be used", "tabby-api.md §8, §11", "R-PROVIDER-ERRORS"},
	{"never mark an order paid without a payment", "seed 002", "R-ORDER-STATUS"},
	// Tabby through the Onerway gateway (onerway*.go).
	{"request the payment with productType LPMS", "", "R-OW-PAYMENT-REQUEST"},
	{"sign every request", "onerway-api.md §2.1", "R-OW-SIGN"},
	{"send the customer to the redirectUrl only when", "seed 001 (Response Handling)", "R-OW-REDIRECT"},
	{"give every product its type", "seed 001: the type decides settlement", "R-OW-PRODUCT-TYPE"},
	{"give every product an https productAvatarUrl", "", "R-OW-PRODUCT-IMAGE"},
	{"send customerPlatform in txnOrderMsg", "", "R-OW-CUSTOMER-PLATFORM"},
	{"upload logistics for physical goods only", "seed 001: virtual goods need no logistics", "R-OW-LOGISTICS-PHYSICAL-ONLY"},
	{"upload the delivery of paid physical goods", "seed 001: physical goods orders must reach success status before uploading", "R-OW-LOGISTICS-AFTER-SUCCESS"},
	{"upload the delivery of paid physical goods", "seed 001 (Settlement Process Requirements)", "R-OW-LOGISTICS"},
	{"verify the sign of every notification", "seed 001, onerway-api.md §2.3", "R-OW-WEBHOOK-SIGNATURE"},
	{"acknowledge every notification with HTTP 200 and its transactionId", "seed 001 (Webhook Configuration)", "R-OW-WEBHOOK-ACK"},
	{"query the transaction's status", "seed 001 (Transaction Status Polling)", "R-OW-POLL"},
	{"give every new payment a merchantTxnId of its own", "onerway-api.md §4: merchantTxnId is unique for each payment", "R-OW-MERCHANT-TXN-ID"},
	{"send txnOrderMsg.returnUrl with the payment", "", "R-OW-MERCHANT-URLS"},
	{"send txnOrderMsg.notifyUrl with the payment", "", "R-OW-MERCHANT-URLS"},
	{"refund through onlineRefund, within what was paid", "onerway-api.md §6", "R-OW-REFUND-WITHIN-PAID"},
	{"never refund beyond what is left of the payment", "onerway-api.md §6", "R-OW-REFUND-WITHIN-PAID"},
	{"refund through onlineRefund", "onerway-api.md §6", "R-OW-REFUND-EXACT"},
	{"refund what was asked for, within what was paid", "onerway-api.md §6", "R-OW-REFUND-EXACT"},
	{"count a refund only once Onerway made it", "onerway-api.md §6, §10", "R-OW-REFUND-EXACT"},
	{"apply for a refund whose answer was lost once", "onerway-api.md §6, §7", "R-OW-REFUND-EXACT"},
}

// citedPages are the public pages of what the steps cite, for a failure
// whose words no row of citations has yet: it names the pages, if not the
// rule's id. TestRules_EveryBrokenRuleIsListed keeps that from shipping.
var citedPages = []struct{ cites, page string }{
	{"seed 000", pageQuickStart},
	{"seed 001", pageOnerwayTabby},
	{"seed 002", pageProcessing},
	{"tabby-api.md §1.3", pageTechnical},
	{"tabby-api.md §1.4", pageTechnical},
	{"tabby-api.md §11", pageTechnical},
	{"tabby-api.md §3.10", pageWebhooks},
	{"tabby-api.md §3.1", pageCreate},
	{"tabby-api.md §3.4", pageRetrieve},
	{"tabby-api.md §3.6", pageCapture},
	{"tabby-api.md §3.7", pageRefund},
	{"tabby-api.md §3.8", pageClose},
	{"tabby-api.md §4", pageStatuses},
	{"tabby-api.md §6", pageWebhooks},
	{"tabby-api.md §7", pageCheckoutFlow},
	{"tabby-api.md §8", pageCredentials},
	{"onerway-api.md", pageOnerwayTabby},
}

// pagesOf returns the public pages of a citation such as "seed 002,
// tabby-api.md §3.6, §3.8".
func pagesOf(cites string) []string {
	var out []string
	doc := ""
	for _, part := range strings.Split(cites, ",") {
		part = strings.TrimSpace(part)
		if strings.HasPrefix(part, "§") {
			part = doc + " " + part // "§3.8" after "tabby-api.md §3.6"
		} else if d, _, ok := strings.Cut(part, " §"); ok {
			doc = d
		}
		for _, c := range citedPages {
			if strings.HasPrefix(part, c.cites) && !slices.Contains(out, c.page) {
				out = append(out, c.page)
				break
			}
		}
	}
	return out
}

// ruleFor returns the rule a failing step names by its words and citation;
// ok is false when no row of citations has it.
func ruleFor(says, cites string) (Rule, bool) {
	for _, c := range citations {
		if strings.HasPrefix(says, c.says) && (c.cites == "" || c.cites == cites) {
			return ruleByID(c.rule)
		}
	}
	return Rule{}, false
}

// Finding is what a failed check says: the rule broken (ID "" when the
// check failed without naming one) and what the integration did instead.
type Finding struct {
	Rule Rule
	// Instead is what the integration did, or the whole failure when no
	// rule was named.
	Instead string
}

// brokenRule reads broke's message: "rule broken (cites): says; instead did".
var brokenRule = regexp.MustCompile(`(?s)^rule broken \((.*?)\): (.*?); instead (.*)$`)

// findingOf reads the failure of a step as a merchant reads it: the rule of
// RULES.md and its public pages, never the files the features were written
// from.
func findingOf(err error) Finding {
	msg := err.Error()
	m := brokenRule.FindStringSubmatch(msg)
	if m == nil {
		return Finding{Instead: msg}
	}
	if r, ok := ruleFor(m[2], m[1]); ok {
		r.Says = m[2] // the step's own words are the more precise
		return Finding{Rule: r, Instead: m[3]}
	}
	return Finding{Rule: Rule{Says: m[2], Sources: pagesOf(m[1])}, Instead: m[3]}
}
