// Package tabbyapi serves the Tabby lifecycle over HTTP in Tabby's own wire
// format: its paths, its error envelope, its status codes and messages.
package tabbyapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/gorilla/mux"

	"github.com/tabbysim/tabbysim/simulator/internal/httpjson"
	"github.com/tabbysim/tabbysim/simulator/journal"
	"github.com/tabbysim/tabbysim/simulator/tabby"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// maxBody bounds request bodies; Tabby's strings are at most 255 characters
// and orders are small.
const maxBody = 1 << 20

// API serves Tabby's merchant API.
type API struct {
	Service   *tabby.Service
	Webhooks  *tabby.Webhooks
	Merchants *tenant.Registry
	// HostedPageURL returns the hosted payment page of a session.
	HostedPageURL func(sessionID string) string
	Log           *slog.Logger
}

// Register mounts the API's routes on r.
func (a *API) Register(r *mux.Router) {
	r.HandleFunc("/api/v2/checkout", a.auth(true, a.createSession)).Methods(http.MethodPost)
	r.HandleFunc("/api/v2/checkout/{id}", a.auth(false, a.getSession)).Methods(http.MethodGet)
	r.HandleFunc("/api/v2/checkout/{id}/cancel", a.auth(false, a.cancelSession)).Methods(http.MethodPost)
	for _, v := range []string{"v1", "v2"} {
		p := "/api/" + v + "/payments"
		r.HandleFunc(p, a.auth(false, a.listPayments)).Methods(http.MethodGet)
		r.HandleFunc(p+"/{id}", a.auth(false, a.payment(a.getPayment))).Methods(http.MethodGet)
		r.HandleFunc(p+"/{id}", a.auth(false, a.payment(a.updatePayment))).Methods(http.MethodPut)
		r.HandleFunc(p+"/{id}/captures", a.auth(false, a.payment(a.capture))).Methods(http.MethodPost)
		r.HandleFunc(p+"/{id}/refunds", a.auth(false, a.payment(a.refund))).Methods(http.MethodPost)
		r.HandleFunc(p+"/{id}/close", a.auth(false, a.payment(a.closePayment))).Methods(http.MethodPost)
	}
	r.HandleFunc("/api/v1/webhooks", a.auth(false, a.listWebhooks)).Methods(http.MethodGet)
	r.HandleFunc("/api/v1/webhooks", a.auth(false, a.registerWebhook)).Methods(http.MethodPost)
	r.HandleFunc("/api/v1/webhooks/{id}", a.auth(false, a.getWebhook)).Methods(http.MethodGet)
	r.HandleFunc("/api/v1/webhooks/{id}", a.auth(false, a.updateWebhook)).Methods(http.MethodPut)
	r.HandleFunc("/api/v1/webhooks/{id}", a.auth(false, a.deleteWebhook)).Methods(http.MethodDelete)
}

// call is one authenticated request.
type call struct {
	w        http.ResponseWriter
	r        *http.Request
	merchant *tenant.Merchant
	isTest   bool
}

type handler func(c *call)

// auth resolves the bearer key to a merchant. Only create-session accepts a
// public key, as Tabby's shipped SDKs use it there (tabby-api.md §1.2).
func (a *API) auth(publicKeyOK bool, next handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			a.writeError(w, r, http.StatusUnauthorized, "not_authorized", "missing Bearer scheme")
			return
		}
		kind := tenant.TabbyKey(key)
		m, err := a.Merchants.ByCredential(r.Context(), kind, key)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		journal.SetMerchant(r.Context(), m.ID)
		if kind != tenant.TabbySecretKey && !publicKeyOK {
			a.writeError(w, r, http.StatusUnauthorized, "not_authorized", "invalid secret key")
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
			a.writeError(c.w, c.r, http.StatusBadRequest, "bad_data", "invalid payment id")
			return
		}
		next(c)
	}
}

func (c *call) id() string { return mux.Vars(c.r)["id"] }

// decodeBody reads the bounded request body and decodes it with decode,
// answering the error itself when it cannot.
func decodeBody[T any](a *API, c *call, decode func([]byte) (T, error)) (T, bool) {
	var zero T
	b, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, maxBody))
	if err != nil {
		a.writeError(c.w, c.r, http.StatusBadRequest, "bad_data", "could not decode request: the body is larger than 1 MiB or was cut off")
		return zero, false
	}
	v, err := decode(b)
	if err != nil {
		a.domainError(c, err)
		return zero, false
	}
	return v, true
}

func (a *API) createSession(c *call) {
	if req, ok := decodeBody(a, c, tabby.DecodeCheckout); ok {
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
			a.domainError(c, err)
			return
		}
		now, err := a.Service.Now(c.merchant.ID)
		if err != nil {
			a.domainError(c, err)
			return
		}
		a.writeJSON(c.w, c.r, http.StatusOK, p.SessionJSON(now, a.HostedPageURL(p.SessionID)))
	}
}

func (a *API) getPayment(c *call) {
	a.answerPayment(c)(a.Service.Payment(c.r.Context(), c.merchant, c.id()))
}

func (a *API) updatePayment(c *call) {
	if ref, ok := decodeBody(a, c, tabby.DecodeUpdate); ok {
		a.answerPayment(c)(a.Service.UpdateReference(c.r.Context(), c.merchant, c.id(), ref))
	}
}

func (a *API) capture(c *call) {
	if req, ok := decodeBody(a, c, tabby.DecodeCapture); ok {
		a.answerPayment(c)(a.Service.Capture(c.r.Context(), c.merchant, c.id(), req))
	}
}

func (a *API) refund(c *call) {
	if req, ok := decodeBody(a, c, tabby.DecodeRefund); ok {
		a.answerPayment(c)(a.Service.Refund(c.r.Context(), c.merchant, c.id(), req))
	}
}

func (a *API) closePayment(c *call) {
	a.answerPayment(c)(a.Service.Close(c.r.Context(), c.merchant, c.id()))
}

func (a *API) answerPayment(c *call) func(*tabby.Payment, error) {
	return func(p *tabby.Payment, err error) {
		if err != nil {
			a.domainError(c, err)
			return
		}
		a.writeJSON(c.w, c.r, http.StatusOK, p.JSON())
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
	bad := func(msg string) { a.writeError(c.w, c.r, http.StatusBadRequest, "bad_data", msg) }
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
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			bad("failed to decode request: " + f.name + " must be a date such as 2025-03-01")
			return
		}
		f.set(t)
	}
	ps, total, err := a.Service.List(c.r.Context(), c.merchant, lq)
	if err != nil {
		a.domainError(c, err)
		return
	}
	out := make([]tabby.PaymentJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.JSON())
	}
	a.writeJSON(c.w, c.r, http.StatusOK, map[string]any{
		"payments":   out,
		"pagination": map[string]int{"limit": lq.Limit, "offset": lq.Offset, "total_count": total},
	})
}

func (c *call) merchantCode() string { return c.r.Header.Get("X-Merchant-Code") }

func (a *API) listWebhooks(c *call) {
	hooks, err := a.Webhooks.List(c.r.Context(), c.merchant, c.merchantCode())
	if err != nil {
		a.domainError(c, err)
		return
	}
	a.writeJSON(c.w, c.r, http.StatusOK, hooks)
}

func (a *API) registerWebhook(c *call) {
	if in, ok := decodeBody(a, c, tabby.DecodeWebhook); ok {
		a.answerWebhook(c)(a.Webhooks.Register(c.r.Context(), c.merchant, c.merchantCode(), in))
	}
}

func (a *API) getWebhook(c *call) {
	a.answerWebhook(c)(a.Webhooks.Get(c.r.Context(), c.merchant, c.merchantCode(), c.id()))
}

func (a *API) updateWebhook(c *call) {
	if in, ok := decodeBody(a, c, tabby.DecodeWebhook); ok {
		a.answerWebhook(c)(a.Webhooks.Update(c.r.Context(), c.merchant, c.merchantCode(), c.id(), in))
	}
}

func (a *API) deleteWebhook(c *call) {
	if err := a.Webhooks.Delete(c.r.Context(), c.merchant, c.merchantCode(), c.id()); err != nil {
		a.domainError(c, err)
		return
	}
	a.writeJSON(c.w, c.r, http.StatusOK, map[string]string{"status": "ok"})
}

func (a *API) answerWebhook(c *call) func(*tabby.Webhook, error) {
	return func(h *tabby.Webhook, err error) {
		if err != nil {
			a.domainError(c, err)
			return
		}
		a.writeJSON(c.w, c.r, http.StatusOK, h)
	}
}

// statusOf maps domain error codes to Tabby's status and errorType.
var statusOf = map[tabby.Code]struct {
	status    int
	errorType string
}{
	tabby.Invalid:      {http.StatusBadRequest, "bad_data"},
	tabby.NotFound:     {http.StatusNotFound, "not_found"},
	tabby.Unauthorized: {http.StatusUnauthorized, "not_authorized"},
	tabby.Conflict:     {http.StatusConflict, "conflict"},
}

func (a *API) domainError(c *call, err error) {
	if s, ok := statusOf[tabby.ErrorCode(err)]; ok {
		a.writeError(c.w, c.r, s.status, s.errorType, err.Error())
		return
	}
	a.fail(c.w, c.r, err)
}

// fail answers an error the domain's codes do not cover. An unknown
// merchant, whether no merchant has the key or a reset removed the merchant
// while its request was on the way, is answered as Tabby answers an unknown
// key; anything else as Tabby answers an unexpected error, in plain text,
// and is logged.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, tenant.ErrNotFound) {
		a.writeError(w, r, http.StatusUnauthorized, "not_authorized", "auth: provided key doesn't exist")
		return
	}
	if errors.Is(err, context.Canceled) {
		return
	}
	if a.Log != nil {
		a.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = io.WriteString(w, "Internal Server error")
}

// errorJSON is Tabby's error envelope, fields in Tabby's order.
type errorJSON struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
}

// writeError writes Tabby's error envelope.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, status int, errorType, msg string) {
	a.writeJSON(w, r, status, errorJSON{Status: "error", ErrorType: errorType, Error: msg})
}

// writeJSON answers v; a value that cannot be encoded is answered as any
// unexpected error is.
func (a *API) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	if err := httpjson.Write(w, status, v, ""); err != nil {
		a.fail(w, r, fmt.Errorf("encoding the answer: %w", err))
	}
}
