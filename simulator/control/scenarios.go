package control

import (
	"encoding/json"
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

// applyScenario applies a scenario named by name, or given whole as
// scenario, to the merchant; a scenario that does not check out is
// refused before anything changes.
func (a *API) applyScenario(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name     string          `json:"name"`
		Scenario json.RawMessage `json:"scenario"`
	}
	if !a.decode(w, r, &req) {
		return
	}
	var s *scenarios.Scenario
	var err error
	switch {
	case (req.Name == "") == (len(req.Scenario) == 0):
		err = apperr.Errorf(apperr.Invalid, `give the scenario's "name", or the whole "scenario"`)
	case req.Name != "":
		if s, err = scenarios.Get(req.Name); err != nil {
			err = apperr.Errorf(apperr.NotFound, "%v (GET /_sim/v1/scenarios lists them)", err)
		}
	default:
		if s, err = scenarios.Parse(req.Scenario); err != nil {
			err = apperr.Errorf(apperr.Invalid, "scenario.%v", err)
		}
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	m, err := a.ApplyScenario(r.Context(), mux.Vars(r)["id"], s)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.answerMerchant(w, r, http.StatusOK, m)
}
