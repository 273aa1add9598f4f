package control

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/fault"
	"github.com/tabbysim/tabbysim/simulator/internal/httpjson"
)

// registerFaults mounts the fault rules: add one, list them, remove one or
// all, for every merchant or one.
func (a *API) registerFaults(r *mux.Router) {
	r.HandleFunc(Prefix+"/faults", a.addFault).Methods(http.MethodPost)
	r.HandleFunc(Prefix+"/faults", a.listFaults).Methods(http.MethodGet)
	r.HandleFunc(Prefix+"/faults", a.removeFaults).Methods(http.MethodDelete)
	r.HandleFunc(Prefix+"/faults/{id}", a.getFault).Methods(http.MethodGet)
	r.HandleFunc(Prefix+"/faults/{id}", a.removeFault).Methods(http.MethodDelete)
}

// addFault stores the rule in the body (the README's rule format) and
// answers it with its id.
func (a *API) addFault(w http.ResponseWriter, r *http.Request) {
	body, err := httpjson.ReadBody(w, r)
	if err != nil {
		a.fail(w, r, apperr.Errorf(apperr.Invalid, "%v", err))
		return
	}
	spec, err := fault.ParseSpec(body)
	if err != nil {
		a.fail(w, r, apperr.Errorf(apperr.Invalid, "%v", err))
		return
	}
	rule, err := a.Faults.Add(r.Context(), spec)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeJSON(w, r, http.StatusCreated, rule)
}

// listFaults answers the rules, oldest first: a merchant's with
// ?merchant=ID, every rule without.
func (a *API) listFaults(w http.ResponseWriter, r *http.Request) {
	rules, err := a.Faults.List(r.Context(), r.URL.Query().Get("merchant"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if rules == nil {
		rules = []fault.Rule{}
	}
	a.writeJSON(w, r, http.StatusOK, map[string]any{"faults": rules})
}

func (a *API) getFault(w http.ResponseWriter, r *http.Request) {
	rule, err := a.Faults.Get(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeJSON(w, r, http.StatusOK, rule)
}

func (a *API) removeFault(w http.ResponseWriter, r *http.Request) {
	rule, err := a.Faults.Remove(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeJSON(w, r, http.StatusOK, rule)
}

// removeFaults removes every rule, or a merchant's with ?merchant=ID.
func (a *API) removeFaults(w http.ResponseWriter, r *http.Request) {
	n, err := a.Faults.RemoveAll(r.Context(), r.URL.Query().Get("merchant"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeJSON(w, r, http.StatusOK, map[string]int{"removed": n})
}
