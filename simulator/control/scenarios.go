package control

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/tabbysim/tabbysim/scenarios"
	"github.com/tabbysim/tabbysim/simulator/apperr"
)

// registerScenarios mounts the catalogue of failure-injection scenarios and
// the call that applies one to a merchant.
func (a *API) registerScenarios(r *mux.Router) {
	r.HandleFunc(Prefix+"/scenarios", a.listScenarios).Methods(http.MethodGet)
	r.HandleFunc(Prefix+"/merchants/{id}/scenario", a.applyScenario).Methods(http.MethodPost)
}

func (a *API) listScenarios(w http.ResponseWriter, r *http.Request) {
	all, err := scenarios.All()
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeJSON(w, r, http.StatusOK, map[string]any{"scenarios": all})
}

func (a *API) applyScenario(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string `json:"name"`
	}
	if !a.decode(w, r, &req) {
		return
	}
	s, err := scenarios.Get(req.Name)
	if err != nil {
		a.fail(w, r, apperr.Errorf(apperr.NotFound, "%v (GET /_sim/v1/scenarios lists them)", err))
		return
	}
	m, err := a.Merchants.UpdateSettings(r.Context(), mux.Vars(r)["id"], s.Settings)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.answerMerchant(w, r, http.StatusOK, m)
}
