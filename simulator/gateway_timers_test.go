package simulator_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/store"
)

// TestRestart_ResumesGatewayTimers: a refund pending its audit and a
// payment scheduled to settle are still audited and settled by a
// simulator started on the same stored state.
func TestRestart_ResumesGatewayTimers(t *testing.T) {
	st := store.NewMemory()
	first := newEnv(t, simulator.Config{Store: st, Seed: 5})
	c := onerway.New(simulator.DefaultOnerwayMerchantNo, simulator.DefaultOnerwaySecretKey, onerway.WithBaseURL(first.url))
	p, err := c.DoTransaction(context.Background(), onerway.PaymentRequest{
		MerchantTxnID: "order-1", MerchantCustID: "cust-1",
		ProductType: onerway.ProductLPMS, SubProductType: onerway.SubProductDirect, TxnType: onerway.TxnSale,
		OrderAmount: "10", OrderCurrency: "SAR", LpmsInfo: &onerway.LpmsInfo{LpmsType: onerway.LpmsTabby},
		TxnOrderMsg: onerway.TxnOrderMsg{ReturnURL: "https://shop.example/return", NotifyURL: "https://shop.example/notify",
			CustomerPlatform: "shop.example", Products: []onerway.Product{{Name: "Card", Type: onerway.GoodsVirtual,
				ProductAvatarURL: "https://cdn.shop.example/card.png"}}},
		BillingInformation: onerway.Address{FirstName: "Sara", LastName: "Ali", Email: "otp.success@tabby.ai"},
	})
	if err != nil {
		t.Fatal(err)
	}
	first.want(first.do(http.MethodPost, "/_sim/v1/payments/"+p.TransactionID+"/customer", "", map[string]string{"action": "approve"}), http.StatusOK)
	refund, err := c.Refund(context.Background(), onerway.RefundRequest{RefundType: onerway.RefundApply, MerchantTxnID: "refund-1",
		OriginTransactionID: p.TransactionID, RefundAmount: "4.00"})
	if err != nil {
		t.Fatal(err)
	}

	second := newEnv(t, simulator.Config{Store: st, Seed: 6})
	advance := func(by string) {
		second.want(second.do(http.MethodPost, "/_sim/v1/merchants/"+simulator.DefaultMerchantID+"/clock/advance", "", map[string]string{"by": by}), http.StatusOK)
	}
	advance("1h")
	if s := second.want(second.do(http.MethodGet, "/_sim/v1/onerway/transactions/"+refund, "", nil), http.StatusOK).str("status"); s != "S" {
		t.Fatalf("the refund is %s an hour after a restart, want S", s)
	}
	advance("7d")
	settled := second.want(second.do(http.MethodGet, "/_sim/v1/onerway/transactions/"+p.TransactionID+"/settlement", "", nil), http.StatusOK)
	if settled.str("state") != "settled" || settled.str("paid.refunded") != "4.00" || settled.str("paid.amount") != "1.60" {
		t.Fatalf("7 days after a restart the settlement is %s", settled.body)
	}
}
