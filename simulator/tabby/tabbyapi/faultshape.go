package tabbyapi

import (
	"net/http"
	"strings"

	"github.com/tabbysim/tabbysim/simulator/internal/httpjson"
)

// FaultShape writes the errors the simulator's fault injection answers
// with as Tabby writes its own: a 500 in plain text, "Internal Server
// error", as Tabby sends it; any other status in Tabby's envelope, with
// code as the errorType and message as the error. An empty code is the
// status's errorType in Tabby's error table (bad_data, not_authorized,
// no_permission, not_found, conflict) or, for a status Tabby documents none
// for, the status's name in snake case (too_many_requests,
// service_unavailable); an empty message is the status's name in lower
// case.
type FaultShape struct{}

// faultTypes are the errorTypes of Tabby's error table by status
// (tabby-api.md §11).
var faultTypes = map[int]string{
	http.StatusBadRequest:   "bad_data",
	http.StatusUnauthorized: "not_authorized",
	http.StatusForbidden:    "no_permission",
	http.StatusNotFound:     "not_found",
	http.StatusConflict:     "conflict",
}

// WriteError implements the simulator's fault.Shape.
func (FaultShape) WriteError(w http.ResponseWriter, status int, code, message string) {
	if status == http.StatusInternalServerError && code == "" && message == "" {
		internalError(w)
		return
	}
	name := strings.ToLower(http.StatusText(status))
	if code == "" {
		code = faultTypes[status]
	}
	if code == "" {
		code = strings.ReplaceAll(strings.ReplaceAll(name, "-", "_"), " ", "_")
	}
	if message == "" {
		message = name
	}
	_ = httpjson.Write(w, status, errorJSON{Status: "error", ErrorType: code, Error: message}, "") // strings always encode
}
