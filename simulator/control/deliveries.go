package control

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/tabby"
	"github.com/tabbysim/tabbysim/simulator/webhook"
)

// registerDeliveries mounts the webhook delivery log: list, one delivery
// with every try, resend, and sending a payment's webhook on demand.
func (a *API) registerDeliveries(r *mux.Router) {
	r.HandleFunc(Prefix+"/deliveries", a.listDeliveries).Methods(http.MethodGet)
	r.HandleFunc(Prefix+"/deliveries/{id}", a.getDelivery).Methods(http.MethodGet)
	r.HandleFunc(Prefix+"/deliveries/{id}/resend", a.resend).Methods(http.MethodPost)
	r.HandleFunc(Prefix+"/payments/{id}/webhooks", a.sendWebhook).Methods(http.MethodPost)
}

var deliveryStatuses = map[string]bool{"": true, "pending": true, "held": true, "delivered": true, "failed": true, "dropped": true}

func (a *API) listDeliveries(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !deliveryStatuses[q.Get("status")] {
		a.fail(w, r, apperr.Errorf(apperr.Invalid, "status must be one of pending, held, delivered, failed, dropped"))
		return
	}
	limit, ok := a.queryInt(w, r, "limit", 100)
	if !ok {
		return
	}
	ds, err := a.Outbox.List(r.Context(), webhook.Filter{
		Merchant: q.Get("merchant"), Payment: q.Get("payment"), Status: webhook.Status(q.Get("status")), Limit: limit,
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeJSON(w, r, http.StatusOK, map[string]any{"deliveries": ds})
}

func (a *API) getDelivery(w http.ResponseWriter, r *http.Request) {
	dl, err := a.Outbox.Get(r.Context(), mux.Vars(r)["id"])
	a.answerDelivery(w, r, http.StatusOK, dl, err)
}

func (a *API) resend(w http.ResponseWriter, r *http.Request) {
	dl, err := a.Outbox.Resend(r.Context(), mux.Vars(r)["id"])
	a.answerDelivery(w, r, http.StatusCreated, dl, err)
}

func (a *API) answerDelivery(w http.ResponseWriter, r *http.Request, status int, dl *webhook.Delivery, err error) {
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeJSON(w, r, status, dl)
}

func (a *API) sendWebhook(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Event string `json:"event"`
	}
	if !a.decode(w, r, &req) {
		return
	}
	e, err := tabby.ParseEvent(req.Event)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	id := mux.Vars(r)["id"]
	before, err := a.Outbox.List(r.Context(), webhook.Filter{Payment: id})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if _, err := a.Tabby.SendWebhook(r.Context(), id, e); err != nil {
		a.fail(w, r, err)
		return
	}
	after, err := a.Outbox.List(r.Context(), webhook.Filter{Payment: id})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	// Answer with the deliveries this call made.
	seen := map[string]bool{}
	for _, d := range before {
		seen[d.ID] = true
	}
	made := []webhook.Delivery{}
	for _, d := range after {
		if !seen[d.ID] {
			made = append(made, d)
		}
	}
	a.writeJSON(w, r, http.StatusAccepted, map[string]any{"deliveries": made})
}
