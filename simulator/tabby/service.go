package tabby

import (
	"context"
	"errors"
	"fmt"
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

// Service is the Tabby lifecycle for every merchant.
type Service struct {
	Store     store.Store
	Merchants *tenant.Registry
	Clocks    *clock.Scheduler
	IDs       *ids.Source
	// Observers hear of every event, in order, inside the transaction that
	// makes it: Tabby's own webhooks (WebhookSender) and whoever else builds
	// on Tabby's payments. With none, no webhooks are produced.
	Observers []Observer
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
	// created: the payment is new, so no stored payment may have its id.
	created bool
}

type emitted struct {
	event Event
	snap  Payment
	// onDemand: sent from the control API, not caused by a change.
	onDemand bool
}

type timer struct {
	at   time.Time
	kind string
}

// emit records an event with the payment as it is now.
func (c *change) emit(p *Payment, e Event) {
	c.events = append(c.events, emitted{event: e, snap: snapshot(p)})
}

// snapshot copies p so that later changes in the same mutation do not show.
func snapshot(p *Payment) Payment {
	snap := *p
	snap.Captures = append([]Capture(nil), p.Captures...)
	snap.Refunds = append([]Refund(nil), p.Refunds...)
	return snap
}

func paymentDoc(p *Payment) store.Doc {
	return store.Doc{Kind: kindPayment, ID: p.ID, Merchant: p.Merchant, Created: p.CreatedAt, Index: listIndex(p)}
}

// commit writes p and its events in tx, and starts the change's timers
// once tx has committed.
func (s *Service) commit(ctx context.Context, tx store.Tx, p *Payment, c *change) error {
	write := store.PutJSON
	if c.created {
		write = store.CreateJSON
	}
	if err := write(tx, paymentDoc(p), p); err != nil {
		return err
	}
	for _, t := range c.timers {
		merchant, at, kind, key := p.Merchant, t.at, t.kind, p.ID
		// A merchant removed by a reset has no clock; its timers go with it.
		tx.AfterCommit(func() { _ = s.Clocks.Schedule(merchant, at, kind, key) })
	}
	for _, e := range c.events {
		if err := s.tell(ctx, tx, c.m, e); err != nil {
			return err
		}
	}
	return nil
}

// tell gives every observer event e, each with its own copy of the
// payment. An event sent on demand goes only to the observers that send on
// demand.
func (s *Service) tell(ctx context.Context, tx store.Tx, m *tenant.Merchant, e emitted) error {
	for _, o := range s.Observers {
		snap := e.snap
		var err error
		switch sender, ok := o.(OnDemandSender); {
		case !e.onDemand:
			err = o.Observe(ctx, tx, m, &snap, e.event)
		case ok:
			err = sender.SendOnDemand(ctx, tx, m, &snap, e.event)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// mutate applies fn to merchant m's payment id in one transaction.
func (s *Service) mutate(ctx context.Context, m *tenant.Merchant, id string, fn func(p *Payment, c *change) error) (*Payment, error) {
	var p *Payment
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		p, err = s.mutateTx(ctx, tx, m, id, fn)
		return err
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// mutateTx applies fn to merchant m's payment id inside tx, a transaction
// of the caller's: a gateway changes the payment underneath its own
// transaction in the same step as its own records.
func (s *Service) mutateTx(ctx context.Context, tx store.Tx, m *tenant.Merchant, id string, fn func(p *Payment, c *change) error) (*Payment, error) {
	now, err := s.Now(m.ID)
	if err != nil {
		return nil, err
	}
	if err := stillThere(tx, m); err != nil {
		return nil, err
	}
	var p Payment
	d, err := store.GetJSON(tx, kindPayment, id, &p)
	if errors.Is(err, store.ErrNotFound) || (err == nil && d.Merchant != m.ID) {
		return nil, errNoSuchPayment
	}
	if err != nil {
		return nil, err
	}
	c := &change{now: now, m: m}
	if err := fn(&p, c); err != nil {
		return nil, err
	}
	if err := s.commit(ctx, tx, &p, c); err != nil {
		return nil, err
	}
	return &p, nil
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

// Now is merchant's current time on its own clock; tenant.ErrNotFound
// when a reset removed the merchant while the request was on its way.
func (s *Service) Now(merchant string) (time.Time, error) {
	return tenant.Now(s.Clocks, merchant)
}

// stillThere fails with tenant.ErrNotFound when merchant m was removed by a
// reset after the request found it, so that nothing is written for a
// merchant that is gone.
func stillThere(tx store.Tx, m *tenant.Merchant) error {
	if !tenant.Exists(tx, m.ID) {
		return fmt.Errorf("%w: %s", tenant.ErrNotFound, m.ID)
	}
	return nil
}
