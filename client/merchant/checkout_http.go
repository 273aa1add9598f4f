package merchant

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/client/tabby"
)

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
