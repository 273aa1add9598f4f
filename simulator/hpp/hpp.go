// Package hpp is Tabby's hosted payment page as the simulator serves it: the
// page a session's web_url opens, where the customer confirms a phone
// number, types the OTP and pays, cancels or closes the tab. Every step
// drives the tabby domain; the page itself keeps no state. The Onerway
// gateway's cashier page (Cashier) leads to it.
package hpp

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/gorilla/mux"

	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/tabby"
)

//go:embed templates/*.html
var templateFS embed.FS

var pages = map[string]*template.Template{
	"checkout": parsePage("checkout"),
	"notice":   parsePage("notice"),
	"cashier":  parsePage("cashier"),
}

func parsePage(name string) *template.Template {
	return template.Must(template.New(name).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
}

// maxForm bounds a form body: the largest real one is a phone number and a
// code.
const maxForm = 16 << 10

// maxEcho bounds the phone number echoed back into the page.
const maxEcho = 64

// Steps of the checkout page.
const (
	stepPhone = "phone"
	stepOTP   = "otp"
	stepPay   = "pay"
)

// Pages serves the hosted payment page of every checkout session.
type Pages struct {
	Service *tabby.Service
}

// Register mounts GET /hpp/{session} and the POST form endpoints under
// /hpp/{session}/... on r.
func (p *Pages) Register(r *mux.Router) {
	// Methods are checked in the handlers so a wrong one gets a page too.
	r.HandleFunc("/hpp/{session}", p.show)
	r.HandleFunc("/hpp/{session}/{step}", p.post)
}

// view is what the templates render.
type view struct {
	Lang, Dir string
	T         *text
	Heading   string
	Summary   *summary

	// Checkout page.
	Step, Phone, Error string
	Base               string // path of the session's page, for form actions

	// Notice page.
	Message []string
}

type summary struct {
	MerchantCode, Amount, Currency, Reference, Name, Email string
	Items                                                  []line
}

type line struct {
	Title    string
	Quantity int
	Price    string
}

func newView(lang string) *view {
	v := &view{}
	v.Lang, v.Dir, v.T = language(lang)
	return v
}

// paymentView is a view of pay's page with its order summary.
func paymentView(pay *tabby.Payment) *view {
	v := newView(pay.Lang)
	s := &summary{
		MerchantCode: pay.MerchantCode, Amount: pay.Amount.Format(pay.Currency), Currency: pay.Currency,
		Reference: pay.Order.ReferenceID, Name: pay.Buyer.Name, Email: pay.Buyer.Email,
	}
	for _, it := range pay.Order.Items {
		price := it.UnitPrice
		if a, err := money.Parse(it.UnitPrice, pay.Currency); err == nil {
			price = a.Format(pay.Currency) + " " + pay.Currency
		}
		s.Items = append(s.Items, line{Title: it.Title, Quantity: it.Quantity, Price: price})
	}
	v.Summary = s
	v.Base = "/hpp/" + url.PathEscape(pay.SessionID)
	return v
}

// show serves GET /hpp/{session}.
func (p *Pages) show(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		methodNotAllowed(w, "GET, HEAD")
		return
	}
	pay, err := p.Service.SessionAnyMerchant(r.Context(), mux.Vars(r)["session"])
	if err != nil {
		p.fail(w, r, nil, err)
		return
	}
	if v, err := p.finished(pay); err != nil || v != nil {
		p.answerFinished(w, r, http.StatusOK, v, err)
		return
	}
	step := stepPhone
	if pay.OTPVerified {
		step = stepPay
	}
	p.checkout(w, http.StatusOK, pay, step, pay.Buyer.Phone, "")
}

// post serves the form endpoints POST /hpp/{session}/{step}.
func (p *Pages) post(w http.ResponseWriter, r *http.Request) {
	step := mux.Vars(r)["step"]
	switch step {
	case "phone", "otp", "pay", "close-tab", "cancel":
	default:
		notFound(w, newView(""))
		return
	}
	switch r.Method {
	case http.MethodPost:
	case http.MethodGet, http.MethodHead:
		// A reload of a step's answer goes back to the checkout as it stands.
		http.Redirect(w, r, "/hpp/"+url.PathEscape(mux.Vars(r)["session"]), http.StatusSeeOther)
		return
	default:
		methodNotAllowed(w, "POST")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	ctx := r.Context()
	pay, err := p.Service.SessionAnyMerchant(ctx, mux.Vars(r)["session"])
	if err != nil {
		p.fail(w, r, nil, err)
		return
	}
	if err := r.ParseForm(); err != nil {
		v := paymentView(pay)
		v.Heading, v.Message = v.T.ErrorTitle, []string{v.T.BadRequest}
		render(w, http.StatusBadRequest, "notice", v)
		return
	}
	if v, err := p.finished(pay); err != nil || v != nil {
		p.answerFinished(w, r, http.StatusConflict, v, err)
		return
	}
	t := paymentView(pay).T
	phone := formPhone(r, pay)

	switch step {
	case "phone":
		if pay.OTPVerified {
			p.checkout(w, http.StatusOK, pay, stepPay, "", "")
			return
		}
		if strings.TrimSpace(r.PostForm.Get("phone")) == "" {
			p.checkout(w, http.StatusOK, pay, stepPhone, "", t.PhoneRequired)
			return
		}
		p.checkout(w, http.StatusOK, pay, stepOTP, phone, "")

	case "otp":
		verified, err := p.Service.VerifyOTP(ctx, pay.ID, strings.TrimSpace(r.PostForm.Get("code")))
		if apperr.CodeOf(err) == apperr.Invalid {
			// The only input VerifyOTP judges is the code.
			p.checkout(w, http.StatusOK, pay, stepOTP, phone, t.WrongCode)
			return
		}
		if err != nil {
			p.fail(w, r, pay, err)
			return
		}
		p.checkout(w, http.StatusOK, verified, stepPay, "", "")

	case "pay", "close-tab":
		if !pay.OTPVerified {
			p.checkout(w, http.StatusConflict, pay, stepOTP, phone, t.CodeFirst)
			return
		}
		action := tabby.Approve
		if step == "close-tab" {
			action = tabby.ApproveWithoutRedirect
		}
		p.act(w, r, pay, action)

	case "cancel":
		p.act(w, r, pay, tabby.Cancel)
	}
}

// formPhone is the phone number the customer typed, or the buyer's.
func formPhone(r *http.Request, pay *tabby.Payment) string {
	phone := strings.TrimSpace(r.PostForm.Get("phone"))
	if phone == "" || !utf8.ValidString(phone) {
		return pay.Buyer.Phone
	}
	if len(phone) > maxEcho {
		phone = phone[:maxEcho]
		for !utf8.ValidString(phone) {
			phone = phone[:len(phone)-1]
		}
	}
	return phone
}

// act does what the customer chose and sends the browser where Tabby would.
func (p *Pages) act(w http.ResponseWriter, r *http.Request, pay *tabby.Payment, a tabby.Action) {
	done, redirect, err := p.Service.Act(r.Context(), pay.ID, a)
	if err != nil {
		p.fail(w, r, pay, err)
		return
	}
	if redirect != "" {
		http.Redirect(w, r, redirect, http.StatusSeeOther)
		return
	}
	v := paymentView(done)
	t := v.T
	switch done.Status {
	case tabby.Authorized, tabby.Closed:
		v.Heading = t.Done
		if a == tabby.ApproveWithoutRedirect {
			v.Message = []string{t.CloseTab}
		} else {
			v.Message = []string{t.Authorized, t.BackToShop}
		}
	case tabby.Rejected:
		v.Heading, v.Message = t.Declined, []string{t.Rejected, t.BackToShop}
	default:
		v.Heading, v.Message = t.Cancelled, []string{t.BackToShop}
	}
	render(w, http.StatusOK, "notice", v)
}

// finished returns the page of a session the customer can no longer act
// on, or nil while the checkout is open. It fails when the payment's
// merchant is gone (tenant.ErrNotFound).
func (p *Pages) finished(pay *tabby.Payment) (*view, error) {
	now, err := p.Service.Now(pay.Merchant)
	if err != nil {
		return nil, err
	}
	v := paymentView(pay)
	t := v.T
	switch {
	case pay.RejectionReason != "":
		reason := t.ReasonNotAvailable
		switch pay.RejectionReason {
		case tabby.RejectTooHigh:
			reason = t.ReasonTooHigh
		case tabby.RejectTooLow:
			reason = t.ReasonTooLow
		}
		v.Heading, v.Message = t.Unavailable, []string{reason}
	case pay.Status == tabby.Authorized:
		v.Heading = t.AlreadyAuthorized
	case pay.Status == tabby.Closed:
		v.Heading = t.AlreadyClosed
	case pay.Status == tabby.Rejected:
		v.Heading = t.Declined
	case pay.Status == tabby.Expired && cancelledByCustomer(pay):
		v.Heading = t.Cancelled
	case pay.SessionStatus(now) == "expired":
		v.Heading = t.Expired
	default:
		return nil, nil
	}
	return v, nil
}

// answerFinished renders what finished returned.
func (p *Pages) answerFinished(w http.ResponseWriter, r *http.Request, status int, v *view, err error) {
	if err != nil {
		p.fail(w, r, nil, err)
		return
	}
	render(w, status, "notice", v)
}

// cancelledByCustomer tells a cancelled checkout from a timed-out one: both
// leave the payment EXPIRED.
func cancelledByCustomer(pay *tabby.Payment) bool {
	n := len(pay.History)
	return n > 0 && pay.History[n-1].By == tabby.ByCustomer
}

// checkout renders the checkout page at step.
func (p *Pages) checkout(w http.ResponseWriter, status int, pay *tabby.Payment, step, phone, errMsg string) {
	v := paymentView(pay)
	v.Heading, v.Step, v.Phone, v.Error = v.T.Title, step, phone, errMsg
	render(w, status, "checkout", v)
}

// fail renders the page for an error of the domain; pay is the payment the
// request was about, nil when it was not found.
func (p *Pages) fail(w http.ResponseWriter, r *http.Request, pay *tabby.Payment, err error) {
	lang := ""
	if pay != nil {
		lang = pay.Lang
	}
	switch apperr.CodeOf(err) {
	case apperr.NotFound:
		// No such session, or its merchant went away in a reset.
		notFound(w, newView(lang))
		return
	case apperr.Conflict:
		// Someone else finished the checkout first (another tab, a
		// timeout): show the state it is in now.
		if pay != nil {
			cur, err := p.Service.SessionAnyMerchant(r.Context(), pay.SessionID)
			if err != nil {
				p.fail(w, r, pay, err) // gone since, in a reset
				return
			}
			v, err := p.finished(cur)
			if err != nil || v != nil {
				p.answerFinished(w, r, http.StatusConflict, v, err)
				return
			}
		}
	case apperr.Invalid:
		v := newView(lang)
		v.Heading, v.Message = v.T.ErrorTitle, []string{v.T.BadRequest}
		render(w, http.StatusBadRequest, "notice", v)
		return
	}
	if errors.Is(err, context.Canceled) {
		// The customer went away.
		notFound(w, newView(lang))
		return
	}
	slog.Error("hosted page failed", "method", r.Method, "path", r.URL.Path, "err", err)
	v := newView(lang)
	v.Heading, v.Message = v.T.ErrorTitle, []string{v.T.Internal}
	render(w, http.StatusInternalServerError, "notice", v)
}

func notFound(w http.ResponseWriter, v *view) {
	v.Heading, v.Message = v.T.NotFoundTitle, []string{v.T.NotFound}
	render(w, http.StatusNotFound, "notice", v)
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	v := newView("")
	v.Heading, v.Message = v.T.ErrorTitle, []string{v.T.MethodNotAllowed}
	render(w, http.StatusMethodNotAllowed, "notice", v)
}

// render writes page name with v, a *view or a *cashierView, in full or,
// if the template fails, a plain 500.
func render(w http.ResponseWriter, status int, name string, v any) {
	var buf bytes.Buffer
	if err := pages[name].ExecuteTemplate(&buf, "layout", v); err != nil {
		slog.Error("hosted page template failed", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	// No scripts, no outside resources; form-action is left open because
	// the answers to the forms redirect to the merchant.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
