package tabby

import (
	"context"
	"errors"
	"time"

	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// CreateSession runs pre-scoring and creates a checkout session with its
// payment, for the merchant's own call. isTest is true for test keys. The
// request is checked and the payment made before the store is locked, to
// keep other requests waiting only while it is written.
func (s *Service) CreateSession(ctx context.Context, m *tenant.Merchant, req *CheckoutRequest, isTest bool) (*Payment, error) {
	p, c, err := s.newSession(m, req, isTest, Direct)
	if err != nil {
		return nil, err
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error { return s.fileSession(ctx, tx, p, c) })
	if err != nil {
		return nil, err
	}
	return p, nil
}

// CreateSessionTx is CreateSession inside tx for a payment coming through
// channel ch: a gateway creates the Tabby session in the transaction that
// records its own transaction, so that both are stored or neither. The
// session's timers start once tx commits.
func (s *Service) CreateSessionTx(ctx context.Context, tx store.Tx, m *tenant.Merchant, req *CheckoutRequest, isTest bool, ch Channel) (*Payment, error) {
	p, c, err := s.newSession(m, req, isTest, ch)
	if err != nil {
		return nil, err
	}
	if err := s.fileSession(ctx, tx, p, c); err != nil {
		return nil, err
	}
	return p, nil
}

// newSession checks a checkout request and makes its payment, pre-scored,
// with what its creation changes.
func (s *Service) newSession(m *tenant.Merchant, req *CheckoutRequest, isTest bool, ch Channel) (*Payment, *change, error) {
	if err := ch.validate(); err != nil {
		return nil, nil, err
	}
	amount, err := req.Validate(m.Settings.Strict)
	if err != nil {
		return nil, nil, err
	}
	currency, ok := m.Currency(req.MerchantCode)
	if !ok {
		return nil, nil, ErrUnknownMerchantCode
	}
	if currency != req.Payment.Currency {
		return nil, nil, apperr.Errorf(apperr.Invalid, "could not create payment: only '%s' is supported, but got '%s'", currency, req.Payment.Currency)
	}
	now, err := s.Now(m.ID)
	if err != nil {
		return nil, nil, err
	}
	p := newPayment(m, req, amount, now, isTest)
	p.ID, p.SessionID, p.Channel = s.IDs.UUID(), s.IDs.UUID(), ch
	c := &change{now: now, m: m, created: true}
	if reason := s.prescore(m, p); reason != "" {
		p.RejectionReason = reason
		p.Status = Rejected
		p.record(now, "session rejected at pre-scoring", BySimulator, reason)
	} else {
		p.record(now, "session created", ByMerchant, "")
		c.timers = append(c.timers, timer{at: expiryAt(p, m), kind: timerExpire})
	}
	return p, c, nil
}

// fileSession writes a new session and its payment in tx, unless a reset
// removed the merchant since the request found it.
func (s *Service) fileSession(ctx context.Context, tx store.Tx, p *Payment, c *change) error {
	if err := stillThere(tx, c.m); err != nil {
		return err
	}
	sess := store.Doc{Kind: kindSession, ID: p.SessionID, Merchant: p.Merchant, Created: p.CreatedAt}
	ref := store.Ref(p.ID)
	if err := store.CreateJSON(tx, sess, &ref); err != nil {
		return err
	}
	return s.commit(ctx, tx, p, c)
}

func newPayment(m *tenant.Merchant, req *CheckoutRequest, amount money.Amount, now time.Time, isTest bool) *Payment {
	r := req.Payment
	p := &Payment{
		Merchant: m.ID, MerchantCode: req.MerchantCode, CreatedAt: now, Status: Created, IsTest: isTest,
		Amount: amount, Currency: r.Currency, Description: r.Description, Lang: req.Lang,
		Buyer: *r.Buyer, OrderHistory: make([]Raw, 0, len(r.OrderHistory)),
		Meta: canonical(r.Meta), Attachment: canonical(r.Attachment),
		SessionExpiresAt: now.Add(m.Settings.Tabby.SessionTTL.D()), Captures: []Capture{}, Refunds: []Refund{},
	}
	if p.Lang == "" {
		p.Lang = "en"
	}
	if r.ShippingAddress != nil {
		p.Shipping = *r.ShippingAddress
	}
	if req.MerchantURLs != nil {
		p.URLs = *req.MerchantURLs
	}
	if r.BuyerHistory != nil {
		p.BuyerHistory = *r.BuyerHistory
	}
	if p.BuyerHistory.RegisteredSince == "" {
		p.BuyerHistory.RegisteredSince = now.Format(time.RFC3339)
	}
	for _, raw := range r.OrderHistory {
		p.OrderHistory = append(p.OrderHistory, canonical(raw))
	}
	if o := r.Order; o != nil {
		p.Order = Order{ReferenceID: o.ReferenceID, UpdatedAt: o.UpdatedAt,
			TaxAmount: amountText(o.TaxAmount, r.Currency), ShippingAmount: amountText(o.ShippingAmount, r.Currency),
			DiscountAmount: amountText(o.DiscountAmount, r.Currency), Items: normaliseItems(o.Items, r.Currency)}
	} else {
		zero := amountText("", r.Currency)
		p.Order = Order{TaxAmount: zero, ShippingAmount: zero, DiscountAmount: zero, Items: []Item{}}
	}
	return p
}

// canonical is the merchant's raw JSON, valid as decoded from the request,
// as encoding/json writes it (compact, with <, >, &, U+2028 and U+2029
// escaped): as stored, and as every answer carries it. It is made by one
// pass over the bytes, not by encoding/json's scanner, which would check
// again what decoding the request checked.
func canonical(raw Raw) Raw {
	if raw == nil || canonicalJSON(raw) {
		return raw
	}
	const hex = "0123456789abcdef"
	out := make(Raw, 0, len(raw))
	inString := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if !notPlain[c] {
			out = append(out, c)
			continue
		}
		switch {
		case c == '\\' && i+1 < len(raw):
			out = append(out, c, raw[i+1]) // what a backslash escapes is plain ASCII
			i++
		case c == '"':
			inString = !inString
			out = append(out, c)
		case c == '<', c == '>', c == '&':
			out = append(out, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		case lineSeparator(raw, i):
			out = append(out, '\\', 'u', '2', '0', '2', hex[raw[i+2]&0xF])
			i += 2
		case c == 0xE2, inString: // another character; a space in a string
			out = append(out, c)
		}
	}
	return out
}

// prescore returns Tabby's rejection reason for the session, or "".
func (s *Service) prescore(m *tenant.Merchant, p *Payment) string {
	if prescoringRejects(&p.Buyer) {
		return RejectNotAvailable
	}
	if l, ok := p.Channel.limits(m)[p.Currency]; ok {
		if min, err := money.Parse(l.Min, p.Currency); err == nil && p.Amount < min {
			return RejectTooLow
		}
		if max, err := money.Parse(l.Max, p.Currency); err == nil && p.Amount > max {
			return RejectTooHigh
		}
	}
	return ""
}

// Session returns the payment of merchant m's checkout session id.
func (s *Service) Session(ctx context.Context, m *tenant.Merchant, sessionID string) (*Payment, error) {
	p, err := s.SessionAnyMerchant(ctx, sessionID)
	if err == nil && p.Merchant != m.ID {
		return nil, apperr.Errorf(apperr.NotFound, "no such session")
	}
	return p, err
}

// CancelSession cancels an unfinished checkout: the payment turns EXPIRED.
func (s *Service) CancelSession(ctx context.Context, m *tenant.Merchant, sessionID string) (*Payment, error) {
	p, err := s.Session(ctx, m, sessionID)
	if err != nil {
		return nil, err
	}
	return s.mutate(ctx, m, p.ID, s.cancelSession)
}

// CancelSessionTx is CancelSession inside tx, for a gateway that cancels
// the checkout of payment paymentID underneath its own transaction in the
// same step as it records the cancellation.
func (s *Service) CancelSessionTx(ctx context.Context, tx store.Tx, m *tenant.Merchant, paymentID string) (*Payment, error) {
	return s.mutateTx(ctx, tx, m, paymentID, s.cancelSession)
}

func (s *Service) cancelSession(p *Payment, c *change) error {
	if p.Status != Created {
		return apperr.Errorf(apperr.Invalid, "could not cancel session: payment is %s", p.Status)
	}
	s.expire(p, c, ByMerchant, "session cancelled")
	return nil
}

// SessionAnyMerchant returns the payment of checkout session id whoever
// owns it; the hosted page uses it, as the customer holds no key.
func (s *Service) SessionAnyMerchant(ctx context.Context, sessionID string) (*Payment, error) {
	var p Payment
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var paymentID store.Ref
		_, err := store.GetJSON(tx, kindSession, sessionID, &paymentID)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Errorf(apperr.NotFound, "no such session")
		}
		if err != nil {
			return err
		}
		_, err = store.GetJSON(tx, kindPayment, string(paymentID), &p)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Errorf(apperr.NotFound, "no such session")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}
