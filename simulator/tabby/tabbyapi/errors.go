package tabbyapi

import (
	"context"
	"errors"
	"io"
	"net/http"

	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// errorTable maps the application error codes to Tabby's status and
// errorType (README, "The Tabby API served").
var errorTable = map[apperr.Code]struct {
	status    int
	errorType string
}{
	apperr.Invalid:      {http.StatusBadRequest, "bad_data"},
	apperr.NotFound:     {http.StatusNotFound, "not_found"},
	apperr.Unauthorized: {http.StatusUnauthorized, "not_authorized"},
	apperr.Conflict:     {http.StatusConflict, "conflict"},
}

// fail answers err. A merchant that does not exist, whether no merchant
// has the key or a reset removed the merchant while its request was on the
// way, is answered as Tabby answers an unknown key; an application error
// by the table, in Tabby's envelope; anything else as Tabby answers an
// unexpected error, in plain text, and is logged.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, tenant.ErrNotFound) {
		err = apperr.Errorf(apperr.Unauthorized, "auth: provided key doesn't exist")
	}
	if e, ok := errorTable[apperr.CodeOf(err)]; ok {
		a.writeJSON(w, r, e.status, errorJSON{Status: "error", ErrorType: e.errorType, Error: err.Error()})
		return
	}
	if errors.Is(err, context.Canceled) {
		return
	}
	if a.Log != nil {
		a.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	internalError(w)
}

// errorJSON is Tabby's error envelope, fields in Tabby's order.
type errorJSON struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
}

// answers are Tabby's answers to the requests its handlers never see: in
// plain text, as Go's servers, Tabby's among them, send them (README's
// error table).
type answers struct{}

func (answers) NotFound(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }

func (answers) MethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
}

func (answers) Internal(w http.ResponseWriter, r *http.Request) { internalError(w) }

// internalError is Tabby's answer to an unexpected error.
func internalError(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = io.WriteString(w, "Internal Server error")
}
