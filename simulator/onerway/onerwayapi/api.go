package onerwayapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/internal/surface"
	gateway "github.com/tabbysim/tabbysim/simulator/onerway"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// API serves the gateway's endpoints for Tabby under /v1.
type API struct {
	Service   *gateway.Service
	Merchants *tenant.Registry
	// Log receives the errors answered as a system exception and the lint
	// warnings of accepted requests; nil discards them.
	Log *slog.Logger
}

// Register mounts the API under /v1 on r. A request it serves passes
// through front (outermost first), which may rely on its route being
// matched and named, then the gateway's own panic guard, then the handler.
func (a *API) Register(r *mux.Router, front ...mux.MiddlewareFunc) {
	s := surface.Mount(r, "/v1", answers{}, a.Log, front...)
	route := func(op surface.Operation, path string, serve endpoint) {
		s.HandleFunc(path, a.handle(serve)).Methods(http.MethodPost).Name(string(op))
	}
	route(OpDoTransaction, onerway.PathDoTransaction, a.doTransaction)
	route(OpList, onerway.PathList, a.list)
	route(OpRefund, onerway.PathRefund, a.refund)
	route(OpCancel, onerway.PathCancel, a.cancel)
	route(OpLogistics, onerway.PathLogisticsUpload, a.logistics)
}

// endpoint serves one request of merchant m, read but not yet decoded.
type endpoint func(ctx context.Context, req *Request, m *tenant.Merchant) (Answer, error)

// handle reads a request, finds its merchant by merchantNo and lets serve
// answer it; every refusal is answered in Onerway's envelope.
func (a *API) handle(serve endpoint) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req, err := ReadRequest(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		m, err := a.Merchants.ByCredential(r.Context(), tenant.OnerwayMerchantNo, req.MerchantNo)
		if err != nil {
			a.fail(w, r, a.refusal(err, req))
			return
		}
		answer, err := serve(r.Context(), req, m)
		for _, warning := range req.Warnings {
			a.log(slog.LevelWarn, "lint warning", "path", r.URL.Path, "merchant", m.ID,
				"rule", warning.Rule, "message", warning.Message, "source", warning.Source)
		}
		if err != nil {
			a.fail(w, r, a.refusal(err, req))
			return
		}
		Write(w, answer)
	}
}

// refusal words an error of the gateway's domain as the answer's *Error;
// what it does not know stays as it is, a system exception.
func (a *API) refusal(err error, req *Request) error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, tenant.ErrNotFound):
		// No merchant has the merchantNo, or a reset removed it since.
		return UnknownMerchant(req.MerchantNo)
	case errors.Is(err, gateway.ErrDuplicate):
		id, _ := text(req.fields, "", "merchantTxnId")
		return DuplicateMerchantTxnID(id)
	case errors.Is(err, gateway.ErrCurrency):
		return refuse(CodeCurrency, "orderCurrency", "orderCurrency: %v", err)
	case apperr.CodeOf(err) == apperr.Invalid:
		return refuse(CodeInvalid, "", "%v", err)
	}
	return err
}

// fail answers err, logging what is answered as a system exception.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	if ErrorCode(err) == CodeSystemError && !errors.Is(err, context.Canceled) {
		a.log(slog.LevelError, "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	Write(w, Failure(err))
}

func (a *API) log(level slog.Level, msg string, args ...any) {
	if a.Log != nil {
		a.Log.Log(context.Background(), level, "onerway: "+msg, args...)
	}
}

// merchant is what m's requests are checked against.
func merchant(m *tenant.Merchant) Merchant {
	limits := make(map[string]Limit, len(m.Settings.Onerway.Limits))
	for currency, l := range m.Settings.Onerway.Limits {
		limits[currency] = Limit{Min: l.Min, Max: l.Max}
	}
	return Merchant{SecretKey: m.Onerway.SecretKey, Limits: limits}
}

// doTransaction makes a Tabby payment: R with the cashier page as
// redirectUrl, or, when Tabby rejected the customer at pre-scoring, the
// declined transaction (F) under its reason's code.
func (a *API) doTransaction(ctx context.Context, req *Request, m *tenant.Merchant) (Answer, error) {
	sale, err := DecodeTransaction(req, merchant(m))
	if err != nil {
		return Answer{}, err
	}
	t, err := a.Service.DoTransaction(ctx, m, sale)
	if err != nil {
		return Answer{}, err
	}
	if t.Status == onerway.StatusFailed {
		return DeclineAnswer(Decline{
			TransactionID: t.ID, TxnTime: t.CreatedAt, ResponseTime: t.UpdatedAt,
			OrderAmount: t.Amount, OrderCurrency: t.Currency, Reason: *t.Reason,
		}, m.Onerway.SecretKey)
	}
	return RedirectAnswer(Redirect{
		TransactionID: t.ID, TxnTime: t.CreatedAt, ResponseTime: t.UpdatedAt,
		OrderAmount: t.Amount, OrderCurrency: t.Currency, RedirectURL: a.Service.CashierURL(t.ID),
	}, m.Onerway.SecretKey)
}

// list answers a page of the merchant's transactions.
func (a *API) list(ctx context.Context, req *Request, m *tenant.Merchant) (Answer, error) {
	q, err := DecodeList(req, merchant(m))
	if err != nil {
		return Answer{}, err
	}
	ts, err := a.Service.List(ctx, m, q.Query)
	if err != nil {
		return Answer{}, err
	}
	infos := make([]onerway.Transaction, len(ts))
	for i, t := range ts {
		infos[i] = txnInfo(t)
	}
	return PageAnswer(infos, q.Page)
}

// answers are the gateway's answers to the requests its handlers never
// see, in its envelope on HTTP 200 as every Onerway answer.
type answers struct{}

func (answers) NotFound(w http.ResponseWriter, r *http.Request) {
	Write(w, Failure(refuse(CodeNoEndpoint, "", "%s %s is not an endpoint of the gateway", r.Method, r.URL.Path)))
}

func (answers) MethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	Write(w, Failure(refuse(CodeNoEndpoint, "", "%s %s: the gateway's endpoints take POST", r.Method, r.URL.Path)))
}

func (answers) Internal(w http.ResponseWriter, r *http.Request) {
	Write(w, Failure(errors.New("the handler panicked")))
}
