package simulator_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
	"github.com/tabbysim/tabbysim/simulator/store"
)

// TestRestart_ResumesGatewayTimers: a refund pending its audit and a
// payment scheduled to settle are still audited and settled by a
// simulator started on the same stored state.
func TestRestart_ResumesGatewayTimers(t *testing.T) {
	st := store.NewMemory()
	first := e2e.Start(t, simulator.Config{Store: st, Seed: 5})
	c := onerway.New(simulator.DefaultOnerwayMerchantNo, simulator.DefaultOnerwaySecretKey, onerway.WithBaseURL(first.URL))
	p, err := c.DoTransaction(context.Background(), cardPayment("order-1"))
	if err != nil {
		t.Fatal(err)
	}
	e2e.WantStatus(t, first.Ctl(t, http.MethodPost, "/payments/"+p.TransactionID+"/customer", map[string]string{"action": "approve"}), http.StatusOK)
	refund, err := c.Refund(context.Background(), onerway.RefundRequest{RefundType: onerway.RefundApply, MerchantTxnID: "refund-1",
		OriginTransactionID: p.TransactionID, RefundAmount: "4.00"})
	if err != nil {
		t.Fatal(err)
	}

	second := e2e.Start(t, simulator.Config{Store: st, Seed: 6})
	advance := func(by string) {
		e2e.WantStatus(t, second.Ctl(t, http.MethodPost, "/merchants/"+simulator.DefaultMerchantID+"/clock/advance", map[string]string{"by": by}), http.StatusOK)
	}
	advance("1h")
	if s := e2e.WantStatus(t, second.Ctl(t, http.MethodGet, "/onerway/transactions/"+refund, nil), http.StatusOK).Str("status"); s != "S" {
		t.Fatalf("the refund is %s an hour after a restart, want S", s)
	}
	advance("7d")
	settled := e2e.WantStatus(t, second.Ctl(t, http.MethodGet, "/onerway/transactions/"+p.TransactionID+"/settlement", nil), http.StatusOK)
	if settled.Str("state") != "settled" || settled.Str("paid.refunded") != "4.00" || settled.Str("paid.amount") != "1.60" {
		t.Fatalf("7 days after a restart the settlement is %s", settled.Text())
	}
}
