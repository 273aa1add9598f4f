package simulator_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
	"github.com/tabbysim/tabbysim/simulator/store"
)

// TestRestart_ResumesClocksTimersAndDeliveries stops a simulator and
// starts another on the same stored state: the merchant's clock reads as it
// did, a CREATED payment still expires, an AUTHORIZED one is still
// auto-captured after 21 days, and a webhook waiting for its retry is
// still delivered.
func TestRestart_ResumesClocksTimersAndDeliveries(t *testing.T) {
	var healthy atomic.Bool
	var received atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !healthy.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		received.Add(1)
	}))
	defer receiver.Close()

	st := store.NewMemory()
	first := newEnv(t, simulator.Config{Store: st, Seed: 5})
	m := first.NewMerchant(t, nil)
	e2e.WantStatus(t, m.RegisterWebhook(receiver.URL, nil), http.StatusOK)
	pending, _ := m.Session()
	paid := m.Authorized("100.00")
	m.Advance("10s")
	before := m.Now()
	failed := e2e.WantStatus(t, m.Ctl(http.MethodGet, "/deliveries?merchant="+m.ID, nil), http.StatusOK)
	if failed.Str("deliveries.0.status") != "pending" || failed.JSON.Get("deliveries.0.attempts.#").Int() != 1 {
		t.Fatalf("the first try should have failed and left the delivery pending: %s", failed.Body)
	}

	healthy.Store(true)
	second := newEnv(t, simulator.Config{Store: st, Seed: 6})
	m.Env = second // the same merchant, on the restarted simulator
	if now := m.Now(); !now.Equal(before) {
		t.Fatalf("after the restart the clock reads %s, want %s", now, before)
	}
	m.Advance("26m")
	if s := m.Get("/api/v2/payments/" + pending).Str("status"); s != "EXPIRED" {
		t.Fatalf("the CREATED payment is %s after 26 minutes, want EXPIRED", s)
	}
	if received.Load() == 0 {
		t.Fatal("the webhook waiting for its retry was never delivered after the restart")
	}
	m.Advance("21d")
	p := m.Get("/api/v2/payments/" + paid)
	if p.Str("status") != "CLOSED" || p.Str("captures.0.reference_id") != "" || p.Str("captures.0.amount") != "100.00" {
		t.Fatalf("the AUTHORIZED payment was not auto-captured after the restart: %s", p.Body)
	}
}

// TestRestart_ListsPaymentsStoredUnindexed: payments stored before
// listings were indexed (as in a data file of an earlier version) have no
// index entries; a restart files them, so that they are listed again.
func TestRestart_ListsPaymentsStoredUnindexed(t *testing.T) {
	st := store.NewMemory()
	first := newEnv(t, simulator.Config{Store: st, Seed: 5})
	m := first.NewMerchant(t, nil)
	paid := m.Authorized("100.00")
	err := st.Update(context.Background(), func(tx store.Tx) error {
		docs, _, err := tx.List("tabby.payment", store.Query{})
		for _, d := range docs {
			d.Index = nil
			if err := tx.Put(d); err != nil {
				return err
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := e2e.WantStatus(t, m.Get("/api/v2/payments"), http.StatusOK); r.Str("pagination.total_count") != "0" {
		t.Fatalf("without index entries the payment should not be listed: %s", r.Body)
	}

	second := newEnv(t, simulator.Config{Store: st, Seed: 6})
	m.Env = second // the same merchant, on the restarted simulator
	r := e2e.WantStatus(t, m.Get("/api/v2/payments?status=authorized"), http.StatusOK)
	if r.Str("payments.0.id") != paid || r.Str("pagination.total_count") != "1" {
		t.Fatalf("after the restart the AUTHORIZED payment is not listed: %s", r.Body)
	}
}
