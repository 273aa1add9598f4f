package tabbyapi

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/tabbysim/tabbysim/simulator/internal/surface"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// Provider is the name the journal knows Tabby's API by.
const Provider = "tabby"

// Tabby's operations, each the name of the routes that serve it (the v1
// and v2 payment paths serve the same operations).
const (
	OpCreateSession   surface.Operation = "tabby.create_session"
	OpGetSession      surface.Operation = "tabby.get_session"
	OpCancelSession   surface.Operation = "tabby.cancel_session"
	OpListPayments    surface.Operation = "tabby.list_payments"
	OpGetPayment      surface.Operation = "tabby.get_payment"
	OpUpdatePayment   surface.Operation = "tabby.update_payment"
	OpCapture         surface.Operation = "tabby.capture"
	OpRefund          surface.Operation = "tabby.refund"
	OpClose           surface.Operation = "tabby.close"
	OpListWebhooks    surface.Operation = "tabby.list_webhooks"
	OpRegisterWebhook surface.Operation = "tabby.register_webhook"
	OpGetWebhook      surface.Operation = "tabby.get_webhook"
	OpUpdateWebhook   surface.Operation = "tabby.update_webhook"
	OpDeleteWebhook   surface.Operation = "tabby.delete_webhook"
)

// Identify tells a request's operation by the name of its route and its
// merchant by its bearer key, secret or public, before it is handled; auth
// takes the merchant it found.
func (a *API) Identify(r *http.Request) surface.Identity {
	id := surface.Identity{Provider: Provider}
	if rt := mux.CurrentRoute(r); rt != nil {
		id.Operation = surface.Operation(rt.GetName())
	}
	if key, ok := bearerKey(r); ok {
		if m, err := a.Merchants.ByCredential(r.Context(), tenant.TabbyKey(key), key); err == nil {
			id.Merchant, id.Found = m.ID, m
		}
	}
	return id
}

// bearerKey is the key of the request's "Authorization: Bearer" header;
// ok is false when there is none.
func bearerKey(r *http.Request) (key string, ok bool) {
	key, ok = strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	key = strings.TrimSpace(key)
	return key, ok && key != ""
}
