package conformance

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/tabbysim/tabbysim/client/simctl"
)

// A driver is how a scenario speaks to one provider: the test customer it
// approves, what its hosted page asks of the customer, which of the
// merchant's requests to its API are which operation, and how its webhooks
// look and are authenticated. The steps speak only through it, so a second
// provider is a new driver in a file of its own, chosen by its tag.
type driver interface {
	// name is the provider as failure messages call it.
	name() string
	// customer is the provider's test customer, whom it approves, for a
	// checkout in currency.
	customer(currency string) CallBuyer
	// findPayment returns the id of the payment the merchant's checkout
	// created ("" when there is none): the one of the hosted page the
	// customer was sent to, else the newest one for the order.
	findPayment(ctx context.Context) (string, error)
	// hostedPage does what the customer does on the hosted page: "pay",
	// "close-tab" (pay, then close the tab before the redirect) or
	// "cancel". It answers the page's last response, redirects not
	// followed.
	hostedPage(ctx context.Context, action string) (*http.Response, error)
	// returnURL is the merchant's URL of kind ("success", "cancel" or
	// "failure") it gave the provider for the scenario's payment, as the
	// provider sends the customer to it naming payment paymentID.
	returnURL(ctx context.Context, kind, paymentID string) (string, error)
	// operation names the merchant's request to the provider's API that e
	// records ("checkout", "retrieve", "capture", "refund", "close") and
	// the payment it concerns; op is "" for any other request.
	operation(e simctl.JournalEntry) (op, paymentID string)
	// webhook builds a webhook of the payment, as it stands but announcing
	// status, to the merchant's endpoint; forged, it carries authentication
	// other than the merchant's. The returned record says what was sent.
	webhook(ctx context.Context, status string, forged bool) (*http.Request, *sentWebhook, error)
	// tabbyPayment is the Tabby payment behind the scenario's payment,
	// whose status and history the simulator shows: the payment itself, or
	// the one a gateway made for its transaction.
	tabbyPayment(ctx context.Context) (string, error)
	// paymentStatus is the status of the scenario's payment as the
	// provider names it: Tabby's status, or the gateway transaction's.
	paymentStatus(ctx context.Context) (string, error)
	// orderRule is the id in RULES.md of the rule an order that should be
	// in state and is not breaks with the provider.
	orderRule(state string) string
}

// A referenceOpener is a driver whose provider the reference merchant
// serves in a mode of its own: it opens the reference target itself.
type referenceOpener interface {
	openReference(ctx context.Context, r *Reference, env *Env) (*simctl.Merchant, *Adapter, func(), error)
}

// driverKey carries the scenario's driver in the context a target is
// opened with.
type driverKey struct{}

// drivers are the providers' drivers by the tag that chooses them, each
// made for the scenario's world.
var drivers = map[string]func(*World) driver{
	"@tabby":   newTabbyDriver,
	"@onerway": newOnerwayDriver,
}

// chooseDriver picks the driver of the scenario's provider tag; a scenario
// with none, or with two, is refused.
func chooseDriver(w *World, tags []string) (driver, error) {
	var found []string
	for _, t := range tags {
		if _, ok := drivers[t]; ok && !slices.Contains(found, t) {
			found = append(found, t)
		}
	}
	if len(found) != 1 {
		known := make([]string, 0, len(drivers))
		for t := range drivers {
			known = append(known, t)
		}
		slices.Sort(known)
		return nil, fmt.Errorf("the scenario must carry exactly one provider tag (%s), on itself or its feature; it carries %d: %s",
			strings.Join(known, ", "), len(found), strings.Join(found, " "))
	}
	return drivers[found[0]](w), nil
}
