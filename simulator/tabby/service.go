package tabby

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"time"

	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/ids"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

const (
	kindPayment = "tabby.payment"
	kindSession = "tabby.session"

	// Timer kinds on the merchant's clock.
	timerExpire      = "tabby.expire"
	timerAutoCapture = "tabby.autocapture"
)

// Event is a change Tabby sends a webhook for (tabby-api.md §6.3).
type Event string

// Webhook events, one per transition Tabby documents.
const (
	EventAuthorize Event = "authorize"
	EventCapture   Event = "capture"
	EventClose     Event = "close"
	EventReject    Event = "reject"
	EventRefund    Event = "refund"
	EventUpdate    Event = "update"
	EventExpire    Event = "expire"
)

// Notifier hears of every webhook event inside the transaction that makes
// the change, so the webhook is stored in the same step as the change.
type Notifier interface {
	// Notify receives the payment as it was right after the event.
	Notify(ctx context.Context, tx store.Tx, m *tenant.Merchant, p *Payment, e Event) error
}

// Service is the Tabby lifecycle for every merchant.
type Service struct {
	Store     store.Store
	Merchants *tenant.Registry
	Clocks    *clock.Scheduler
	IDs       *ids.Source
	// Notifier may be nil: then no webhooks are produced.
	Notifier Notifier
}

// Start registers the service's timers with the scheduler.
func (s *Service) Start() {
	s.Clocks.Handle(timerExpire, s.onExpire)
	s.Clocks.Handle(timerAutoCapture, s.onAutoCapture)
}

// change collects what a mutation does beyond rewriting the payment.
type change struct {
	now    time.Time
	m      *tenant.Merchant
	events []emitted
	timers []timer
}

type emitted struct {
	event Event
	snap  Payment
}

type timer struct {
	at   time.Time
	kind string
}

// emit records a webhook event with the payment as it is now.
func (c *change) emit(p *Payment, e Event) {
	snap := *p
	snap.Captures = append([]Capture(nil), p.Captures...)
	snap.Refunds = append([]Refund(nil), p.Refunds...)
	c.events = append(c.events, emitted{event: e, snap: snap})
}

func (s *Service) now(m *tenant.Merchant) (time.Time, error) {
	c, err := s.Clocks.Clock(m.ID)
	if err != nil {
		return time.Time{}, fmt.Errorf("merchant %s: %w", m.ID, err)
	}
	return c.Now(), nil
}

func paymentDoc(p *Payment) store.Doc {
	return store.Doc{Kind: kindPayment, ID: p.ID, Merchant: p.Merchant, Created: p.CreatedAt, Index: listIndex(p)}
}

// commit writes p and its events in tx, and starts the change's timers
// once tx has committed.
func (s *Service) commit(ctx context.Context, tx store.Tx, p *Payment, c *change) error {
	if err := store.PutJSON(tx, paymentDoc(p), p); err != nil {
		return err
	}
	for _, t := range c.timers {
		merchant, at, kind, key := p.Merchant, t.at, t.kind, p.ID
		// A merchant removed by a reset has no clock; its timers go with it.
		tx.AfterCommit(func() { _ = s.Clocks.Schedule(merchant, at, kind, key) })
	}
	if s.Notifier == nil {
		return nil
	}
	for _, e := range c.events {
		snap := e.snap
		if err := s.Notifier.Notify(ctx, tx, c.m, &snap, e.event); err != nil {
			return err
		}
	}
	return nil
}

// mutate applies fn to merchant m's payment id in one transaction.
func (s *Service) mutate(ctx context.Context, m *tenant.Merchant, id string, fn func(p *Payment, c *change) error) (*Payment, error) {
	now, err := s.now(m)
	if err != nil {
		return nil, err
	}
	c := &change{now: now, m: m}
	var p Payment
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		d, err := store.GetJSON(tx, kindPayment, id, &p)
		if errors.Is(err, store.ErrNotFound) || (err == nil && d.Merchant != m.ID) {
			return errNoSuchPayment
		}
		if err != nil {
			return err
		}
		if err := fn(&p, c); err != nil {
			return err
		}
		return s.commit(ctx, tx, &p, c)
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// CreateSession runs pre-scoring and creates a checkout session with its
// payment. isTest is true for test keys.
func (s *Service) CreateSession(ctx context.Context, m *tenant.Merchant, req *CheckoutRequest, isTest bool) (*Payment, error) {
	amount, err := req.validate(m.Settings.Strict)
	if err != nil {
		return nil, err
	}
	currency, ok := m.Currency(req.MerchantCode)
	if !ok {
		return nil, errorf(Unauthorized, "merchant is null")
	}
	if currency != req.Payment.Currency {
		return nil, errorf(Invalid, "could not create payment: only '%s' is supported, but got '%s'", currency, req.Payment.Currency)
	}
	now, err := s.now(m)
	if err != nil {
		return nil, err
	}
	p := newPayment(m, req, amount, now, isTest)
	p.ID, p.SessionID = s.IDs.UUID(), s.IDs.UUID()
	c := &change{now: now, m: m}
	if reason := s.prescore(m, p); reason != "" {
		p.RejectionReason = reason
		p.Status = Rejected
		p.record(now, "session rejected at pre-scoring", BySimulator, reason)
	} else {
		p.record(now, "session created", ByMerchant, "")
		c.timers = append(c.timers, timer{at: expiryAt(p, m), kind: timerExpire})
	}
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		sess := store.Doc{Kind: kindSession, ID: p.SessionID, Merchant: m.ID, Created: now}
		if err := store.PutJSON(tx, sess, p.ID); err != nil {
			return err
		}
		return s.commit(ctx, tx, p, c)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func newPayment(m *tenant.Merchant, req *CheckoutRequest, amount Amount, now time.Time, isTest bool) *Payment {
	r := req.Payment
	p := &Payment{
		Merchant: m.ID, MerchantCode: req.MerchantCode, CreatedAt: now, Status: Created, IsTest: isTest,
		Amount: amount, Currency: r.Currency, Description: r.Description, Lang: req.Lang,
		Buyer: *r.Buyer, OrderHistory: r.OrderHistory, Meta: r.Meta, Attachment: r.Attachment,
		SessionExpiresAt: now.Add(m.Settings.SessionTTL.D()),
		Captures:         []Capture{}, Refunds: []Refund{},
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
	if p.OrderHistory == nil {
		p.OrderHistory = []Raw{}
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

// prescore returns Tabby's rejection reason for the session, or "".
func (s *Service) prescore(m *tenant.Merchant, p *Payment) string {
	if prescoringRejects(&p.Buyer) {
		return RejectNotAvailable
	}
	if l, ok := m.Settings.Limits[p.Currency]; ok {
		if min, err := ParseAmount(l.Min, p.Currency); err == nil && p.Amount < min {
			return RejectTooLow
		}
		if max, err := ParseAmount(l.Max, p.Currency); err == nil && p.Amount > max {
			return RejectTooHigh
		}
	}
	return ""
}

// Session returns the payment of merchant m's checkout session id.
func (s *Service) Session(ctx context.Context, m *tenant.Merchant, sessionID string) (*Payment, error) {
	p, err := s.SessionAnyMerchant(ctx, sessionID)
	if err == nil && p.Merchant != m.ID {
		return nil, errorf(NotFound, "no such session")
	}
	return p, err
}

// CancelSession cancels an unfinished checkout: the payment turns EXPIRED.
func (s *Service) CancelSession(ctx context.Context, m *tenant.Merchant, sessionID string) (*Payment, error) {
	p, err := s.Session(ctx, m, sessionID)
	if err != nil {
		return nil, err
	}
	return s.mutate(ctx, m, p.ID, func(p *Payment, c *change) error {
		if p.Status != Created {
			return errorf(Invalid, "could not cancel session: payment is %s", p.Status)
		}
		s.expire(p, c, ByMerchant, "session cancelled")
		return nil
	})
}

// Payment returns merchant m's payment id.
func (s *Service) Payment(ctx context.Context, m *tenant.Merchant, id string) (*Payment, error) {
	p, err := s.PaymentAnyMerchant(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.Merchant != m.ID {
		return nil, errNoSuchPayment
	}
	return p, nil
}

// PaymentAnyMerchant returns payment id whoever owns it; the control API
// uses it.
func (s *Service) PaymentAnyMerchant(ctx context.Context, id string) (*Payment, error) {
	var p Payment
	err := s.Store.View(ctx, func(tx store.Tx) error {
		_, err := store.GetJSON(tx, kindPayment, id, &p)
		if errors.Is(err, store.ErrNotFound) {
			return errNoSuchPayment
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// UpdateReference sets order.reference_id on an authorized or closed payment.
func (s *Service) UpdateReference(ctx context.Context, m *tenant.Merchant, id, referenceID string) (*Payment, error) {
	return s.mutate(ctx, m, id, func(p *Payment, c *change) error {
		if p.Status != Authorized && p.Status != Closed {
			return errorf(Invalid, "could not update payment: only AUTHORIZED and CLOSED payments can be updated, this one is %s", p.Status)
		}
		old := p.Order.ReferenceID
		p.Order.ReferenceID = referenceID
		p.record(c.now, "order reference updated", ByMerchant, fmt.Sprintf("%q → %q", old, referenceID))
		c.emit(p, EventUpdate)
		return nil
	})
}

// CaptureRequest is the body of a capture.
type CaptureRequest struct {
	Amount         string `json:"amount"`
	ReferenceID    string `json:"reference_id"`
	TaxAmount      string `json:"tax_amount"`
	ShippingAmount string `json:"shipping_amount"`
	DiscountAmount string `json:"discount_amount"`
	Items          []Item `json:"items"`
}

// RefundRequest is the body of a refund.
type RefundRequest struct {
	Amount      string `json:"amount"`
	ReferenceID string `json:"reference_id"`
	Reason      string `json:"reason"`
	Items       []Item `json:"items"`
}

// DecodeCapture parses a capture body.
func DecodeCapture(body []byte) (*CaptureRequest, error) {
	var r CaptureRequest
	return &r, decodeJSON(body, &r)
}

// DecodeRefund parses a refund body.
func DecodeRefund(body []byte) (*RefundRequest, error) {
	var r RefundRequest
	return &r, decodeJSON(body, &r)
}

// DecodeUpdate parses a PUT payment body and returns the new reference id.
func DecodeUpdate(body []byte) (string, error) {
	var r struct {
		Order *struct {
			ReferenceID *string `json:"reference_id"`
		} `json:"order"`
	}
	if err := decodeJSON(body, &r); err != nil {
		return "", err
	}
	if r.Order == nil || r.Order.ReferenceID == nil {
		return "", errorf(Invalid, "order.reference_id is required")
	}
	return *r.Order.ReferenceID, nil
}

// Capture takes amount from an authorized payment. A capture whose
// reference_id was seen before on this payment changes nothing.
func (s *Service) Capture(ctx context.Context, m *tenant.Merchant, id string, r *CaptureRequest) (*Payment, error) {
	return s.mutate(ctx, m, id, func(p *Payment, c *change) error {
		if r.ReferenceID != "" {
			for _, cp := range p.Captures {
				if cp.ReferenceID == r.ReferenceID {
					return nil
				}
			}
		}
		if p.Status != Authorized {
			return errorf(Invalid, "could not capture not authorized payments")
		}
		if r.Amount == "" {
			return errorf(Invalid, "amount is required")
		}
		amount, err := ParseAmount(r.Amount, p.Currency)
		if err != nil {
			return errorf(Invalid, "amount: %v", err)
		}
		for name, v := range map[string]string{"tax_amount": r.TaxAmount, "shipping_amount": r.ShippingAmount, "discount_amount": r.DiscountAmount} {
			if v == "" {
				continue
			}
			if _, err := ParseAmount(v, p.Currency); err != nil {
				return errorf(Invalid, "%s: %v", name, err)
			}
		}
		if err := validateItems("items", r.Items, p.Currency); err != nil {
			return err
		}
		if amount <= 0 {
			return errorf(Invalid, "amount must be greater than zero")
		}
		if rest := p.Amount - p.Captured(); amount > rest {
			return errorf(Invalid, "could not capture %s %s: only %s %s of the payment is left to capture",
				amount.Format(p.Currency), p.Currency, rest.Format(p.Currency), p.Currency)
		}
		s.capture(p, c, Capture{Amount: amount, ReferenceID: r.ReferenceID, TaxAmount: amountText(r.TaxAmount, p.Currency),
			ShippingAmount: amountText(r.ShippingAmount, p.Currency), DiscountAmount: amountText(r.DiscountAmount, p.Currency),
			Items: normaliseItems(r.Items, p.Currency)}, ByMerchant)
		return nil
	})
}

// captureRemainder captures what is left of the payment, as Tabby's
// auto-capture does (reference_id "").
func (s *Service) captureRemainder(p *Payment, c *change) {
	zero := amountText("", p.Currency)
	s.capture(p, c, Capture{Amount: p.Amount - p.Captured(), TaxAmount: zero, ShippingAmount: zero, DiscountAmount: zero}, BySimulator)
}

// expiryAt is when an unfinished payment turns EXPIRED.
func expiryAt(p *Payment, m *tenant.Merchant) time.Time {
	return p.SessionExpiresAt.Add(m.Settings.ExpireAfterSession.D())
}

// autoCaptureAt is when an authorized payment left uncaptured is captured.
func autoCaptureAt(p *Payment, m *tenant.Merchant) time.Time {
	return p.AuthorizedAt.Add(m.Settings.AutoCaptureAfter.D())
}

// capture appends cp and closes the payment once it is captured in full.
func (s *Service) capture(p *Payment, c *change, cp Capture, by string) {
	cp.ID, cp.CreatedAt = s.IDs.UUID(), c.now
	if cp.Items == nil {
		cp.Items = []Item{}
	}
	p.Captures = append(p.Captures, cp)
	p.record(c.now, "captured", by, cp.Amount.Format(p.Currency)+" "+p.Currency)
	c.emit(p, EventCapture)
	if p.Captured() == p.Amount {
		s.close(p, c, by, "captured in full")
	}
}

func (s *Service) close(p *Payment, c *change, by, detail string) {
	p.Status = Closed
	now := c.now
	p.ClosedAt = &now
	p.record(now, "closed", by, detail)
	c.emit(p, EventClose)
}

// Refund returns amount from a closed payment, never more than captured.
// A refund whose reference_id was seen before on this payment changes
// nothing.
func (s *Service) Refund(ctx context.Context, m *tenant.Merchant, id string, r *RefundRequest) (*Payment, error) {
	return s.mutate(ctx, m, id, func(p *Payment, c *change) error {
		if r.ReferenceID != "" {
			for _, rf := range p.Refunds {
				if rf.ReferenceID == r.ReferenceID {
					return nil
				}
			}
		}
		if p.Status != Closed {
			if len(p.Captures) == 0 {
				return errorf(Invalid, "can not refund payment that has no captures and not closed")
			}
			return errorf(Invalid, "can not refund payment that is not closed: close it first (it is %s)", p.Status)
		}
		if r.Amount == "" {
			return errorf(Invalid, "amount is required")
		}
		amount, err := ParseAmount(r.Amount, p.Currency)
		if err != nil {
			return errorf(Invalid, "amount: %v", err)
		}
		if err := validateItems("items", r.Items, p.Currency); err != nil {
			return err
		}
		if amount <= 0 {
			return errorf(Invalid, "amount must be greater than zero")
		}
		window := m.Settings.RefundWindow.D()
		if c.now.After(p.CreatedAt.Add(window)) {
			return errorf(Invalid, "could not refund: refunds are accepted for %s after the payment was created, and that time has passed", m.Settings.RefundWindow)
		}
		if rest := p.Captured() - p.Refunded(); amount > rest {
			return errorf(Invalid, "could not refund %s %s: only %s %s of the captured amount is left to refund",
				amount.Format(p.Currency), p.Currency, rest.Format(p.Currency), p.Currency)
		}
		items := normaliseItems(r.Items, p.Currency)
		p.Refunds = append(p.Refunds, Refund{ID: s.IDs.UUID(), CreatedAt: c.now, Amount: amount, Reason: r.Reason, Items: items, ReferenceID: r.ReferenceID})
		p.record(c.now, "refunded", ByMerchant, amount.Format(p.Currency)+" "+p.Currency)
		c.emit(p, EventRefund)
		return nil
	})
}

// Close closes an authorized payment, cancelling what was not captured.
func (s *Service) Close(ctx context.Context, m *tenant.Merchant, id string) (*Payment, error) {
	return s.mutate(ctx, m, id, func(p *Payment, c *change) error {
		switch p.Status {
		case Closed:
			return errorf(Invalid, "already closed")
		case Authorized:
			s.close(p, c, ByMerchant, "closed by the merchant")
			return nil
		}
		return errorf(Invalid, "could not close not authorized payments")
	})
}

// ListFilter selects the payments a listing shows; the zero value selects
// every payment. Each filter is an index entry that the payments it selects
// carry (see listIndex), so that a listing reads only its page.
type ListFilter struct{ key, value string }

// The filters of GET /api/v2/payments?status= beyond API statuses
// (tabby-api.md §3.9, §4.1).
var (
	// ListAuthorizedOrClosed is what Tabby lists when no status is asked.
	ListAuthorizedOrClosed = ListFilter{"listed", "yes"}
	// The dashboard statuses of a CLOSED payment.
	ListCaptured  = ListFilter{"closed", "captured"}  // captured, nothing refunded
	ListRefunded  = ListFilter{"closed", "refunded"}  // something refunded
	ListCancelled = ListFilter{"closed", "cancelled"} // closed without a capture
)

// ListStatus selects the payments in API status st.
func ListStatus(st Status) ListFilter { return ListFilter{"status", string(st)} }

func (f ListFilter) index() map[string]string {
	if f.key == "" {
		return nil
	}
	return map[string]string{f.key: f.value}
}

// listIndex files p under every ListFilter it matches.
func listIndex(p *Payment) map[string]string {
	idx := map[string]string{"status": string(p.Status)}
	if p.Status == Authorized || p.Status == Closed {
		idx["listed"] = "yes"
	}
	if p.Status == Closed {
		switch {
		case len(p.Refunds) > 0:
			idx["closed"] = "refunded"
		case len(p.Captures) == 0:
			idx["closed"] = "cancelled"
		default:
			idx["closed"] = "captured"
		}
	}
	return idx
}

// ListQuery selects payments for GET /api/v2/payments.
type ListQuery struct {
	Filter        ListFilter
	CreatedFrom   time.Time // inclusive; zero means unbounded
	CreatedBefore time.Time // exclusive; zero means unbounded
	Limit, Offset int       // Limit 0 means no limit
}

// List returns merchant m's payments matching q, newest first, and the total
// number that matched. It reads only the payments it returns.
func (s *Service) List(ctx context.Context, m *tenant.Merchant, q ListQuery) ([]*Payment, int, error) {
	out := []*Payment{}
	var total int
	err := s.Store.View(ctx, func(tx store.Tx) error {
		docs, n, err := tx.List(kindPayment, store.Query{
			Merchant: m.ID, Index: q.Filter.index(),
			CreatedFrom: q.CreatedFrom, CreatedBefore: q.CreatedBefore,
			Limit: q.Limit, Offset: q.Offset,
		})
		if err != nil {
			return err
		}
		total = n
		for _, d := range docs {
			p := new(Payment)
			if err := json.Unmarshal(d.Data, p); err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// Action is what a customer does on the hosted payment page.
type Action string

// Customer actions.
const (
	Approve                Action = "approve"
	Reject                 Action = "reject"
	Cancel                 Action = "cancel"
	ApproveWithoutRedirect Action = "approve_without_redirect"
	Abandon                Action = "abandon"
)

// ParseAction checks a customer action's name.
func ParseAction(s string) (Action, error) {
	switch a := Action(s); a {
	case Approve, Reject, Cancel, ApproveWithoutRedirect, Abandon:
		return a, nil
	}
	return "", errorf(Invalid, "action must be one of approve, reject, cancel, approve_without_redirect, abandon; got %q", s)
}

// Act does what the customer does on the hosted page and returns the
// payment and the URL the browser is sent to ("" when there is none). It
// plays the whole customer, so it does not ask for the OTP step; the hosted
// page does.
func (s *Service) Act(ctx context.Context, paymentID string, a Action) (*Payment, string, error) {
	m, err := s.owner(ctx, paymentID)
	if err != nil {
		return nil, "", err
	}
	var redirect string
	p, err := s.mutate(ctx, m, paymentID, func(p *Payment, c *change) error {
		if err := checkOpen(p, c.now); err != nil {
			return err
		}
		switch a {
		case Approve, ApproveWithoutRedirect:
			if rejectedAfterOTP(&p.Buyer) {
				s.reject(p, c)
				redirect = p.URLs.Failure
			} else {
				s.authorize(p, c, m)
				redirect = p.URLs.Success
			}
		case Reject:
			s.reject(p, c)
			redirect = p.URLs.Failure
		case Cancel:
			s.expire(p, c, ByCustomer, "cancelled on the hosted page")
			redirect = p.URLs.Cancel
		case Abandon:
			p.record(c.now, "customer left the hosted page", ByCustomer, "")
		}
		if a == ApproveWithoutRedirect {
			p.record(c.now, "customer closed the tab before the redirect", ByCustomer, "")
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	if a == ApproveWithoutRedirect || a == Abandon || redirect == "" {
		return p, "", nil
	}
	return p, WithPaymentID(redirect, p.ID), nil
}

// checkOpen refuses customer actions on a finished or timed-out checkout.
func checkOpen(p *Payment, now time.Time) error {
	switch {
	case p.RejectionReason != "":
		return errorf(Conflict, "the session was rejected at pre-scoring (%s); the customer cannot pay", p.RejectionReason)
	case p.Status != Created:
		return errorf(Conflict, "the payment is %s; the customer can no longer act on it", p.Status)
	case !now.Before(p.SessionExpiresAt):
		return errorf(Conflict, "the checkout session expired at %s", p.SessionExpiresAt.Format(time.RFC3339))
	}
	return nil
}

// owner returns the merchant a payment belongs to.
func (s *Service) owner(ctx context.Context, paymentID string) (*tenant.Merchant, error) {
	p, err := s.PaymentAnyMerchant(ctx, paymentID)
	if err != nil {
		return nil, err
	}
	m, err := s.Merchants.Get(ctx, p.Merchant)
	if errors.Is(err, tenant.ErrNotFound) {
		return nil, errNoSuchPayment
	}
	return m, err
}

// VerifyOTP checks the code the customer typed on the hosted page.
func (s *Service) VerifyOTP(ctx context.Context, paymentID, code string) (*Payment, error) {
	m, err := s.owner(ctx, paymentID)
	if err != nil {
		return nil, err
	}
	return s.mutate(ctx, m, paymentID, func(p *Payment, c *change) error {
		if err := checkOpen(p, c.now); err != nil {
			return err
		}
		if code != OTPCode {
			return errorf(Invalid, "wrong code: in the sandbox the code is always %s", OTPCode)
		}
		if !p.OTPVerified {
			p.OTPVerified = true
			p.record(c.now, "OTP verified", ByCustomer, "")
		}
		return nil
	})
}

func (s *Service) authorize(p *Payment, c *change, m *tenant.Merchant) {
	now := c.now
	p.Status = Authorized
	p.AuthorizedAt = &now
	p.record(now, "authorized", ByCustomer, "")
	c.emit(p, EventAuthorize)
	switch m.Settings.AutoCapture {
	case "immediate":
		s.captureRemainder(p, c)
	case "after_delay":
		c.timers = append(c.timers, timer{at: autoCaptureAt(p, m), kind: timerAutoCapture})
	}
}

func (s *Service) reject(p *Payment, c *change) {
	p.Status = Rejected
	p.record(c.now, "rejected", BySimulator, "Tabby declined the customer on the hosted page")
	c.emit(p, EventReject)
}

func (s *Service) expire(p *Payment, c *change, by, detail string) {
	now := c.now
	p.Status = Expired
	p.ExpiredAt = &now
	p.record(now, "expired", by, detail)
	if c.m.Settings.ExpireWebhooks {
		c.emit(p, EventExpire)
	}
}

// onExpire turns a payment still CREATED at its timeout EXPIRED.
func (s *Service) onExpire(ctx context.Context, e clock.Event) {
	s.onTimer(ctx, e, func(p *Payment, c *change) {
		if p.Status == Created {
			s.expire(p, c, BySimulator, "checkout not completed in time")
		}
	})
}

// onAutoCapture captures in full a payment left AUTHORIZED, as Tabby does
// 21 days after authorization.
func (s *Service) onAutoCapture(ctx context.Context, e clock.Event) {
	s.onTimer(ctx, e, func(p *Payment, c *change) {
		if p.Status == Authorized {
			s.captureRemainder(p, c)
		}
	})
}

func (s *Service) onTimer(ctx context.Context, e clock.Event, fn func(p *Payment, c *change)) {
	m, err := s.Merchants.Get(ctx, e.Merchant)
	if err != nil {
		return // the merchant was removed by a reset
	}
	_, _ = s.mutate(ctx, m, e.Key, func(p *Payment, c *change) error {
		fn(p, c)
		return nil
	})
}

// WithPaymentID appends payment_id to a merchant URL, with ? or & as the
// URL needs (tabby-api.md §4.2).
func WithPaymentID(raw, paymentID string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	param := "payment_id=" + url.QueryEscape(paymentID)
	if u.RawQuery == "" {
		u.RawQuery = param
	} else {
		u.RawQuery += "&" + param
	}
	return u.String()
}

// SessionAnyMerchant returns the payment of checkout session id whoever
// owns it; the hosted page uses it, as the customer holds no key.
func (s *Service) SessionAnyMerchant(ctx context.Context, sessionID string) (*Payment, error) {
	var p Payment
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var paymentID string
		_, err := store.GetJSON(tx, kindSession, sessionID, &paymentID)
		if errors.Is(err, store.ErrNotFound) {
			return errorf(NotFound, "no such session")
		}
		if err != nil {
			return err
		}
		_, err = store.GetJSON(tx, kindPayment, paymentID, &p)
		if errors.Is(err, store.ErrNotFound) {
			return errorf(NotFound, "no such session")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// Now is merchant's current time on its own clock.
func (s *Service) Now(merchant string) time.Time {
	c, err := s.Clocks.Clock(merchant)
	if err != nil {
		return time.Time{}
	}
	return c.Now()
}

// Recover puts the timers of every unfinished payment back on their
// merchants' clocks after a restart. Timers already due fire at once.
func (s *Service) Recover(ctx context.Context) error {
	var payments []Payment
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		docs, _, err := tx.List(kindPayment, store.Query{})
		if err != nil {
			return err
		}
		for _, d := range docs {
			var p Payment
			if err := json.Unmarshal(d.Data, &p); err != nil {
				return err
			}
			if p.Status == Created || p.Status == Authorized {
				payments = append(payments, p)
			}
			// Payments stored before listings were indexed are filed now.
			if idx := listIndex(&p); !maps.Equal(d.Index, idx) {
				d.Index = idx
				if err := tx.Put(d); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	merchants := map[string]*tenant.Merchant{}
	for _, p := range payments {
		m, ok := merchants[p.Merchant]
		if !ok {
			var err error
			if m, err = s.Merchants.Get(ctx, p.Merchant); err != nil {
				continue // its merchant is gone
			}
			merchants[p.Merchant] = m
		}
		var err error
		switch {
		case p.Status == Created && p.RejectionReason == "":
			err = s.Clocks.Schedule(p.Merchant, expiryAt(&p, m), timerExpire, p.ID)
		case p.Status == Authorized && p.AuthorizedAt != nil && m.Settings.AutoCapture == "after_delay":
			err = s.Clocks.Schedule(p.Merchant, autoCaptureAt(&p, m), timerAutoCapture, p.ID)
		}
		if err != nil {
			return fmt.Errorf("recovering payment %s: %w", p.ID, err)
		}
	}
	return nil
}
