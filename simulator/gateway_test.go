package simulator_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/client/simctl"
	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
	"github.com/tabbysim/tabbysim/simulator/store"
)

// TestSurfaces_GatewayPanic: a gateway request whose handler panics is
// answered as Onerway answers an unexpected error, 11001 System exception
// in its envelope on HTTP 200, and is in the journal with its operation and
// the default merchant, found by the merchantNo of its body.
func TestSurfaces_GatewayPanic(t *testing.T) {
	t.Parallel()
	st := &buggy{Store: store.NewMemory()}
	e := e2e.Start(t, simulator.Config{Seed: 9, Store: st})
	c := onerway.New(simulator.DefaultOnerwayMerchantNo, simulator.DefaultOnerwaySecretKey, onerway.WithBaseURL(e.URL))
	st.armed.Store(true)
	_, err := c.DoTransaction(context.Background(), cardPayment("order-1"))
	var oe *onerway.Error
	if !errors.As(err, &oe) || oe.HTTPStatus != 200 || oe.RespCode != "11001" || oe.RespMsg != "System exception" || string(oe.Data) != "null" {
		t.Fatalf("doTransaction that panicked: %v", err)
	}
	j := e.Do(t, e2e.Req{Method: "GET", Path: "/_sim/v1/journal?limit=1"})
	entry := j.JSON.Get("entries.0")
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
	first := e2e.Start(t, simulator.Config{Store: st, Seed: 5})
	c := onerway.New(simulator.DefaultOnerwayMerchantNo, simulator.DefaultOnerwaySecretKey, onerway.WithBaseURL(first.URL))
	p, err := c.DoTransaction(context.Background(), cardPayment("order-1"))
	if err != nil {
		t.Fatal(err)
	}
	st.left.Store(2) // the approval commits, the capture after it does not
	e2e.WantStatus(t, first.Do(t, e2e.Req{Method: http.MethodPost, Path: "/_sim/v1/payments/" + p.TransactionID + "/customer", Body: map[string]string{"action": "approve"}}), http.StatusOK)
	tx := e2e.WantStatus(t, first.Do(t, e2e.Req{Method: http.MethodGet, Path: "/_sim/v1/onerway/transactions/" + p.TransactionID, Body: nil}), http.StatusOK)
	payment := tx.Str("tabby_payment_id")
	if tx.Str("status") != "S" || first.Do(t, e2e.Req{Method: http.MethodGet, Path: "/_sim/v1/payments/" + payment}).Str("payment.status") != "AUTHORIZED" {
		t.Fatalf("the arrangement did not hold: transaction %s, payment not left AUTHORIZED", tx.Str("status"))
	}

	for range 2 {
		again := e2e.Start(t, simulator.Config{Store: st, Seed: 6})
		pay := e2e.WantStatus(t, again.Do(t, e2e.Req{Method: http.MethodGet, Path: "/_sim/v1/payments/" + payment, Body: nil}), http.StatusOK)
		if pay.Str("payment.status") != "CLOSED" || pay.JSON.Get("payment.captures.#").Int() != 1 ||
			pay.Str("payment.captures.0.reference_id") != p.TransactionID || pay.Str("payment.captures.0.amount") != "10.00" {
			t.Fatalf("after a restart the Tabby payment is %s", pay.JSON.Get("payment").Raw)
		}
	}
}

// TestSurfaces_GatewayFaults: the Onerway API is mounted with the fault
// rules, so the shipped onerway-system-errors scenario fails the first
// doTransaction and the first onlineRefund with 11001 in Onerway's
// envelope, each journalled with its rule; the next doTransaction goes
// through.
func TestSurfaces_GatewayFaults(t *testing.T) {
	t.Parallel()
	e := e2e.Start(t, simulator.Config{Seed: 9})
	ctx := context.Background()
	if _, err := simctl.New(e.URL).ApplyScenario(ctx, simulator.DefaultMerchantID, "onerway-system-errors"); err != nil {
		t.Fatal(err)
	}
	c := onerway.New(simulator.DefaultOnerwayMerchantNo, simulator.DefaultOnerwaySecretKey, onerway.WithBaseURL(e.URL))
	pay := func() (*onerway.Payment, error) {
		return c.DoTransaction(ctx, cardPayment("order-1"))
	}
	journalled := func(op string) {
		t.Helper()
		entry := e.Do(t, e2e.Req{Method: "GET", Path: "/_sim/v1/journal?limit=1"}).JSON.Get("entries.0")
		if entry.Get("operation").String() != op || entry.Get("fault").String() == "" {
			t.Errorf("the journal's newest entry is %s, want the %s a rule failed", entry.Raw, op)
		}
	}
	var oe *onerway.Error
	if _, err := pay(); !errors.As(err, &oe) || oe.RespCode != "11001" {
		t.Fatalf("the first doTransaction: %v, want 11001", err)
	}
	journalled("onerway.do_transaction")
	if _, err := c.Refund(ctx, onerway.RefundRequest{MerchantNo: simulator.DefaultOnerwayMerchantNo, RefundType: onerway.RefundApply,
		MerchantTxnID: "refund-1", OriginTransactionID: "none"}); !errors.As(err, &oe) || oe.RespCode != "11001" {
		t.Fatalf("the first onlineRefund: %v, want 11001", err)
	}
	journalled("onerway.online_refund")
	if _, err := pay(); err != nil {
		t.Fatalf("the second doTransaction: %v", err)
	}
}

// cardPayment is a signed doTransaction of a 10.00 SAR virtual gift card
// paid with Tabby, as a merchant sends it.
func cardPayment(merchantTxnID string) onerway.PaymentRequest {
	return onerway.PaymentRequest{
		MerchantTxnID: merchantTxnID, MerchantCustID: "cust-1",
		ProductType: onerway.ProductLPMS, SubProductType: onerway.SubProductDirect, TxnType: onerway.TxnSale,
		OrderAmount: "10", OrderCurrency: "SAR", LpmsInfo: &onerway.LpmsInfo{LpmsType: onerway.LpmsTabby},
		TxnOrderMsg: onerway.TxnOrderMsg{ReturnURL: "https://shop.example/return", NotifyURL: "https://shop.example/notify",
			CustomerPlatform: "shop.example", Products: []onerway.Product{{Name: "Card", Type: onerway.GoodsVirtual,
				ProductAvatarURL: "https://cdn.shop.example/card.png"}}},
		BillingInformation: onerway.Address{FirstName: "Sara", LastName: "Ali", Email: "otp.success@tabby.ai"},
	}
}
