package control

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// registerClocks mounts the routes that read and move a merchant's clock.
func (a *API) registerClocks(r *mux.Router) {
	r.HandleFunc(Prefix+"/merchants/{id}/clock", a.getClock).Methods(http.MethodGet)
	r.HandleFunc(Prefix+"/merchants/{id}/clock/advance", a.advanceClock).Methods(http.MethodPost)
}

// ClockJSON is a clock's reading.
type ClockJSON struct {
	Now  time.Time  `json:"now"`
	Mode clock.Mode `json:"mode"`
}

func clockJSON(c *clock.Clock) ClockJSON { return ClockJSON{Now: c.Now(), Mode: c.Mode()} }

func (a *API) getClock(w http.ResponseWriter, r *http.Request) {
	m, ok := a.merchant(w, r)
	if !ok {
		return
	}
	out, err := a.merchantJSON(m)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeJSON(w, r, http.StatusOK, out.Clock)
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
	if !a.decode(w, r, &req) {
		return
	}
	c, err := a.Clocks.Clock(m.ID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	now := c.Now()
	var target time.Time
	switch {
	case req.By != "" && req.To != nil:
		a.fail(w, r, apperr.Errorf(apperr.Invalid, `send either "by" or "to", not both`))
		return
	case req.By != "":
		d, err := tenant.ParseDuration(req.By)
		if err != nil || d < 0 {
			a.fail(w, r, apperr.Errorf(apperr.Invalid, `by: give a duration that is not negative, such as "26m" or "21d"`))
			return
		}
		target = now.Add(d.D())
		if err := a.Clocks.CheckTime(c.Mode(), target); err != nil {
			a.fail(w, r, fmt.Errorf("by: %w", err))
			return
		}
	case req.To != nil:
		if req.To.Before(now) {
			a.fail(w, r, apperr.Errorf(apperr.Invalid, "to: %s is before the clock's now, %s; clocks only move forward", req.To.UTC().Format(time.RFC3339), now.Format(time.RFC3339)))
			return
		}
		if err := a.Clocks.CheckTime(c.Mode(), *req.To); err != nil {
			a.fail(w, r, fmt.Errorf("to: %w", err))
			return
		}
		target = *req.To
	default:
		a.fail(w, r, apperr.Errorf(apperr.Invalid, `send {"by": "26m"} or {"to": "2026-01-02T15:04:05Z"}`))
		return
	}
	// An advance takes as long as the webhook tries it waits for: the
	// server's write timeout, meant for slow clients, must not cut it.
	_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
	// A client that hangs up must not leave the clock stopped half-way.
	if _, err := a.Clocks.Advance(context.WithoutCancel(r.Context()), m.ID, target); err != nil {
		a.fail(w, r, err)
		return
	}
	// The clock this call moved, even if a reset has since removed it.
	a.writeJSON(w, r, http.StatusOK, clockJSON(c))
}
