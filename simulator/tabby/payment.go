// Package tabby is the Tabby payment lifecycle: checkout sessions, payments,
// captures, refunds and their timers, on the merchant's own clock. It knows
// nothing of HTTP; the tabbyapi package serves it in Tabby's wire format.
package tabby

import (
	"bytes"
	"encoding/json"
	"slices"
	"time"

	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// Status is a payment's API status, upper case as Tabby's REST API writes it.
type Status string

// Payment statuses (tabby-api.md §4.1).
const (
	Created    Status = "CREATED"
	Authorized Status = "AUTHORIZED"
	Closed     Status = "CLOSED"
	Rejected   Status = "REJECTED"
	Expired    Status = "EXPIRED"
)

// Payment is a Tabby payment together with the checkout session that
// created it: Tabby creates both in one call and they share a lifetime.
type Payment struct {
	ID           string       `json:"id"`
	SessionID    string       `json:"session_id"`
	Merchant     string       `json:"merchant"`
	MerchantCode string       `json:"merchant_code"`
	CreatedAt    time.Time    `json:"created_at"`
	Status       Status       `json:"status"`
	IsTest       bool         `json:"is_test"`
	Channel      Channel      `json:"channel"`
	Amount       money.Amount `json:"amount"`
	Currency     string       `json:"currency"`
	Description  string       `json:"description,omitempty"`
	Lang         string       `json:"lang"`
	Buyer        Buyer        `json:"buyer"`
	Shipping     Shipping     `json:"shipping_address"`
	Order        Order        `json:"order"`
	BuyerHistory BuyerHistory `json:"buyer_history"`
	OrderHistory []Raw        `json:"order_history"`
	Meta         Raw          `json:"meta,omitempty"`
	Attachment   Raw          `json:"attachment,omitempty"`
	URLs         MerchantURLs `json:"merchant_urls"`

	// RejectionReason is set when pre-scoring rejected the session.
	RejectionReason string `json:"rejection_reason,omitempty"`
	// SessionExpiresAt is when the hosted page stops accepting the customer.
	SessionExpiresAt time.Time `json:"session_expires_at"`
	// OTPVerified records that the customer passed the hosted page's OTP step.
	OTPVerified bool `json:"otp_verified,omitempty"`

	AuthorizedAt *time.Time     `json:"authorized_at,omitempty"`
	ClosedAt     *time.Time     `json:"closed_at,omitempty"`
	ExpiredAt    *time.Time     `json:"expired_at,omitempty"`
	Captures     []Capture      `json:"captures"`
	Refunds      []Refund       `json:"refunds"`
	History      []HistoryEntry `json:"history"`
}

// CopyValue implements store.Value: the memory store keeps payments
// decoded.
func (p *Payment) CopyValue() store.Value {
	c := *p
	c.Order.Items = copyItems(p.Order.Items)
	c.BuyerHistory.WishlistCount = copyPtr(p.BuyerHistory.WishlistCount)
	c.BuyerHistory.IsSocialNetworksConnected = copyPtr(p.BuyerHistory.IsSocialNetworksConnected)
	c.BuyerHistory.IsPhoneNumberVerified = copyPtr(p.BuyerHistory.IsPhoneNumberVerified)
	c.BuyerHistory.IsEmailVerified = copyPtr(p.BuyerHistory.IsEmailVerified)
	c.OrderHistory = slices.Clone(p.OrderHistory)
	for i, raw := range c.OrderHistory {
		c.OrderHistory[i] = bytes.Clone(raw)
	}
	c.Meta, c.Attachment = bytes.Clone(p.Meta), bytes.Clone(p.Attachment)
	c.AuthorizedAt, c.ClosedAt, c.ExpiredAt = copyPtr(p.AuthorizedAt), copyPtr(p.ClosedAt), copyPtr(p.ExpiredAt)
	c.Captures = slices.Clone(p.Captures)
	for i := range c.Captures {
		c.Captures[i].Items = copyItems(p.Captures[i].Items)
	}
	c.Refunds = slices.Clone(p.Refunds)
	for i := range c.Refunds {
		c.Refunds[i].Items = copyItems(p.Refunds[i].Items)
	}
	c.History = slices.Clone(p.History)
	return &c
}

func copyItems(items []Item) []Item {
	c := slices.Clone(items)
	for i := range c {
		c[i].IsRefundable = copyPtr(items[i].IsRefundable)
	}
	return c
}

func copyPtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

// Channel is how a payment came to Tabby: from the merchant's own call to
// Tabby's API, or from a payment gateway that created it for one of its
// transactions and deals with Tabby for the merchant.
type Channel struct {
	Via Via `json:"via"`
	// TransactionID is the gateway transaction's id; "" for a direct
	// payment.
	TransactionID string `json:"transaction_id,omitempty"`
}

// Via names a channel.
type Via string

// The channels a payment comes through.
const (
	ViaDirect  Via = "direct"
	ViaOnerway Via = "onerway"
)

// Direct is the channel of a payment the merchant created itself.
var Direct = Channel{Via: ViaDirect}

// ThroughOnerway is the channel of a payment the Onerway gateway created for
// its transaction transactionID.
func ThroughOnerway(transactionID string) Channel {
	return Channel{Via: ViaOnerway, TransactionID: transactionID}
}

// ThroughGateway reports whether a gateway, not the merchant, deals with
// Tabby for the payment.
func (c Channel) ThroughGateway() bool { return c.Via == ViaOnerway }

func (c Channel) validate() error {
	switch {
	case c.Via == ViaDirect && c.TransactionID == "", c.Via == ViaOnerway && c.TransactionID != "":
		return nil
	}
	return apperr.Errorf(apperr.Invalid, "channel must be direct, or onerway with the gateway transaction's id; got %q %q", c.Via, c.TransactionID)
}

// limits are the order limits of payments through the channel: the
// merchant's own with Tabby, or those of the gateway's Tabby method.
func (c Channel) limits(m *tenant.Merchant) tenant.Limits {
	if c.Via == ViaOnerway {
		return m.Settings.Onerway.Limits
	}
	return m.Settings.Tabby.Limits
}

// Raw is JSON the merchant sent that the simulator keeps as it came.
type Raw = json.RawMessage

// Buyer is the customer.
type Buyer struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
	DOB   string `json:"dob,omitempty"`
}

// Shipping is the shipping address.
type Shipping struct {
	City    string `json:"city"`
	Address string `json:"address"`
	Zip     string `json:"zip"`
}

// Order is the merchant's order the payment pays for.
type Order struct {
	ReferenceID    string `json:"reference_id"`
	UpdatedAt      string `json:"updated_at,omitempty"`
	TaxAmount      string `json:"tax_amount"`
	ShippingAmount string `json:"shipping_amount"`
	DiscountAmount string `json:"discount_amount"`
	Items          []Item `json:"items"`
}

// Item is one order line.
type Item struct {
	ReferenceID     string `json:"reference_id,omitempty"`
	Title           string `json:"title"`
	Description     string `json:"description,omitempty"`
	Quantity        int    `json:"quantity"`
	UnitPrice       string `json:"unit_price"`
	DiscountAmount  string `json:"discount_amount,omitempty"`
	ImageURL        string `json:"image_url,omitempty"`
	ProductURL      string `json:"product_url,omitempty"`
	Gender          string `json:"gender,omitempty"`
	Category        string `json:"category"`
	Color           string `json:"color,omitempty"`
	ProductMaterial string `json:"product_material,omitempty"`
	SizeType        string `json:"size_type,omitempty"`
	Size            string `json:"size,omitempty"`
	Brand           string `json:"brand,omitempty"`
	IsRefundable    *bool  `json:"is_refundable,omitempty"`
}

// BuyerHistory is what the merchant knows of the customer's history.
type BuyerHistory struct {
	RegisteredSince           string   `json:"registered_since"`
	LoyaltyLevel              float64  `json:"loyalty_level"`
	WishlistCount             *float64 `json:"wishlist_count,omitempty"`
	IsSocialNetworksConnected *bool    `json:"is_social_networks_connected,omitempty"`
	IsPhoneNumberVerified     *bool    `json:"is_phone_number_verified,omitempty"`
	IsEmailVerified           *bool    `json:"is_email_verified,omitempty"`
}

// MerchantURLs are where the hosted page sends the customer back.
type MerchantURLs struct {
	Success string `json:"success,omitempty"`
	Cancel  string `json:"cancel,omitempty"`
	Failure string `json:"failure,omitempty"`
}

// Capture is money taken from an authorized payment.
type Capture struct {
	ID             string       `json:"id"`
	CreatedAt      time.Time    `json:"created_at"`
	Amount         money.Amount `json:"amount"`
	TaxAmount      string       `json:"tax_amount"`
	ShippingAmount string       `json:"shipping_amount"`
	DiscountAmount string       `json:"discount_amount"`
	Items          []Item       `json:"items"`
	ReferenceID    string       `json:"reference_id"`
}

// Refund is money returned from a closed payment.
type Refund struct {
	ID          string       `json:"id"`
	CreatedAt   time.Time    `json:"created_at"`
	Amount      money.Amount `json:"amount"`
	Reason      string       `json:"reason,omitempty"`
	Items       []Item       `json:"items"`
	ReferenceID string       `json:"reference_id"`
}

// HistoryEntry is one entry of a payment's history: what happened, when on the
// merchant's clock, and who did it (merchant, customer or simulator).
type HistoryEntry struct {
	At     time.Time `json:"at"`
	Event  string    `json:"event"`
	By     string    `json:"by"`
	Detail string    `json:"detail,omitempty"`
}

// Who caused a change.
const (
	ByMerchant  = "merchant"
	ByCustomer  = "customer"
	BySimulator = "simulator"
)

func (p *Payment) record(at time.Time, event, by, detail string) {
	p.History = append(p.History, HistoryEntry{At: at, Event: event, By: by, Detail: detail})
}

// Captured is the sum of the payment's captures.
func (p *Payment) Captured() money.Amount {
	var sum money.Amount
	for _, c := range p.Captures {
		sum += c.Amount
	}
	return sum
}

// Refunded is the sum of the payment's refunds.
func (p *Payment) Refunded() money.Amount {
	var sum money.Amount
	for _, r := range p.Refunds {
		sum += r.Amount
	}
	return sum
}

// ExpiresAt is the payment's expires_at: the session's expiry until the
// payment is authorized, a year after authorization from then on
// (tabby-api.md §3.3).
func (p *Payment) ExpiresAt() time.Time {
	if p.AuthorizedAt != nil {
		return p.AuthorizedAt.AddDate(1, 0, 0)
	}
	return p.SessionExpiresAt
}

// SessionStatus is the checkout session's status: "rejected" when
// pre-scoring rejected it, "expired" once the session timed out or the
// customer cancelled, otherwise "created".
func (p *Payment) SessionStatus(now time.Time) string {
	switch {
	case p.RejectionReason != "":
		return "rejected"
	case p.Status == Expired, p.Status == Created && !now.Before(p.SessionExpiresAt):
		return "expired"
	}
	return "created"
}
