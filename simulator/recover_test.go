package simulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/tabbysim/tabbysim/simulator"
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
	m := first.want(first.do(http.MethodPost, "/_sim/v1/merchants", "", map[string]any{"clock": "manual"}), http.StatusCreated)
	id, sk := m.str("id"), m.str("tabby.secret_key")

	hook, _ := http.NewRequest(http.MethodPost, first.url+"/api/v1/webhooks", jsonBody(map[string]any{"url": receiver.URL}))
	hook.Header.Set("Authorization", "Bearer "+sk)
	hook.Header.Set("X-Merchant-Code", "ae")
	if res, err := http.DefaultClient.Do(hook); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("registering the webhook: %v %v", res, err)
	}
	pending := first.want(first.do(http.MethodPost, "/api/v2/checkout", sk, checkoutBody()), http.StatusOK).str("payment.id")
	paid := first.want(first.do(http.MethodPost, "/api/v2/checkout", sk, checkoutBody()), http.StatusOK).str("payment.id")
	first.want(first.do(http.MethodPost, "/_sim/v1/payments/"+paid+"/customer", "", map[string]string{"action": "approve"}), http.StatusOK)
	first.want(first.do(http.MethodPost, "/_sim/v1/merchants/"+id+"/clock/advance", "", map[string]string{"by": "10s"}), http.StatusOK)
	before := first.want(first.do(http.MethodGet, "/_sim/v1/merchants/"+id+"/clock", "", nil), http.StatusOK).str("now")
	failed := first.want(first.do(http.MethodGet, "/_sim/v1/deliveries?merchant="+id, "", nil), http.StatusOK)
	if failed.str("deliveries.0.status") != "pending" || failed.j.Get("deliveries.0.attempts.#").Int() != 1 {
		t.Fatalf("the first try should have failed and left the delivery pending: %s", failed.body)
	}

	healthy.Store(true)
	second := newEnv(t, simulator.Config{Store: st, Seed: 6})
	if now := second.want(second.do(http.MethodGet, "/_sim/v1/merchants/"+id+"/clock", "", nil), http.StatusOK).str("now"); now != before {
		t.Fatalf("after the restart the clock reads %s, want %s", now, before)
	}
	second.want(second.do(http.MethodPost, "/_sim/v1/merchants/"+id+"/clock/advance", "", map[string]string{"by": "26m"}), http.StatusOK)
	if s := second.do(http.MethodGet, "/api/v2/payments/"+pending, sk, nil).str("status"); s != "EXPIRED" {
		t.Fatalf("the CREATED payment is %s after 26 minutes, want EXPIRED", s)
	}
	if received.Load() == 0 {
		t.Fatal("the webhook waiting for its retry was never delivered after the restart")
	}
	second.want(second.do(http.MethodPost, "/_sim/v1/merchants/"+id+"/clock/advance", "", map[string]string{"by": "21d"}), http.StatusOK)
	p := second.do(http.MethodGet, "/api/v2/payments/"+paid, sk, nil)
	if p.str("status") != "CLOSED" || p.str("captures.0.reference_id") != "" || p.str("captures.0.amount") != "100.00" {
		t.Fatalf("the AUTHORIZED payment was not auto-captured after the restart: %s", p.body)
	}
}

// TestRestart_ListsPaymentsStoredUnindexed: payments stored before
// listings were indexed (as in a data file of an earlier version) have no
// index entries; a restart files them, so that they are listed again.
func TestRestart_ListsPaymentsStoredUnindexed(t *testing.T) {
	st := store.NewMemory()
	first := newEnv(t, simulator.Config{Store: st, Seed: 5})
	m := first.want(first.do(http.MethodPost, "/_sim/v1/merchants", "", map[string]any{"clock": "manual"}), http.StatusCreated)
	sk := m.str("tabby.secret_key")
	paid := first.want(first.do(http.MethodPost, "/api/v2/checkout", sk, checkoutBody()), http.StatusOK).str("payment.id")
	first.want(first.do(http.MethodPost, "/_sim/v1/payments/"+paid+"/customer", "", map[string]string{"action": "approve"}), http.StatusOK)
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
	if r := first.want(first.do(http.MethodGet, "/api/v2/payments", sk, nil), http.StatusOK); r.str("pagination.total_count") != "0" {
		t.Fatalf("without index entries the payment should not be listed: %s", r.body)
	}

	second := newEnv(t, simulator.Config{Store: st, Seed: 6})
	r := second.want(second.do(http.MethodGet, "/api/v2/payments?status=authorized", sk, nil), http.StatusOK)
	if r.str("payments.0.id") != paid || r.str("pagination.total_count") != "1" {
		t.Fatalf("after the restart the AUTHORIZED payment is not listed: %s", r.body)
	}
}

func jsonBody(v any) *bytes.Reader {
	b, _ := json.Marshal(v)
	return bytes.NewReader(b)
}
