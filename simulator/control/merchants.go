package control

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// registerMerchants mounts the merchant routes: create, list, read, settings.
func (a *API) registerMerchants(r *mux.Router) {
	r.HandleFunc(Prefix+"/merchants", a.createMerchant).Methods(http.MethodPost)
	r.HandleFunc(Prefix+"/merchants", a.listMerchants).Methods(http.MethodGet)
	r.HandleFunc(Prefix+"/merchants/{id}", a.getMerchant).Methods(http.MethodGet)
	r.HandleFunc(Prefix+"/merchants/{id}", a.patchMerchant).Methods(http.MethodPatch)
}

// MerchantJSON is a merchant with its clock.
type MerchantJSON struct {
	*tenant.Merchant
	Clock ClockJSON `json:"clock"`
}

// merchantJSON fails with clock.ErrUnknownClock for a merchant a reset
// removed while the request was on its way.
func (a *API) merchantJSON(m *tenant.Merchant) (MerchantJSON, error) {
	c, err := a.Clocks.Clock(m.ID)
	if err != nil {
		return MerchantJSON{}, err
	}
	return MerchantJSON{Merchant: m, Clock: clockJSON(c)}, nil
}

// answerMerchant answers m with its clock.
func (a *API) answerMerchant(w http.ResponseWriter, r *http.Request, status int, m *tenant.Merchant) {
	out, err := a.merchantJSON(m)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeJSON(w, r, status, out)
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
	if !a.decode(w, r, &req) {
		return
	}
	mode := a.ClockMode
	if req.Clock != "" {
		var err error
		if mode, err = clock.ParseMode(string(req.Clock)); err != nil {
			a.fail(w, r, apperr.Errorf(apperr.Invalid, "clock: %v", err))
			return
		}
	}
	m := &tenant.Merchant{
		ID: req.ID, Name: req.Name, CreatedAt: a.Now().UTC(),
		Tabby: tenant.TabbyKeys{
			SecretKey: "sk_test_" + a.IDs.UUID(), PublicKey: "pk_test_" + a.IDs.UUID(),
			MerchantCodes: req.MerchantCodes,
		},
		Onerway:  tenant.NewOnerwayCredentials(a.IDs),
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
			a.fail(w, r, err)
			return
		}
	}
	start := a.Now()
	if req.Start != nil {
		start = *req.Start
		if err := a.Clocks.CheckTime(mode, start); err != nil {
			a.fail(w, r, fmt.Errorf("start: %w", err))
			return
		}
	}
	if err := a.Merchants.Create(r.Context(), m); err != nil {
		a.fail(w, r, err)
		return
	}
	c := a.Clocks.AddClock(m.ID, mode, start)
	a.writeJSON(w, r, http.StatusCreated, MerchantJSON{Merchant: m, Clock: clockJSON(c)})
}

func (a *API) listMerchants(w http.ResponseWriter, r *http.Request) {
	ms, err := a.Merchants.List(r.Context())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := make([]MerchantJSON, 0, len(ms))
	for _, m := range ms {
		j, err := a.merchantJSON(m)
		if err != nil {
			continue // a reset is removing it
		}
		out = append(out, j)
	}
	a.writeJSON(w, r, http.StatusOK, map[string]any{"merchants": out})
}

func (a *API) merchant(w http.ResponseWriter, r *http.Request) (*tenant.Merchant, bool) {
	m, err := a.Merchants.Get(r.Context(), mux.Vars(r)["id"])
	if err != nil {
		a.fail(w, r, err)
		return nil, false
	}
	return m, true
}

func (a *API) getMerchant(w http.ResponseWriter, r *http.Request) {
	if m, ok := a.merchant(w, r); ok {
		a.answerMerchant(w, r, http.StatusOK, m)
	}
}

func (a *API) patchMerchant(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Settings json.RawMessage `json:"settings"`
	}
	if !a.decode(w, r, &req) {
		return
	}
	if len(req.Settings) == 0 {
		a.fail(w, r, apperr.Errorf(apperr.Invalid, `send {"settings": {...}} with the settings to change`))
		return
	}
	m, err := a.Merchants.UpdateSettings(r.Context(), mux.Vars(r)["id"], req.Settings)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.answerMerchant(w, r, http.StatusOK, m)
}
