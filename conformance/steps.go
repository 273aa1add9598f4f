package conformance

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"
	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/client/simctl"
	tabbyclient "github.com/tabbysim/tabbysim/client/tabby"
	"github.com/tabbysim/tabbysim/simulator/money"
	"github.com/tabbysim/tabbysim/simulator/tabby"
)

type worldKey struct{}

func world(ctx context.Context) *World { return ctx.Value(worldKey{}).(*World) }

// registerSteps binds the steps of the features to a World per scenario.
func registerSteps(sc *godog.ScenarioContext, h *harness) {
	sc.Before(func(ctx context.Context, s *godog.Scenario) (context.Context, error) {
		w := newWorld(h.env)
		m, a, release, err := h.target.Open(ctx, h.env)
		if err != nil {
			return ctx, fmt.Errorf("opening the target: %w", err)
		}
		w.merchant, w.adapter, w.release = m, a, release
		w.data = CallData{Amount: "100.00", Currency: "AED", Lang: "en",
			Buyer: CallBuyer{Name: "Sara Customer", Email: "otp.success@tabby.ai", Phone: "+971500000001"}}
		return context.WithValue(ctx, worldKey{}, w), nil
	})
	sc.After(func(ctx context.Context, s *godog.Scenario, err error) (context.Context, error) {
		if w, ok := ctx.Value(worldKey{}).(*World); ok {
			w.close()
		}
		return ctx, nil
	})

	registerProofs(sc)

	sc.Step(`^the customer checks out ([\d.]+) (AED)$`, checkout(nil))
	sc.Step(`^the customer checks out ([\d.]+) (AED) as "([^"]*)"$`, func(ctx context.Context, amount, cur, email string) error {
		return checkout(func(w *World) { w.data.Buyer.Email = email })(ctx, amount, cur)
	})
	sc.Step(`^the customer checks out ([\d.]+) (AED) with the phone "([^"]*)"$`, func(ctx context.Context, amount, cur, phone string) error {
		return checkout(func(w *World) { w.data.Buyer.Phone = phone })(ctx, amount, cur)
	})
	sc.Step(`^the customer checks out ([\d.]+) (AED) with ([\d.]+) of it out of stock$`, func(ctx context.Context, amount, cur, missing string) error {
		return checkout(func(w *World) {
			total, _ := major(amount)
			out, _ := major(missing)
			w.data.Items = []CallItem{
				{Title: "Shipped item", Quantity: 1, UnitPrice: formatMinor(total - out), Category: "Clothes", InStock: true},
				{Title: "Out of stock item", Quantity: 1, UnitPrice: missing, Category: "Clothes", InStock: false},
			}
		})(ctx, amount, cur)
	})

	chaos := func(settings map[string]any) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			w := world(ctx)
			_, err := h.env.Control.UpdateSettings(ctx, w.merchant.ID, map[string]any{"webhooks": settings})
			return err
		}
	}
	sc.Step(`^every webhook is delivered twice$`, chaos(map[string]any{"duplicate": 1}))
	sc.Step(`^webhooks arrive out of order$`, chaos(map[string]any{"reorder": true}))
	sc.Step(`^webhooks are lost on the way$`, chaos(map[string]any{"drop_rate": 1}))
	sc.Step(`^Tabby sends the optional expired webhooks$`, func(ctx context.Context) error {
		_, err := h.env.Control.UpdateSettings(ctx, world(ctx).merchant.ID, map[string]any{"tabby": map[string]any{"expire_webhooks": true}})
		return err
	})

	sc.Step(`^the customer pays on the hosted page$`, func(ctx context.Context) error {
		w := world(ctx)
		resp, err := w.payCustomer(ctx, "pay")
		if err != nil {
			return err
		}
		return w.followRedirect(ctx, resp)
	})
	sc.Step(`^the customer pays but closes the tab before the redirect$`, func(ctx context.Context) error {
		w := world(ctx)
		resp, err := w.payCustomer(ctx, "close-tab")
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("closing the tab on the hosted page answered HTTP %d", resp.StatusCode)
		}
		return nil
	})
	sc.Step(`^the customer cancels on the hosted page$`, func(ctx context.Context) error {
		w := world(ctx)
		if err := w.needPayment(); err != nil {
			return err
		}
		resp, err := w.hpp(ctx, "cancel", nil)
		if err != nil {
			return err
		}
		return w.followRedirect(ctx, resp)
	})
	sc.Step(`^the customer abandons the checkout$`, func(ctx context.Context) error {
		w := world(ctx)
		if err := w.needPayment(); err != nil {
			return err
		}
		_, err := h.env.Control.Customer(ctx, w.paymentID, "abandon")
		return err
	})
	sc.Step(`^the customer opens the success page without paying$`, func(ctx context.Context) error {
		w := world(ctx)
		if err := w.needPayment(); err != nil {
			return err
		}
		sess, err := tabbyclient.New(w.merchant.Tabby.SecretKey, tabbyclient.WithBaseURL(h.env.SimURL)).GetSession(ctx, w.sessionID)
		if err != nil {
			return err
		}
		success := sess.MerchantURLs.Success
		if success == "" {
			return broke("send merchant_urls.success with the session", "tabby-api.md §3.1", "the session has no success URL")
		}
		return w.visit(ctx, tabby.WithPaymentID(success, w.paymentID))
	})
	sc.Step(`^the clock advances (.+)$`, func(ctx context.Context, spec string) error {
		d, err := parseSpan(spec)
		if err != nil {
			return err
		}
		_, err = h.env.Control.Advance(ctx, world(ctx).merchant.ID, d)
		return err
	})
	sc.Step(`^webhooks are delivered$`, func(ctx context.Context) error {
		_, err := h.env.Control.Advance(ctx, world(ctx).merchant.ID, 0)
		return err
	})
	sc.Step(`^the merchant's reconciliation job runs$`, func(ctx context.Context) error {
		a, err := world(ctx).action(ctx, "reconcile")
		if err == nil && a.Status >= 300 {
			err = fmt.Errorf("the merchant's reconcile action answered HTTP %d: %s", a.Status, cut(a.Body))
		}
		return err
	})
	sc.Step(`^Tabby resends every webhook of the payment$`, func(ctx context.Context) error {
		w := world(ctx)
		ds, err := h.env.Control.Deliveries(ctx, simctl.DeliveryFilter{Merchant: w.merchant.ID, Payment: w.paymentID})
		if err != nil {
			return err
		}
		for _, d := range ds {
			if _, err := h.env.Control.Resend(ctx, d.ID); err != nil {
				return err
			}
		}
		_, err = h.env.Control.Advance(ctx, w.merchant.ID, 0)
		return err
	})
	sc.Step(`^a forged webhook announces the payment as authorized$`, func(ctx context.Context) error {
		w := world(ctx)
		if err := w.needPayment(); err != nil {
			return err
		}
		return w.postWebhook(ctx, "authorized", func(string) string { return "forged-by-the-harness" })
	})
	sc.Step(`^an authentic webhook claims the payment is authorized although it is not$`, func(ctx context.Context) error {
		w := world(ctx)
		if err := w.needPayment(); err != nil {
			return err
		}
		return w.postWebhook(ctx, "authorized", func(real string) string { return real })
	})
	sc.Step(`^the merchant refunds ([\d.]+)$`, func(ctx context.Context, amount string) error {
		w := world(ctx)
		data := w.data
		data.Amount = amount
		saved := w.data
		w.data = data
		_, err := w.action(ctx, "refund")
		w.data = saved
		return err // what Tabby did is checked by the steps that follow
	})

	sc.Step(`^the payment is (CREATED|AUTHORIZED|CLOSED|REJECTED|EXPIRED)$`, func(ctx context.Context, want string) error {
		w := world(ctx)
		if err := w.needPayment(); err != nil {
			return err
		}
		p, err := h.env.Control.Payment(ctx, w.paymentID)
		if err != nil {
			return err
		}
		if p.Status != want {
			return fmt.Errorf("the payment is %s, expected %s (history: %s)", p.Status, want, history(p))
		}
		return nil
	})
	sc.Step(`^the order is (pending|paid|cancelled|failed|refunded|partially_refunded)$`, func(ctx context.Context, want string) error {
		w := world(ctx)
		got, raw, ok, err := w.orderStatus(ctx)
		if err != nil || !ok {
			return err // an adapter without order_status cannot be asked
		}
		if got != want {
			return broke("the order is "+want+", consistent with Tabby's payment status", orderRuleSource[want],
				"the merchant reports the order as %q (%s)", raw, got)
		}
		return nil
	})
	sc.Step(`^the merchant captured ([\d.]+) exactly once$`, func(ctx context.Context, amount string) error {
		return capturedOnce(ctx, h, amount)
	})
	sc.Step(`^the merchant made no capture request$`, func(ctx context.Context) error {
		w := world(ctx)
		calls, err := w.apiCalls(ctx, http.MethodPost, "/captures")
		if err != nil || len(calls) == 0 {
			return err
		}
		return broke("capture only AUTHORIZED payments", "seed 002",
			"the merchant sent %d capture request(s); the first was answered HTTP %d %s", len(calls), calls[0].Status, cut([]byte(calls[0].ResponseBody)))
	})
	sc.Step(`^Tabby captured the payment in full$`, func(ctx context.Context) error {
		w := world(ctx)
		p, err := h.env.Control.Payment(ctx, w.paymentID)
		if err != nil {
			return err
		}
		calls, err := w.apiCalls(ctx, http.MethodPost, "/captures")
		if err != nil {
			return err
		}
		if len(p.Captures) != 1 || p.Captures[0].ReferenceID != "" || len(calls) > 0 {
			return broke("after Tabby's auto-capture the merchant reconciles the order without capturing again", "seed 002",
				"the payment has %d capture(s) and the merchant sent %d capture request(s)", len(p.Captures), len(calls))
		}
		return nil
	})
	sc.Step(`^every webhook was acknowledged with 200$`, func(ctx context.Context) error {
		ds, err := world(ctx).deliveries(ctx)
		if err != nil {
			return err
		}
		for _, d := range ds {
			if d.Status == "dropped" {
				continue
			}
			if len(d.Attempts) == 0 {
				return fmt.Errorf("the %s webhook (%s) was not sent yet; deliver webhooks before this check", d.Event, d.Status)
			}
			if a := d.Attempts[0]; !a.Accepted {
				return broke("acknowledge every webhook with HTTP 200", "tabby-api.md §6.2",
					"the %s webhook was answered HTTP %d %s%s", d.Event, a.Status, a.Error, cut([]byte(a.ResponseBody)))
			}
		}
		return nil
	})
	sc.Step(`^Tabby is not offered and the reason "([^"]*)" is shown$`, func(ctx context.Context, reason string) error {
		w := world(ctx)
		if w.redirect != "" {
			return broke("hide Tabby when pre-scoring rejects the customer", "tabby-api.md §3.1.1, §7",
				"the merchant sent the customer to %s", w.redirect)
		}
		if path := w.adapter.Checkout.RejectionReason; path != "" {
			if got := w.checkout.Get(path).String(); got != reason {
				return broke("show the rejection reason", "tabby-api.md §3.1.1", "the merchant showed %q", got)
			}
		}
		return nil
	})
	sc.Step(`^the forged webhook was refused$`, func(ctx context.Context) error {
		s, err := world(ctx).sentWebhook()
		if err != nil {
			return err
		}
		if s.answer.Status < 400 || s.answer.Status >= 500 {
			return broke("refuse a webhook without the registered auth header", "tabby-api.md §6.2",
				"the merchant answered HTTP %d", s.answer.Status)
		}
		return nil
	})
	sc.Step(`^the merchant retrieved the payment$`, func(ctx context.Context) error {
		w := world(ctx)
		calls, err := w.apiCalls(ctx, http.MethodGet, "/payments/"+w.paymentID)
		if err != nil || len(calls) > 0 {
			return err
		}
		return broke("retrieve the payment before acting on a webhook", "tabby-api.md §6.2 (3)", "the merchant never called GET /api/v2/payments/%s", w.paymentID)
	})
	sc.Step(`^the payment has refunds totalling ([\d.]+)$`, func(ctx context.Context, want string) error {
		w := world(ctx)
		p, err := h.env.Control.Payment(ctx, w.paymentID)
		if err != nil {
			return err
		}
		var sum int64
		for _, r := range p.Refunds {
			v, _ := major(r.Amount)
			sum += v
		}
		if wantMinor, _ := major(want); sum != wantMinor {
			return broke("refund what was asked for, within what was captured", "tabby-api.md §3.7",
				"the payment has refunds totalling %s", formatMinor(sum))
		}
		return nil
	})
	sc.Step(`^no refund request exceeded what was captured$`, func(ctx context.Context) error {
		w := world(ctx)
		calls, err := w.apiCalls(ctx, http.MethodPost, "/refunds")
		if err != nil {
			return err
		}
		for _, c := range calls {
			if c.Status != http.StatusOK {
				return broke("never refund beyond the captured amount", "tabby-api.md §3.7",
					"the merchant asked Tabby to refund %s and got HTTP %d %s", gjson.Get(c.RequestBody, "amount").String(), c.Status, cut([]byte(c.ResponseBody)))
			}
		}
		return nil
	})
}

var orderRuleSource = map[string]string{
	"pending":            "seed 000 step 4, seed 002: only Tabby's status decides",
	"paid":               "seed 002: AUTHORIZED means process the order",
	"cancelled":          "seed 002: EXPIRED means cancel the order and keep the cart",
	"failed":             "seed 002: REJECTED means the order failed",
	"refunded":           "tabby-api.md §3.7",
	"partially_refunded": "tabby-api.md §3.7",
}

func checkout(customise func(*World)) func(ctx context.Context, amount, currency string) error {
	return func(ctx context.Context, amount, currency string) error {
		w := world(ctx)
		w.data.Amount, w.data.Currency = amount, currency
		w.data.Items = []CallItem{{Title: "Abaya", Quantity: 1, UnitPrice: amount, Category: "Clothes", InStock: true}}
		if customise != nil {
			customise(w)
		}
		return w.startCheckout(ctx)
	}
}

func capturedOnce(ctx context.Context, h *harness, amount string) error {
	w := world(ctx)
	if err := w.needPayment(); err != nil {
		return err
	}
	calls, err := w.apiCalls(ctx, http.MethodPost, "/captures")
	if err != nil {
		return err
	}
	const rule, source = "capture an authorized payment exactly once, reusing the reference_id on retries", "seed 002, tabby-api.md §3.6"
	if len(calls) == 0 {
		return broke(rule, source, "the merchant never captured the payment")
	}
	refs := map[string]bool{}
	for _, c := range calls {
		refs[gjson.Get(c.RequestBody, "reference_id").String()] = true
	}
	if len(refs) > 1 {
		return broke(rule, source, "the merchant sent %d capture requests with %d different reference_ids", len(calls), len(refs))
	}
	for _, c := range calls {
		if c.Status != http.StatusOK {
			return broke(rule, source, "a capture request was answered HTTP %d %s", c.Status, cut([]byte(c.ResponseBody)))
		}
	}
	p, err := h.env.Control.Payment(ctx, w.paymentID)
	if err != nil {
		return err
	}
	var sum int64
	for _, c := range p.Captures {
		v, _ := major(c.Amount)
		sum += v
	}
	if want, _ := major(amount); sum != want {
		return broke(rule, source, "the payment's captures total %s", formatMinor(sum))
	}
	return nil
}

var spanRe = regexp.MustCompile(`^(\d+) (second|minute|hour|day)s?$`)

// parseSpan reads "26 minutes", "2 hours" or "21 days".
func parseSpan(s string) (time.Duration, error) {
	m := spanRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("cannot read the duration %q: write it like \"26 minutes\" or \"21 days\"", s)
	}
	n, _ := strconv.Atoi(m[1])
	unit := map[string]time.Duration{"second": time.Second, "minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}[m[2]]
	return time.Duration(n) * unit, nil
}

// major reads an AED amount into fils.
func major(s string) (int64, error) { return money.Parse(s, "AED") }

func formatMinor(v int64) string { return money.Format(v, "AED") }

func history(p *simctl.PaymentInfo) string {
	var parts []string
	for _, e := range p.History {
		parts = append(parts, e.Event+" by "+e.By)
	}
	return strings.Join(parts, ", ")
}
