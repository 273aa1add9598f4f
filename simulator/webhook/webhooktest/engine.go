// Package webhooktest runs the webhook engine on its own, for the tests of
// the engine and of each provider's delivery policy: a memory store,
// merchants on manual clocks, deliveries enqueued inside a store update as
// a provider does it, and a receiver on loopback that records every request
// and answers as the test programs it.
package webhooktest

import (
	"context"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/ids"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tenant"
	"github.com/tabbysim/tabbysim/simulator/webhook"
)

// T0 is where every merchant's manual clock starts.
var T0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// Env is an engine with its store, clocks and merchants.
type Env struct {
	Store     *store.Memory
	Clocks    *clock.Scheduler
	Merchants *tenant.Registry
	Engine    *webhook.Engine
}

// New starts an engine with policies registered; workers 0 keeps the
// engine's default.
func New(t testing.TB, workers int, policies ...webhook.Policy) *Env {
	t.Helper()
	st := store.NewMemory()
	x := &Env{Store: st, Clocks: clock.NewScheduler(time.Now), Merchants: &tenant.Registry{Store: st}}
	x.Engine = &webhook.Engine{Store: st, Clocks: x.Clocks, IDs: ids.New(1), Merchants: x.Merchants, Workers: workers}
	for _, p := range policies {
		x.Engine.Register(p)
	}
	x.Engine.Start()
	t.Cleanup(x.Engine.Close)
	return x
}

// Merchant creates merchant id with webhook settings ws and a manual clock
// at T0.
func (x *Env) Merchant(t testing.TB, id string, ws tenant.WebhookSettings) *tenant.Merchant {
	t.Helper()
	m := &tenant.Merchant{ID: id, CreatedAt: T0, Settings: tenant.DefaultSettings(),
		Tabby:   tenant.TabbyKeys{SecretKey: "sk_test_" + id, PublicKey: "pk_test_" + id, MerchantCodes: tenant.DefaultMerchantCodes()},
		Onerway: tenant.OnerwayCredentials{MerchantNo: merchantNumbers.Digits(12), SecretKey: "00", AppID: "1"}}
	m.Settings.Webhooks = ws
	if err := x.Merchants.Create(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	x.Clocks.AddClock(id, clock.Manual, T0)
	return m
}

// merchantNumbers draws the merchants' Onerway merchantNo, unique as the
// registry requires.
var merchantNumbers = ids.New(0)

// Enqueue writes d for m inside a store update, as a provider does.
func (x *Env) Enqueue(t testing.TB, m *tenant.Merchant, d webhook.Delivery) {
	t.Helper()
	if err := x.Store.Update(context.Background(), func(tx store.Tx) error { return x.Engine.Enqueue(tx, m, d) }); err != nil {
		t.Fatalf("enqueue: %v", err)
	}
}

// Advance moves m's clock by d and returns once what fell due was tried.
func (x *Env) Advance(t testing.TB, m *tenant.Merchant, d time.Duration) {
	t.Helper()
	c, err := x.Clocks.Clock(m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.Clocks.Advance(context.Background(), m.ID, c.Now().Add(d)); err != nil {
		t.Fatalf("advance: %v", err)
	}
}

// Only returns the one delivery of m's payment p, failing otherwise.
func (x *Env) Only(t testing.TB, m *tenant.Merchant, p string) webhook.Delivery {
	t.Helper()
	ds, err := x.Engine.List(context.Background(), webhook.Filter{Merchant: m.ID, Payment: p})
	if err != nil || len(ds) != 1 {
		t.Fatalf("payment %s: %d deliveries (%v), want 1", p, len(ds), err)
	}
	return ds[0]
}
