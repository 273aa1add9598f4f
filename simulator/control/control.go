// Package control serves the simulator's control API under /_sim/v1: the
// merchants, their clocks, customer actions, payments with their history,
// the request journal and reset.
package control

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/ids"
	"github.com/tabbysim/tabbysim/simulator/journal"
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
	Journal   *journal.Journal
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
}

// Register mounts the control API on r.
func (a *API) Register(r *mux.Router) {
	s := r.PathPrefix(Prefix).Subrouter()
	s.HandleFunc("/health", a.health).Methods(http.MethodGet)
	p := s.NewRoute().Subrouter()
	p.Use(a.checkToken)
	p.HandleFunc("/merchants", a.createMerchant).Methods(http.MethodPost)
	p.HandleFunc("/merchants", a.listMerchants).Methods(http.MethodGet)
	p.HandleFunc("/merchants/{id}", a.getMerchant).Methods(http.MethodGet)
	p.HandleFunc("/merchants/{id}", a.patchMerchant).Methods(http.MethodPatch)
	p.HandleFunc("/merchants/{id}/clock", a.getClock).Methods(http.MethodGet)
	p.HandleFunc("/merchants/{id}/clock/advance", a.advanceClock).Methods(http.MethodPost)
	p.HandleFunc("/payments", a.listPayments).Methods(http.MethodGet)
	p.HandleFunc("/payments/{id}", a.getPayment).Methods(http.MethodGet)
	p.HandleFunc("/payments/{id}/customer", a.customer).Methods(http.MethodPost)
	p.HandleFunc("/journal", a.journal).Methods(http.MethodGet)
	p.HandleFunc("/reset", a.reset).Methods(http.MethodPost)
	a.registerScenarios(p)
	a.registerDeliveries(p)
	s.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		Error(w, http.StatusNotFound, "no control API route "+r.Method+" "+r.URL.Path)
	})
}

func (a *API) checkToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.Token != "" {
			got, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if subtle.ConstantTimeCompare([]byte(got), []byte(a.Token)) != 1 {
				Error(w, http.StatusUnauthorized, "the control API needs Authorization: Bearer <token>")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (a *API) health(w http.ResponseWriter, r *http.Request) {
	JSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// MerchantJSON is a merchant with its clock.
type MerchantJSON struct {
	*tenant.Merchant
	Clock ClockJSON `json:"clock"`
}

// ClockJSON is a clock's reading.
type ClockJSON struct {
	Now  time.Time  `json:"now"`
	Mode clock.Mode `json:"mode"`
}

func (a *API) merchantJSON(m *tenant.Merchant) MerchantJSON {
	out := MerchantJSON{Merchant: m}
	if c, err := a.Clocks.Clock(m.ID); err == nil {
		out.Clock = ClockJSON{Now: c.Now(), Mode: c.Mode()}
	}
	return out
}

// CreateMerchantRequest is the body of POST /merchants; every field is
// optional.
type CreateMerchantRequest struct {
	ID            string            `json:"id"`
	Name          string            `json:"name"`
	MerchantCodes map[string]string `json:"merchant_codes"`
	Clock         clock.Mode        `json:"clock"`
	// Start sets where a new clock starts; default is now.
	Start    *time.Time      `json:"start"`
	Settings json.RawMessage `json:"settings"`
}

func (a *API) createMerchant(w http.ResponseWriter, r *http.Request) {
	var req CreateMerchantRequest
	if !decode(w, r, &req) {
		return
	}
	mode := a.ClockMode
	if req.Clock != "" {
		var err error
		if mode, err = clock.ParseMode(string(req.Clock)); err != nil {
			Error(w, http.StatusBadRequest, "clock: "+err.Error())
			return
		}
	}
	m := &tenant.Merchant{
		ID: req.ID, Name: req.Name, CreatedAt: a.Now().UTC(),
		Tabby: tenant.TabbyKeys{
			SecretKey: "sk_test_" + a.IDs.UUID(), PublicKey: "pk_test_" + a.IDs.UUID(),
			MerchantCodes: req.MerchantCodes,
		},
		Settings: tenant.DefaultSettings(),
	}
	if m.ID == "" {
		m.ID = "m_" + a.IDs.Hex(8)
	}
	if m.Tabby.MerchantCodes == nil {
		m.Tabby.MerchantCodes = tenant.DefaultMerchantCodes()
	}
	if len(req.Settings) > 0 {
		if err := tenant.ApplyPatch(req.Settings, &m.Settings); err != nil {
			a.fail(w, err)
			return
		}
	}
	start := a.Now()
	if req.Start != nil {
		start = *req.Start
	}
	if err := a.Merchants.Create(r.Context(), m); err != nil {
		a.fail(w, err)
		return
	}
	a.Clocks.AddClock(m.ID, mode, start)
	JSON(w, http.StatusCreated, a.merchantJSON(m))
}

func (a *API) listMerchants(w http.ResponseWriter, r *http.Request) {
	ms, err := a.Merchants.List(r.Context())
	if err != nil {
		a.fail(w, err)
		return
	}
	out := make([]MerchantJSON, 0, len(ms))
	for _, m := range ms {
		out = append(out, a.merchantJSON(m))
	}
	JSON(w, http.StatusOK, map[string]any{"merchants": out})
}

func (a *API) merchant(w http.ResponseWriter, r *http.Request) (*tenant.Merchant, bool) {
	m, err := a.Merchants.Get(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		a.fail(w, err)
		return nil, false
	}
	return m, true
}

func (a *API) getMerchant(w http.ResponseWriter, r *http.Request) {
	if m, ok := a.merchant(w, r); ok {
		JSON(w, http.StatusOK, a.merchantJSON(m))
	}
}

func (a *API) patchMerchant(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Settings json.RawMessage `json:"settings"`
	}
	if !decode(w, r, &req) {
		return
	}
	if len(req.Settings) == 0 {
		Error(w, http.StatusBadRequest, `send {"settings": {...}} with the settings to change`)
		return
	}
	m, err := a.Merchants.UpdateSettings(r.Context(), mux.Vars(r)["id"], req.Settings)
	if err != nil {
		a.fail(w, err)
		return
	}
	JSON(w, http.StatusOK, a.merchantJSON(m))
}

func (a *API) getClock(w http.ResponseWriter, r *http.Request) {
	m, ok := a.merchant(w, r)
	if !ok {
		return
	}
	JSON(w, http.StatusOK, a.merchantJSON(m).Clock)
}

// AdvanceRequest moves a clock by a duration or to a time.
type AdvanceRequest struct {
	By string     `json:"by"`
	To *time.Time `json:"to"`
}

func (a *API) advanceClock(w http.ResponseWriter, r *http.Request) {
	m, ok := a.merchant(w, r)
	if !ok {
		return
	}
	var req AdvanceRequest
	if !decode(w, r, &req) {
		return
	}
	c, err := a.Clocks.Clock(m.ID)
	if err != nil {
		a.fail(w, err)
		return
	}
	now := c.Now()
	var target time.Time
	switch {
	case req.By != "" && req.To != nil:
		Error(w, http.StatusBadRequest, `send either "by" or "to", not both`)
		return
	case req.By != "":
		d, err := tenant.ParseDuration(req.By)
		if err != nil || d < 0 {
			Error(w, http.StatusBadRequest, `by: give a duration that is not negative, such as "26m" or "21d"`)
			return
		}
		target = now.Add(d.D())
	case req.To != nil:
		if req.To.Before(now) {
			Error(w, http.StatusBadRequest, "to: "+req.To.UTC().Format(time.RFC3339)+" is before the clock's now, "+now.Format(time.RFC3339)+"; clocks only move forward")
			return
		}
		target = *req.To
	default:
		Error(w, http.StatusBadRequest, `send {"by": "26m"} or {"to": "2026-01-02T15:04:05Z"}`)
		return
	}
	// A client that hangs up must not leave the clock stopped half-way.
	if _, err := a.Clocks.Advance(context.WithoutCancel(r.Context()), m.ID, target); err != nil {
		a.fail(w, err)
		return
	}
	JSON(w, http.StatusOK, a.merchantJSON(m).Clock)
}

// PaymentJSON is a payment as the control API shows it: Tabby's object plus
// what only the simulator knows.
type PaymentJSON struct {
	Payment       tabby.PaymentJSON    `json:"payment"`
	Merchant      string               `json:"merchant"`
	MerchantCode  string               `json:"merchant_code"`
	SessionID     string               `json:"session_id"`
	SessionStatus string               `json:"session_status"`
	MerchantURLs  tabby.MerchantURLs   `json:"merchant_urls"`
	History       []tabby.HistoryEntry `json:"history"`
}

func (a *API) paymentJSON(p *tabby.Payment) PaymentJSON {
	return PaymentJSON{
		Payment: p.JSON(), Merchant: p.Merchant, MerchantCode: p.MerchantCode, SessionID: p.SessionID,
		SessionStatus: p.SessionStatus(a.Tabby.Now(p.Merchant)), MerchantURLs: p.URLs, History: p.History,
	}
}

func (a *API) getPayment(w http.ResponseWriter, r *http.Request) {
	p, err := a.Tabby.PaymentAnyMerchant(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		a.fail(w, err)
		return
	}
	JSON(w, http.StatusOK, a.paymentJSON(p))
}

func (a *API) listPayments(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("merchant")
	if id == "" {
		Error(w, http.StatusBadRequest, "merchant: name the merchant whose payments to list (?merchant=ID)")
		return
	}
	m, err := a.Merchants.Get(r.Context(), id)
	if err != nil {
		a.fail(w, err)
		return
	}
	limit, ok := queryInt(w, r, "limit", 100)
	if !ok {
		return
	}
	ps, total, err := a.Tabby.List(r.Context(), m, tabby.ListQuery{Limit: limit})
	if err != nil {
		a.fail(w, err)
		return
	}
	out := make([]PaymentJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, a.paymentJSON(p))
	}
	JSON(w, http.StatusOK, map[string]any{"payments": out, "total_count": total})
}

// CustomerResult is what a customer action did.
type CustomerResult struct {
	PaymentID   string       `json:"payment_id"`
	Status      tabby.Status `json:"status"`
	RedirectURL *string      `json:"redirect_url"`
}

func (a *API) customer(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Action string `json:"action"`
	}
	if !decode(w, r, &req) {
		return
	}
	action, err := tabby.ParseAction(req.Action)
	if err != nil {
		a.fail(w, err)
		return
	}
	p, redirect, err := a.Tabby.Act(r.Context(), mux.Vars(r)["id"], action)
	if err != nil {
		a.fail(w, err)
		return
	}
	res := CustomerResult{PaymentID: p.ID, Status: p.Status}
	if redirect != "" {
		res.RedirectURL = &redirect
	}
	JSON(w, http.StatusOK, res)
}

func (a *API) journal(w http.ResponseWriter, r *http.Request) {
	limit, ok := queryInt(w, r, "limit", 100)
	if !ok {
		return
	}
	JSON(w, http.StatusOK, map[string]any{"entries": a.Journal.Recent(r.URL.Query().Get("merchant"), limit)})
}

func (a *API) reset(w http.ResponseWriter, r *http.Request) {
	if err := a.Reset(r.Context()); err != nil {
		a.fail(w, err)
		return
	}
	JSON(w, http.StatusOK, map[string]string{"status": "reset"})
}

func queryInt(w http.ResponseWriter, r *http.Request, name string, def int) (int, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		Error(w, http.StatusBadRequest, name+": must be a whole number, 0 or more")
		return 0, false
	}
	return n, true
}

// fail maps an error to a status: unknown things are 404, bad input 400,
// a customer acting on a finished checkout 409, anything else 500.
func (a *API) fail(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, tenant.ErrNotFound), errors.Is(err, clock.ErrUnknownClock), errors.Is(err, webhook.ErrNotFound),
		tabby.ErrorCode(err) == tabby.NotFound:
		Error(w, http.StatusNotFound, err.Error())
	case errors.Is(err, tenant.ErrInvalid), tabby.ErrorCode(err) == tabby.Invalid:
		Error(w, http.StatusBadRequest, err.Error())
	case tabby.ErrorCode(err) == tabby.Conflict:
		Error(w, http.StatusConflict, err.Error())
	default:
		Error(w, http.StatusInternalServerError, "internal error: "+err.Error())
	}
}

// decode reads a JSON body into v, answering 400 itself when it cannot. An
// empty body leaves v as it is.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		Error(w, http.StatusBadRequest, "the body is larger than 1 MiB or was cut off")
		return false
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return true
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		Error(w, http.StatusBadRequest, "could not decode the JSON body: "+err.Error())
		return false
	}
	return true
}

// Error writes the control API's error shape.
func Error(w http.ResponseWriter, status int, msg string) {
	JSON(w, status, map[string]string{"error": msg})
}

// JSON writes v as the answer.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
