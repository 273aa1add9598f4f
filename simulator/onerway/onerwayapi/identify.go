package onerwayapi

import (
	"bytes"
	"io"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/tabbysim/tabbysim/simulator/internal/surface"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// Provider is the name the journal knows the Onerway gateway's API by.
const Provider = "onerway"

// The gateway's operations, each the name of the route that serves it.
const (
	OpDoTransaction surface.Operation = "onerway.do_transaction"
	OpList          surface.Operation = "onerway.list"
)

// Identify tells a request's operation by the name of its route and its
// merchant by the merchantNo of its JSON body, before it is handled. The
// body is read and put back, whole, for the handler.
func (a *API) Identify(r *http.Request) surface.Identity {
	id := surface.Identity{Provider: Provider}
	if rt := mux.CurrentRoute(r); rt != nil {
		id.Operation = surface.Operation(rt.GetName())
	}
	if r.Body == nil {
		return id
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	r.Body = readCloser{io.MultiReader(bytes.NewReader(body), r.Body), r.Body}
	if err != nil {
		return id
	}
	if req, err := ParseRequest(body); err == nil {
		if m, err := a.Merchants.ByCredential(r.Context(), tenant.OnerwayMerchantNo, req.MerchantNo); err == nil {
			id.Merchant = m.ID
		}
	}
	return id
}

type readCloser struct {
	io.Reader
	io.Closer
}
