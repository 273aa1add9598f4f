package simulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tidwall/gjson"
)

// TestSurfaces_GatewayPanic: a gateway request whose handler panics is
// answered as Onerway answers an unexpected error, 11001 System exception
// in its envelope on HTTP 200, and is in the journal with its operation and
// the default merchant, found by the merchantNo of its body.
func TestSurfaces_GatewayPanic(t *testing.T) {
	t.Parallel()
	st := &buggy{Store: store.NewMemory()}
	e := newEnv(t, simulator.Config{Seed: 9, Store: st})
	c := onerway.New(simulator.DefaultOnerwayMerchantNo, simulator.DefaultOnerwaySecretKey, onerway.WithBaseURL(e.url))
	st.armed.Store(true)
	_, err := c.DoTransaction(context.Background(), onerway.PaymentRequest{
		MerchantTxnID: "order-1", MerchantCustID: "cust-1",
		ProductType: onerway.ProductLPMS, SubProductType: onerway.SubProductDirect, TxnType: onerway.TxnSale,
		OrderAmount: "10", OrderCurrency: "SAR", LpmsInfo: &onerway.LpmsInfo{LpmsType: onerway.LpmsTabby},
		TxnOrderMsg: onerway.TxnOrderMsg{ReturnURL: "https://shop.example/return", NotifyURL: "https://shop.example/notify",
			CustomerPlatform: "shop.example", Products: []onerway.Product{{Name: "Card", Type: onerway.GoodsVirtual,
				ProductAvatarURL: "https://cdn.shop.example/card.png"}}},
		BillingInformation: onerway.Address{FirstName: "Sara", LastName: "Ali", Email: "otp.success@tabby.ai"},
	})
	var oe *onerway.Error
	if !errors.As(err, &oe) || oe.HTTPStatus != 200 || oe.RespCode != "11001" || oe.RespMsg != "System exception" || string(oe.Data) != "null" {
		t.Fatalf("doTransaction that panicked: %v", err)
	}
	j := e.do("GET", "/_sim/v1/journal?limit=1", "", nil)
	entry := j.j.Get("entries.0")
	if entry.Get("provider").String() != "onerway" || entry.Get("operation").String() != "onerway.do_transaction" ||
		entry.Get("merchant").String() != simulator.DefaultMerchantID {
		t.Errorf("the journal's newest entry is %s, want the doTransaction that panicked", entry.Raw)
	}
	var a struct{ RespCode string }
	if json.Unmarshal([]byte(entry.Get("response_body").String()), &a) != nil || a.RespCode != "11001" {
		t.Errorf("journalled answer %s", gjson.Get(entry.Raw, "response_body").Raw)
	}
}

// failing is a store whose Update fails once, the n-th after it is armed
// with n, as a crash between two commits would leave things.
type failing struct {
	store.Store
	left atomic.Int32
}

func (f *failing) Update(ctx context.Context, fn func(store.Tx) error) error {
	if f.left.Add(-1) == 0 {
		return errors.New("the process died here")
	}
	return f.Store.Update(ctx, fn)
}

// TestRestart_GatewayCapturesWhatACrashLeft: the gateway captures a SALE's
// Tabby payment right after the authorization is committed; when that
// capture never happened, the next start captures it, once.
func TestRestart_GatewayCapturesWhatACrashLeft(t *testing.T) {
	st := &failing{Store: store.NewMemory()}
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
	st.left.Store(2) // the approval commits, the capture after it does not
	first.want(first.do(http.MethodPost, "/_sim/v1/payments/"+p.TransactionID+"/customer", "", map[string]string{"action": "approve"}), http.StatusOK)
	tx := first.want(first.do(http.MethodGet, "/_sim/v1/onerway/transactions/"+p.TransactionID, "", nil), http.StatusOK)
	payment := tx.str("tabby_payment_id")
	if tx.str("status") != "S" || first.do(http.MethodGet, "/_sim/v1/payments/"+payment, "", nil).str("payment.status") != "AUTHORIZED" {
		t.Fatalf("the arrangement did not hold: transaction %s, payment not left AUTHORIZED", tx.str("status"))
	}

	for range 2 {
		again := newEnv(t, simulator.Config{Store: st, Seed: 6})
		pay := again.want(again.do(http.MethodGet, "/_sim/v1/payments/"+payment, "", nil), http.StatusOK)
		if pay.str("payment.status") != "CLOSED" || pay.j.Get("payment.captures.#").Int() != 1 ||
			pay.str("payment.captures.0.reference_id") != p.TransactionID || pay.str("payment.captures.0.amount") != "10.00" {
			t.Fatalf("after a restart the Tabby payment is %s", pay.j.Get("payment").Raw)
		}
	}
}
