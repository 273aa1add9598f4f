package control_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/tabbysim/tabbysim/client/onerway"
)

// onerwayPayment makes a Tabby payment through the Onerway gateway as
// merchant m, with client/onerway, and returns its transactionId.
func (m *merchant) onerwayPayment(merchantTxnID string) string {
	m.t.Helper()
	r := m.ctl(http.MethodGet, "/merchants/"+m.id, nil)
	c := onerway.New(r.str("onerway.merchant_no"), r.str("onerway.secret_key"), onerway.WithBaseURL(m.e.url))
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
		m.t.Fatalf("doTransaction: %v", err)
	}
	return p.TransactionID
}

// TestOnerway_Transactions: the gateway's transactions, listed per
// merchant newest first and read one by one, with the Tabby payment
// underneath and the history; another merchant's list is its own.
func TestOnerway_Transactions(t *testing.T) {
	m := newMerchant(t)
	first, second := m.onerwayPayment("order-1"), m.onerwayPayment("order-2")

	r := m.ctl(http.MethodGet, "/onerway/transactions?merchant="+m.id, nil)
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "total_count", "2")
	wantField(t, r, "transactions.0.transaction_id", second)
	wantField(t, r, "transactions.1.transaction_id", first)

	r = m.ctl(http.MethodGet, "/onerway/transactions/"+first, nil)
	wantStatus(t, r, http.StatusOK)
	for path, want := range map[string]string{
		"merchant": m.id, "merchant_txn_id": "order-1", "txn_type": "SALE", "status": "R", "amount": "99.50",
		"currency": "AED", "order.goods": "virtual", "order.return_url": "https://shop.example/return",
		"history.0.event": "created", "history.0.by": "merchant",
	} {
		wantField(t, r, path, want)
	}
	if r.j.Get("reason").Type.String() != "Null" {
		t.Errorf("reason %s, want null while R", r.j.Get("reason").Raw)
	}
	payment := r.str("tabby_payment_id")
	p := m.ctl(http.MethodGet, "/payments/"+payment, nil)
	wantStatus(t, p, http.StatusOK)
	wantField(t, p, "channel.via", "onerway")
	wantField(t, p, "channel.transaction_id", first)

	other := newMerchantOn(t, m.e)
	r = other.ctl(http.MethodGet, "/onerway/transactions?merchant="+other.id, nil)
	wantField(t, r, "total_count", "0")
	if got := r.j.Get("transactions").Raw; got != "[]" {
		t.Errorf("another merchant's transactions %s, want []", got)
	}
}

// TestOnerway_TransactionErrors: an unknown transaction is 404, a list
// without a merchant 400, an unknown merchant 404.
func TestOnerway_TransactionErrors(t *testing.T) {
	m := newMerchant(t)
	wantCtlError(t, m.ctl(http.MethodGet, "/onerway/transactions/1234567890123456789", nil), http.StatusNotFound, "no such transaction")
	wantCtlError(t, m.ctl(http.MethodGet, "/onerway/transactions", nil), http.StatusBadRequest, "merchant")
	wantCtlError(t, m.ctl(http.MethodGet, "/onerway/transactions?merchant=nobody", nil), http.StatusNotFound)
}

// TestOnerway_CustomerByTransactionID: a customer action names an Onerway
// transaction by its transactionId, or by its Tabby payment's id, and
// reports the transaction's status with the payment's; the action ends up
// in both histories.
func TestOnerway_CustomerByTransactionID(t *testing.T) {
	m := newMerchant(t)
	id := m.onerwayPayment("order-1")
	r := m.ctl(http.MethodPost, "/payments/"+id+"/customer", map[string]any{"action": "approve"})
	wantStatus(t, r, http.StatusOK)
	payment := m.ctl(http.MethodGet, "/onerway/transactions/"+id, nil).str("tabby_payment_id")
	wantField(t, r, "payment_id", payment)
	wantField(t, r, "status", "CLOSED") // captured in full by the gateway right after
	wantField(t, r, "transaction_id", id)
	wantField(t, r, "transaction_status", "S")
	if !strings.Contains(r.str("redirect_url"), "/onerway/cashier/"+id+"/return?payment_id="+payment) {
		t.Errorf("redirect_url %q, want the gateway's return handler", r.str("redirect_url"))
	}
	tx := m.ctl(http.MethodGet, "/onerway/transactions/"+id, nil)
	wantField(t, tx, "reason.respCode", "20000")
	var events []string
	for _, e := range tx.j.Get("history.#.event").Array() {
		events = append(events, e.String())
	}
	if want := "created,Tabby checkout session created,status S,Tabby payment: capture,Tabby payment: close"; strings.Join(events, ",") != want {
		t.Errorf("history %q, want %q", events, want)
	}

	again := m.onerwayPayment("order-2")
	byPayment := m.ctl(http.MethodGet, "/onerway/transactions/"+again, nil).str("tabby_payment_id")
	r = m.ctl(http.MethodPost, "/payments/"+byPayment+"/customer", map[string]any{"action": "cancel"})
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "transaction_id", again)
	wantField(t, r, "transaction_status", "F")

	// A finished transaction takes no more actions, whichever id names it.
	wantCtlError(t, m.ctl(http.MethodPost, "/payments/"+id+"/customer", map[string]any{"action": "cancel"}), http.StatusConflict)
}
