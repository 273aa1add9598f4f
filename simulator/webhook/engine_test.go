package webhook_test

// The engine on its own: a memory store, a scheduler with manual clocks, and
// deliveries enqueued the way the providers do it, inside a store update.

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/ids"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tenant"
	"github.com/tabbysim/tabbysim/simulator/webhook"
)

// t0 is where every manual clock of these tests starts.
var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

type engineEnv struct {
	st     *store.Memory
	clocks *clock.Scheduler
	reg    *tenant.Registry
	eng    *webhook.Engine
}

// newEngine builds and starts an engine; workers 0 keeps the default.
func newEngine(t testing.TB, workers int) *engineEnv {
	t.Helper()
	st := store.NewMemory()
	x := &engineEnv{st: st, clocks: clock.NewScheduler(time.Now), reg: &tenant.Registry{Store: st}}
	x.eng = &webhook.Engine{
		Store: st, Clocks: x.clocks, IDs: ids.New(1), Merchants: x.reg, Workers: workers,
		Policies: map[string]webhook.Policy{webhook.Tabby.Provider: webhook.Tabby, webhook.Onerway.Provider: webhook.Onerway},
	}
	x.eng.Start()
	return x
}

// merchantNumbers draws the merchants' Onerway merchantNo, unique as the
// registry requires.
var merchantNumbers = ids.New(0)

// merchant creates merchant id with a manual clock at t0.
func (x *engineEnv) merchant(t testing.TB, id string, ws tenant.WebhookSettings) *tenant.Merchant {
	t.Helper()
	m := &tenant.Merchant{ID: id, CreatedAt: t0, Settings: tenant.DefaultSettings(),
		Tabby:   tenant.TabbyKeys{SecretKey: "sk_test_" + id, PublicKey: "pk_test_" + id, MerchantCodes: tenant.DefaultMerchantCodes()},
		Onerway: tenant.OnerwayCredentials{MerchantNo: merchantNumbers.Digits(12), SecretKey: "00", AppID: "1"}}
	m.Settings.Webhooks = ws
	if err := x.reg.Create(bg, m); err != nil {
		t.Fatal(err)
	}
	x.clocks.AddClock(id, clock.Manual, t0)
	return m
}

// enqueue writes d for m inside a store update, as a provider does.
func (x *engineEnv) enqueue(t testing.TB, m *tenant.Merchant, d webhook.Delivery) {
	t.Helper()
	if err := x.st.Update(bg, func(tx store.Tx) error { return x.eng.Enqueue(tx, m, d) }); err != nil {
		t.Fatalf("enqueue: %v", err)
	}
}

// advance moves m's clock by d and fires what falls due.
func (x *engineEnv) advance(t testing.TB, m *tenant.Merchant, d time.Duration) {
	t.Helper()
	c, err := x.clocks.Clock(m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.clocks.Advance(bg, m.ID, c.Now().Add(d)); err != nil {
		t.Fatalf("advance: %v", err)
	}
}

// only returns the one delivery of payment p.
func (x *engineEnv) only(t testing.TB, m *tenant.Merchant, p string) webhook.Delivery {
	t.Helper()
	ds, err := x.eng.List(bg, webhook.Filter{Merchant: m.ID, Payment: p})
	if err != nil || len(ds) != 1 {
		t.Fatalf("payment %s: %d deliveries (%v), want 1", p, len(ds), err)
	}
	return ds[0]
}

func tabbyDelivery(url, payment string) webhook.Delivery {
	return webhook.Delivery{Provider: "tabby", PaymentID: payment, Event: "authorize", URL: url,
		Body:    `{"id":"` + payment + `","status":"authorized"}`,
		Headers: map[string]string{"Content-Type": "application/json", "X-Auth": "s3cret"}, AuthHeader: "X-Auth"}
}

// TestOnerway_Acknowledgement: Onerway counts a webhook received only on
// HTTP 200 whose body is the transactionId, plain or as the transactionId
// of a JSON object (seed 001; onerway-api.md §5). It tries 3 times, 30
// minutes apart.
func TestOnerway_Acknowledgement(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		answer    answer
		delivered bool
	}{
		{"plain id", answer{Status: 200, Body: "tx123"}, true},
		{"plain id with a newline", answer{Status: 200, Body: "tx123\n"}, true},
		{"JSON transactionId", answer{Status: 200, Body: `{"transactionId":"tx123"}`}, true},
		{"JSON transactionId among other fields", answer{Status: 200, Body: `{"ok":true, "transactionId": "tx123"}`}, true},
		{"200 without the id", answer{Status: 200, Body: `{"ok":true}`}, false},
		{"200 with an empty body", answer{Status: 200}, false},
		{"200 with another id that contains it", answer{Status: 200, Body: "tx1234"}, false},
		{"200 with another transactionId that contains it", answer{Status: 200, Body: `{"transactionId":"tx1234"}`}, false},
		{"200 naming the id in an error", answer{Status: 200, Body: `{"error":"unknown transaction tx123"}`}, false},
		{"500 with the id", answer{Status: 500, Body: "tx123"}, false},
		{"201 with the id", answer{Status: 201, Body: "tx123"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			x := newEngine(t, 0)
			m := x.merchant(t, "m1", tenant.WebhookSettings{})
			recv := newReceiver(t)
			recv.def = tc.answer
			x.enqueue(t, m, webhook.Delivery{Provider: "onerway", PaymentID: "p1", Event: "TXN", URL: recv.URL,
				Body: `{"notifyType":"TXN","transactionId":"tx123","status":"S"}`, AckToken: "tx123",
				Headers: map[string]string{"Content-Type": "application/json"}})
			x.advance(t, m, 0)
			if tc.delivered {
				x.advance(t, m, 24*time.Hour)
				d := x.only(t, m, "p1")
				if d.Status != webhook.Delivered || len(d.Attempts) != 1 || !d.Attempts[0].Accepted || recv.count() != 1 {
					t.Fatalf("status %s, %d attempts, %d requests: want delivered on the first try", d.Status, len(d.Attempts), recv.count())
				}
				return
			}
			steps := []struct {
				by   time.Duration
				want int
			}{{29*time.Minute + 59*time.Second, 1}, {time.Second, 2}, {29*time.Minute + 59*time.Second, 2}, {time.Second, 3}, {24 * time.Hour, 3}}
			for _, s := range steps {
				x.advance(t, m, s.by)
				if got := recv.count(); got != s.want {
					t.Fatalf("after advancing %s more: %d tries, want %d", s.by, got, s.want)
				}
			}
			d := x.only(t, m, "p1")
			if d.Status != webhook.Failed || len(d.Attempts) != 3 {
				t.Fatalf("status %s with %d attempts, want failed after 3", d.Status, len(d.Attempts))
			}
			for i, a := range d.Attempts {
				if want := t0.Add(time.Duration(i) * 30 * time.Minute); !a.At.Equal(want) || a.Accepted {
					t.Errorf("attempt %d at %s accepted %v, want at %s not accepted", a.N, a.At, a.Accepted, want)
				}
			}
		})
	}
}

// TestEngine_UnknownProvider: a delivery for a provider without a policy is
// refused and nothing is written.
func TestEngine_UnknownProvider(t *testing.T) {
	t.Parallel()
	x := newEngine(t, 0)
	m := x.merchant(t, "m1", tenant.WebhookSettings{})
	d := tabbyDelivery("http://127.0.0.1:1/", "p1")
	d.Provider = "paypal"
	err := x.st.Update(bg, func(tx store.Tx) error { return x.eng.Enqueue(tx, m, d) })
	if err == nil {
		t.Fatal("enqueue for an unknown provider succeeded")
	}
	if ds, _ := x.eng.List(bg, webhook.Filter{}); len(ds) != 0 {
		t.Errorf("%d deliveries stored", len(ds))
	}
}

// TestEngine_PaymentOrderSurvivesDelay: a payment's later event never
// overtakes an earlier one that is still waiting for its first try, even
// when the earlier one was delayed and the later one was not.
func TestEngine_PaymentOrderSurvivesDelay(t *testing.T) {
	t.Parallel()
	x := newEngine(t, 0)
	m := x.merchant(t, "m1", tenant.WebhookSettings{Delay: tenant.Duration(5 * time.Minute)})
	recv := newReceiver(t)
	first := tabbyDelivery(recv.URL, "p1")
	x.enqueue(t, m, first)
	x.advance(t, m, time.Minute)
	m.Settings.Webhooks.Delay = 0
	second := first
	second.Event, second.Body = "capture", `{"id":"p1","status":"authorized","captures":[{}]}`
	x.enqueue(t, m, second)
	x.advance(t, m, 0)
	if n := recv.count(); n != 0 {
		t.Fatalf("%d webhooks went out before the delayed first event", n)
	}
	x.advance(t, m, 4*time.Minute)
	hs := recv.all()
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
	slow := x.merchant(t, "slow", tenant.WebhookSettings{Timeout: tenant.Duration(20 * time.Second)})
	fast := x.merchant(t, "fast", tenant.WebhookSettings{})
	hang := newReceiver(t)
	hang.def = answer{Delay: 20 * time.Second}
	ok := newReceiver(t)
	for _, p := range []string{"p1", "p2", "p3"} {
		x.enqueue(t, slow, tabbyDelivery(hang.URL, p))
	}
	slowDone := make(chan struct{})
	go func() {
		defer close(slowDone)
		x.advance(t, slow, 0)
	}()
	hang.waitFor(t, workers, 5*time.Second)

	x.enqueue(t, fast, tabbyDelivery(ok.URL, "q1"))
	fastDone := make(chan struct{})
	go func() {
		defer close(fastDone)
		x.advance(t, fast, 0)
	}()
	select {
	case <-fastDone:
	case <-time.After(5 * time.Second):
		t.Error("the fast merchant's delivery waited for the slow merchant's")
	}
	hang.release()
	<-slowDone
	<-fastDone
	if d := x.only(t, fast, "q1"); d.Status != webhook.Delivered {
		t.Errorf("fast merchant's delivery is %s", d.Status)
	}
}

// TestEngine_InterruptedTryIsNotLost: when the caller gives up (a control
// API client disconnects mid-advance, or the simulator shuts down) while a
// try waits for its answer, the try is not lost: the next advance makes it.
func TestEngine_InterruptedTryIsNotLost(t *testing.T) {
	t.Parallel()
	x := newEngine(t, 0)
	m := x.merchant(t, "m1", tenant.WebhookSettings{})
	recv := newReceiver(t, answer{Delay: 20 * time.Second})
	x.enqueue(t, m, tabbyDelivery(recv.URL, "p1"))
	ctx, cancel := context.WithCancel(bg)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, _ := x.clocks.Clock(m.ID)
		_, _ = x.clocks.Advance(ctx, m.ID, c.Now())
	}()
	recv.waitFor(t, 1, 5*time.Second)
	cancel()
	<-done
	// The caller gave up: the try may be recorded as failed and retried
	// later, or not recorded and made again; it must not vanish.
	x.advance(t, m, time.Minute)
	d := x.only(t, m, "p1")
	if d.Status != webhook.Delivered || recv.count() != 2 {
		t.Fatalf("after the interrupted try: %s with %d attempts and %d requests, want delivered on the next try", d.Status, len(d.Attempts), recv.count())
	}
}

// TestEngine_ResponseBodyKeptAsValidText: a long answer is cut to
// ResponseLimit bytes without splitting a character.
func TestEngine_ResponseBodyKeptAsValidText(t *testing.T) {
	t.Parallel()
	x := newEngine(t, 0)
	m := x.merchant(t, "m1", tenant.WebhookSettings{})
	long := "x" + strings.Repeat("ع", webhook.ResponseLimit) // 2-byte runes, shifted by one byte
	recv := newReceiver(t, answer{Status: 500, Body: long})
	x.enqueue(t, m, tabbyDelivery(recv.URL, "p1"))
	x.advance(t, m, 0)
	d, err := x.eng.Get(bg, x.only(t, m, "p1").ID)
	if err != nil {
		t.Fatal(err)
	}
	got := d.Attempts[0].ResponseBody
	if len(got) > webhook.ResponseLimit || len(got) < webhook.ResponseLimit-3 || !utf8.ValidString(got) || got != long[:len(got)] {
		t.Errorf("response body kept as %d bytes, valid %v; want a prefix of at most %d bytes that is valid UTF-8", len(got), utf8.ValidString(got), webhook.ResponseLimit)
	}
}
