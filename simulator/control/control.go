// Package control serves the simulator's control API under /_sim/v1: the
// merchants, their clocks, customer actions, payments and the Onerway
// gateway's transactions with their history, the request journal and
// reset.
package control

import (
	"bytes"
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/ids"
	"github.com/tabbysim/tabbysim/simulator/internal/httpjson"
	"github.com/tabbysim/tabbysim/simulator/internal/surface"
	"github.com/tabbysim/tabbysim/simulator/journal"
	"github.com/tabbysim/tabbysim/simulator/onerway"
	"github.com/tabbysim/tabbysim/simulator/tabby"
	"github.com/tabbysim/tabbysim/simulator/tenant"
	"github.com/tabbysim/tabbysim/simulator/webhook"
)

// Prefix is where the control API lives.
const Prefix = "/_sim/v1"

// API is the control API.
type API struct {
	Merchants *tenant.Registry
	Clocks    *clock.Scheduler
	IDs       *ids.Source
	Tabby     *tabby.Service
	// Onerway is the Onerway gateway, whose transactions pay with Tabby.
	Onerway *onerway.Service
	Journal *journal.Journal
	// ClockMode is the mode of a new merchant's clock unless it asks for
	// another.
	ClockMode clock.Mode
	// Token, when set, must come as "Authorization: Bearer <token>".
	Token string
	// Now is the source of real time, where new clocks start.
	Now func() time.Time
	// Outbox holds the webhook deliveries.
	Outbox *webhook.Engine
	// Reset empties the simulator.
	Reset func(ctx context.Context) error
	// Log receives the errors answered 500; nil discards them.
	Log *slog.Logger
}

// Register mounts the control API on r.
func (a *API) Register(r *mux.Router) {
	s := surface.Mount(r, Prefix, answers{}, a.Log)
	s.HandleFunc(Prefix+"/health", a.health).Methods(http.MethodGet)
	p := s.NewRoute().Subrouter()
	p.Use(a.checkToken)
	p.HandleFunc(Prefix+"/journal", a.journal).Methods(http.MethodGet)
	p.HandleFunc(Prefix+"/reset", a.reset).Methods(http.MethodPost)
	a.registerMerchants(p)
	a.registerClocks(p)
	a.registerTabby(p)
	a.registerOnerway(p)
	a.registerSettlements(p)
	a.registerAudit(p)
	a.registerScenarios(p)
	a.registerDeliveries(p)
}

func (a *API) checkToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.Token != "" {
			got, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if subtle.ConstantTimeCompare([]byte(got), []byte(a.Token)) != 1 {
				a.fail(w, r, apperr.Errorf(apperr.Unauthorized, "the control API needs Authorization: Bearer <token>"))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (a *API) health(w http.ResponseWriter, r *http.Request) {
	a.writeJSON(w, r, http.StatusOK, map[string]string{"status": "ok"})
}

func (a *API) journal(w http.ResponseWriter, r *http.Request) {
	limit, ok := a.queryInt(w, r, "limit", 100)
	if !ok {
		return
	}
	a.writeJSON(w, r, http.StatusOK, map[string]any{"entries": a.Journal.Recent(r.URL.Query().Get("merchant"), limit)})
}

func (a *API) reset(w http.ResponseWriter, r *http.Request) {
	if err := a.Reset(r.Context()); err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeJSON(w, r, http.StatusOK, map[string]string{"status": "reset"})
}

func (a *API) queryInt(w http.ResponseWriter, r *http.Request, name string, def int) (int, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		a.fail(w, r, apperr.Errorf(apperr.Invalid, "%s: must be a whole number, 0 or more", name))
		return 0, false
	}
	return n, true
}

// decode reads a JSON body into v, answering 400 itself when it cannot.
// Unknown fields are refused; an empty body leaves v as it is.
func (a *API) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := httpjson.ReadBody(w, r)
	if err != nil {
		a.fail(w, r, apperr.Errorf(apperr.Invalid, "%v", err))
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return true
	}
	if err := httpjson.Decode(body, v, httpjson.RefuseUnknown); err != nil {
		a.fail(w, r, apperr.Errorf(apperr.Invalid, "could not decode the JSON body: %v", err))
		return false
	}
	return true
}

// indent is how deep the control API indents its JSON, for people to read.
const indent = "  "

// writeJSON answers v; a value that cannot be encoded is answered as any
// unexpected error is.
func (a *API) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	if err := httpjson.Write(w, status, v, indent); err != nil {
		a.fail(w, r, fmt.Errorf("encoding the answer: %w", err))
	}
}
