package control

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/tabby"
)

// registerTabby mounts the routes over Tabby payments: read, list, and the
// customer's actions on the hosted page.
func (a *API) registerTabby(r *mux.Router) {
	r.HandleFunc(Prefix+"/payments", a.listPayments).Methods(http.MethodGet)
	r.HandleFunc(Prefix+"/payments/{id}", a.getPayment).Methods(http.MethodGet)
	r.HandleFunc(Prefix+"/payments/{id}/customer", a.customer).Methods(http.MethodPost)
}

// PaymentJSON is a payment as the control API shows it: Tabby's object plus
// what only the simulator knows.
type PaymentJSON struct {
	Payment       tabby.PaymentJSON    `json:"payment"`
	Merchant      string               `json:"merchant"`
	MerchantCode  string               `json:"merchant_code"`
	SessionID     string               `json:"session_id"`
	SessionStatus string               `json:"session_status"`
	MerchantURLs  tabby.MerchantURLs   `json:"merchant_urls"`
	Channel       tabby.Channel        `json:"channel"`
	History       []tabby.HistoryEntry `json:"history"`
}

func (a *API) paymentJSON(p *tabby.Payment) (PaymentJSON, error) {
	now, err := a.Tabby.Now(p.Merchant)
	if err != nil {
		return PaymentJSON{}, err
	}
	return PaymentJSON{
		Payment: p.JSON(), Merchant: p.Merchant, MerchantCode: p.MerchantCode, SessionID: p.SessionID,
		SessionStatus: p.SessionStatus(now), MerchantURLs: p.URLs, Channel: p.Channel, History: p.History,
	}, nil
}

func (a *API) getPayment(w http.ResponseWriter, r *http.Request) {
	p, err := a.Tabby.PaymentAnyMerchant(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out, err := a.paymentJSON(p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeJSON(w, r, http.StatusOK, out)
}

func (a *API) listPayments(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("merchant")
	if id == "" {
		a.fail(w, r, apperr.Errorf(apperr.Invalid, "merchant: name the merchant whose payments to list (?merchant=ID)"))
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
	ps, total, err := a.Tabby.List(r.Context(), m, tabby.ListQuery{Limit: limit})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]PaymentJSON, 0, len(ps))
	for _, p := range ps {
		j, err := a.paymentJSON(p)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		out = append(out, j)
	}
	a.writeJSON(w, r, http.StatusOK, map[string]any{"payments": out, "total_count": total})
}

// CustomerResult is what a customer action did: the Tabby payment's
// status and where the browser was sent, and for a payment through the
// Onerway gateway, its transaction's status.
type CustomerResult struct {
	PaymentID   string       `json:"payment_id"`
	Status      tabby.Status `json:"status"`
	RedirectURL *string      `json:"redirect_url"`
	// TransactionID and TransactionStatus are the Onerway transaction's.
	TransactionID     string `json:"transaction_id,omitempty"`
	TransactionStatus string `json:"transaction_status,omitempty"`
}

func (a *API) customer(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Action string `json:"action"`
	}
	if !a.decode(w, r, &req) {
		return
	}
	action, err := tabby.ParseAction(req.Action)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	id, err := a.tabbyPaymentID(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p, redirect, err := a.Tabby.Act(r.Context(), id, action)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	res := CustomerResult{PaymentID: p.ID, Status: p.Status}
	if redirect != "" {
		res.RedirectURL = &redirect
	}
	if err := a.withTransaction(r.Context(), p, &res); err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeJSON(w, r, http.StatusOK, res)
}
