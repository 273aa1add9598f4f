package control

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/onerway"
	"github.com/tabbysim/tabbysim/simulator/tabby"
)

// registerOnerway mounts the routes over the Onerway gateway's
// transactions: list and read, each with its history and the Tabby payment
// underneath.
func (a *API) registerOnerway(r *mux.Router) {
	r.HandleFunc(Prefix+"/onerway/transactions", a.listTransactions).Methods(http.MethodGet)
	r.HandleFunc(Prefix+"/onerway/transactions/{id}", a.getTransaction).Methods(http.MethodGet)
}

// TransactionJSON is an Onerway transaction as the control API shows it:
// amounts as decimal strings, the order as the merchant sent it, the Tabby
// payment underneath and the history.
type TransactionJSON struct {
	TransactionID       string               `json:"transaction_id"`
	Merchant            string               `json:"merchant"`
	MerchantNo          string               `json:"merchant_no"`
	MerchantTxnID       string               `json:"merchant_txn_id"`
	TxnType             ow.TxnType           `json:"txn_type"`
	OriginTransactionID string               `json:"origin_transaction_id,omitempty"`
	Status              ow.Status            `json:"status"`
	Reason              *onerway.Reason      `json:"reason"`
	Amount              string               `json:"amount"`
	Currency            string               `json:"currency"`
	Order               *onerway.Order       `json:"order,omitempty"`
	TabbyPaymentID      string               `json:"tabby_payment_id,omitempty"`
	TabbySessionID      string               `json:"tabby_session_id,omitempty"`
	ChannelRequestID    string               `json:"channel_request_id,omitempty"`
	CreatedAt           time.Time            `json:"created_at"`
	UpdatedAt           time.Time            `json:"updated_at"`
	History             []tabby.HistoryEntry `json:"history"`
}

func transactionJSON(t *onerway.Transaction) TransactionJSON {
	return TransactionJSON{
		TransactionID: t.ID, Merchant: t.Merchant, MerchantNo: t.MerchantNo, MerchantTxnID: t.MerchantTxnID,
		TxnType: t.TxnType, OriginTransactionID: t.OriginTransactionID, Status: t.Status, Reason: t.Reason,
		Amount: t.Amount.Format(t.Currency), Currency: t.Currency, Order: t.Order,
		TabbyPaymentID: t.TabbyPaymentID, TabbySessionID: t.TabbySessionID, ChannelRequestID: t.ChannelRequestID,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, History: t.History,
	}
}

func (a *API) getTransaction(w http.ResponseWriter, r *http.Request) {
	t, err := a.Onerway.TransactionAnyMerchant(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeJSON(w, r, http.StatusOK, transactionJSON(t))
}

func (a *API) listTransactions(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("merchant")
	if id == "" {
		a.fail(w, r, apperr.Errorf(apperr.Invalid, "merchant: name the merchant whose transactions to list (?merchant=ID)"))
		return
	}
	m, err := a.Merchants.Get(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	limit, ok := a.queryInt(w, r, "limit", 100)
	if !ok {
		return
	}
	ts, total, err := a.Onerway.Transactions(r.Context(), m, limit)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]TransactionJSON, len(ts))
	for i, t := range ts {
		out[i] = transactionJSON(t)
	}
	a.writeJSON(w, r, http.StatusOK, map[string]any{"transactions": out, "total_count": total})
}

// tabbyPaymentID is the Tabby payment a customer action names: id itself,
// or, when id is an Onerway transactionId, the Tabby payment underneath.
func (a *API) tabbyPaymentID(ctx context.Context, id string) (string, error) {
	t, err := a.Onerway.TransactionAnyMerchant(ctx, id)
	switch {
	case errors.Is(err, onerway.ErrNoSuchTransaction):
		return id, nil
	case err != nil:
		return "", err
	case t.TabbyPaymentID == "":
		return "", apperr.Errorf(apperr.Invalid, "Onerway transaction %s has no Tabby payment for a customer to act on", id)
	}
	return t.TabbyPaymentID, nil
}

// withTransaction adds to res the status of the Onerway transaction of a
// payment made through the gateway, as the action left it, and the
// payment's status once the gateway acted on it too (it captures an
// authorized payment right after).
func (a *API) withTransaction(ctx context.Context, p *tabby.Payment, res *CustomerResult) error {
	if p.Channel.Via != tabby.ViaOnerway {
		return nil
	}
	t, err := a.Onerway.TransactionAnyMerchant(ctx, p.Channel.TransactionID)
	if errors.Is(err, onerway.ErrNoSuchTransaction) {
		return nil // made through the channel by something else than the gateway
	}
	if err != nil {
		return err
	}
	now, err := a.Tabby.PaymentAnyMerchant(ctx, p.ID)
	if err != nil {
		return err
	}
	res.Status, res.TransactionID, res.TransactionStatus = now.Status, t.ID, string(t.Status)
	return nil
}
