package merchant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/client/onerway"
)

// handler serves the shop's API in the Onerway mode:
//
//	POST /checkout                start a checkout; answers the redirectUrl
//	GET  /orders/{id}             an order
//	POST /orders/{id}/refund      apply for a refund of part or all of a paid order
//	POST /orders/{id}/delivered   the package was delivered; reports it to the gateway
//	GET  /return/onerway          the browser back from the cashier
//	POST /webhooks/onerway        Onerway's notifications
//	POST /admin/reconcile         query the open transactions now
//	GET  /healthz                 liveness
func (s *onerwayShop) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /checkout", s.checkout)
	mux.HandleFunc("GET /orders/{id}", s.getOrder)
	mux.HandleFunc("POST /orders/{id}/refund", s.refundOrder)
	mux.HandleFunc("POST /orders/{id}/delivered", s.delivered)
	mux.HandleFunc("GET "+OnerwayReturnPath, s.returned)
	mux.HandleFunc("POST "+NotifyPath, s.notification)
	mux.HandleFunc("POST /admin/reconcile", s.reconcile)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	return mux
}

// OnerwayCheckoutRequest is the body of POST /checkout in the Onerway
// mode.
type OnerwayCheckoutRequest struct {
	Amount   string        `json:"amount"`
	Currency string        `json:"currency"`
	Buyer    CheckoutBuyer `json:"buyer"`
	Items    []OnerwayItem `json:"items"`
	// Shipping is where physical goods go; required when any item is
	// physical.
	Shipping *ShippingAddress `json:"shipping,omitempty"`
}

// OnerwayItem is one line of the cart. Type is "physical" or "virtual":
// physical goods settle only once their delivery is reported.
type OnerwayItem struct {
	Title     string            `json:"title"`
	Quantity  int               `json:"quantity"`
	UnitPrice string            `json:"unit_price"`
	Type      onerway.GoodsType `json:"type"`
	ImageURL  string            `json:"image_url,omitempty"`
}

// ShippingAddress is where the package goes. Country is ISO 3166-1
// alpha-2, such as SA.
type ShippingAddress struct {
	Country    string `json:"country"`
	City       string `json:"city"`
	Address    string `json:"address"`
	PostalCode string `json:"postal_code"`
}

// OnerwayCheckoutResponse is the answer to POST /checkout in the Onerway
// mode. RedirectURL is where the browser goes to pay; it is absent when the
// payment failed at once (Tabby rejected the customer at pre-scoring), and
// RejectionReason says why.
type OnerwayCheckoutResponse struct {
	OrderID         string `json:"order_id"`
	Status          string `json:"status"`
	TransactionID   string `json:"transaction_id,omitempty"`
	RedirectURL     string `json:"redirect_url,omitempty"`
	RejectionReason string `json:"rejection_reason,omitempty"`
}

// OnerwayOrderJSON is an order of the Onerway mode as the shop's API shows
// it. Amounts are decimal strings in the order's currency; Refunded counts
// what the gateway refunded after its audit, RefundPending what is still
// under audit. Logistics is "" (nothing to report), "awaiting_delivery",
// "awaiting_payment", "uploaded" or "refused".
type OnerwayOrderJSON struct {
	OrderID          string `json:"order_id"`
	Status           string `json:"status"`
	MerchantTxnID    string `json:"merchant_txn_id"`
	TransactionID    string `json:"transaction_id,omitempty"`
	Amount           string `json:"amount"`
	Currency         string `json:"currency"`
	Goods            string `json:"goods"`
	Refunded         string `json:"refunded"`
	RefundPending    string `json:"refund_pending"`
	Reason           string `json:"reason,omitempty"`
	Logistics        string `json:"logistics,omitempty"`
	LogisticsRefusal string `json:"logistics_refusal,omitempty"`
}

// json renders the order; o.mu is held.
func (o *owOrder) json() OnerwayOrderJSON {
	done, pending := o.refunded()
	j := OnerwayOrderJSON{
		OrderID: o.id, Status: o.status, MerchantTxnID: o.merchantTxnID, TransactionID: o.transactionID,
		Amount: o.amount.Format(o.currency), Currency: o.currency, Goods: string(o.goods),
		Refunded: done.Format(o.currency), RefundPending: pending.Format(o.currency), Reason: o.reason,
	}
	if o.goods == onerway.GoodsPhysical && o.status != StatusFailed {
		switch d := o.delivery; {
		case d == nil:
			j.Logistics = "awaiting_delivery"
		case d.uploaded:
			j.Logistics = "uploaded"
		case d.refused != "":
			j.Logistics, j.LogisticsRefusal = "refused", d.refused
		default:
			j.Logistics = "awaiting_payment"
		}
	}
	return j
}

// onerwayCurrencies are the currencies Onerway takes for Tabby (seed 001).
var onerwayCurrencies = []string{"SAR", "AED"}

// validate reads the cart: its amount, its goods (physical when any item
// is) and its products as Onerway takes them.
func (req *OnerwayCheckoutRequest) validate() (money.Amount, onerway.GoodsType, error) {
	if !contains(onerwayCurrencies, req.Currency) {
		return 0, "", fmt.Errorf("currency must be one Onerway takes for Tabby (%s), got %q", strings.Join(onerwayCurrencies, ", "), req.Currency)
	}
	amount, err := money.Parse(req.Amount, req.Currency)
	if err != nil {
		return 0, "", fmt.Errorf("amount: %v", err)
	}
	if amount <= 0 {
		return 0, "", errors.New("amount must be greater than zero")
	}
	if strings.TrimSpace(req.Buyer.Name) == "" || strings.TrimSpace(req.Buyer.Email) == "" {
		return 0, "", errors.New("buyer.name and buyer.email are required")
	}
	if len(req.Items) == 0 {
		return 0, "", errors.New("items: the cart is empty")
	}
	goods := onerway.GoodsVirtual
	for i, it := range req.Items {
		switch {
		case strings.TrimSpace(it.Title) == "":
			return 0, "", fmt.Errorf("items[%d].title is required", i)
		case it.Quantity < 1:
			return 0, "", fmt.Errorf("items[%d].quantity must be 1 or more", i)
		case it.Type != onerway.GoodsPhysical && it.Type != onerway.GoodsVirtual:
			return 0, "", fmt.Errorf("items[%d].type must be physical or virtual, got %q", i, it.Type)
		}
		if _, err := money.Parse(it.UnitPrice, req.Currency); err != nil {
			return 0, "", fmt.Errorf("items[%d].unit_price: %v", i, err)
		}
		if it.Type == onerway.GoodsPhysical {
			goods = onerway.GoodsPhysical
		}
	}
	if goods == onerway.GoodsPhysical {
		sh := req.Shipping
		if strings.TrimSpace(req.Buyer.Phone) == "" {
			return 0, "", errors.New("buyer.phone is required for physical goods")
		}
		if sh == nil || sh.Country == "" || sh.City == "" || sh.Address == "" || sh.PostalCode == "" {
			return 0, "", errors.New("shipping with country, city, address and postal_code is required for physical goods")
		}
	}
	return amount, goods, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// splitName is a buyer's name as Onerway's firstName and lastName.
func splitName(name string) (first, last string) {
	name = strings.TrimSpace(name)
	first, last, ok := strings.Cut(name, " ")
	if !ok {
		return name, name
	}
	return first, strings.TrimSpace(last)
}

// paymentRequest is the doTransaction of order o for the cart.
func (s *onerwayShop) paymentRequest(o *owOrder, req *OnerwayCheckoutRequest) onerway.PaymentRequest {
	first, last := splitName(req.Buyer.Name)
	billing := onerway.Address{FirstName: first, LastName: last, Email: req.Buyer.Email, Phone: req.Buyer.Phone}
	// Seed 001: the shipping of virtual goods matches the billing.
	shipping := billing
	if sh := req.Shipping; sh != nil && (o.goods == onerway.GoodsPhysical || s.has(DefectVirtualAsPhysical)) {
		shipping.Country, shipping.City, shipping.Address, shipping.PostalCode = sh.Country, sh.City, sh.Address, sh.PostalCode
	}
	products := make([]onerway.Product, len(req.Items))
	for i, it := range req.Items {
		unit, _ := money.Parse(it.UnitPrice, req.Currency) // validated
		image := it.ImageURL
		if image == "" {
			image = defaultProductImage
		}
		typ := it.Type
		if s.has(DefectVirtualAsPhysical) {
			typ = onerway.GoodsPhysical
		}
		products[i] = onerway.Product{
			Name: it.Title, Price: unit.Format(req.Currency), Num: fmt.Sprint(it.Quantity), Currency: req.Currency,
			Type: typ, ProductAvatarURL: image,
		}
	}
	return onerway.PaymentRequest{
		MerchantTxnID: o.merchantTxnID, MerchantCustID: customerID(req.Buyer.Email),
		ProductType: onerway.ProductLPMS, SubProductType: onerway.SubProductDirect, TxnType: onerway.TxnSale,
		OrderAmount: o.amount.Format(o.currency), OrderCurrency: o.currency,
		LpmsInfo: &onerway.LpmsInfo{LpmsType: onerway.LpmsTabby},
		TxnOrderMsg: onerway.TxnOrderMsg{
			ReturnURL:        s.m.cfg.PublicURL + OnerwayReturnPath + "?order=" + url.QueryEscape(o.id),
			NotifyURL:        s.m.cfg.PublicURL + NotifyPath,
			AppID:            s.m.cfg.Onerway.AppID,
			CustomerPlatform: s.host(),
			Products:         products,
		},
		BillingInformation:  billing,
		ShippingInformation: &shipping,
	}
}

// checkout creates the order and its payment, and answers the redirectUrl
// the customer pays at. A payment Onerway declined at once (Tabby's
// pre-scoring) is answered with its reason and no redirect; a refused
// request with 502; an answer that never came leaves the order pending,
// for the poller to find its transaction by merchantTxnId.
func (s *onerwayShop) checkout(w http.ResponseWriter, r *http.Request) {
	var req OnerwayCheckoutRequest
	if !decodeBody(w, r, &req) {
		return
	}
	amount, goods, err := req.validate()
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	o := s.newOrder(req.Currency, amount, goods)
	defer o.mu.Unlock()
	o.merchantTxnID = s.merchantTxnID(o, req.Buyer.Email)
	s.index(o, "", o.merchantTxnID)

	p, err := s.api.DoTransaction(r.Context(), s.paymentRequest(o, &req))
	if s.trustsHTTP200(err) {
		p, err = new(onerway.Payment), nil
	}
	var oe *onerway.Error
	switch {
	case err == nil:
		o.transactionID, o.zone = p.TransactionID, zoneOf(p.TxnTimeZone)
		s.index(o, p.TransactionID, "")
		if p.Status != onerway.StatusRedirect || p.RedirectURL == "" {
			s.applyPayment(o, p.Status, "")
			writeJSON(w, http.StatusOK, OnerwayCheckoutResponse{OrderID: o.id, Status: o.status, TransactionID: o.transactionID})
			return
		}
		writeJSON(w, http.StatusOK, OnerwayCheckoutResponse{OrderID: o.id, Status: StatusPending, TransactionID: o.transactionID, RedirectURL: p.RedirectURL})
	case errors.As(err, &oe) && declined(oe):
		// A business decline carries the failed transaction (Tabby
		// rejected the customer at pre-scoring): Tabby is not offered.
		var d onerway.Payment
		_ = json.Unmarshal(oe.Data, &d)
		o.transactionID, o.zone = d.TransactionID, zoneOf(d.TxnTimeZone)
		s.index(o, d.TransactionID, "")
		s.applyPayment(o, onerway.StatusFailed, oe.RespMsg)
		writeJSON(w, http.StatusOK, OnerwayCheckoutResponse{OrderID: o.id, Status: o.status, TransactionID: o.transactionID, RejectionReason: o.reason})
	case errors.As(err, &oe) && oe.RespCode != "":
		o.status, o.txnStatus, o.reason = StatusFailed, onerway.StatusFailed, oe.RespCode+" "+oe.RespMsg
		s.m.log.Warn("the gateway refused the payment", "order", o.id, "resp_code", oe.RespCode, "resp_msg", oe.RespMsg)
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": "Onerway refused the payment: " + o.reason, "order_id": o.id})
	default:
		s.m.log.Warn("requesting the payment", "order", o.id, "err", err)
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": err.Error(), "order_id": o.id})
	}
}

// declined reports whether a refusal is a payment that failed, with its
// transaction, rather than a request the gateway would not take.
func declined(e *onerway.Error) bool {
	var d onerway.Payment
	return json.Unmarshal(e.Data, &d) == nil && d.TransactionID != "" && d.Status == onerway.StatusFailed
}

// zoneOf reads a txnTimeZone such as +08:00; UTC when it cannot.
func zoneOf(tz string) *time.Location {
	t, err := time.Parse("-07:00", tz)
	if err != nil {
		return time.UTC
	}
	_, offset := t.Zone()
	return time.FixedZone("UTC"+tz, offset)
}

func (s *onerwayShop) getOrder(w http.ResponseWriter, r *http.Request) {
	o := s.lookup(r.PathValue("id"), "", "")
	if o == nil {
		writeError(w, http.StatusNotFound, "no such order")
		return
	}
	defer o.mu.Unlock()
	writeJSON(w, http.StatusOK, o.json())
}

// returned is the browser back from the cashier. The returnUrl's
// transactionId and status prove nothing (seed 001: rely on the
// notification, or query the transaction): the shop asks /v1/txn/list.
func (s *onerwayShop) returned(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	o := s.lookup(q.Get("order"), "", "")
	if o == nil {
		writeHTML(w, http.StatusNotFound, q.Get("order"), "unknown", "We have no such order.")
		return
	}
	defer o.mu.Unlock()
	if s.has(DefectTrustsReturnURL) {
		o.txnStatus = "" // the parameters win over whatever was known
		s.applyPayment(o, onerway.Status(q.Get("status")), "")
	} else if err := s.refresh(r.Context(), o); err != nil {
		s.m.log.Warn("querying the payment after the return", "order", o.id, "err", err)
		writeHTML(w, http.StatusBadGateway, o.id, o.status, "We could not confirm your payment yet; we will update your order shortly.")
		return
	}
	msg := map[string]string{
		StatusPaid:      "Thank you: your payment is confirmed.",
		StatusPending:   "We are waiting for Onerway to confirm your payment.",
		StatusCancelled: "The payment was cancelled.",
		StatusFailed:    "The payment did not go through (" + o.reason + "); please use another payment method.",
	}[o.status]
	writeHTML(w, http.StatusOK, o.id, o.status, msg)
}

// notification receives Onerway's notifications: it verifies the sign over
// the body as received, applies the notification once per transactionId
// and status, and acknowledges it with HTTP 200 and the transactionId,
// which is what stops Onerway's retries (seed 001). A body whose sign does
// not verify is refused, so it is never acknowledged.
func (s *onerwayShop) notification(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "the body is too large or was cut off")
		return
	}
	var n *onerway.Webhook
	if s.has(DefectSkipsWebhookSign) {
		n = new(onerway.Webhook)
		err = json.Unmarshal(body, n)
	} else {
		n, err = onerway.ParseWebhook(body, s.m.cfg.Onerway.SecretKey)
	}
	switch {
	case errors.Is(err, onerway.ErrInvalidSignature) || errors.Is(err, onerway.ErrNoSignature):
		s.m.log.Warn("notification with a wrong sign", "remote", r.RemoteAddr)
		writeError(w, http.StatusUnauthorized, "the sign does not verify")
		return
	case err != nil:
		writeError(w, http.StatusBadRequest, "not an Onerway notification: "+err.Error())
		return
	}
	if o := s.lookup("", n.TransactionID, n.MerchantTxnID); o != nil {
		err := s.apply(r.Context(), o, n)
		o.mu.Unlock()
		if err != nil {
			// The notification is recorded; the poller reports the delivery.
			s.m.log.Warn("after a notification", "transaction", n.TransactionID, "err", err)
		}
	}
	s.acknowledge(w, n.TransactionID)
}

// apply takes a verified notification; o.mu is held.
func (s *onerwayShop) apply(ctx context.Context, o *owOrder, n *onerway.Webhook) error {
	switch {
	case n.TxnType == onerway.TxnRefund || n.NotifyType == onerway.NotifyRefundAudit:
		if rf := o.refund(n.MerchantTxnID, n.TransactionID); rf != nil {
			s.applyRefund(o, rf, n.Status)
		}
		return nil
	case n.NotifyType == onerway.NotifyCancel:
		if n.Status == onerway.StatusSuccess {
			s.applyPayment(o, onerway.StatusCancelled, "")
		}
		return nil
	case n.MerchantTxnID != o.merchantTxnID:
		return nil
	}
	if o.transactionID == "" {
		o.transactionID = n.TransactionID
		s.index(o, n.TransactionID, "")
	}
	if o.zone == nil && n.TxnTimeZone != "" {
		o.zone = zoneOf(n.TxnTimeZone)
	}
	s.applyPayment(o, n.Status, n.Reason)
	return s.ship(ctx, o)
}

// acknowledge answers a notification as Onerway counts it received: HTTP
// 200 whose body is the transactionId.
func (s *onerwayShop) acknowledge(w http.ResponseWriter, transactionID string) {
	if s.has(DefectAcksWithoutTransactionID) {
		writeJSON(w, http.StatusOK, map[string]bool{"received": true})
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, transactionID)
}

// DeliveredRequest is the body of POST /orders/{id}/delivered, all
// optional: the carrier's code, the tracking number, and when the package
// was signed for (RFC 3339; default now).
type DeliveredRequest struct {
	Carrier     string `json:"carrier"`
	TrackingNo  string `json:"tracking_no"`
	DeliveredAt string `json:"delivered_at"`
}

// delivered records that the package of a physical order was signed for
// and reports it to the gateway at once if the payment succeeded, else as
// soon as it does. It answers 422 when the gateway refused the report.
func (s *onerwayShop) delivered(w http.ResponseWriter, r *http.Request) {
	var req DeliveredRequest
	if r.ContentLength != 0 && !decodeBody(w, r, &req) {
		return
	}
	at := time.Now()
	if req.DeliveredAt != "" {
		t, err := time.Parse(time.RFC3339, req.DeliveredAt)
		if err != nil {
			writeError(w, http.StatusBadRequest, "delivered_at: write it as RFC 3339, such as 2026-05-01T10:00:00Z")
			return
		}
		at = t
	}
	o := s.lookup(r.PathValue("id"), "", "")
	if o == nil {
		writeError(w, http.StatusNotFound, "no such order")
		return
	}
	defer o.mu.Unlock()
	if o.goods != onerway.GoodsPhysical {
		writeError(w, http.StatusConflict, "the order is of virtual goods: there is no delivery to report")
		return
	}
	if o.delivery == nil {
		carrier, tracking := req.Carrier, req.TrackingNo
		if carrier == "" {
			carrier = "shop-courier"
		}
		if tracking == "" {
			tracking = "TRK-" + o.merchantTxnID
		}
		o.delivery = &owDelivery{carrier: carrier, trackingNo: tracking, at: at}
	}
	if err := s.ship(r.Context(), o); err != nil {
		writeError(w, http.StatusBadGateway, err.Error())
		return
	}
	if o.delivery.refused != "" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": "Onerway refused the logistics: " + o.delivery.refused, "order": o.json()})
		return
	}
	writeJSON(w, http.StatusOK, o.json())
}

// refundOrder applies for a refund of what was paid and is neither
// refunded nor under audit already. The refund is done once Onerway's
// audit passes and its notification says so.
func (s *onerwayShop) refundOrder(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Amount string `json:"amount"`
	}
	if !decodeBody(w, r, &req) {
		return
	}
	o := s.lookup(r.PathValue("id"), "", "")
	if o == nil {
		writeError(w, http.StatusNotFound, "no such order")
		return
	}
	defer o.mu.Unlock()
	amount, err := money.Parse(req.Amount, o.currency)
	if err != nil || amount <= 0 {
		writeError(w, http.StatusBadRequest, "amount: give a positive decimal amount such as \"30.00\"")
		return
	}
	if o.txnStatus != onerway.StatusSuccess {
		writeError(w, http.StatusUnprocessableEntity, "the order is not paid")
		return
	}
	done, pending := o.refunded()
	if rest := o.amount - done - pending; amount > rest {
		writeError(w, http.StatusUnprocessableEntity, fmt.Sprintf("only %s %s is left to refund", rest.Format(o.currency), o.currency))
		return
	}
	// Recorded first: should the answer not come, the poller finds the
	// refund by its merchantTxnId.
	rf := &owRefund{merchantTxnID: fmt.Sprintf("%s-r%d", o.merchantTxnID, len(o.refunds)+1), amount: amount, status: onerway.StatusPendingAudit}
	o.refunds = append(o.refunds, rf)
	s.index(o, "", rf.merchantTxnID)
	apply := func() (string, error) {
		return s.api.Refund(r.Context(), onerway.RefundRequest{
			RefundType: onerway.RefundApply, MerchantTxnID: rf.merchantTxnID,
			OriginTransactionID: o.transactionID, RefundAmount: amount.Format(o.currency),
		})
	}
	id, err := apply()
	var oe *onerway.Error
	if err != nil && !errors.As(err, &oe) && s.has(DefectNewMerchantTxnIDOnRetry) {
		rf.merchantTxnID += "-retry"
		s.index(o, "", rf.merchantTxnID)
		id, err = apply()
	}
	if s.has(DefectTrustsHTTP200) && (err == nil || s.trustsHTTP200(err)) {
		err, rf.status = nil, onerway.StatusSuccess // the HTTP 200 taken for the refund itself
		o.settleRefunds()
	}
	switch {
	case errors.As(err, &oe) && oe.RespCode != "":
		rf.status = onerway.StatusFailed
		writeError(w, http.StatusUnprocessableEntity, "Onerway refused the refund: "+oe.RespCode+" "+oe.RespMsg)
		return
	case err != nil:
		writeError(w, http.StatusBadGateway, err.Error())
		return
	}
	rf.transactionID = id
	s.index(o, id, "")
	s.m.log.Info("refund applied for", "order", o.id, "refund", id, "amount", amount.Format(o.currency))
	writeJSON(w, http.StatusOK, o.json())
}

func (s *onerwayShop) reconcile(w http.ResponseWriter, r *http.Request) {
	n, err := s.pollOnce(r.Context())
	if err != nil {
		s.m.log.Warn("reconciling", "err", err)
		writeJSON(w, http.StatusBadGateway, map[string]any{"checked": n, "error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"checked": n})
}
