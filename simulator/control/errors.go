package control

import (
	"net/http"

	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/internal/httpjson"
)

// errorStatus maps the application error codes to the control API's
// statuses.
var errorStatus = map[apperr.Code]int{
	apperr.Invalid:      http.StatusBadRequest,
	apperr.NotFound:     http.StatusNotFound,
	apperr.Unauthorized: http.StatusUnauthorized,
	apperr.Conflict:     http.StatusConflict,
}

// fail answers err in the control API's shape: an application error with
// the status its code maps to (unknown things, merchants a reset removed
// among them, are 404), anything else as a 500, logged.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	if status, ok := errorStatus[apperr.CodeOf(err)]; ok {
		writeError(w, status, err.Error())
		return
	}
	if a.Log != nil {
		a.Log.Error("control API request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeError(w, http.StatusInternalServerError, "internal error: "+err.Error())
}

// writeError writes the control API's error shape.
func writeError(w http.ResponseWriter, status int, msg string) {
	_ = httpjson.Write(w, status, map[string]string{"error": msg}, indent) // strings always encode
}

// answers are the control API's answers to the requests its handlers never
// see, in its own shape.
type answers struct{}

func (answers) NotFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, "no control API route "+r.Method+" "+r.URL.Path)
}

func (answers) MethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusMethodNotAllowed, "the control API does not serve "+r.Method+" "+r.URL.Path)
}

func (answers) Internal(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusInternalServerError, "internal error")
}
