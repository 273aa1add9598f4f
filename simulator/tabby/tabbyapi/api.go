// Package tabbyapi serves the Tabby lifecycle over HTTP in Tabby's own wire
// format: its paths, its error envelope, its status codes and messages.
package tabbyapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/internal/httpjson"
	"github.com/tabbysim/tabbysim/simulator/internal/surface"
	"github.com/tabbysim/tabbysim/simulator/tabby"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// API serves Tabby's merchant API.
type API struct {
	Service   *tabby.Service
	Webhooks  *tabby.Webhooks
	Merchants *tenant.Registry
	// HostedPageURL returns the hosted payment page of a session.
	HostedPageURL func(sessionID string) string
	Log           *slog.Logger
}

// Register mounts the API under /api on r. A request it serves passes
// through front (outermost first), which may rely on its route being
// matched and named, then Tabby's own panic guard, then the handler.
func (a *API) Register(r *mux.Router, front ...mux.MiddlewareFunc) {
	s := surface.Mount(r, "/api", answers{}, a.Log, front...)
	route := func(op surface.Operation, method, path string, h http.HandlerFunc) {
		s.HandleFunc(path, h).Methods(method).Name(string(op))
	}
	route(OpCreateSession, http.MethodPost, "/api/v2/checkout", a.auth(true, a.createSession))
	route(OpGetSession, http.MethodGet, "/api/v2/checkout/{id}", a.auth(false, a.getSession))
	route(OpCancelSession, http.MethodPost, "/api/v2/checkout/{id}/cancel", a.auth(false, a.cancelSession))
	for _, p := range []string{"/api/v1/payments", "/api/v2/payments"} {
		route(OpListPayments, http.MethodGet, p, a.auth(false, a.listPayments))
		route(OpGetPayment, http.MethodGet, p+"/{id}", a.auth(false, a.payment(a.getPayment)))
		route(OpUpdatePayment, http.MethodPut, p+"/{id}", a.auth(false, a.payment(a.updatePayment)))
		route(OpCapture, http.MethodPost, p+"/{id}/captures", a.auth(false, a.payment(a.capture)))
		route(OpRefund, http.MethodPost, p+"/{id}/refunds", a.auth(false, a.payment(a.refund)))
		route(OpClose, http.MethodPost, p+"/{id}/close", a.auth(false, a.payment(a.closePayment)))
	}
	route(OpListWebhooks, http.MethodGet, "/api/v1/webhooks", a.auth(false, a.listWebhooks))
	route(OpRegisterWebhook, http.MethodPost, "/api/v1/webhooks", a.auth(false, a.registerWebhook))
	route(OpGetWebhook, http.MethodGet, "/api/v1/webhooks/{id}", a.auth(false, a.getWebhook))
	route(OpUpdateWebhook, http.MethodPut, "/api/v1/webhooks/{id}", a.auth(false, a.updateWebhook))
	route(OpDeleteWebhook, http.MethodDelete, "/api/v1/webhooks/{id}", a.auth(false, a.deleteWebhook))
}

// call is one authenticated request.
type call struct {
	w        http.ResponseWriter
	r        *http.Request
	merchant *tenant.Merchant
	isTest   bool
}

type handler func(c *call)

// auth resolves the bearer key to a merchant: the one Identify found for
// the same key, or as stored. Only create-session accepts a public key, as
// Tabby's shipped SDKs use it there (tabby-api.md §1.2).
func (a *API) auth(publicKeyOK bool, next handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, ok := bearerKey(r)
		if !ok {
			a.fail(w, r, apperr.Errorf(apperr.Unauthorized, "missing Bearer scheme"))
			return
		}
		kind := tenant.TabbyKey(key)
		m, ok := surface.IdentityOf(r.Context()).Found.(*tenant.Merchant)
		var err error
		if !ok {
			m, err = a.Merchants.ByCredential(r.Context(), kind, key)
		}
		if err != nil {
			a.fail(w, r, err)
			return
		}
		if kind != tenant.TabbySecretKey && !publicKeyOK {
			a.fail(w, r, apperr.Errorf(apperr.Unauthorized, "invalid secret key"))
			return
		}
		isTest := strings.HasPrefix(key, "sk_test_") || strings.HasPrefix(key, "pk_test_")
		next(&call{w: w, r: r, merchant: m, isTest: isTest})
	}
}

// payment checks the {id} of a payment route is a UUID first, as Tabby does.
func (a *API) payment(next handler) handler {
	return func(c *call) {
		if _, err := uuid.Parse(mux.Vars(c.r)["id"]); err != nil {
			a.fail(c.w, c.r, apperr.Errorf(apperr.Invalid, "invalid payment id"))
			return
		}
		next(c)
	}
}

func (c *call) id() string { return mux.Vars(c.r)["id"] }

func (a *API) createSession(c *call) {
	if req, ok := decodeBody(a, c, checkoutLint, decodeCheckout); ok {
		a.answerSession(c)(a.Service.CreateSession(c.r.Context(), c.merchant, req, c.isTest))
	}
}

func (a *API) getSession(c *call) {
	a.answerSession(c)(a.Service.Session(c.r.Context(), c.merchant, c.id()))
}

func (a *API) cancelSession(c *call) {
	a.answerSession(c)(a.Service.CancelSession(c.r.Context(), c.merchant, c.id()))
}

func (a *API) answerSession(c *call) func(*tabby.Payment, error) {
	return func(p *tabby.Payment, err error) {
		if err != nil {
			a.fail(c.w, c.r, err)
			return
		}
		now, err := a.Service.Now(c.merchant.ID)
		if err != nil {
			a.fail(c.w, c.r, err)
			return
		}
		s := p.SessionJSON(now, a.HostedPageURL(p.SessionID))
		a.writeJSON(c.w, c.r, http.StatusOK, &s)
	}
}

func (a *API) getPayment(c *call) {
	a.answerPayment(c)(a.Service.Payment(c.r.Context(), c.merchant, c.id()))
}

func (a *API) updatePayment(c *call) {
	if ref, ok := decodeBody(a, c, updateLint, decodeUpdate); ok {
		a.answerPayment(c)(a.Service.UpdateReference(c.r.Context(), c.merchant, c.id(), ref))
	}
}

func (a *API) capture(c *call) {
	if req, ok := decodeBody(a, c, captureLint, decodeCapture); ok {
		a.answerPayment(c)(a.Service.Capture(c.r.Context(), c.merchant, c.id(), req))
	}
}

func (a *API) refund(c *call) {
	if req, ok := decodeBody(a, c, refundLint, decodeRefund); ok {
		a.answerPayment(c)(a.Service.Refund(c.r.Context(), c.merchant, c.id(), req))
	}
}

func (a *API) closePayment(c *call) {
	a.answerPayment(c)(a.Service.Close(c.r.Context(), c.merchant, c.id()))
}

func (a *API) answerPayment(c *call) func(*tabby.Payment, error) {
	return func(p *tabby.Payment, err error) {
		if err != nil {
			a.fail(c.w, c.r, err)
			return
		}
		j := p.JSON()
		a.writeJSON(c.w, c.r, http.StatusOK, &j)
	}
}

// listStatuses maps the status filter, API statuses and dashboard
// statuses alike (tabby-api.md §3.9, §4.1), to the payments it selects.
var listStatuses = map[string]tabby.ListFilter{
	"":           tabby.ListAuthorizedOrClosed,
	"created":    tabby.ListStatus(tabby.Created),
	"authorized": tabby.ListStatus(tabby.Authorized),
	"closed":     tabby.ListStatus(tabby.Closed),
	"rejected":   tabby.ListStatus(tabby.Rejected),
	"expired":    tabby.ListStatus(tabby.Expired),
	"new":        tabby.ListStatus(tabby.Authorized),
	"captured":   tabby.ListCaptured,
	"refunded":   tabby.ListRefunded,
	"cancelled":  tabby.ListCancelled,
}

func (a *API) listPayments(c *call) {
	q := c.r.URL.Query()
	bad := func(msg string) { a.fail(c.w, c.r, apperr.Errorf(apperr.Invalid, "%s", msg)) }
	lq := tabby.ListQuery{Limit: 20}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 20 {
			bad("failed to decode request: limit must be a whole number from 1 to 20")
			return
		}
		lq.Limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			bad("failed to decode request: offset must be a whole number, 0 or more")
			return
		}
		lq.Offset = n
	}
	filter, ok := listStatuses[strings.ToLower(q.Get("status"))]
	if !ok {
		bad("failed to decode request: status must be one of authorized, closed, rejected, expired, created, new, captured, refunded, cancelled")
		return
	}
	lq.Filter = filter
	for _, f := range []struct {
		name string
		set  func(time.Time)
	}{
		{"created_at__gte", func(t time.Time) { lq.CreatedFrom = t }},
		{"created_at__lte", func(t time.Time) { lq.CreatedBefore = t.Add(24 * time.Hour) }},
	} {
		v := q.Get(f.name)
		if v == "" {
			continue
		}
		t, ok := a.listDate(c, f.name, v)
		if !ok {
			bad("failed to decode request: " + f.name + " must be a date such as 2025-03-01")
			return
		}
		f.set(t)
	}
	ps, total, err := a.Service.List(c.r.Context(), c.merchant, lq)
	if err != nil {
		a.fail(c.w, c.r, err)
		return
	}
	out := tabby.ListJSON{Payments: make([]tabby.PaymentJSON, 0, len(ps)),
		Pagination: tabby.Pagination{Limit: lq.Limit, Offset: lq.Offset, TotalCount: total}}
	for _, p := range ps {
		out.Payments = append(out.Payments, p.JSON())
	}
	a.writeJSON(c.w, c.r, http.StatusOK, &out)
}

func (a *API) listWebhooks(c *call) {
	hooks, err := a.Webhooks.List(c.r.Context(), c.merchant, a.merchantCode(c))
	if err != nil {
		a.fail(c.w, c.r, err)
		return
	}
	a.writeJSON(c.w, c.r, http.StatusOK, hooks)
}

func (a *API) registerWebhook(c *call) {
	if in, ok := decodeBody(a, c, bodyLint{}, decodeWebhook); ok {
		a.answerWebhook(c)(a.Webhooks.Register(c.r.Context(), c.merchant, a.merchantCode(c), in))
	}
}

func (a *API) getWebhook(c *call) {
	a.answerWebhook(c)(a.Webhooks.Get(c.r.Context(), c.merchant, a.merchantCode(c), c.id()))
}

func (a *API) updateWebhook(c *call) {
	if in, ok := decodeBody(a, c, bodyLint{}, decodeWebhook); ok {
		a.answerWebhook(c)(a.Webhooks.Update(c.r.Context(), c.merchant, a.merchantCode(c), c.id(), in))
	}
}

func (a *API) deleteWebhook(c *call) {
	if err := a.Webhooks.Delete(c.r.Context(), c.merchant, a.merchantCode(c), c.id()); err != nil {
		a.fail(c.w, c.r, err)
		return
	}
	a.writeJSON(c.w, c.r, http.StatusOK, map[string]string{"status": "ok"})
}

func (a *API) answerWebhook(c *call) func(*tabby.Webhook, error) {
	return func(h *tabby.Webhook, err error) {
		if err != nil {
			a.fail(c.w, c.r, err)
			return
		}
		a.writeJSON(c.w, c.r, http.StatusOK, h)
	}
}

// writeJSON answers v; a value that cannot be encoded is answered as any
// unexpected error is.
func (a *API) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	if err := httpjson.Write(w, status, v, ""); err != nil {
		a.fail(w, r, fmt.Errorf("encoding the answer: %w", err))
	}
}
