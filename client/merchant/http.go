package merchant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/client/tabby"
)

// Handler serves the shop's API:
//
//	POST /checkout              start a checkout; answers the hosted page URL
//	GET  /orders/{id}           an order
//	POST /orders/{id}/cancel    cancel an order not yet captured
//	POST /orders/{id}/refund    refund part or all of what was captured
//	GET  /return/{kind}         the browser back from Tabby (success, cancel, failure)
//	POST /webhooks/tabby        Tabby's webhooks
//	POST /admin/reconcile       poll the open payments now (async-reconcile: start it, 202)
//	GET  /healthz               ready: 200 once the webhooks are registered
//
// The Onerway mode serves its own API (see onerway_http.go).
func (m *Merchant) Handler() http.Handler {
	if m.ow != nil {
		return m.ow.handler()
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /checkout", m.checkout)
	mux.HandleFunc("GET /orders/{id}", m.getOrder)
	mux.HandleFunc("POST /orders/{id}/cancel", m.cancelOrder)
	mux.HandleFunc("POST /orders/{id}/refund", m.refundOrder)
	mux.HandleFunc("GET /return/{kind}", m.returned)
	mux.HandleFunc("POST "+WebhookPath, m.webhook)
	mux.HandleFunc("POST /admin/reconcile", m.reconcile)
	mux.HandleFunc("GET /healthz", m.healthz)
	return mux
}

// healthz answers 200 only once Start registered the webhooks: a harness
// that waits for it never sends the shop a payment Tabby could not notify
// it of. Until then it answers 503.
func (m *Merchant) healthz(w http.ResponseWriter, r *http.Request) {
	m.startMu.Lock()
	started := m.webhookIDs != nil
	m.startMu.Unlock()
	if !started {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "starting"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// OrderJSON is an order as the shop's API shows it. Amounts are decimal
// strings in the order's currency.
type OrderJSON struct {
	OrderID         string `json:"order_id"`
	Status          string `json:"status"`
	PaymentID       string `json:"payment_id"`
	Amount          string `json:"amount"`
	Currency        string `json:"currency"`
	Captured        string `json:"captured"`
	Refunded        string `json:"refunded"`
	RejectionReason string `json:"rejection_reason,omitempty"`
}

// json renders the order; o.mu is held.
func (o *order) json() OrderJSON {
	return OrderJSON{
		OrderID: o.id, Status: o.status, PaymentID: o.paymentID,
		Amount: o.amount.Format(o.currency), Currency: o.currency,
		Captured: o.captured.Format(o.currency), Refunded: o.refunded.Format(o.currency),
		RejectionReason: o.rejectionReason,
	}
}

// CheckoutRequest is the body of POST /checkout.
type CheckoutRequest struct {
	Amount      string         `json:"amount"`
	Currency    string         `json:"currency"`
	Description string         `json:"description,omitempty"`
	Buyer       CheckoutBuyer  `json:"buyer"`
	Items       []CheckoutItem `json:"items"`
	Lang        string         `json:"lang,omitempty"`
}

// CheckoutBuyer is the customer.
type CheckoutBuyer struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
	DOB   string `json:"dob,omitempty"`
}

// CheckoutItem is one line of the cart. InStock false means the item will
// not ship, so it is not captured.
type CheckoutItem struct {
	ReferenceID string `json:"reference_id,omitempty"`
	Title       string `json:"title"`
	Quantity    int    `json:"quantity"`
	UnitPrice   string `json:"unit_price"`
	Category    string `json:"category"`
	InStock     *bool  `json:"in_stock,omitempty"`
}

// CheckoutResponse is the answer to POST /checkout. RedirectURL is where
// the browser goes to pay; it is absent when Tabby rejected the customer at
// pre-scoring, and RejectionReason says why.
type CheckoutResponse struct {
	OrderID         string `json:"order_id"`
	Status          string `json:"status"`
	PaymentID       string `json:"payment_id,omitempty"`
	RedirectURL     string `json:"redirect_url,omitempty"`
	RejectionReason string `json:"rejection_reason,omitempty"`
}

// validate checks the request and reads its amounts with read.
func (req *CheckoutRequest) validate(read func(s, currency string) (money.Amount, error)) (money.Amount, []cartItem, error) {
	amount, err := read(req.Amount, req.Currency)
	if err != nil {
		return 0, nil, fmt.Errorf("amount: %v", err)
	}
	if amount <= 0 {
		return 0, nil, errors.New("amount must be greater than zero")
	}
	if strings.TrimSpace(req.Buyer.Email) == "" || strings.TrimSpace(req.Buyer.Phone) == "" {
		return 0, nil, errors.New("buyer.email and buyer.phone are required")
	}
	switch req.Lang {
	case "", "en", "ar":
	default:
		return 0, nil, fmt.Errorf("lang must be en or ar, got %q", req.Lang)
	}
	items := make([]cartItem, 0, len(req.Items))
	for i, it := range req.Items {
		if strings.TrimSpace(it.Title) == "" {
			return 0, nil, fmt.Errorf("items[%d].title is required", i)
		}
		if it.Quantity < 1 {
			return 0, nil, fmt.Errorf("items[%d].quantity must be 1 or more", i)
		}
		unit, err := read(it.UnitPrice, req.Currency)
		if err != nil {
			return 0, nil, fmt.Errorf("items[%d].unit_price: %v", i, err)
		}
		category := it.Category
		if category == "" {
			category = "general"
		}
		items = append(items, cartItem{
			item: tabby.Item{
				ReferenceID: it.ReferenceID, Title: it.Title, Quantity: it.Quantity,
				UnitPrice: unit.Format(req.Currency), Category: category,
			},
			price:   unit * money.Amount(it.Quantity),
			inStock: it.InStock,
		})
	}
	return amount, items, nil
}

func (m *Merchant) checkout(w http.ResponseWriter, r *http.Request) {
	var req CheckoutRequest
	if !decodeBody(w, r, &req) {
		return
	}
	code, ok := m.cfg.MerchantCodes[req.Currency]
	if !ok {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("currency must be one the shop sells in (%s), got %q",
			strings.Join(m.currencies(), ", "), req.Currency))
		return
	}
	amount, items, err := req.validate(m.readAmount)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	o := m.newOrder(req.Currency, amount, items)
	defer o.mu.Unlock()

	back := func(kind string) string {
		return m.cfg.PublicURL + "/return/" + kind + "?order=" + url.QueryEscape(o.id)
	}
	tabbyItems := make([]tabby.Item, len(items))
	for i, it := range items {
		tabbyItems[i] = it.item
	}
	lang := req.Lang
	if lang == "" {
		lang = "en"
	}
	description := req.Description
	if description == "" {
		description = "Order " + o.id
	}
	s, err := m.tabby.CreateSession(r.Context(), &tabby.CheckoutRequest{
		Payment: tabby.PaymentRequest{
			Amount: m.tabbyAmount(amount, req.Currency), Currency: req.Currency, Description: description,
			Buyer: tabby.Buyer{Name: req.Buyer.Name, Email: req.Buyer.Email, Phone: req.Buyer.Phone, DOB: req.Buyer.DOB},
			Order: tabby.Order{ReferenceID: m.orderRef(o), Items: tabbyItems},
			Meta:  map[string]any{"order_id": o.id},
		},
		Lang: lang, MerchantCode: code,
		MerchantURLs: &tabby.MerchantURLs{Success: back("success"), Cancel: back("cancel"), Failure: back("failure")},
	})
	if err != nil {
		o.status = StatusFailed
		m.log.Warn("creating the checkout session", "order", o.id, "err", err)
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error(), "order_id": o.id})
		return
	}
	o.sessionID = s.ID
	o.paymentID = s.Payment.ID
	o.paymentStatus = s.Payment.Status
	if o.paymentID != "" {
		m.mu.Lock()
		m.byPayment[o.paymentID] = o.id
		m.mu.Unlock()
	}
	resp := CheckoutResponse{OrderID: o.id, PaymentID: o.paymentID}
	status := http.StatusOK
	switch {
	case s.Status == "rejected" && !m.has(DefectIgnoresRejection):
		// Pre-scoring said no: hide Tabby and show its reason (§7, §8).
		o.status = StatusFailed
		o.rejectionReason = s.RejectionReason()
		if o.rejectionReason == "" {
			o.rejectionReason = "not_available"
		}
		resp.Status, resp.RejectionReason = StatusFailed, o.rejectionReason
		if m.is(VariantRejectionUnprocessable) {
			status = http.StatusUnprocessableEntity
		}
	default:
		resp.Status, resp.RedirectURL = StatusPending, s.WebURL()
	}
	if m.has(DefectCapturesBeforeAuthorization) && o.paymentID != "" {
		ship, items := o.shipment()
		if _, err := m.tabby.Capture(r.Context(), o.paymentID, tabby.CaptureRequest{
			Amount: m.tabbyAmount(ship, o.currency), ReferenceID: o.captureRef(), Items: items,
		}); err != nil {
			m.log.Warn("early capture refused", "order", o.id, "err", err)
		}
	}
	writeJSON(w, status, resp)
}

func (m *Merchant) getOrder(w http.ResponseWriter, r *http.Request) {
	o := m.lookup(r.PathValue("id"), "")
	if o == nil {
		writeError(w, http.StatusNotFound, "no such order")
		return
	}
	defer o.mu.Unlock()
	writeJSON(w, http.StatusOK, o.json())
}

// cancelOrder cancels an order nothing was captured of: an unfinished
// checkout is cancelled, an authorized payment closed.
func (m *Merchant) cancelOrder(w http.ResponseWriter, r *http.Request) {
	o := m.lookup(r.PathValue("id"), "")
	if o == nil {
		writeError(w, http.StatusNotFound, "no such order")
		return
	}
	defer o.mu.Unlock()
	if o.paymentID == "" || (m.has(DefectCancelWithoutClose) && o.status == StatusPending) {
		o.status = StatusCancelled
		writeJSON(w, http.StatusOK, o.json())
		return
	}
	ctx := r.Context()
	p, err := m.tabby.GetPayment(ctx, o.paymentID)
	if err != nil {
		writeError(w, http.StatusBadGateway, err.Error())
		return
	}
	m.record(o, p)
	switch p.Status {
	case tabby.StatusCreated:
		if _, err := m.tabby.CancelSession(ctx, o.sessionID); err != nil {
			writeError(w, http.StatusBadGateway, err.Error())
			return
		}
		o.paymentStatus = tabby.StatusExpired
		o.status = StatusCancelled
	case tabby.StatusAuthorized, tabby.StatusClosed:
		if o.captured > 0 {
			writeError(w, http.StatusConflict, "the order was captured already: refund it instead")
			return
		}
		if p.Status == tabby.StatusAuthorized && m.is(VariantRefusesCancelWhenPaid) {
			// The customer paid after all: ship the order rather than
			// cancel it.
			if err := m.apply(ctx, o, p, false); err != nil {
				writeError(w, http.StatusBadGateway, err.Error())
				return
			}
			writeError(w, http.StatusConflict, "the payment was authorized: the order is paid and will ship; refund it instead")
			return
		}
		if p.Status == tabby.StatusAuthorized {
			closed, err := m.tabby.Close(ctx, p.ID)
			if tabby.IsAlreadyClosed(err) {
				closed, err = m.tabby.GetPayment(ctx, p.ID)
			}
			if err != nil {
				writeError(w, http.StatusBadGateway, err.Error())
				return
			}
			m.record(o, closed)
			if o.captured > 0 {
				o.settle()
				writeError(w, http.StatusConflict, "the order was captured already: refund it instead")
				return
			}
		}
		o.status = StatusCancelled
	case tabby.StatusExpired:
		o.status = StatusCancelled
	case tabby.StatusRejected:
		o.status = StatusFailed
	}
	writeJSON(w, http.StatusOK, o.json())
}

// refundOrder refunds an amount of what was captured and not yet refunded.
func (m *Merchant) refundOrder(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Amount string `json:"amount"`
		Reason string `json:"reason"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	o := m.lookup(r.PathValue("id"), "")
	if o == nil {
		writeError(w, http.StatusNotFound, "no such order")
		return
	}
	defer o.mu.Unlock()
	amount, err := m.readAmount(req.Amount, o.currency)
	if err != nil || amount <= 0 {
		writeError(w, http.StatusBadRequest, "amount: give a positive decimal amount such as \"30.00\"")
		return
	}
	if o.paymentID == "" {
		writeError(w, http.StatusUnprocessableEntity, "nothing was captured")
		return
	}
	// Start from Tabby's word on what was captured and refunded.
	ctx := r.Context()
	p, err := m.tabby.GetPayment(ctx, o.paymentID)
	if err == nil {
		err = m.apply(ctx, o, p, false)
	}
	if err != nil {
		writeError(w, http.StatusBadGateway, err.Error())
		return
	}
	if o.deleted {
		writeError(w, http.StatusNotFound, "no such order")
		return
	}
	if rest := o.captured - o.refunded; amount > rest && !m.has(DefectRefundsBeyondCaptured) {
		writeError(w, http.StatusUnprocessableEntity, fmt.Sprintf("only %s %s of what was captured is left to refund",
			rest.Format(o.currency), o.currency))
		return
	}
	reason := req.Reason
	if reason == "" {
		reason = "refund requested"
	}
	got, err := m.tabby.Refund(ctx, o.paymentID, tabby.RefundRequest{
		Amount: m.tabbyAmount(amount, o.currency), Reason: reason,
		ReferenceID: m.refundRef(o, len(p.Refunds)+1),
	})
	if err != nil {
		writeError(w, http.StatusBadGateway, err.Error())
		return
	}
	if err := m.apply(ctx, o, got, false); err != nil {
		writeError(w, http.StatusBadGateway, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, o.json())
}

var returnPage = template.Must(template.New("return").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Order {{.OrderID}}</title></head>
<body><h1>Order {{.OrderID}}</h1>
<p>Your order is <strong id="order-status" data-status="{{.Status}}">{{.Status}}</strong>.</p>
{{if .Message}}<p>{{.Message}}</p>{{end}}
</body></html>
`))

// returned is the browser coming back from the hosted page. The redirect
// proves nothing (seed 000): the payment is retrieved and its status
// applied.
func (m *Merchant) returned(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("kind")
	switch kind {
	case "success", "cancel", "failure":
	default:
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	o := m.lookup(q.Get("order"), "")
	if o == nil {
		writeHTML(w, http.StatusNotFound, q.Get("order"), "unknown", "We have no such order.")
		return
	}
	defer o.mu.Unlock()
	if q.Get("payment_id") != "" && o.paymentID != "" && q.Get("payment_id") != o.paymentID {
		m.log.Warn("redirect names another payment", "order", o.id, "payment_id", q.Get("payment_id"))
	}
	switch {
	case kind == "success" && m.has(DefectTrustsRedirect):
		o.status = StatusPaid
	case kind == "success" && m.has(DefectErrorPageOnLateRedirect) && o.status == StatusPaid:
		writeHTML(w, http.StatusConflict, o.id, o.status, "This order was processed already.")
		return
	case kind == "success" && m.has(DefectTrustsRedirectPaymentID) && q.Get("payment_id") != "":
		p, err := m.tabby.GetPayment(r.Context(), q.Get("payment_id"))
		if err == nil {
			err = m.apply(r.Context(), o, p, true)
		}
		if err != nil {
			m.log.Warn("applying the redirect's payment", "order", o.id, "err", err)
		}
	case kind == "success" && m.has(DefectRedirectExpectsAuthorized) && o.paymentID != "":
		p, err := m.tabby.GetPayment(r.Context(), o.paymentID)
		switch {
		case err != nil:
			m.log.Warn("retrieving the payment after the redirect", "order", o.id, "err", err)
		case p.Status == tabby.StatusAuthorized:
			err = m.apply(r.Context(), o, p, true)
		default:
			m.record(o, p)
			o.status = StatusFailed
		}
		if err != nil {
			m.log.Warn("applying the payment after the redirect", "order", o.id, "err", err)
		}
	case kind == "cancel" && m.has(DefectTrustsCancelRedirect):
		o.status = StatusCancelled
	case kind == "failure" && m.has(DefectTrustsCancelRedirect):
		o.status = StatusFailed
	case kind == "cancel" && m.has(DefectLosesOrderOnCancel):
		m.delete(o)
		writeHTML(w, http.StatusOK, o.id, "deleted", "Your order was removed.")
		return
	case o.paymentID == "":
		// The checkout never reached Tabby; there is nothing to retrieve.
	default:
		if err := m.refresh(r.Context(), o, "", kind == "success"); err != nil {
			m.log.Warn("applying the payment after the redirect", "order", o.id, "err", err)
			writeHTML(w, http.StatusBadGateway, o.id, o.status, "We could not confirm your payment yet; we will update your order shortly.")
			return
		}
		if o.deleted {
			writeHTML(w, http.StatusOK, o.id, "deleted", "Your order was removed.")
			return
		}
	}
	msg := map[string]string{
		StatusPaid:      "Thank you: your payment is confirmed.",
		StatusPending:   "We are waiting for Tabby to confirm your payment.",
		StatusCancelled: "The payment was cancelled; your cart is kept, you can pay another way.",
		StatusFailed:    "Tabby could not approve this purchase; please use another payment method.",
	}[o.status]
	writeHTML(w, http.StatusOK, o.id, o.status, msg)
}

// webhook receives Tabby's webhooks: it checks the registered header,
// finds the order, retrieves the payment and applies its status (§6.2).
// It answers 200 once the order is up to date, 503 when Tabby could not be
// asked, so Tabby tries again.
func (m *Merchant) webhook(w http.ResponseWriter, r *http.Request) {
	ack := func() {
		if m.has(DefectWebhookNon200) {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "the body is too large or was cut off")
		return
	}
	if m.has(DefectIgnoresWebhooks) {
		ack()
		return
	}
	if !m.has(DefectSkipsWebhookAuth) && !tabby.VerifyWebhook(r, m.cfg.WebhookHeader) {
		m.log.Warn("webhook with a missing or wrong auth header", "remote", r.RemoteAddr)
		writeError(w, http.StatusUnauthorized, "missing or wrong "+m.cfg.WebhookHeader.Title+" header")
		return
	}
	wp, err := tabby.ParseWebhook(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "not a Tabby webhook: "+err.Error())
		return
	}
	if m.is(VariantAsyncWebhooks) {
		select {
		case m.webhooks <- queuedWebhook{payload: wp, at: time.Now()}:
			ack()
		default:
			writeError(w, http.StatusServiceUnavailable, "too many webhooks are waiting; send this one again later")
		}
		return
	}
	o := m.lookup(wp.Order.ReferenceID, wp.ID)
	if o == nil {
		ack() // not ours, or gone: nothing to do
		return
	}
	defer o.mu.Unlock()
	// tabby-api.md §6.3: what tells one webhook from another.
	key := fmt.Sprintf("%s %s %d %d", wp.ID, wp.Status, len(wp.Captures), len(wp.Refunds))
	if m.has(DefectRejectsRepeatedWebhooks) && o.processed[key] {
		writeError(w, http.StatusConflict, "this webhook was processed already")
		return
	}
	claimed := strings.EqualFold(wp.Status, "authorized")
	switch {
	case m.has(DefectNoRereadOnWebhook):
		err = m.apply(r.Context(), o, fromWebhook(wp, o), claimed)
	case m.has(DefectTrustsWebhookOrder):
		err = m.applyIfGenuine(r.Context(), o, wp, claimed)
	default:
		err = m.refresh(r.Context(), o, wp.ID, claimed)
	}
	if err != nil {
		m.log.Warn("applying a webhook", "order", o.id, "payment", wp.ID, "err", err)
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	if m.has(DefectRejectsRepeatedWebhooks) {
		if o.processed == nil {
			o.processed = map[string]bool{}
		}
		o.processed[key] = true
	}
	ack()
}

// applyWebhook finds the order of a webhook, retrieves the payment and
// applies it, as the webhook handler does: the worker of the
// async-webhooks variant calls it.
func (m *Merchant) applyWebhook(ctx context.Context, wp *tabby.WebhookPayload) error {
	o := m.lookup(wp.Order.ReferenceID, wp.ID)
	if o == nil {
		return nil // not ours, or gone
	}
	defer o.mu.Unlock()
	return m.refresh(ctx, o, wp.ID, strings.EqualFold(wp.Status, "authorized"))
}

// applyIfGenuine is the trusts-webhook-order defect: the payment is
// retrieved, but only to check that it has reached the status the webhook
// announces; then the webhook's body is applied, however stale.
func (m *Merchant) applyIfGenuine(ctx context.Context, o *order, wp *tabby.WebhookPayload, claimed bool) error {
	p, err := m.tabby.GetPayment(ctx, wp.ID)
	if err != nil {
		return fmt.Errorf("retrieving payment %s: %w", wp.ID, err)
	}
	announced := tabby.Status(strings.ToUpper(wp.Status))
	if p.Status != announced && !(announced == tabby.StatusAuthorized && p.Status == tabby.StatusClosed) {
		return nil // not genuine: ignored
	}
	return m.apply(ctx, o, fromWebhook(wp, o), claimed)
}

// fromWebhook is the no-reread-on-webhook defect: the webhook body taken
// for the payment.
func fromWebhook(wp *tabby.WebhookPayload, o *order) *tabby.Payment {
	p := &tabby.Payment{
		ID: wp.ID, Status: tabby.Status(strings.ToUpper(wp.Status)), Amount: wp.Amount, Currency: wp.Currency,
		Captures: wp.Captures, Refunds: wp.Refunds,
	}
	if p.Amount == "" {
		p.Amount = o.amount.Format(o.currency)
	}
	return p
}

// reconcile polls the open payments now and answers how many it checked;
// the async-reconcile variant starts the job and answers 202 at once.
func (m *Merchant) reconcile(w http.ResponseWriter, r *http.Request) {
	if m.is(VariantAsyncReconcile) {
		started := m.inBackground(func(ctx context.Context) {
			if _, err := m.pollOnce(ctx); err != nil && ctx.Err() == nil {
				m.log.Warn("reconciling", "err", err)
			}
		})
		if !started {
			writeError(w, http.StatusServiceUnavailable, "the merchant is not running its jobs")
			return
		}
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "started"})
		return
	}
	n, err := m.pollOnce(r.Context())
	if err != nil {
		m.log.Warn("reconciling", "err", err)
		writeJSON(w, http.StatusBadGateway, map[string]any{"checked": n, "error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"checked": n})
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "could not decode the JSON body: "+err.Error())
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeHTML(w http.ResponseWriter, status int, orderID, orderStatus, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = returnPage.Execute(w, struct{ OrderID, Status, Message string }{orderID, orderStatus, msg})
}
