package hpp

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/gorilla/mux"

	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/onerway"
)

// Cashier is the Onerway gateway's cashier page, where a transaction's
// redirectUrl leads: it shows the order and takes the customer on to
// Tabby's hosted page underneath. Tabby's page sends the customer back to
// the cashier's return handler, which sends them on to the merchant's
// returnUrl with transactionId, status and merchantTxnId. Like the hosted
// page, it keeps no state of its own.
type Cashier struct {
	Gateway *onerway.Service
}

// CashierPath is the cashier page of transaction id; ReturnPath is where
// Tabby's page sends the customer back to the gateway.
func CashierPath(id string) string { return "/onerway/cashier/" + url.PathEscape(id) }

// ReturnPath is the gateway's return handler of transaction id.
func ReturnPath(id string) string { return CashierPath(id) + "/return" }

// Register mounts GET /onerway/cashier/{id} and its return handler
// GET /onerway/cashier/{id}/return on r.
func (c *Cashier) Register(r *mux.Router) {
	// Methods are checked in the handlers so a wrong one gets a page too.
	r.HandleFunc("/onerway/cashier/{id}", c.show)
	r.HandleFunc("/onerway/cashier/{id}/return", c.back)
}

// cashierView is what the cashier template renders; the layout reads Lang,
// Dir, Heading, T.Brand and T.Sandbox.
type cashierView struct {
	Lang, Dir string
	T         *cashierText
	Heading   string
	Message   []string

	Amount, Shop, Reference string
	Items                   []product
	// PayURL is Tabby's page, while the customer can still pay.
	PayURL string
	// ReturnURL is the merchant's page, once the payment is final.
	ReturnURL string
}

type product struct {
	Title, Num, Price string
}

func newCashierView(lang string) *cashierView {
	v := &cashierView{}
	v.Lang, v.Dir, v.T = cashierLanguage(lang)
	return v
}

// transactionView is the cashier page of transaction t as it stands.
func transactionView(t *onerway.Transaction) *cashierView {
	o := t.Order
	v := newCashierView(o.Lang())
	v.Amount = t.Amount.Format(t.Currency) + " " + t.Currency
	v.Shop, v.Reference = o.CustomerPlatform, t.MerchantTxnID
	for _, p := range o.Products {
		v.Items = append(v.Items, product{Title: p.Name, Num: p.Num, Price: p.Price + " " + p.Currency})
	}
	switch t.Status {
	case ow.StatusSuccess:
		v.Heading, v.Message = v.T.Succeeded, []string{v.T.Paid}
	case ow.StatusFailed:
		v.Heading, v.Message = v.T.Failed, []string{v.T.reason(t.Reason)}
	default:
		v.Heading = v.T.Title
		v.PayURL = "/hpp/" + url.PathEscape(t.TabbySessionID)
		return v
	}
	v.ReturnURL, _ = t.MerchantReturnURL() // checked when the request was
	return v
}

// show serves GET /onerway/cashier/{id}.
func (c *Cashier) show(w http.ResponseWriter, r *http.Request) {
	t, ok := c.transaction(w, r)
	if !ok {
		return
	}
	render(w, http.StatusOK, "cashier", transactionView(t))
}

// back serves GET /onerway/cashier/{id}/return, where Tabby's page sends
// the customer: on to the merchant's returnUrl, with the transaction's
// status as the gateway knows it, S or F once Tabby decided.
func (c *Cashier) back(w http.ResponseWriter, r *http.Request) {
	t, ok := c.transaction(w, r)
	if !ok {
		return
	}
	to, err := t.MerchantReturnURL()
	if err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// transaction reads the request's transaction, answering the request
// itself when it cannot.
func (c *Cashier) transaction(w http.ResponseWriter, r *http.Request) (*onerway.Transaction, bool) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		v := newCashierView("")
		v.Heading, v.Message = v.T.ErrorTitle, []string{v.T.MethodNotAllowed}
		render(w, http.StatusMethodNotAllowed, "cashier", v)
		return nil, false
	}
	t, err := c.Gateway.TransactionAnyMerchant(r.Context(), mux.Vars(r)["id"])
	if err == nil && t.Order == nil {
		err = onerway.ErrNoSuchTransaction // not a payment: no page
	}
	if err != nil {
		c.fail(w, r, err)
		return nil, false
	}
	return t, true
}

// fail renders the page for an error of the gateway.
func (c *Cashier) fail(w http.ResponseWriter, r *http.Request, err error) {
	v := newCashierView("")
	if apperr.CodeOf(err) == apperr.NotFound || errors.Is(err, context.Canceled) {
		v.Heading, v.Message = v.T.NotFoundTitle, []string{v.T.NotFound}
		render(w, http.StatusNotFound, "cashier", v)
		return
	}
	slog.Error("cashier page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	v.Heading, v.Message = v.T.ErrorTitle, []string{v.T.Internal}
	render(w, http.StatusInternalServerError, "cashier", v)
}
