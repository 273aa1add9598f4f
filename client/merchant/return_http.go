package merchant

import (
	"net/http"
	"text/template"

	"github.com/tabbysim/tabbysim/client/tabby"
)

var returnPage = template.Must(template.New("return").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Order {{.OrderID}}</title></head>
<body><h1>Order {{.OrderID}}</h1>
<p>Your order is <strong id="order-status" data-status="{{.Status}}">{{.Status}}</strong>.</p>
{{if .Message}}<p>{{.Message}}</p>{{end}}
</body></html>
`))

// returned is the browser coming back from the hosted page. The redirect
// proves nothing (seed 000): the payment is retrieved and its status
// applied.
func (m *Merchant) returned(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("kind")
	switch kind {
	case "success", "cancel", "failure":
	default:
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	o := m.lookup(q.Get("order"), "")
	if o == nil {
		writeHTML(w, http.StatusNotFound, q.Get("order"), "unknown", "We have no such order.")
		return
	}
	defer o.mu.Unlock()
	if q.Get("payment_id") != "" && o.paymentID != "" && q.Get("payment_id") != o.paymentID {
		m.log.Warn("redirect names another payment", "order", o.id, "payment_id", q.Get("payment_id"))
	}
	switch {
	case kind == "success" && m.has(DefectTrustsRedirect):
		o.status = StatusPaid
	case kind == "success" && m.has(DefectErrorPageOnLateRedirect) && o.status == StatusPaid:
		writeHTML(w, http.StatusConflict, o.id, o.status, "This order was processed already.")
		return
	case kind == "success" && m.has(DefectTrustsRedirectPaymentID) && q.Get("payment_id") != "":
		p, err := m.tabby.GetPayment(r.Context(), q.Get("payment_id"))
		if err == nil {
			err = m.apply(r.Context(), o, p, true)
		}
		if err != nil {
			m.log.Warn("applying the redirect's payment", "order", o.id, "err", err)
		}
	case kind == "success" && m.has(DefectRedirectExpectsAuthorized) && o.paymentID != "":
		p, err := m.tabby.GetPayment(r.Context(), o.paymentID)
		switch {
		case err != nil:
			m.log.Warn("retrieving the payment after the redirect", "order", o.id, "err", err)
		case p.Status == tabby.StatusAuthorized:
			err = m.apply(r.Context(), o, p, true)
		default:
			m.record(o, p)
			o.status = StatusFailed
		}
		if err != nil {
			m.log.Warn("applying the payment after the redirect", "order", o.id, "err", err)
		}
	case kind == "cancel" && m.has(DefectTrustsCancelRedirect):
		o.status = StatusCancelled
	case kind == "failure" && m.has(DefectTrustsCancelRedirect):
		o.status = StatusFailed
	case kind == "cancel" && m.has(DefectLosesOrderOnCancel):
		m.delete(o)
		writeHTML(w, http.StatusOK, o.id, "deleted", "Your order was removed.")
		return
	case o.paymentID == "":
		// The checkout never reached Tabby; there is nothing to retrieve.
	default:
		if err := m.refresh(r.Context(), o, "", kind == "success"); err != nil {
			m.log.Warn("applying the payment after the redirect", "order", o.id, "err", err)
			writeHTML(w, http.StatusBadGateway, o.id, o.status, "We could not confirm your payment yet; we will update your order shortly.")
			return
		}
		if o.deleted {
			writeHTML(w, http.StatusOK, o.id, "deleted", "Your order was removed.")
			return
		}
	}
	msg := map[string]string{
		StatusPaid:      "Thank you: your payment is confirmed.",
		StatusPending:   "We are waiting for Tabby to confirm your payment.",
		StatusCancelled: "The payment was cancelled; your cart is kept, you can pay another way.",
		StatusFailed:    "Tabby could not approve this purchase; please use another payment method.",
	}[o.status]
	writeHTML(w, http.StatusOK, o.id, o.status, msg)
}
