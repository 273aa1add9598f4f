package control_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
)

// onerwayPayment makes a Tabby payment through the Onerway gateway as
// merchant m, with client/onerway, and returns its transactionId.
func onerwayPayment(m *e2e.Merchant, merchantTxnID string) string {
	m.T.Helper()
	c := onerway.New(m.Onerway.MerchantNo, m.Onerway.SecretKey, onerway.WithBaseURL(m.Env.URL))
	p, err := c.DoTransaction(context.Background(), onerway.PaymentRequest{
		MerchantTxnID: merchantTxnID, MerchantCustID: "cust-1",
		ProductType: onerway.ProductLPMS, SubProductType: onerway.SubProductDirect, TxnType: onerway.TxnSale,
		OrderAmount: "99.5", OrderCurrency: "AED", LpmsInfo: &onerway.LpmsInfo{LpmsType: onerway.LpmsTabby},
		TxnOrderMsg: onerway.TxnOrderMsg{ReturnURL: "https://shop.example/return", NotifyURL: "https://shop.example/notify",
			CustomerPlatform: "shop.example", Products: []onerway.Product{{Name: "Gift card", Price: "99.50", Num: "1",
				Currency: "AED", Type: onerway.GoodsVirtual, ProductAvatarURL: "https://cdn.shop.example/card.png"}}},
		BillingInformation: onerway.Address{FirstName: "Sara", LastName: "Ali", Email: "otp.success@tabby.ai"},
	})
	if err != nil {
		m.T.Fatalf("doTransaction: %v", err)
	}
	return p.TransactionID
}

// TestOnerway_Transactions: the gateway's transactions, listed per
// merchant newest first and read one by one, with the Tabby payment
// underneath and the history; another merchant's list is its own.
func TestOnerway_Transactions(t *testing.T) {
	m := newMerchant(t)
	first, second := onerwayPayment(m, "order-1"), onerwayPayment(m, "order-2")

	r := m.Ctl(http.MethodGet, "/onerway/transactions?merchant="+m.ID, nil)
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "total_count", "2")
	e2e.WantField(t, r, "transactions.0.transaction_id", second)
	e2e.WantField(t, r, "transactions.1.transaction_id", first)

	r = m.Ctl(http.MethodGet, "/onerway/transactions/"+first, nil)
	e2e.WantStatus(t, r, http.StatusOK)
	for path, want := range map[string]string{
		"merchant": m.ID, "merchant_txn_id": "order-1", "txn_type": "SALE", "status": "R", "amount": "99.50",
		"currency": "AED", "order.goods": "virtual", "order.return_url": "https://shop.example/return",
		"history.0.event": "created", "history.0.by": "merchant",
	} {
		e2e.WantField(t, r, path, want)
	}
	if r.JSON.Get("reason").Type.String() != "Null" {
		t.Errorf("reason %s, want null while R", r.JSON.Get("reason").Raw)
	}
	payment := r.Str("tabby_payment_id")
	p := m.Ctl(http.MethodGet, "/payments/"+payment, nil)
	e2e.WantStatus(t, p, http.StatusOK)
	e2e.WantField(t, p, "channel.via", "onerway")
	e2e.WantField(t, p, "channel.transaction_id", first)

	other := m.Env.NewMerchant(t, nil)
	r = other.Ctl(http.MethodGet, "/onerway/transactions?merchant="+other.ID, nil)
	e2e.WantField(t, r, "total_count", "0")
	if got := r.JSON.Get("transactions").Raw; got != "[]" {
		t.Errorf("another merchant's transactions %s, want []", got)
	}
}

// TestOnerway_TransactionErrors: an unknown transaction is 404, a list
// without a merchant 400, an unknown merchant 404.
func TestOnerway_TransactionErrors(t *testing.T) {
	m := newMerchant(t)
	e2e.WantCtlError(t, m.Ctl(http.MethodGet, "/onerway/transactions/1234567890123456789", nil), http.StatusNotFound, "no such transaction")
	e2e.WantCtlError(t, m.Ctl(http.MethodGet, "/onerway/transactions", nil), http.StatusBadRequest, "merchant")
	e2e.WantCtlError(t, m.Ctl(http.MethodGet, "/onerway/transactions?merchant=nobody", nil), http.StatusNotFound)
}

// TestOnerway_CustomerByTransactionID: a customer action names an Onerway
// transaction by its transactionId, or by its Tabby payment's id, and
// reports the transaction's status with the payment's; the action ends up
// in both histories.
func TestOnerway_CustomerByTransactionID(t *testing.T) {
	m := newMerchant(t)
	id := onerwayPayment(m, "order-1")
	r := m.Ctl(http.MethodPost, "/payments/"+id+"/customer", map[string]any{"action": "approve"})
	e2e.WantStatus(t, r, http.StatusOK)
	payment := m.Ctl(http.MethodGet, "/onerway/transactions/"+id, nil).Str("tabby_payment_id")
	e2e.WantField(t, r, "payment_id", payment)
	e2e.WantField(t, r, "status", "CLOSED") // captured in full by the gateway right after
	e2e.WantField(t, r, "transaction_id", id)
	e2e.WantField(t, r, "transaction_status", "S")
	if !strings.Contains(r.Str("redirect_url"), "/onerway/cashier/"+id+"/return?payment_id="+payment) {
		t.Errorf("redirect_url %q, want the gateway's return handler", r.Str("redirect_url"))
	}
	tx := m.Ctl(http.MethodGet, "/onerway/transactions/"+id, nil)
	e2e.WantField(t, tx, "reason.respCode", "20000")
	var events []string
	for _, e := range tx.JSON.Get("history.#.event").Array() {
		events = append(events, e.String())
	}
	if want := "created,Tabby checkout session created,status S,Tabby payment: capture,Tabby payment: close"; strings.Join(events, ",") != want {
		t.Errorf("history %q, want %q", events, want)
	}

	again := onerwayPayment(m, "order-2")
	byPayment := m.Ctl(http.MethodGet, "/onerway/transactions/"+again, nil).Str("tabby_payment_id")
	r = m.Ctl(http.MethodPost, "/payments/"+byPayment+"/customer", map[string]any{"action": "cancel"})
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "transaction_id", again)
	e2e.WantField(t, r, "transaction_status", "F")

	// A finished transaction takes no more actions, whichever id names it.
	e2e.WantCtlError(t, m.Ctl(http.MethodPost, "/payments/"+id+"/customer", map[string]any{"action": "cancel"}), http.StatusConflict)
}

func TestOnerway_TransactionsByStatus(t *testing.T) {
	m := newMerchant(t)
	paid, pending := onerwayPayment(m, "order-1"), onerwayPayment(m, "order-2")
	if r := m.Act(paid, "approve"); r.Status != http.StatusOK {
		t.Fatalf("approve: %s", r)
	}
	for status, want := range map[string]string{"S": paid, "R": pending} {
		r := m.Ctl(http.MethodGet, "/onerway/transactions?merchant="+m.ID+"&status="+status, nil)
		e2e.WantStatus(t, r, http.StatusOK)
		e2e.WantField(t, r, "total_count", "1")
		e2e.WantField(t, r, "transactions.0.transaction_id", want)
	}
	e2e.WantArrayLen(t, m.Ctl(http.MethodGet, "/onerway/transactions?merchant="+m.ID+"&status=F", nil), "transactions", 0)
	e2e.WantCtlError(t, m.Ctl(http.MethodGet, "/onerway/transactions?merchant="+m.ID+"&status=paid", nil), http.StatusBadRequest, "status")
}
