package tabbyapi

import (
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/internal/surface"
	"github.com/tabbysim/tabbysim/simulator/journal"
	"github.com/tabbysim/tabbysim/simulator/tabby"
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
	if h := a.hint(r, err); h != "" {
		journal.Hint(r.Context(), h)
	}
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

// hint says, for the log, what Tabby's answer to a request with the wrong
// credentials leaves the merchant's engineer to guess: the merchant codes
// there are, or what a key looks like. It never quotes the key.
func (a *API) hint(r *http.Request, err error) string {
	if errors.Is(err, tabby.ErrUnknownMerchantCode) {
		m, err := a.Merchants.Get(r.Context(), surface.IdentityOf(r.Context()).Merchant)
		if err != nil {
			return ""
		}
		return "the merchant code is not one of this merchant's: " + strings.Join(slices.Sorted(maps.Keys(m.Tabby.MerchantCodes)), ", ")
	}
	if !errors.Is(err, tenant.ErrNotFound) && apperr.CodeOf(err) != apperr.Unauthorized {
		return ""
	}
	key, ok := bearerKey(r)
	switch {
	case !ok:
		return "send the secret key as Authorization: Bearer sk_test_…"
	case surface.IdentityOf(r.Context()).Merchant != "" && tenant.TabbyKey(key) == tenant.TabbyPublicKey:
		return "this call takes the secret key (sk_test_…); the public key (pk_test_…) is only accepted by POST /api/v2/checkout"
	case !strings.HasPrefix(key, "sk_test_") && !strings.HasPrefix(key, "pk_test_"):
		return "the simulator's secret keys start with sk_test_ (tabbysim serve prints the default merchant's)"
	}
	return "no merchant has this key: GET /_sim/v1/merchants lists the merchants and their keys (a reset leaves only the default merchant)"
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
