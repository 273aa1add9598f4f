package webhook_test

// The engine on its own (webhooktest): a memory store, a scheduler with
// manual clocks, and deliveries enqueued the way the providers do it, inside
// a store update, under a policy of the test's own.

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tenant"
	"github.com/tabbysim/tabbysim/simulator/webhook"
	"github.com/tabbysim/tabbysim/simulator/webhook/webhooktest"
)

// t0 is where every manual clock of these tests starts.
var t0 = webhooktest.T0

// testPolicy is a provider's policy as the engine sees one, shaped like
// Tabby's: 5 tries, 1, 2, 4 and 4 minutes apart, a 60 s timeout, any 200
// acknowledges; a forgery replaces or removes the authentication header.
var testPolicy = webhook.Policy{
	Provider: "test",
	Attempts: 5,
	Backoff:  []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 4 * time.Minute},
	Timeout:  60 * time.Second,
	Accepts:  func(status int, _ []byte, _ *webhook.Delivery) bool { return status == 200 },
	Forge: func(d *webhook.Delivery, how string) {
		if how == "missing" {
			delete(d.Headers, d.AuthHeader)
		} else {
			d.Headers[d.AuthHeader] = "forged"
		}
		d.Chaos = append(d.Chaos, "forged: "+how)
	},
}

// newEngine starts an engine with testPolicy; workers 0 keeps the default.
func newEngine(t testing.TB, workers int) *webhooktest.Env {
	t.Helper()
	return webhooktest.New(t, workers, testPolicy)
}

// testDelivery is an event of payment for testPolicy's provider,
// authenticated by the header X-Auth.
func testDelivery(url, payment string) webhook.Delivery {
	return webhook.Delivery{Provider: testPolicy.Provider, PaymentID: payment, Event: "authorize", URL: url,
		Body:    `{"id":"` + payment + `","status":"authorized"}`,
		Headers: map[string]string{"Content-Type": "application/json", "X-Auth": "s3cret"}, AuthHeader: "X-Auth"}
}

// TestEngine_UnknownProvider: a delivery for a provider without a policy is
// refused and nothing is written.
func TestEngine_UnknownProvider(t *testing.T) {
	t.Parallel()
	x := newEngine(t, 0)
	m := x.Merchant(t, "m1", tenant.WebhookSettings{})
	d := testDelivery("http://127.0.0.1:1/", "p1")
	d.Provider = "paypal"
	err := x.Store.Update(bg, func(tx store.Tx) error { return x.Engine.Enqueue(tx, m, d) })
	if err == nil {
		t.Fatal("enqueue for an unknown provider succeeded")
	}
	if ds, _ := x.Engine.List(bg, webhook.Filter{}); len(ds) != 0 {
		t.Errorf("%d deliveries stored", len(ds))
	}
}

// TestEngine_PaymentOrderSurvivesDelay: a payment's later event never
// overtakes an earlier one that is still waiting for its first try, even
// when the earlier one was delayed and the later one was not.
func TestEngine_PaymentOrderSurvivesDelay(t *testing.T) {
	t.Parallel()
	x := newEngine(t, 0)
	m := x.Merchant(t, "m1", tenant.WebhookSettings{Delay: tenant.Duration(5 * time.Minute)})
	recv := webhooktest.NewReceiver(t)
	first := testDelivery(recv.URL, "p1")
	x.Enqueue(t, m, first)
	x.Advance(t, m, time.Minute)
	m.Settings.Webhooks.Delay = 0
	second := first
	second.Event, second.Body = "capture", `{"id":"p1","status":"authorized","captures":[{}]}`
	x.Enqueue(t, m, second)
	x.Advance(t, m, 0)
	if n := recv.Count(); n != 0 {
		t.Fatalf("%d webhooks went out before the delayed first event", n)
	}
	x.Advance(t, m, 4*time.Minute)
	hs := recv.All()
	if len(hs) != 2 || string(hs[0].Body) != first.Body || string(hs[1].Body) != second.Body {
		t.Fatalf("want the first event, then the second:\n%s", bodies(hs))
	}
}

// TestEngine_SlowMerchantDoesNotStarveOthers: deliveries hanging for one
// merchant never take the tries of another merchant's deliveries, however
// many of them hang.
func TestEngine_SlowMerchantDoesNotStarveOthers(t *testing.T) {
	t.Parallel()
	const workers = 2
	x := newEngine(t, workers)
	slow := x.Merchant(t, "slow", tenant.WebhookSettings{Timeout: tenant.Duration(20 * time.Second)})
	fast := x.Merchant(t, "fast", tenant.WebhookSettings{})
	hang := webhooktest.NewReceiver(t)
	hang.Default = webhooktest.Answer{Delay: 20 * time.Second}
	ok := webhooktest.NewReceiver(t)
	for _, p := range []string{"p1", "p2", "p3"} {
		x.Enqueue(t, slow, testDelivery(hang.URL, p))
	}
	slowDone := make(chan struct{})
	go func() {
		defer close(slowDone)
		x.Advance(t, slow, 0)
	}()
	hang.WaitFor(t, workers, 5*time.Second)

	x.Enqueue(t, fast, testDelivery(ok.URL, "q1"))
	fastDone := make(chan struct{})
	go func() {
		defer close(fastDone)
		x.Advance(t, fast, 0)
	}()
	select {
	case <-fastDone:
	case <-time.After(5 * time.Second):
		t.Error("the fast merchant's delivery waited for the slow merchant's")
	}
	hang.Release()
	<-slowDone
	<-fastDone
	if d := x.Only(t, fast, "q1"); d.Status != webhook.Delivered {
		t.Errorf("fast merchant's delivery is %s", d.Status)
	}
}

// TestEngine_InterruptedTryIsNotLost: when the caller gives up (a control
// API client disconnects mid-advance, or the simulator shuts down) while a
// try waits for its answer, the try is not lost: the next advance makes it.
func TestEngine_InterruptedTryIsNotLost(t *testing.T) {
	t.Parallel()
	x := newEngine(t, 0)
	m := x.Merchant(t, "m1", tenant.WebhookSettings{})
	recv := webhooktest.NewReceiver(t, webhooktest.Answer{Delay: 20 * time.Second})
	x.Enqueue(t, m, testDelivery(recv.URL, "p1"))
	ctx, cancel := context.WithCancel(bg)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, _ := x.Clocks.Clock(m.ID)
		_, _ = x.Clocks.Advance(ctx, m.ID, c.Now())
	}()
	recv.WaitFor(t, 1, 5*time.Second)
	cancel()
	<-done
	// The caller gave up: the try may be recorded as failed and retried
	// later, or not recorded and made again; it must not vanish.
	x.Advance(t, m, time.Minute)
	d := x.Only(t, m, "p1")
	if d.Status != webhook.Delivered || recv.Count() != 2 {
		t.Fatalf("after the interrupted try: %s with %d attempts and %d requests, want delivered on the next try", d.Status, len(d.Attempts), recv.Count())
	}
}

// TestEngine_ResponseBodyKeptAsValidText: a long answer is cut to
// ResponseLimit bytes without splitting a character.
func TestEngine_ResponseBodyKeptAsValidText(t *testing.T) {
	t.Parallel()
	x := newEngine(t, 0)
	m := x.Merchant(t, "m1", tenant.WebhookSettings{})
	long := "x" + strings.Repeat("ع", webhook.ResponseLimit) // 2-byte runes, shifted by one byte
	recv := webhooktest.NewReceiver(t, webhooktest.Answer{Status: 500, Body: long})
	x.Enqueue(t, m, testDelivery(recv.URL, "p1"))
	x.Advance(t, m, 0)
	d, err := x.Engine.Get(bg, x.Only(t, m, "p1").ID)
	if err != nil {
		t.Fatal(err)
	}
	got := d.Attempts[0].ResponseBody
	if len(got) > webhook.ResponseLimit || len(got) < webhook.ResponseLimit-3 || !utf8.ValidString(got) || got != long[:len(got)] {
		t.Errorf("response body kept as %d bytes, valid %v; want a prefix of at most %d bytes that is valid UTF-8", len(got), utf8.ValidString(got), webhook.ResponseLimit)
	}
}
