package conformance

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/cucumber/godog"
)

// vocabulary is one example of every step the features may use, with the
// rules a scenario that has the step puts to the test (ids of RULES.md).
// TestVocabulary proves every step registerSteps registers has exactly one
// example here and every example matches exactly one registered step.
var vocabulary = []struct {
	example string
	checks  []string
}{
	// The customer, the order and the payment.
	{`Given the customer checks out 100.00 AED`, nil},
	{`Given the customer checks out 100.00 AED as "otp.rejected@tabby.ai"`, nil},
	{`Given the customer checks out 100.00 AED with the phone "+971500000002"`, nil},
	{`Given the customer checks out 100.00 AED with 40.00 of it out of stock`, []string{"R-PARTIAL-CAPTURE-CLOSE"}},
	{`When the customer pays on the hosted page`, []string{"R-HOSTED-PAGE", "R-MERCHANT-URLS"}},
	{`When the customer pays but closes the tab before the redirect`, []string{"R-LOST-REDIRECT"}},
	{`When the customer cancels on the hosted page`, []string{"R-HOSTED-PAGE", "R-MERCHANT-URLS"}},
	{`When the customer abandons the checkout`, nil},
	{`When the customer opens the success page without paying`, []string{"R-REDIRECT-UNTRUSTED"}},
	{`Then Tabby is not offered and the reason "not_available" is shown`, []string{"R-PRESCORING-HIDE", "R-REJECTION-REASON"}},
	{`Then the payment is CLOSED`, nil},
	{`Then the order is paid`, []string{"R-ORDER-STATUS"}},
	{`Given the customer checks out 3 × 19.99 AED`, []string{"R-AMOUNT-EXACT"}},
	{`Given the customer paid for an earlier order of 50.00 AED`, nil},
	{`When the customer opens the success page with the earlier order's payment`, []string{"R-REDIRECT-UNTRUSTED"}},
	{`When the customer opens the cancel page of the payment`, []string{"R-REDIRECT-UNTRUSTED"}},
	{`When the customer pays but the redirect is slow`, nil},
	{`When the slow redirect reaches the merchant`, []string{"R-REDIRECT-UNTRUSTED"}},
	{`Then the customer was shown a page, not an error`, []string{"R-CUSTOMER-SEES-OUTCOME"}},
	{`Then the merchant sent Tabby the order's reference, amount and currency`, []string{"R-SESSION-MATCHES-ORDER"}},
	{`When the merchant cancels the order`, nil},
	{`Then either the order is cancelled and Tabby captured nothing, or the order is paid and captured once`, []string{"R-CANCEL-IS-CLOSE"}},
	{`Then the merchant retrieved the payment while it was CREATED`, []string{"R-POLL-UNTIL-TERMINAL"}},
	// What the provider sends and how the merchant takes it.
	{`Given every webhook is delivered twice`, []string{"R-WEBHOOK-IDEMPOTENT"}},
	{`Given webhooks arrive out of order`, []string{"R-WEBHOOK-IDEMPOTENT"}},
	{`Given webhooks are lost on the way`, []string{"R-POLL-UNTIL-TERMINAL"}},
	{`Given Tabby sends the optional expired webhooks`, nil},
	{`When webhooks are delivered`, nil},
	{`When Tabby resends every webhook of the payment`, []string{"R-WEBHOOK-IDEMPOTENT"}},
	{`When a forged webhook announces the payment as authorized`, []string{"R-WEBHOOK-AUTH"}},
	{`When an authentic webhook claims the payment is authorized although it is not`, []string{"R-WEBHOOK-VERIFY"}},
	{`Then every webhook was acknowledged with 200`, []string{"R-WEBHOOK-ACK-200", "R-WEBHOOK-REGISTERED"}},
	{`Then the forged webhook was refused`, []string{"R-WEBHOOK-AUTH"}},
	{`Then the merchant retrieved the payment`, []string{"R-WEBHOOK-VERIFY"}},
	// Captures and refunds.
	{`Then each refund reached Tabby as asked, with its own reference_id`, []string{"R-REFUND-EXACT"}},
	{`Then the merchant captured 100.00 exactly once`, []string{"R-CAPTURE-ONCE", "R-AMOUNT-EXACT"}},
	{`Then the merchant made no capture request`, []string{"R-CAPTURE-AUTHORIZED-ONLY"}},
	{`Then Tabby captured the payment in full`, []string{"R-AUTO-CAPTURE"}},
	{`When the merchant refunds 30.00`, nil},
	{`Then the payment has refunds totalling 30.00`, []string{"R-REFUND-EXACT", "R-AMOUNT-EXACT"}},
	{`Then no refund request exceeded what was captured`, []string{"R-REFUND-WITHIN-CAPTURED"}},
	// The clock and the merchant's jobs.
	{`When the clock advances 26 minutes`, nil},
	{`When the merchant's reconciliation job runs`, []string{"R-POLL-UNTIL-TERMINAL"}},
	// Proofs that the scenario's arrangement held.
	{`Then Tabby's auto-capture of the payment fell due`, nil},
	{`Then the simulator delivered every webhook twice`, nil},
	{`Then the simulator delivered every webhook again`, nil},
	{`Then the simulator delivered a webhook after the payment's next event`, nil},
	{`Then the simulator lost every webhook on the way`, nil},
	{`Then the simulator delivered the expired webhook`, nil},
	{`Then the simulator recorded that the customer closed the tab before the redirect`, nil},
	{`Then Tabby rejected the customer at pre-scoring with "not_available"`, nil},
	{`Then the webhook sent was forged`, nil},
	{`Then the webhook sent was authentic but disagreed with the payment`, nil},
	// The simulator fails on purpose.
	{`Given the simulator runs the scenario "flaky-captures"`, nil},
	{`When the customer tries to check out 100.00 AED`, nil},
	{`Then the simulator failed the merchant's capture request on purpose`, nil},
	{`Then the merchant retried the capture with the same reference_id`, []string{"R-PROVIDER-ERRORS"}},
	{`Then the payment has exactly one capture of 100.00`, []string{"R-PROVIDER-ERRORS"}},
	{`Then every request refused with 429 was sent again after its Retry-After, not before`, []string{"R-PROVIDER-ERRORS"}},
	{`Then the customer is told the checkout failed, or sent to pay`, []string{"R-PROVIDER-ERRORS"}},
	{`Then the order is kept, not paid`, []string{"R-PROVIDER-ERRORS", "R-ORDER-STATUS"}},
	// Tabby through the Onerway gateway: the payment. A checkout the
	// gateway took was signed and carried every field it requires.
	{`Given the customer checks out 250.00 SAR of virtual goods`, []string{"R-OW-PAYMENT-REQUEST", "R-OW-SIGN", "R-OW-MERCHANT-URLS", "R-OW-MERCHANT-TXN-ID", "R-OW-PRODUCT-IMAGE", "R-OW-CUSTOMER-PLATFORM"}},
	{`Given the customer checks out 250.00 SAR of virtual goods as "otp.rejected@tabby.ai"`, []string{"R-OW-PAYMENT-REQUEST", "R-OW-SIGN", "R-OW-MERCHANT-URLS", "R-OW-MERCHANT-TXN-ID", "R-OW-PRODUCT-IMAGE", "R-OW-CUSTOMER-PLATFORM"}},
	{`Given the customer checks out 250.00 SAR of virtual goods with the phone "+966500000002"`, []string{"R-OW-PAYMENT-REQUEST", "R-OW-SIGN", "R-OW-MERCHANT-URLS", "R-OW-MERCHANT-TXN-ID", "R-OW-PRODUCT-IMAGE", "R-OW-CUSTOMER-PLATFORM"}},
	{`When the customer tries to check out 0.05 SAR of virtual goods`, []string{"R-OW-PAYMENT-REQUEST", "R-OW-SIGN", "R-OW-MERCHANT-URLS", "R-OW-MERCHANT-TXN-ID", "R-OW-PRODUCT-IMAGE", "R-OW-CUSTOMER-PLATFORM"}},
	{`When the customer opens a returnUrl saying the payment succeeded`, []string{"R-OW-POLL"}},
	{`Then the transaction is S`, nil},
	{`Then the gateway declined the payment at once`, nil},
	{`Then the gateway refused the payment with respCode 40005`, nil},
	{`Then the customer was sent to no cashier`, []string{"R-OW-REDIRECT"}},
	{`Then every merchantTxnId the merchant sent was new`, []string{"R-OW-MERCHANT-TXN-ID"}},
	{`Then the merchant queried the transaction`, []string{"R-OW-POLL"}},
	// Onerway's notifications.
	{`Given every notification carries a wrong sign`, []string{"R-OW-WEBHOOK-SIGNATURE"}},
	{`Given Onerway gives up waiting for the merchant's answers at once`, nil},
	{`When Onerway waits for the merchant's answers as usual again`, nil},
	{`When a notification with a wrong sign announces the payment as successful`, []string{"R-OW-WEBHOOK-SIGNATURE"}},
	{`When an authentic notification announces the payment as successful`, []string{"R-OW-POLL"}},
	{`Then every notification was acknowledged with its transactionId`, []string{"R-OW-WEBHOOK-ACK"}},
	{`Then the gateway sent every notification once`, []string{"R-OW-WEBHOOK-ACK"}},
	{`Then the merchant acknowledged no notification`, []string{"R-OW-WEBHOOK-SIGNATURE"}},
	{`Then the merchant refused the notification`, []string{"R-OW-WEBHOOK-SIGNATURE"}},
	{`Then the simulator forged every notification`, nil},
	{`Then the simulator tried every notification again after its first try timed out`, nil},
	// Physical and virtual goods, logistics and settlement.
	{`When the package is delivered`, nil},
	{`When the merchant learns the package was delivered 31 days ago`, nil},
	{`Then the gateway took the goods as physical`, []string{"R-OW-PRODUCT-TYPE"}},
	{`Then the merchant uploaded no logistics`, []string{"R-OW-LOGISTICS-PHYSICAL-ONLY"}},
	{`Then the merchant uploaded the logistics within 30 days after the delivery`, []string{"R-OW-LOGISTICS", "R-OW-LOGISTICS-WITHIN-30-DAYS"}},
	{`Then every logistics upload was accepted`, []string{"R-OW-LOGISTICS-AFTER-SUCCESS"}},
	{`Then the gateway refused the logistics as more than 30 days after the delivery`, nil},
	{`Then the settlement is settled`, []string{"R-OW-LOGISTICS"}},
	// Refunds through the gateway.
	{`Then the refund is pending Onerway's audit`, []string{"R-OW-REFUND-EXACT"}},
	{`Then Onerway's audit rejected the refund`, nil},
	{`Then the gateway refunded 30.00 in total`, []string{"R-OW-REFUND-EXACT"}},
	{`Then no refund request exceeded what was paid`, []string{"R-OW-REFUND-WITHIN-PAID"}},
	{`Then the merchant counts no refund Onerway has not made`, []string{"R-OW-REFUND-EXACT"}},
	{`Then the merchant applied for the refund once`, []string{"R-OW-REFUND-EXACT"}},
}

// stepKeywords are the keywords an example may start with.
var stepKeywords = []string{"Given ", "When ", "Then ", "And ", "But "}

// exampleText is an example without its keyword.
func exampleText(example string) string {
	for _, k := range stepKeywords {
		if s, ok := strings.CutPrefix(example, k); ok {
			return s
		}
	}
	return example
}

// Step is a step of the vocabulary: the pattern registered for it, one
// example, and the rules a scenario with it puts to the test.
type Step struct {
	Pattern *regexp.Regexp
	Example string // "" when the vocabulary has none
	Checks  []string
}

var (
	stepsOnce sync.Once
	steps     []Step
	stepsErr  error
)

// Steps returns the steps the features may use, in the order they are
// registered, each with its example.
func Steps() ([]Step, error) {
	stepsOnce.Do(func() {
		var patterns []*regexp.Regexp
		if patterns, stepsErr = registeredPatterns(); stepsErr != nil {
			return
		}
		for _, p := range patterns {
			s := Step{Pattern: p}
			for _, v := range vocabulary {
				if p.MatchString(exampleText(v.example)) {
					s.Example, s.Checks = v.example, v.checks
					break
				}
			}
			steps = append(steps, s)
		}
	})
	return steps, stepsErr
}

// ansi matches the colour codes godog writes around patterns.
var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// registeredPatterns asks godog for the patterns registerSteps registers
// (as `godog -d` lists them), without their Go locations.
func registeredPatterns() ([]*regexp.Regexp, error) {
	var out bytes.Buffer
	godog.TestSuite{
		ScenarioInitializer: func(sc *godog.ScenarioContext) { registerSteps(sc, &harness{env: &Env{}}) },
		Options:             &godog.Options{Format: "progress", Output: &out, ShowStepDefinitions: true, NoColors: true},
	}.Run()
	var patterns []*regexp.Regexp
	for _, line := range strings.Split(ansi.ReplaceAllString(out.String(), ""), "\n") {
		i := strings.LastIndex(line, " # ")
		if i < 0 {
			continue
		}
		p, err := regexp.Compile(strings.TrimSpace(line[:i]))
		if err != nil {
			return nil, fmt.Errorf("reading the registered step %q: %w", line[:i], err)
		}
		patterns = append(patterns, p)
	}
	if len(patterns) == 0 {
		return nil, fmt.Errorf("no step is registered: %s", out.String())
	}
	return patterns, nil
}

// checksOf returns the rules a step of this text puts to the test.
func checksOf(all []Step, text string) []string {
	for _, s := range all {
		if s.Pattern.MatchString(text) {
			return s.Checks
		}
	}
	return nil
}

// ListSteps writes the vocabulary a merchant's own features may use: each
// step's pattern, an example, and the rules it puts to the test.
func ListSteps(w io.Writer) error {
	all, err := Steps()
	if err != nil {
		return err
	}
	for _, s := range all {
		pattern := strings.TrimSuffix(strings.TrimPrefix(s.Pattern.String(), "^"), "$")
		fmt.Fprintln(w, pattern)
		if s.Example != "" {
			fmt.Fprintf(w, "    %s\n", s.Example)
		}
		if len(s.Checks) > 0 {
			fmt.Fprintf(w, "    checks %s\n", strings.Join(s.Checks, ", "))
		}
	}
	return nil
}
