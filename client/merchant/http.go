package merchant

import (
	"encoding/json"
	"net/http"
)

// Handler serves the shop's API:
//
//	POST /checkout              start a checkout; answers the hosted page URL
//	GET  /orders/{id}           an order
//	POST /orders/{id}/cancel    cancel an order not yet captured
//	POST /orders/{id}/refund    refund part or all of what was captured
//	GET  /return/{kind}         the browser back from Tabby (success, cancel, failure)
//	POST /webhooks/tabby        Tabby's webhooks
//	POST /admin/reconcile       poll the open payments now (async-reconcile: start it, 202)
//	GET  /healthz               ready: 200 once the webhooks are registered
//
// The Onerway mode serves its own API (see onerway_http.go).
func (m *Merchant) Handler() http.Handler {
	if m.ow != nil {
		return m.ow.handler()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /checkout", m.checkout)
	mux.HandleFunc("GET /orders/{id}", m.getOrder)
	mux.HandleFunc("POST /orders/{id}/cancel", m.cancelOrder)
	mux.HandleFunc("POST /orders/{id}/refund", m.refundOrder)
	mux.HandleFunc("GET /return/{kind}", m.returned)
	mux.HandleFunc("POST "+WebhookPath, m.webhook)
	mux.HandleFunc("POST /admin/reconcile", m.reconcile)
	mux.HandleFunc("GET /healthz", m.healthz)
	return mux
}

// healthz answers 200 only once Start registered the webhooks: a harness
// that waits for it never sends the shop a payment Tabby could not notify
// it of. Until then it answers 503.
func (m *Merchant) healthz(w http.ResponseWriter, r *http.Request) {
	m.startMu.Lock()
	started := m.webhookIDs != nil
	m.startMu.Unlock()
	if !started {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "starting"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "could not decode the JSON body: "+err.Error())
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeHTML(w http.ResponseWriter, status int, orderID, orderStatus, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = returnPage.Execute(w, struct{ OrderID, Status, Message string }{orderID, orderStatus, msg})
}
