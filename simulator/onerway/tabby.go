package onerway

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tabbysim/tabbysim/client/money"
	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tabby"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// The Tabby payment underneath a transaction: the checkout request the
// gateway makes for it, and its capture once it is authorized.

// merchantCode is the merchant's Tabby merchant code for currency: the
// first in name order that takes it. ErrCurrency when none does.
func merchantCode(m *tenant.Merchant, currency string) (string, error) {
	codes := make([]string, 0, len(m.Tabby.MerchantCodes))
	for code, c := range m.Tabby.MerchantCodes {
		if c == currency {
			codes = append(codes, code)
		}
	}
	if len(codes) == 0 {
		return "", fmt.Errorf("%w: %s (the merchant's codes take %s)", ErrCurrency, currency, strings.Join(currencies(m), ", "))
	}
	slices.Sort(codes)
	return codes[0], nil
}

func currencies(m *tenant.Merchant) []string {
	var out []string
	for _, c := range m.Tabby.MerchantCodes {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

// checkoutRequest is the Tabby checkout the gateway asks for transaction
// t: the order's amount, its billing contact as the buyer, its products as
// items, merchantTxnId as the order's reference, and the gateway's return
// handler as every merchant URL, as Tabby's page sends the customer back
// to the gateway, never to the merchant.
func checkoutRequest(t *Transaction, code, returnURL string) *tabby.CheckoutRequest {
	o := t.Order
	req := &tabby.CheckoutRequest{
		Lang: o.Lang(), MerchantCode: code,
		MerchantURLs: &tabby.MerchantURLs{Success: returnURL, Cancel: returnURL, Failure: returnURL},
		Payment: &tabby.PaymentRequest{
			Amount: t.Amount.Format(t.Currency), Currency: t.Currency,
			Description: "Onerway transaction " + t.ID,
			Buyer: &tabby.Buyer{
				Name:  strings.TrimSpace(o.Billing.FirstName + " " + o.Billing.LastName),
				Email: o.Billing.Email, Phone: buyerPhone(o, t.Currency),
			},
			Order:        &tabby.OrderRequest{ReferenceID: t.MerchantTxnID, Items: items(o, t.Currency)},
			OrderHistory: []tabby.Raw{},
		},
	}
	if s := o.Shipping; s.City != "" || s.Address != "" || s.PostalCode != "" {
		req.Payment.ShippingAddress = &tabby.Shipping{City: s.City, Address: s.Address, Zip: s.PostalCode}
	}
	return req
}

// approvedPhones are Tabby's sandbox phones that pre-scoring approves, by
// currency (tabby-api.md §8).
var approvedPhones = map[string]string{"SAR": "+966500000001", "AED": "+971500000001"}

// buyerPhone is the order's billing phone, else its shipping phone. An
// order of virtual goods may carry neither (seed 001), while Tabby needs
// one: the session then gets the sandbox phone pre-scoring approves, and
// the customer gives theirs on Tabby's page.
func buyerPhone(o *Order, currency string) string {
	switch {
	case o.Billing.Phone != "":
		return o.Billing.Phone
	case o.Shipping.Phone != "":
		return o.Shipping.Phone
	}
	return approvedPhones[currency]
}

// items are the order's products as Tabby's items: the name as title, the
// goods type as category, the image, and the quantity and price when they
// read as such (Onerway does not check them, Tabby would).
func items(o *Order, currency string) []tabby.Item {
	out := make([]tabby.Item, 0, len(o.Products))
	for i, p := range o.Products {
		it := tabby.Item{Title: p.Name, Quantity: 1, Category: string(p.Type), ImageURL: p.ProductAvatarURL}
		if it.Title == "" {
			it.Title = "Product " + strconv.Itoa(i+1)
		}
		if n, err := strconv.Atoi(p.Num); err == nil && n > 0 {
			it.Quantity = n
		}
		if a, err := money.Parse(p.Price, currency); err == nil && a >= 0 {
			it.UnitPrice = a.Format(currency)
		}
		out = append(out, it)
	}
	return out
}

// capture takes the whole of transaction t's Tabby payment once it is
// authorized: a SALE is a sale, so the gateway captures right away, as
// Tabby's merchant, with the transactionId as the capture's reference_id,
// which makes a second try change nothing. It runs after the authorization
// was committed; Recover catches up after a crash between the two.
// Capturing reads the payment first, so a payment Tabby's own
// auto-capture ("immediate") closed is left as it is.
func (s *Service) capture(ctx context.Context, m *tenant.Merchant, t *Transaction) {
	p, err := s.Tabby.Payment(ctx, m, t.TabbyPaymentID)
	if err == nil && p.Status == tabby.Authorized {
		rest := p.Amount - p.Captured()
		_, err = s.Tabby.Capture(ctx, m, p.ID, &tabby.CaptureRequest{Amount: rest.Format(p.Currency), ReferenceID: t.ID})
	}
	if err != nil && s.Log != nil {
		s.Log.Error("capturing the Tabby payment of an Onerway transaction failed", "transaction", t.ID, "payment", t.TabbyPaymentID, "err", err)
	}
}

// Recover captures, after a restart, the Tabby payments of successful
// transactions that a crash between their authorization and their capture
// left uncaptured, and puts the gateway's timers back (resumeTimers).
func (s *Service) Recover(ctx context.Context) error {
	var succeeded []*Transaction
	err := s.Store.View(ctx, func(tx store.Tx) error {
		docs, _, err := tx.List(kindTransaction, store.Query{Index: map[string]string{"status": string(ow.StatusSuccess)}})
		if err == nil {
			succeeded, err = decode(docs)
		}
		return err
	})
	if err != nil {
		return err
	}
	for _, t := range succeeded {
		if t.TxnType != ow.TxnSale {
			continue
		}
		m, err := s.Merchants.Get(ctx, t.Merchant)
		if err != nil {
			continue // its merchant is gone
		}
		s.capture(ctx, m, t)
	}
	return s.resumeTimers(ctx)
}
