package merchant

import (
	"fmt"
	"net/http"

	"github.com/tabbysim/tabbysim/client/tabby"
)

func (m *Merchant) getOrder(w http.ResponseWriter, r *http.Request) {
	o := m.lookup(r.PathValue("id"), "")
	if o == nil {
		writeError(w, http.StatusNotFound, "no such order")
		return
	}
	defer o.mu.Unlock()
	writeJSON(w, http.StatusOK, o.json())
}

// cancelOrder cancels an order nothing was captured of: an unfinished
// checkout is cancelled, an authorized payment closed.
func (m *Merchant) cancelOrder(w http.ResponseWriter, r *http.Request) {
	o := m.lookup(r.PathValue("id"), "")
	if o == nil {
		writeError(w, http.StatusNotFound, "no such order")
		return
	}
	defer o.mu.Unlock()
	if o.paymentID == "" || (m.has(DefectCancelWithoutClose) && o.status == StatusPending) {
		o.status = StatusCancelled
		writeJSON(w, http.StatusOK, o.json())
		return
	}
	ctx := r.Context()
	p, err := m.tabby.GetPayment(ctx, o.paymentID)
	if err != nil {
		writeError(w, http.StatusBadGateway, err.Error())
		return
	}
	m.record(o, p)
	switch p.Status {
	case tabby.StatusCreated:
		if _, err := m.tabby.CancelSession(ctx, o.sessionID); err != nil {
			writeError(w, http.StatusBadGateway, err.Error())
			return
		}
		o.paymentStatus = tabby.StatusExpired
		o.status = StatusCancelled
	case tabby.StatusAuthorized, tabby.StatusClosed:
		if o.captured > 0 {
			writeError(w, http.StatusConflict, "the order was captured already: refund it instead")
			return
		}
		if p.Status == tabby.StatusAuthorized && m.is(VariantRefusesCancelWhenPaid) {
			// The customer paid after all: ship the order rather than
			// cancel it.
			if err := m.apply(ctx, o, p, false); err != nil {
				writeError(w, http.StatusBadGateway, err.Error())
				return
			}
			writeError(w, http.StatusConflict, "the payment was authorized: the order is paid and will ship; refund it instead")
			return
		}
		if p.Status == tabby.StatusAuthorized {
			closed, err := m.tabby.Close(ctx, p.ID)
			if tabby.IsAlreadyClosed(err) {
				closed, err = m.tabby.GetPayment(ctx, p.ID)
			}
			if err != nil {
				writeError(w, http.StatusBadGateway, err.Error())
				return
			}
			m.record(o, closed)
			if o.captured > 0 {
				o.settle()
				writeError(w, http.StatusConflict, "the order was captured already: refund it instead")
				return
			}
		}
		o.status = StatusCancelled
	case tabby.StatusExpired:
		o.status = StatusCancelled
	case tabby.StatusRejected:
		o.status = StatusFailed
	}
	writeJSON(w, http.StatusOK, o.json())
}

// refundOrder refunds an amount of what was captured and not yet refunded.
func (m *Merchant) refundOrder(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Amount string `json:"amount"`
		Reason string `json:"reason"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	o := m.lookup(r.PathValue("id"), "")
	if o == nil {
		writeError(w, http.StatusNotFound, "no such order")
		return
	}
	defer o.mu.Unlock()
	amount, err := m.readAmount(req.Amount, o.currency)
	if err != nil || amount <= 0 {
		writeError(w, http.StatusBadRequest, "amount: give a positive decimal amount such as \"30.00\"")
		return
	}
	if o.paymentID == "" {
		writeError(w, http.StatusUnprocessableEntity, "nothing was captured")
		return
	}
	// Start from Tabby's word on what was captured and refunded.
	ctx := r.Context()
	p, err := m.tabby.GetPayment(ctx, o.paymentID)
	if err == nil {
		err = m.apply(ctx, o, p, false)
	}
	if err != nil {
		writeError(w, http.StatusBadGateway, err.Error())
		return
	}
	if o.deleted {
		writeError(w, http.StatusNotFound, "no such order")
		return
	}
	if rest := o.captured - o.refunded; amount > rest && !m.has(DefectRefundsBeyondCaptured) {
		writeError(w, http.StatusUnprocessableEntity, fmt.Sprintf("only %s %s of what was captured is left to refund",
			rest.Format(o.currency), o.currency))
		return
	}
	reason := req.Reason
	if reason == "" {
		reason = "refund requested"
	}
	got, err := m.tabby.Refund(ctx, o.paymentID, tabby.RefundRequest{
		Amount: m.tabbyAmount(amount, o.currency), Reason: reason,
		ReferenceID: m.refundRef(o, len(p.Refunds)+1),
	})
	if err != nil {
		writeError(w, http.StatusBadGateway, err.Error())
		return
	}
	if err := m.apply(ctx, o, got, false); err != nil {
		writeError(w, http.StatusBadGateway, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, o.json())
}
