package conformance

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"time"

	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/client/simctl"
)

// World is one scenario's state: its own simulator merchant and clock, the
// integration under test, the driver of the scenario's provider, and what
// the customer and the merchant did. The steps are its methods, in files
// by area: checkout.go, webhooks.go, capture.go, time.go, proofs.go.
type World struct {
	env      *Env
	target   Target
	driver   driver
	merchant *simctl.Merchant
	adapter  *Adapter
	release  func()
	http     *http.Client
	started  time.Time
	// settle is the settling window (see settle.go) and lastAction when
	// it last started.
	settle     time.Duration
	lastAction time.Time

	data     CallData
	checkout Answer
	// offered says the merchant's answer to the checkout offered Tabby.
	offered   bool
	redirect  string
	paymentID string
	sent      *sentWebhook
	// earlierPayment is the payment of an order the customer paid for
	// before the scenario's own.
	earlierPayment string
	// slowRedirect is where the hosted page sent the customer's browser,
	// which has not arrived yet.
	slowRedirect string
	// pages are the merchant's answers to the customer's browser coming
	// back from the hosted page, in order.
	pages []page
	// refundsAsked are the amounts of the refunds asked of the merchant,
	// in order.
	refundsAsked []string
}

// page is the merchant's final answer to the customer's browser opening
// url, once the redirects it answered were followed.
type page struct {
	url    string
	status int
}

// sentWebhook is a webhook the harness sent to the merchant itself.
type sentWebhook struct {
	claimed       string // the status its body announced
	paymentStatus string // the payment's status at the provider when it was sent
	// auth names what authenticates the provider's webhooks to the
	// merchant, such as the header registered with them.
	auth string
	// authentic says the webhook carried that authentication unchanged
	// (trivially so when the merchant has none).
	authentic bool
	// unprotected, when set, is the rule the merchant broke by leaving
	// its endpoint without authentication: no forgery can be told apart.
	unprotected error
	answer      Answer
}

func newWorld(h *harness) *World {
	jar, _ := cookiejar.New(nil)
	return &World{env: h.env, target: h.target, settle: h.settle, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// open readies the scenario: the driver its tags choose, and the target
// with a fresh simulator merchant.
func (w *World) open(ctx context.Context, tags []string) error {
	d, err := chooseDriver(w, tags)
	if err != nil {
		return err
	}
	w.driver = d
	w.started = time.Now()
	// The reference merchant serves the scenario's provider in its mode
	// for it (Reference.Open asks the driver).
	m, a, release, err := w.target.Open(context.WithValue(ctx, driverKey{}, d), w.env)
	if err != nil {
		return fmt.Errorf("opening the target: %w", err)
	}
	w.merchant, w.adapter, w.release = m, a, release
	w.data = CallData{Lang: "en", OnerwayMerchantNo: m.Onerway.MerchantNo, OnerwaySecretKey: m.Onerway.SecretKey, OnerwayAppID: m.Onerway.AppID}
	return nil
}

func (w *World) close() {
	w.http.CloseIdleConnections()
	if w.release != nil {
		w.release()
	}
}

// broke is a failed rule: its id in RULES.md, what the step checked in the
// rule's own words, and what the merchant did instead.
func broke(rule, says, did string, args ...any) error {
	return fmt.Errorf("rule broken (%s): %s; instead %s", rule, says, fmt.Sprintf(did, args...))
}

// amount reads an amount a step names, in the scenario's currency.
func (w *World) amount(s string) (money.Amount, error) {
	a, err := money.Parse(s, w.data.Currency)
	if err != nil {
		return 0, fmt.Errorf("the scenario's amount %s %s: %w", s, w.data.Currency, err)
	}
	return a, nil
}

// startCheckout asks the merchant for a checkout, tells from its answer
// whether it offered Tabby, and finds the payment it created.
func (w *World) startCheckout(ctx context.Context) error {
	a, err := w.adapter.do(ctx, w.http, w.adapter.Checkout.Call, w.data)
	if err != nil {
		return fmt.Errorf("starting a checkout at the merchant: %w", err)
	}
	w.acted()
	w.checkout = a
	if w.offered, err = w.adapter.Checkout.offered(a); err != nil {
		return err
	}
	w.data.OrderRef = a.Get(w.adapter.Checkout.OrderRef).String()
	w.redirect = ""
	if w.offered {
		w.redirect = a.Get(w.adapter.Checkout.RedirectURL).String()
	}
	w.paymentID, err = w.driver.findPayment(ctx)
	return err
}

func (w *World) needPayment() error {
	if w.paymentID == "" {
		return fmt.Errorf("the merchant's checkout answer (%s) led to no %s payment: no hosted page URL at %q",
			cut(w.checkout.Body), w.driver.name(), w.adapter.Checkout.RedirectURL)
	}
	return nil
}

// followRedirect plays the browser going back to the merchant.
func (w *World) followRedirect(ctx context.Context, resp *http.Response) error {
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || loc == "" {
		return fmt.Errorf("the hosted page did not redirect the customer (HTTP %d)", resp.StatusCode)
	}
	return w.visit(ctx, loc)
}

// visit plays the customer's browser opening u, at the merchant, and
// records the page it ends on.
func (w *World) visit(ctx context.Context, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := w.http.Do(req)
	w.acted()
	if err != nil {
		return fmt.Errorf("the customer's browser could not open %s: %w", u, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	w.pages = append(w.pages, page{url: u, status: resp.StatusCode})
	return nil
}

// orderStatus reads the order's status through the adapter; ok is false
// when the adapter cannot read orders.
func (w *World) orderStatus(ctx context.Context) (state string, raw string, ok bool, err error) {
	sc := w.adapter.OrderStatus
	if sc == nil {
		return "", "", false, nil
	}
	a, err := w.adapter.do(ctx, w.http, sc.Call, w.data)
	if err != nil {
		return "", "", true, err
	}
	if a.Status == http.StatusNotFound {
		return "missing", "HTTP 404", true, nil
	}
	if a.Status >= 300 {
		return "", "", true, fmt.Errorf("reading the order answered HTTP %d: %s", a.Status, cut(a.Body))
	}
	raw = a.Get(sc.Status).String()
	for state, values := range sc.Values {
		for _, v := range values {
			if v == raw {
				return state, raw, true, nil
			}
		}
	}
	return "unknown", raw, true, nil
}

// action runs one of the merchant's operations.
func (w *World) action(ctx context.Context, name string) (Answer, error) {
	c, ok := w.adapter.Actions[name]
	if !ok {
		return Answer{}, fmt.Errorf("%w %q: describe it in the adapter, or leave out scenarios tagged %s", errNoAction, name, actionTags[name])
	}
	a, err := w.adapter.do(ctx, w.http, c, w.data)
	w.acted()
	if err != nil {
		return a, fmt.Errorf("merchant action %s: %w", name, err)
	}
	return a, nil
}

// actionTags are the tags of the scenarios that need each action.
var actionTags = map[string]string{"reconcile": "@poll", "refund": "@refund", "cancel": "@cancel"}

// apiCalls returns the scenario's requests to the provider's API that are
// operation op (see driver.operation) on the scenario's payment (on any
// payment before there is one), oldest first.
func (w *World) apiCalls(ctx context.Context, op string) ([]simctl.JournalEntry, error) {
	entries, err := w.env.Control.Journal(ctx, w.merchant.ID, 1000)
	if err != nil {
		return nil, err
	}
	var out []simctl.JournalEntry
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if e.At.Before(w.started) {
			continue
		}
		if got, id := w.driver.operation(e); got == op && (w.paymentID == "" || id == "" || id == w.paymentID) {
			out = append(out, e)
		}
	}
	return out, nil
}

// history sums a payment's history up for a failure message.
func history(p *simctl.PaymentInfo) string {
	var parts []string
	for _, e := range p.History {
		parts = append(parts, e.Event+" by "+e.By)
	}
	return strings.Join(parts, ", ")
}

func cut(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
