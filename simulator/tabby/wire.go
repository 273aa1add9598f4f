package tabby

import (
	"strings"
	"time"
)

// The wire types are Tabby's JSON exactly: amounts as strings, upper-case
// statuses in the API, lower-case statuses in webhooks, captures and refunds
// always arrays. Fields the OpenAPI file marks nullable are omitted rather
// than sent as null when they are empty.

// PaymentJSON is Tabby's payment object.
type PaymentJSON struct {
	ID              string        `json:"id"`
	CreatedAt       string        `json:"created_at"`
	ExpiresAt       string        `json:"expires_at"`
	Status          Status        `json:"status"`
	IsTest          bool          `json:"is_test"`
	Amount          string        `json:"amount"`
	Currency        string        `json:"currency"`
	Description     string        `json:"description,omitempty"`
	Buyer           Buyer         `json:"buyer"`
	ShippingAddress Shipping      `json:"shipping_address"`
	Order           Order         `json:"order"`
	Captures        []CaptureJSON `json:"captures"`
	Refunds         []RefundJSON  `json:"refunds"`
	BuyerHistory    BuyerHistory  `json:"buyer_history"`
	OrderHistory    []Raw         `json:"order_history"`
	Meta            Raw           `json:"meta,omitempty"`
	Attachment      Raw           `json:"attachment,omitempty"`
	Product         *ProductJSON  `json:"product,omitempty"`
}

// ProductJSON describes the instalment plan, as real responses carry it.
type ProductJSON struct {
	Type              string `json:"type"`
	InstallmentsCount int    `json:"installments_count"`
	InstallmentPeriod string `json:"installment_period"`
}

// CaptureJSON is one capture.
type CaptureJSON struct {
	ID             string `json:"id"`
	CreatedAt      string `json:"created_at"`
	Amount         string `json:"amount"`
	TaxAmount      string `json:"tax_amount"`
	ShippingAmount string `json:"shipping_amount"`
	DiscountAmount string `json:"discount_amount"`
	Items          []Item `json:"items"`
	ReferenceID    string `json:"reference_id"`
}

// RefundJSON is one refund.
type RefundJSON struct {
	ID          string `json:"id"`
	CreatedAt   string `json:"created_at"`
	Amount      string `json:"amount"`
	Reason      string `json:"reason,omitempty"`
	Items       []Item `json:"items"`
	ReferenceID string `json:"reference_id"`
}

// SessionJSON is Tabby's checkout session object.
type SessionJSON struct {
	ID                  string             `json:"id"`
	Status              string             `json:"status"`
	Configuration       ConfigurationJSON  `json:"configuration"`
	Payment             SessionPaymentJSON `json:"payment"`
	MerchantURLs        MerchantURLs       `json:"merchant_urls"`
	RejectionReasonCode string             `json:"rejection_reason_code,omitempty"`
	MerchantCode        string             `json:"merchant_code"`
	Lang                string             `json:"lang"`
}

// ConfigurationJSON says which products the customer may use.
type ConfigurationJSON struct {
	Currency          string                   `json:"currency"`
	AvailableProducts map[string][]ProductLink `json:"available_products"`
	Products          map[string]ProductState  `json:"products"`
}

// ProductLink is where the customer goes to pay.
type ProductLink struct {
	WebURL string `json:"web_url"`
}

// ProductState is a product's availability.
type ProductState struct {
	Type            string `json:"type"`
	IsAvailable     bool   `json:"is_available"`
	RejectionReason string `json:"rejection_reason,omitempty"`
}

// SessionPaymentJSON is the payment embedded in a session.
type SessionPaymentJSON struct {
	ID           string       `json:"id"`
	CreatedAt    string       `json:"created_at"`
	ExpiresAt    string       `json:"expires_at"`
	Status       Status       `json:"status"`
	IsTest       bool         `json:"is_test"`
	Amount       string       `json:"amount"`
	Currency     string       `json:"currency"`
	Description  string       `json:"description,omitempty"`
	Buyer        Buyer        `json:"buyer"`
	Order        Order        `json:"order"`
	BuyerHistory BuyerHistory `json:"buyer_history"`
	OrderHistory []Raw        `json:"order_history"`
	Shipping     Shipping     `json:"shipping_address"`
	Meta         Raw          `json:"meta,omitempty"`
	Attachment   Raw          `json:"attachment,omitempty"`
}

// WebhookJSON is the body of a payment webhook (tabby-api.md §6.3): a
// subset of the payment, with a lower-case status.
type WebhookJSON struct {
	ID        string        `json:"id"`
	CreatedAt string        `json:"created_at"`
	ExpiresAt string        `json:"expires_at"`
	ClosedAt  *string       `json:"closed_at"`
	ExpiredAt *string       `json:"expired_at,omitempty"`
	Status    string        `json:"status"`
	IsTest    bool          `json:"is_test"`
	IsExpired bool          `json:"is_expired"`
	Amount    string        `json:"amount"`
	Currency  string        `json:"currency"`
	Order     WebhookOrder  `json:"order"`
	Captures  []CaptureJSON `json:"captures"`
	Refunds   []RefundJSON  `json:"refunds"`
	Meta      Raw           `json:"meta"`
	Token     *string       `json:"token"`
}

// WebhookOrder is the order part of a webhook: always its reference_id.
type WebhookOrder struct {
	ReferenceID string `json:"reference_id"`
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// JSON renders the payment as Tabby's API returns it.
func (p *Payment) JSON() PaymentJSON {
	return PaymentJSON{
		ID: p.ID, CreatedAt: ts(p.CreatedAt), ExpiresAt: ts(p.ExpiresAt()), Status: p.Status, IsTest: p.IsTest,
		Amount: p.Amount.Format(p.Currency), Currency: p.Currency, Description: p.Description,
		Buyer: p.Buyer, ShippingAddress: p.Shipping, Order: p.Order,
		Captures: p.capturesJSON(), Refunds: p.refundsJSON(),
		BuyerHistory: p.BuyerHistory, OrderHistory: p.OrderHistory, Meta: p.Meta, Attachment: p.Attachment,
		Product: &ProductJSON{Type: "installments", InstallmentsCount: 4, InstallmentPeriod: "P1M"},
	}
}

func (p *Payment) capturesJSON() []CaptureJSON {
	out := make([]CaptureJSON, 0, len(p.Captures))
	for _, c := range p.Captures {
		out = append(out, CaptureJSON{ID: c.ID, CreatedAt: ts(c.CreatedAt), Amount: c.Amount.Format(p.Currency),
			TaxAmount: c.TaxAmount, ShippingAmount: c.ShippingAmount, DiscountAmount: c.DiscountAmount,
			Items: nonNil(c.Items), ReferenceID: c.ReferenceID})
	}
	return out
}

func (p *Payment) refundsJSON() []RefundJSON {
	out := make([]RefundJSON, 0, len(p.Refunds))
	for _, r := range p.Refunds {
		out = append(out, RefundJSON{ID: r.ID, CreatedAt: ts(r.CreatedAt), Amount: r.Amount.Format(p.Currency),
			Reason: r.Reason, Items: nonNil(r.Items), ReferenceID: r.ReferenceID})
	}
	return out
}

func nonNil(items []Item) []Item {
	if items == nil {
		return []Item{}
	}
	return items
}

// SessionJSON renders the checkout session; webURL is the hosted page.
func (p *Payment) SessionJSON(now time.Time, webURL string) SessionJSON {
	s := SessionJSON{
		ID: p.SessionID, Status: p.SessionStatus(now), MerchantURLs: p.URLs, MerchantCode: p.MerchantCode, Lang: p.Lang,
		Configuration: ConfigurationJSON{
			Currency:          p.Currency,
			AvailableProducts: map[string][]ProductLink{},
			Products:          map[string]ProductState{"installments": {Type: "installments", IsAvailable: true}},
		},
		Payment: SessionPaymentJSON{
			ID: p.ID, CreatedAt: ts(p.CreatedAt), ExpiresAt: ts(p.ExpiresAt()), Status: p.Status, IsTest: p.IsTest,
			Amount: p.Amount.Format(p.Currency), Currency: p.Currency, Description: p.Description,
			Buyer: p.Buyer, Order: p.Order, BuyerHistory: p.BuyerHistory, OrderHistory: p.OrderHistory,
			Shipping: p.Shipping, Meta: p.Meta, Attachment: p.Attachment,
		},
	}
	if p.RejectionReason != "" {
		s.RejectionReasonCode = p.RejectionReason
		s.Configuration.Products["installments"] = ProductState{Type: "installments", RejectionReason: p.RejectionReason}
	} else {
		s.Configuration.AvailableProducts["installments"] = []ProductLink{{WebURL: webURL}}
	}
	return s
}

// WebhookJSON renders the webhook body for the payment as it is.
func (p *Payment) WebhookJSON() WebhookJSON {
	w := WebhookJSON{
		ID: p.ID, CreatedAt: ts(p.CreatedAt), ExpiresAt: ts(p.ExpiresAt()), Status: strings.ToLower(string(p.Status)),
		IsTest: p.IsTest, IsExpired: p.Status == Expired, Amount: p.Amount.Format(p.Currency), Currency: p.Currency,
		Order: WebhookOrder{ReferenceID: p.Order.ReferenceID}, Captures: p.capturesJSON(), Refunds: p.refundsJSON(),
		Meta: p.Meta,
	}
	if w.Meta == nil {
		w.Meta = Raw(`{"order_id":null,"customer":null}`)
	}
	if p.ClosedAt != nil {
		s := ts(*p.ClosedAt)
		w.ClosedAt = &s
	}
	if p.ExpiredAt != nil {
		s := ts(*p.ExpiredAt)
		w.ExpiredAt = &s
	}
	return w
}
