package control

import (
	"net/http"
	"time"

	"github.com/gorilla/mux"

	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/onerway"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// registerSettlements mounts the routes over the settlements of the
// Onerway gateway's payments: a merchant's, by state, and one payment's.
func (a *API) registerSettlements(r *mux.Router) {
	r.HandleFunc(Prefix+"/onerway/settlements", a.listSettlements).Methods(http.MethodGet)
	r.HandleFunc(Prefix+"/onerway/transactions/{id}/settlement", a.getSettlement).Methods(http.MethodGet)
}

// SettlementJSON is a payment's settlement as the control API shows it:
// its state on the merchant's clock, when physical goods turn overdue
// without logistics, the latest logistics upload, when it settles and
// what it paid.
type SettlementJSON struct {
	TransactionID string                  `json:"transaction_id"`
	Merchant      string                  `json:"merchant"`
	MerchantTxnID string                  `json:"merchant_txn_id"`
	Goods         ow.GoodsType            `json:"goods"`
	State         onerway.SettlementState `json:"state"`
	SucceededAt   time.Time               `json:"succeeded_at"`
	// LogisticsDueAt is set while physical goods await logistics.
	LogisticsDueAt *time.Time      `json:"logistics_due_at,omitempty"`
	Logistics      *LogisticsJSON  `json:"logistics"`
	SettleAt       *time.Time      `json:"settle_at"`
	Paid           *SettlementPaid `json:"paid"`
}

// LogisticsJSON is the latest valid logistics upload, and how many there
// were.
type LogisticsJSON struct {
	CarrierNo   string    `json:"carrier_no"`
	TrackingNo  string    `json:"tracking_no"`
	DeliveredAt time.Time `json:"delivered_at"`
	UploadedAt  time.Time `json:"uploaded_at"`
	Uploads     int       `json:"uploads"`
}

// SettlementPaid is what a settlement paid: the order amount less the
// refunds that passed their audit, converted at the rate.
type SettlementPaid struct {
	At          time.Time `json:"at"`
	OrderAmount string    `json:"order_amount"`
	Refunded    string    `json:"refunded"`
	Currency    string    `json:"currency"`
	Rate        string    `json:"rate"`
	Amount      string    `json:"amount"`
	// SettlementCurrency is USD.
	SettlementCurrency string `json:"settlement_currency"`
}

func settlementJSON(st *onerway.Settlement, m *tenant.Merchant, now time.Time) SettlementJSON {
	window := m.Settings.Onerway.LogisticsWindow.D()
	out := SettlementJSON{
		TransactionID: st.TransactionID, Merchant: st.Merchant, MerchantTxnID: st.MerchantTxnID, Goods: st.Goods,
		State: st.StateAt(now, window), SucceededAt: st.SucceededAt, SettleAt: st.SettleAt,
	}
	if st.State == onerway.AwaitingLogistics {
		due := st.LogisticsDue(window)
		out.LogisticsDueAt = &due
	}
	if l := st.Logistics; l != nil {
		out.Logistics = &LogisticsJSON{CarrierNo: l.CarrierNo, TrackingNo: l.TrackingNo, DeliveredAt: l.DeliveredAt,
			UploadedAt: l.UploadedAt, Uploads: st.Uploads}
	}
	if p := st.Paid; p != nil {
		out.Paid = &SettlementPaid{At: p.At, OrderAmount: p.OrderAmount.Format(p.Currency), Refunded: p.Refunded.Format(p.Currency),
			Currency: p.Currency, Rate: p.Rate, Amount: p.Amount(), SettlementCurrency: onerway.SettlementCurrency}
	}
	return out
}

func (a *API) getSettlement(w http.ResponseWriter, r *http.Request) {
	st, err := a.Onerway.Settlement(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		a.fail(w, r, err)
		return
	}
	m, err := a.Merchants.Get(r.Context(), st.Merchant)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	now, err := a.Onerway.Now(m.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeJSON(w, r, http.StatusOK, settlementJSON(st, m, now))
}

func (a *API) listSettlements(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("merchant")
	if id == "" {
		a.fail(w, r, apperr.Errorf(apperr.Invalid, "merchant: name the merchant whose settlements to list (?merchant=ID)"))
		return
	}
	var state onerway.SettlementState
	if s := r.URL.Query().Get("state"); s != "" {
		var err error
		if state, err = onerway.ParseSettlementState(s); err != nil {
			a.fail(w, r, err)
			return
		}
	}
	m, err := a.Merchants.Get(r.Context(), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	now, err := a.Onerway.Now(m.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	sts, err := a.Onerway.Settlements(r.Context(), m, state)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]SettlementJSON, len(sts))
	for i, st := range sts {
		out[i] = settlementJSON(st, m, now)
	}
	a.writeJSON(w, r, http.StatusOK, map[string]any{"settlements": out, "total_count": len(out)})
}
