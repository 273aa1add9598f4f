package fault_test

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/client/simctl"
	"github.com/tabbysim/tabbysim/scenarios"
	"github.com/tabbysim/tabbysim/simulator/tenant"
	"github.com/tabbysim/tabbysim/simulator/webhook"
	"github.com/tabbysim/tabbysim/simulator/webhook/webhooktest"
)

// TestScenarios_Apply: every shipped scenario applies to a merchant
// through the control API: its settings are the merchant's, its rules are
// the merchant's, marked with its name; applying it again replaces them,
// and calm takes every rule away.
func TestScenarios_Apply(t *testing.T) {
	t.Parallel()
	all, err := scenarios.All()
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	ctx := context.Background()
	for _, sc := range all {
		m, err := e.ctl.CreateMerchant(ctx, simctl.CreateMerchantRequest{Clock: "manual"})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if _, err := e.ctl.ApplyScenario(ctx, m.ID, sc.Name); err != nil {
				t.Fatalf("%s: %v", sc.Name, err)
			}
		}
		want := tenant.DefaultSettings()
		if len(sc.Settings) > 0 {
			if err := tenant.ApplyPatch(sc.Settings, &want); err != nil {
				t.Fatal(err)
			}
		}
		got, err := e.ctl.Merchant(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		var settings tenant.Settings
		if err := json.Unmarshal(got.Settings, &settings); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(settings, want) {
			t.Errorf("%s: the merchant's settings are %+v, want %+v", sc.Name, settings, want)
		}
		rules, err := e.ctl.Faults(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rules) != len(sc.Faults) {
			t.Errorf("%s applied twice: %d rules, want %d", sc.Name, len(rules), len(sc.Faults))
		}
		for i, r := range rules {
			if r.Scenario != sc.Name || r.Name != sc.Faults[i].Name {
				t.Errorf("%s: rule %+v", sc.Name, r)
			}
		}
		if _, err := e.ctl.ApplyScenario(ctx, m.ID, "calm"); err != nil {
			t.Fatal(err)
		}
		if rules, _ := e.ctl.Faults(ctx, m.ID); len(rules) != 0 {
			t.Errorf("%s, then calm: %d rules left", sc.Name, len(rules))
		}
	}
}

// apply applies a shipped scenario to the test's merchant.
func (e *env) apply(name string) {
	e.t.Helper()
	if _, err := e.ctl.ApplyScenario(context.Background(), e.merchant.ID, name); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) capture(id, ref string) *reply {
	e.t.Helper()
	return e.call(http.MethodPost, "/api/v2/payments/"+id+"/captures", captureBody(ref), "")
}

func (e *env) checkout() *reply {
	e.t.Helper()
	return e.call(http.MethodPost, "/api/v2/checkout", checkoutBody("order-1"), "")
}

// payments counts the merchant's payments.
func (e *env) payments() int {
	e.t.Helper()
	ps, err := e.ctl.Payments(context.Background(), e.merchant.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return len(ps)
}

// TestScenarios_Tabby: each shipped scenario on Tabby's side does what its
// description says, through the simulator's Tabby API.
func TestScenarios_Tabby(t *testing.T) {
	t.Parallel()
	t.Run("flaky-captures", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		id := e.authorized()
		e.apply("flaky-captures")
		wantText(t, e.capture(id, "cap-1"), 500, "text/plain", "Internal Server error")
		if p := e.payment(id); p.Status != "CLOSED" || len(p.Captures) != 1 {
			t.Fatalf("after the 500: %s with %d captures, want the capture made", p.Status, len(p.Captures))
		}
		if r := e.capture(id, "cap-1"); r.status != 200 || len(e.payment(id).Captures) != 1 {
			t.Fatalf("the retry with the same reference_id: %d, %d captures", r.status, len(e.payment(id).Captures))
		}
	})
	t.Run("lost-capture-answers", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		id := e.authorized()
		e.apply("lost-capture-answers")
		wantReset(t, e.capture(id, "cap-1"))
		if r := e.capture(id, "cap-1"); r.status != 200 || len(e.payment(id).Captures) != 1 {
			t.Fatalf("the retry with the same reference_id: %d, %d captures", r.status, len(e.payment(id).Captures))
		}
	})
	t.Run("lost-refund-answers", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		id := e.authorized()
		e.capture(id, "cap-1")
		e.apply("lost-refund-answers")
		refund := func() *reply {
			return e.call(http.MethodPost, "/api/v2/payments/"+id+"/refunds", map[string]any{"amount": "30.00", "reference_id": "ref-1"}, "")
		}
		wantReset(t, refund())
		if p := e.payment(id); len(p.Refunds) != 1 {
			t.Fatalf("after the reset: %d refunds, want the refund made", len(p.Refunds))
		}
		if r := refund(); r.status != 200 || len(e.payment(id).Refunds) != 1 {
			t.Fatalf("the retry with the same reference_id: %d, %d refunds", r.status, len(e.payment(id).Refunds))
		}
	})
	for _, tc := range []struct {
		name   string
		status int
		ctype  string
		start  string
	}{
		{"checkout-timeouts", 504, "text/plain", "upstream request timeout"},
		{"firewall-pages", 403, "text/html", "<!DOCTYPE html>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.apply(tc.name)
			wantText(t, e.checkout(), tc.status, tc.ctype, tc.start)
			if n := e.payments(); n != 0 {
				t.Fatalf("the refused checkout made %d payments", n)
			}
			if r := e.checkout(); r.status != 200 {
				t.Fatalf("the next checkout: %d %s", r.status, r.body)
			}
		})
	}
	t.Run("rate-limiting", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.apply("rate-limiting")
		r := e.checkout()
		if r.status != 429 || r.header.Get("Retry-After") != "1" || e.payments() != 0 {
			t.Fatalf("the first checkout: %d %s, Retry-After %q, %d payments", r.status, r.body, r.header.Get("Retry-After"), e.payments())
		}
		if r := e.checkout(); r.status != 200 {
			t.Fatalf("the checkout sent again: %d %s", r.status, r.body)
		}
	})
	t.Run("bad-day", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		rcv := webhooktest.NewReceiver(t)
		e.withWebhook(rcv)
		e.apply("bad-day")
		ctx := context.Background()
		// A checkout that fails is answered by a proxy and makes no
		// payment: the customer tries again.
		pay := func() string {
			for range 20 {
				r := e.checkout()
				if r.status == http.StatusOK {
					id := r.str("payment.id")
					if _, err := e.ctl.Customer(ctx, id, "approve"); err != nil {
						t.Fatal(err)
					}
					return id
				}
				wantText(t, r, 503, "text/plain", "503 Service Unavailable")
			}
			t.Fatal("no checkout went through in 20 tries")
			return ""
		}
		var statuses []int
		ids := []string{pay(), pay(), pay()}
		for _, id := range ids {
			statuses = append(statuses, e.capture(id, "cap-1").status)
		}
		if statuses[0] != 200 || statuses[1] != 200 || statuses[2] != 500 || len(e.payment(ids[2]).Captures) != 1 {
			t.Fatalf("three captures: %v; want the third made, then answered 500", statuses)
		}
		refund := func() *reply {
			return e.call(http.MethodPost, "/api/v2/payments/"+ids[0]+"/refunds", map[string]any{"amount": "10.00", "reference_id": "ref-1"}, "")
		}
		wantReset(t, refund())
		if r := refund(); r.status != 200 || len(e.payment(ids[0]).Refunds) != 1 {
			t.Fatalf("the refund whose answer was lost, sent again: %d, %d refunds; want it made once", r.status, len(e.payment(ids[0]).Refunds))
		}
		// Webhooks leave two minutes late, some of them twice.
		e.advance(time.Minute)
		if n := rcv.Count(); n != 0 {
			t.Fatalf("%d webhooks arrived before their two minutes", n)
		}
		e.advance(time.Minute)
		ds := e.deliveries()
		twice := 0
		for _, d := range ds {
			if d.DuplicateOf != "" {
				twice++
			}
		}
		rcv.WaitFor(t, len(ds), 5*time.Second)
		if twice == 0 || twice >= len(ds)/2 {
			t.Fatalf("%d of %d deliveries are copies; want some webhooks to arrive twice, not all", twice, len(ds))
		}
		// Many checkouts at once, so that the two-second waits overlap:
		// about one in ten fails, about a fifth of them wait.
		const n = 60
		results := make([]*reply, n)
		var wg sync.WaitGroup
		for i := range results {
			wg.Go(func() { results[i] = e.checkout() })
		}
		wg.Wait()
		failed, before := 0, e.payments()
		for _, r := range results {
			if r.status != http.StatusOK {
				wantText(t, r, 503, "text/plain", "503 Service Unavailable")
				failed++
			}
		}
		if failed == 0 || failed > n/3 || e.payments() != before {
			t.Errorf("%d of %d checkouts failed, %d payments made; want about one in ten failed, none of them made", failed, n, e.payments()-before)
		}
		rules, err := e.ctl.Faults(ctx, e.merchant.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rules {
			if r.Name == "slow" && (r.Fired == 0 || r.Fired > r.Matched/2) {
				t.Errorf("the slow rule held %d of %d requests; want about a fifth", r.Fired, r.Matched)
			}
		}
		// An hour on, the day calms down.
		e.advance(time.Hour)
		seq := e.seq()
		for range 3 {
			if r := e.capture(pay(), "cap-1"); r.status != 200 {
				t.Fatalf("a capture an hour later: %d %s", r.status, r.body)
			}
		}
		entries, err := e.ctl.Journal(ctx, e.merchant.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, entry := range entries {
			if entry.Seq > seq && entry.Fault != "" {
				t.Errorf("an hour later, %s was failed by %s", entry.Operation, entry.Fault)
			}
		}
	})
}

// events lists the events of the merchant's deliveries, oldest first,
// with the status of each.
func (e *env) events() []string {
	e.t.Helper()
	var out []string
	for _, d := range e.deliveries() {
		out = append(out, d.Event+":"+d.Status)
	}
	return out
}

// TestScenarios_Settings: each shipped scenario made of settings only
// does what its description says, through the Tabby API and the
// webhooks a receiver gets.
func TestScenarios_Settings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("delayed-webhooks", func(t *testing.T) {
		t.Parallel()
		e, rcv := webhookEnv(t)
		e.apply("delayed-webhooks")
		e.authorized()
		e.advance(5*time.Minute - time.Second)
		if n := rcv.Count(); n != 0 {
			t.Fatalf("%d webhooks arrived before their five minutes", n)
		}
		e.advance(time.Second)
		if n := rcv.Count(); n != 1 {
			t.Fatalf("%d webhooks arrived five minutes late, want the authorize webhook", n)
		}
	})
	t.Run("duplicate-webhooks", func(t *testing.T) {
		t.Parallel()
		e, rcv := webhookEnv(t)
		e.apply("duplicate-webhooks")
		id := e.authorized()
		e.capture(id, "cap-1")
		e.advance(0)
		hits := rcv.All()
		if got := e.events(); !slices.Equal(got, []string{"authorize:delivered", "authorize:delivered", "capture:delivered",
			"capture:delivered", "close:delivered", "close:delivered"}) || len(hits) != 6 {
			t.Fatalf("deliveries %v, %d hits; want every webhook twice", got, len(hits))
		}
		for i := 0; i < len(hits); i += 2 {
			if string(hits[i].Body) != string(hits[i+1].Body) {
				t.Errorf("a webhook and its copy differ:\n%s\n%s", hits[i].Body, hits[i+1].Body)
			}
		}
	})
	t.Run("expire-webhooks", func(t *testing.T) {
		t.Parallel()
		for _, scenario := range []string{"calm", "expire-webhooks"} {
			e, rcv := webhookEnv(t)
			e.apply(scenario)
			id := e.checkout().str("payment.id")
			e.advance(25 * time.Minute)
			if p := e.payment(id); p.Status != "EXPIRED" {
				t.Fatalf("%s: the payment is %s 25 minutes on, want EXPIRED", scenario, p.Status)
			}
			want := 0
			if scenario == "expire-webhooks" {
				want = 1
			}
			if got := e.events(); len(got) != want || rcv.Count() != want || (want == 1 && got[0] != "expire:delivered") {
				t.Fatalf("%s: deliveries %v; want the expire webhook only when it is switched on", scenario, got)
			}
		}
	})
	t.Run("fast-expiry", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.apply("fast-expiry")
		late, lapsed := e.checkout().str("payment.id"), e.checkout().str("payment.id")
		e.advance(2 * time.Minute)
		if _, err := e.ctl.Customer(ctx, late, "approve"); err == nil {
			t.Fatal("the customer approved a session two minutes old")
		}
		e.advance(time.Minute - time.Second)
		if p := e.payment(lapsed); p.Status == "EXPIRED" {
			t.Fatal("the payment expired before the minute after its session")
		}
		e.advance(time.Second)
		if p := e.payment(lapsed); p.Status != "EXPIRED" {
			t.Fatalf("the payment is %s three minutes on, want EXPIRED", p.Status)
		}
	})
	t.Run("flaky-webhooks", func(t *testing.T) {
		t.Parallel()
		e, rcv := webhookEnv(t)
		e.apply("flaky-webhooks")
		for range 15 {
			e.authorized()
		}
		e.advance(0)
		dropped := 0
		for _, d := range e.deliveries() {
			if d.Status == "dropped" {
				dropped++
			}
		}
		if dropped == 0 || dropped > 10 || rcv.Count() != 15-dropped {
			t.Fatalf("%d of 15 webhooks lost, %d arrived; want about a third lost", dropped, rcv.Count())
		}
	})
	t.Run("forged-webhooks", func(t *testing.T) {
		t.Parallel()
		e, rcv := webhookEnv(t)
		e.apply("forged-webhooks")
		e.authorized()
		e.advance(0)
		hits := rcv.All()
		if len(hits) != 1 || hits[0].Header.Get("X-Secret") == "" || hits[0].Header.Get("X-Secret") == "s3cret" {
			t.Fatalf("hits %+v: want the webhook with a wrong X-Secret", hits)
		}
	})
	t.Run("immediate-capture", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.apply("immediate-capture")
		p := e.payment(e.authorized())
		if p.Status != "CLOSED" || len(p.Captures) != 1 || p.Captures[0].Amount != "100.00" {
			t.Fatalf("the approved payment is %s with captures %+v; want it captured in full", p.Status, p.Captures)
		}
	})
	t.Run("lost-webhooks", func(t *testing.T) {
		t.Parallel()
		e, rcv := webhookEnv(t)
		e.apply("lost-webhooks")
		id := e.authorized()
		e.advance(time.Hour)
		if got := e.events(); !slices.Equal(got, []string{"authorize:dropped"}) || rcv.Count() != 0 {
			t.Fatalf("deliveries %v, %d hits; want the webhook lost", got, rcv.Count())
		}
		if r := e.call(http.MethodGet, "/api/v2/payments/"+id, nil, ""); r.str("status") != "AUTHORIZED" {
			t.Fatalf("polling: %d %s; want the payment found AUTHORIZED", r.status, r.body)
		}
	})
	t.Run("reordered-webhooks", func(t *testing.T) {
		t.Parallel()
		e, rcv := webhookEnv(t)
		e.apply("reordered-webhooks")
		id := e.authorized()
		e.capture(id, "cap-1")
		e.advance(webhook.ReorderHold)
		var got []string
		for _, h := range rcv.All() {
			got = append(got, h.JSON(t)["status"].(string)+"/"+strings.Repeat("c", len(h.JSON(t)["captures"].([]any))))
		}
		if len(got) != 3 || got[0] == "authorized/" {
			t.Fatalf("webhooks arrived as %v; want all three, the authorize webhook not first", got)
		}
	})
	t.Run("calm", func(t *testing.T) {
		t.Parallel()
		e, rcv := webhookEnv(t)
		e.apply("bad-day")
		e.apply("lost-webhooks")
		e.apply("calm")
		for range 3 {
			if r := e.capture(e.authorized(), "cap-1"); r.status != http.StatusOK {
				t.Fatalf("a capture after calm: %d %s", r.status, r.body)
			}
		}
		e.advance(0)
		if n := rcv.Count(); n != 9 {
			t.Fatalf("%d webhooks arrived at once, want the 9 of three captured payments", n)
		}
	})
}

// owRefused wants Onerway's envelope on HTTP 200 with code and message,
// data null.
func owRefused(t *testing.T, r *reply, code, message string) {
	t.Helper()
	wantOnerwayError(t, r, http.StatusOK, code, message)
}

// TestScenarios_Onerway: each shipped Onerway scenario does what its
// description says, through the simulator's Onerway gateway.
func TestScenarios_Onerway(t *testing.T) {
	t.Parallel()
	t.Run("onerway-system-errors", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.apply("onerway-system-errors")
		owRefused(t, e.owCall(onerway.PathDoTransaction, e.owPayment("order-1"), ""), "11001", "System exception")
		if n := e.owMade("order-1"); n != 0 {
			t.Fatalf("the refused doTransaction made %d transactions", n)
		}
		// Nothing was done: the same merchantTxnId goes through.
		paid := e.owPaid("order-1")
		refund := func() *reply { return e.owCall(onerway.PathRefund, e.owRefund("refund-1", paid), "") }
		owRefused(t, refund(), "11001", "System exception")
		if n := e.owMade("refund-1"); n != 0 {
			t.Fatalf("the refused onlineRefund made %d refunds", n)
		}
		if r := refund(); r.str("respCode") != onerway.RespSuccess || e.owMade("refund-1") != 1 {
			t.Fatalf("the onlineRefund sent again: %s, %d refunds; want it made", r.body, e.owMade("refund-1"))
		}
	})
	t.Run("lost-refund-answers", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		paid := e.owPaid("order-1")
		e.apply("lost-refund-answers")
		refund := func() *reply { return e.owCall(onerway.PathRefund, e.owRefund("refund-1", paid), "") }
		wantReset(t, refund())
		if n := e.owMade("refund-1"); n != 1 {
			t.Fatalf("after the reset: %d refunds, want the refund applied for", n)
		}
		// The next refund is answered: the rule lost one answer only.
		if r := e.owCall(onerway.PathRefund, e.owRefund("refund-2", paid), ""); r.str("respCode") != onerway.RespSuccess {
			t.Fatalf("the next onlineRefund: %s", r.body)
		}
	})
	t.Run("onerway-signature-rejections", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		e.apply("onerway-signature-rejections")
		const msg = "Signature error: sign does not match the merchant's secret key"
		list := func() *reply {
			return e.owCall(onerway.PathList, map[string]string{"merchantNo": e.merchant.Onerway.MerchantNo, "current": "1", "merchantTxnIds": "order-1"}, "")
		}
		for _, wait := range []time.Duration{0, 9 * time.Minute} {
			e.advance(wait)
			owRefused(t, e.owCall(onerway.PathDoTransaction, e.owPayment("order-1"), ""), "40001", msg)
			owRefused(t, list(), "40001", msg)
		}
		if n := e.owMade("order-1"); n != 0 {
			t.Fatalf("the refused doTransactions made %d transactions", n)
		}
		if r := e.checkout(); r.status != http.StatusOK {
			t.Fatalf("a Tabby checkout meanwhile: %d %s; want it untouched", r.status, r.body)
		}
		// Ten minutes on, the gateway accepts the merchant's requests again.
		e.advance(time.Minute)
		paid := e.owPaid("order-1")
		if r := e.owCall(onerway.PathRefund, e.owRefund("refund-1", paid), ""); r.str("respCode") != onerway.RespSuccess || e.owMade("refund-1") != 1 {
			t.Fatalf("an onlineRefund ten minutes on: %s", r.body)
		}
		if r := list(); r.str("respCode") != onerway.RespSuccess || r.str("data.content.0.transactionId") != paid {
			t.Fatalf("the list ten minutes on: %s", r.body)
		}
	})
}
