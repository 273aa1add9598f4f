package tabby

import (
	"bytes"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/simulator/apperr"
)

// CheckoutRequest is the body of POST /api/v2/checkout.
type CheckoutRequest struct {
	Payment      *PaymentRequest `json:"payment"`
	Lang         string          `json:"lang"`
	MerchantCode string          `json:"merchant_code"`
	MerchantURLs *MerchantURLs   `json:"merchant_urls"`
	Token        *string         `json:"token"`
}

// PaymentRequest is the payment part of a checkout request.
type PaymentRequest struct {
	Amount          string        `json:"amount"`
	Currency        string        `json:"currency"`
	Description     string        `json:"description"`
	Buyer           *Buyer        `json:"buyer"`
	ShippingAddress *Shipping     `json:"shipping_address"`
	Order           *OrderRequest `json:"order"`
	BuyerHistory    *BuyerHistory `json:"buyer_history"`
	OrderHistory    []Raw         `json:"order_history"`
	Meta            Raw           `json:"meta"`
	Attachment      Raw           `json:"attachment"`
}

// OrderRequest is the order as the merchant sends it.
type OrderRequest struct {
	ReferenceID    string `json:"reference_id"`
	UpdatedAt      string `json:"updated_at"`
	TaxAmount      string `json:"tax_amount"`
	ShippingAmount string `json:"shipping_amount"`
	DiscountAmount string `json:"discount_amount"`
	Items          []Item `json:"items"`
}

// Validate checks a request for the fields Tabby needs; strict also demands
// the ones its OpenAPI file marks required. It returns the parsed amount.
// Its errors are application errors with code Invalid.
func (r *CheckoutRequest) Validate(strict bool) (money.Amount, error) {
	bad := func(format string, a ...any) (money.Amount, error) {
		return 0, apperr.Errorf(apperr.Invalid, format, a...)
	}
	p := r.Payment
	switch {
	case p == nil:
		return bad("payment is required")
	case r.MerchantCode == "":
		return bad("merchant_code is required")
	case p.Amount == "":
		return bad("payment.amount is required")
	case p.Currency == "":
		return bad("payment.currency is required")
	case p.Buyer == nil || p.Buyer.Email == "":
		return bad("payment.buyer.email is required")
	case p.Buyer.Phone == "":
		return bad("payment.buyer.phone is required")
	}
	if _, ok := money.Exponent(p.Currency); !ok {
		return bad("payment.currency must be one of %s, got %q", strings.Join(money.Currencies(), ", "), p.Currency)
	}
	amount, err := money.Parse(p.Amount, p.Currency)
	if err != nil {
		return bad("payment.amount: %v", err)
	}
	if amount <= 0 {
		return bad("payment.amount must be greater than zero")
	}
	if _, err := mail.ParseAddress(p.Buyer.Email); err != nil || strings.ContainsAny(p.Buyer.Email, "<> ") {
		return bad("payment.buyer.email: %q is not an email address", p.Buyer.Email)
	}
	if digits := phoneDigits(p.Buyer.Phone); len(digits) < 8 || len(digits) > 15 {
		return bad("payment.buyer.phone: %q is not a phone number such as 500000001 or +971500000001", p.Buyer.Phone)
	}
	if p.Buyer.DOB != "" {
		if _, err := time.Parse("2006-01-02", p.Buyer.DOB); err != nil {
			return bad("payment.buyer.dob: %q is not a date in the form YYYY-MM-DD", p.Buyer.DOB)
		}
	}
	switch r.Lang {
	case "", "en", "ar":
	default:
		return bad("lang must be \"en\" or \"ar\", got %q", r.Lang)
	}
	if u := r.MerchantURLs; u != nil {
		for _, f := range []struct{ name, url string }{{"success", u.Success}, {"cancel", u.Cancel}, {"failure", u.Failure}} {
			if f.url == "" {
				continue
			}
			if _, err := parseMerchantURL("merchant_urls."+f.name, f.url); err != nil {
				return 0, err
			}
		}
	}
	if o := p.Order; o != nil {
		for name, v := range map[string]string{"tax_amount": o.TaxAmount, "shipping_amount": o.ShippingAmount, "discount_amount": o.DiscountAmount} {
			if v == "" {
				continue
			}
			if _, err := money.Parse(v, p.Currency); err != nil {
				return bad("payment.order.%s: %v", name, err)
			}
		}
		if err := validateItems("payment.order.items", o.Items, p.Currency); err != nil {
			return 0, err
		}
	}
	for name, raw := range map[string]Raw{"payment.meta": p.Meta, "payment.attachment": p.Attachment} {
		if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] != '{' && !bytes.Equal(t, []byte("null")) {
			return bad("%s: expected an object, got %s", name, t)
		}
	}
	if h := p.BuyerHistory; h != nil && h.RegisteredSince != "" {
		if _, err := time.Parse(time.RFC3339, h.RegisteredSince); err != nil {
			return bad("payment.buyer_history.registered_since: %q is not an ISO 8601 date-time", h.RegisteredSince)
		}
	}
	if strict {
		if err := r.validateStrict(); err != nil {
			return 0, err
		}
	}
	return amount, nil
}

// parseMerchantURL accepts only what a browser may be sent to and a webhook
// posted to: an absolute http or https URL with a host. Anything else
// (javascript:, data:, a relative URL) is refused, naming the field.
func parseMerchantURL(field, raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return nil, apperr.Errorf(apperr.Invalid, "%s: %q is not an absolute http or https URL", field, raw)
	}
	return u, nil
}

// validateStrict demands the fields tabby-openapi.yml marks required.
func (r *CheckoutRequest) validateStrict() error {
	p := r.Payment
	missing := func(field string) error { return apperr.Errorf(apperr.Invalid, "%s is required", field) }
	switch {
	case r.Lang == "":
		return missing("lang")
	case r.MerchantURLs == nil || r.MerchantURLs.Success == "" || r.MerchantURLs.Cancel == "" || r.MerchantURLs.Failure == "":
		return missing("merchant_urls.success, merchant_urls.cancel and merchant_urls.failure")
	case p.Buyer.Name == "":
		return missing("payment.buyer.name")
	case p.ShippingAddress == nil || p.ShippingAddress.City == "" || p.ShippingAddress.Address == "" || p.ShippingAddress.Zip == "":
		return missing("payment.shipping_address (city, address, zip)")
	case p.Order == nil || p.Order.ReferenceID == "":
		return missing("payment.order.reference_id")
	case len(p.Order.Items) == 0:
		return missing("payment.order.items")
	case p.BuyerHistory == nil || p.BuyerHistory.RegisteredSince == "":
		return missing("payment.buyer_history.registered_since")
	case p.OrderHistory == nil:
		return missing("payment.order_history")
	}
	for i, it := range p.Order.Items {
		if it.Category == "" {
			return missing(fmt.Sprintf("payment.order.items[%d].category", i))
		}
	}
	return nil
}

func validateItems(field string, items []Item, currency string) error {
	for i, it := range items {
		if it.Quantity < 0 {
			return apperr.Errorf(apperr.Invalid, "%s[%d].quantity must not be negative", field, i)
		}
		for name, v := range map[string]string{"unit_price": it.UnitPrice, "discount_amount": it.DiscountAmount} {
			if v == "" {
				continue
			}
			if _, err := money.Parse(v, currency); err != nil {
				return apperr.Errorf(apperr.Invalid, "%s[%d].%s: %v", field, i, name, err)
			}
		}
		switch it.Gender {
		case "", "Male", "Female", "Kids", "Other":
		default:
			return apperr.Errorf(apperr.Invalid, "%s[%d].gender must be Male, Female, Kids or Other, got %q", field, i, it.Gender)
		}
	}
	return nil
}

// normaliseItems fills the fields Tabby always returns on an item and
// writes its amounts with the currency's full decimals.
func normaliseItems(items []Item, currency string) []Item {
	out := make([]Item, 0, len(items))
	for _, it := range items {
		it.UnitPrice = amountText(it.UnitPrice, currency)
		if it.DiscountAmount != "" {
			it.DiscountAmount = amountText(it.DiscountAmount, currency)
		}
		out = append(out, it)
	}
	return out
}

// amountText writes a validated amount ("" is zero) with the currency's
// full decimals, as every amount the simulator answers with.
func amountText(s, currency string) string {
	if s == "" {
		s = "0"
	}
	a, err := money.Parse(s, currency)
	if err != nil {
		return s
	}
	return a.Format(currency)
}
