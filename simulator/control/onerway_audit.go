package control

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/tabbysim/tabbysim/simulator/onerway"
)

// registerAudit mounts the route that ends a refund's audit at once.
func (a *API) registerAudit(r *mux.Router) {
	r.HandleFunc(Prefix+"/onerway/transactions/{id}/audit", a.audit).Methods(http.MethodPost)
}

// audit ends the audit of a refund pending it, as {"result": "pass"} or
// {"result": "fail"} says, and answers the refund.
func (a *API) audit(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Result string `json:"result"`
	}
	if !a.decode(w, r, &req) {
		return
	}
	result, err := onerway.ParseAuditResult(req.Result)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	t, err := a.Onerway.Audit(r.Context(), mux.Vars(r)["id"], result)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeJSON(w, r, http.StatusOK, transactionJSON(t))
}
