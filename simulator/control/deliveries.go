package control

import (
	"errors"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/tabbysim/tabbysim/simulator/tabby"
	"github.com/tabbysim/tabbysim/simulator/webhook"
)

// Deliveries serves the webhook delivery log: list, one delivery with every
// try, resend, and sending a payment's webhook on demand.
type Deliveries struct {
	Engine *webhook.Engine
	Tabby  *tabby.Service
}

// Register mounts the routes; pass it in API.Extra.
func (d *Deliveries) Register(r *mux.Router) {
	r.HandleFunc("/deliveries", d.list).Methods(http.MethodGet)
	r.HandleFunc("/deliveries/{id}", d.get).Methods(http.MethodGet)
	r.HandleFunc("/deliveries/{id}/resend", d.resend).Methods(http.MethodPost)
	r.HandleFunc("/payments/{id}/webhooks", d.send).Methods(http.MethodPost)
}

var deliveryStatuses = map[string]bool{"": true, "pending": true, "held": true, "delivered": true, "failed": true, "dropped": true}

func (d *Deliveries) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !deliveryStatuses[q.Get("status")] {
		Error(w, http.StatusBadRequest, "status must be one of pending, held, delivered, failed, dropped")
		return
	}
	limit, ok := queryInt(w, r, "limit", 100)
	if !ok {
		return
	}
	ds, err := d.Engine.List(r.Context(), webhook.Filter{
		Merchant: q.Get("merchant"), Payment: q.Get("payment"), Status: webhook.Status(q.Get("status")), Limit: limit,
	})
	if err != nil {
		Error(w, http.StatusInternalServerError, err.Error())
		return
	}
	JSON(w, http.StatusOK, map[string]any{"deliveries": ds})
}

func (d *Deliveries) get(w http.ResponseWriter, r *http.Request) {
	dl, err := d.Engine.Get(r.Context(), mux.Vars(r)["id"])
	d.answer(w, http.StatusOK, dl, err)
}

func (d *Deliveries) resend(w http.ResponseWriter, r *http.Request) {
	dl, err := d.Engine.Resend(r.Context(), mux.Vars(r)["id"])
	d.answer(w, http.StatusCreated, dl, err)
}

func (d *Deliveries) answer(w http.ResponseWriter, status int, dl *webhook.Delivery, err error) {
	switch {
	case errors.Is(err, webhook.ErrNotFound):
		Error(w, http.StatusNotFound, err.Error())
	case err != nil:
		Error(w, http.StatusInternalServerError, err.Error())
	default:
		JSON(w, status, dl)
	}
}

func (d *Deliveries) send(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Event string `json:"event"`
	}
	if !decode(w, r, &req) {
		return
	}
	e, err := tabby.ParseEvent(req.Event)
	if err != nil {
		Error(w, http.StatusBadRequest, err.Error())
		return
	}
	id := mux.Vars(r)["id"]
	if _, err := d.Tabby.SendWebhook(r.Context(), id, e); err != nil {
		if tabby.ErrorCode(err) == tabby.NotFound {
			Error(w, http.StatusNotFound, err.Error())
		} else {
			Error(w, http.StatusInternalServerError, err.Error())
		}
		return
	}
	ds, err := d.Engine.List(r.Context(), webhook.Filter{Payment: id, Limit: 20})
	if err != nil {
		Error(w, http.StatusInternalServerError, err.Error())
		return
	}
	JSON(w, http.StatusAccepted, map[string]any{"deliveries": ds})
}
