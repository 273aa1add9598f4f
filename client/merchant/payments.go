package merchant

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/client/tabby"
)

func (m *Merchant) poll(ctx context.Context) {
	defer m.wg.Done()
	t := time.NewTicker(m.cfg.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := m.pollOnce(ctx); err != nil && ctx.Err() == nil {
				m.log.Warn("polling payments", "err", err)
			}
		}
	}
}

// PollOnce retrieves the payment of every pending order, and of every paid
// order whose payment is still AUTHORIZED without a capture, and applies
// it: the cron job seed 002 offers as the alternative to webhooks. In the
// Onerway mode it queries the transactions of every order the gateway may
// still have news of.
func (m *Merchant) PollOnce(ctx context.Context) error {
	_, err := m.pollOnce(ctx)
	return err
}

func (m *Merchant) pollOnce(ctx context.Context) (int, error) {
	if m.ow != nil {
		return m.ow.pollOnce(ctx)
	}
	if m.has(DefectNeverPolls) {
		return 0, nil
	}
	m.mu.Lock()
	all := make([]*order, 0, len(m.orders))
	for _, o := range m.orders {
		all = append(all, o)
	}
	m.mu.Unlock()
	checked := 0
	var errs []error
	for _, o := range all {
		if ctx.Err() != nil {
			return checked, ctx.Err()
		}
		o.mu.Lock()
		if !o.deleted && o.needsPoll() && !(m.has(DefectPollsOnce) && o.polled) {
			o.polled = true
			checked++
			if err := m.refresh(ctx, o, "", false); err != nil {
				errs = append(errs, fmt.Errorf("order %s: %w", o.id, err))
			}
		}
		o.mu.Unlock()
	}
	return checked, errors.Join(errs...)
}

// refresh retrieves the order's payment and applies it; claimed says the
// notice that prompted it announced an authorization. An order that knows
// no payment yet takes payment id if Tabby says it pays for this order.
func (m *Merchant) refresh(ctx context.Context, o *order, id string, claimed bool) error {
	if o.paymentID != "" {
		id = o.paymentID
	}
	p, err := m.tabby.GetPayment(ctx, id)
	if err != nil {
		return fmt.Errorf("retrieving payment %s: %w", id, err)
	}
	if o.paymentID == "" && p.Order.ReferenceID != o.id {
		m.log.Warn("payment pays for another order", "order", o.id, "payment", id, "reference_id", p.Order.ReferenceID)
		return nil
	}
	return m.apply(ctx, o, p, claimed)
}

// apply brings the order in line with payment p; o.mu is held. claimed says
// the notice announced an authorization (only the captures-twice defect
// listens to it).
func (m *Merchant) apply(ctx context.Context, o *order, p *tabby.Payment, claimed bool) error {
	if o.paymentID == "" && p.ID != "" {
		o.paymentID = p.ID
		m.mu.Lock()
		m.byPayment[p.ID] = o.id
		m.mu.Unlock()
	}
	m.record(o, p)
	switch p.Status {
	case tabby.StatusAuthorized:
		o.status = StatusPaid
		if m.has(DefectCapturesTwice) {
			return m.captureFresh(ctx, o, p)
		}
		return m.fulfil(ctx, o, p)
	case tabby.StatusClosed:
		if m.has(DefectCapturesTwice) && claimed {
			return m.captureFresh(ctx, o, p)
		}
		o.settle()
	case tabby.StatusRejected:
		if !m.has(DefectIgnoresRejection) {
			o.status = StatusFailed
		}
	case tabby.StatusExpired:
		if m.has(DefectLosesOrderOnCancel) {
			m.delete(o)
			return nil
		}
		o.status = StatusCancelled
	case tabby.StatusCreated:
		// The customer has not finished the checkout yet.
	default:
		return fmt.Errorf("payment %s has an unknown status %q", p.ID, p.Status)
	}
	return nil
}

// fulfil captures an AUTHORIZED payment exactly once (reference_id
// capture-<order>), what ships, and closes the rest.
func (m *Merchant) fulfil(ctx context.Context, o *order, p *tabby.Payment) error {
	if m.has(DefectNeverCaptures) {
		return nil
	}
	ship, items := o.shipment()
	total, err := money.Parse(p.Amount, o.currency)
	if err != nil {
		total = o.amount
	}
	ship = min(ship, total)
	if ship > 0 && !hasCapture(p, o.captureRef()) {
		if p, err = m.tabby.Capture(ctx, p.ID, tabby.CaptureRequest{
			Amount: m.tabbyAmount(ship, o.currency), ReferenceID: o.captureRef(), Items: items,
		}); err != nil {
			return fmt.Errorf("capturing %s: %w", o.captureRef(), err)
		}
		m.log.Info("captured", "order", o.id, "payment", p.ID, "amount", ship.Format(o.currency))
		m.record(o, p)
	}
	if p.Status == tabby.StatusAuthorized && ship < total {
		closed, err := m.tabby.Close(ctx, p.ID)
		switch {
		case tabby.IsAlreadyClosed(err):
			if closed, err = m.tabby.GetPayment(ctx, p.ID); err != nil {
				return fmt.Errorf("retrieving payment %s: %w", p.ID, err)
			}
		case err != nil:
			return fmt.Errorf("closing the rest of payment %s: %w", p.ID, err)
		}
		m.log.Info("closed the rest", "order", o.id, "payment", p.ID)
		p = closed
		m.record(o, p)
	}
	if p.Status == tabby.StatusClosed {
		o.settle()
	}
	return nil
}

func hasCapture(p *tabby.Payment, ref string) bool {
	for _, c := range p.Captures {
		if c.ReferenceID == ref {
			return true
		}
	}
	return false
}

// captureFresh is the captures-twice defect: a capture with a new
// reference_id on every notice. Tabby's refusals are only logged.
func (m *Merchant) captureFresh(ctx context.Context, o *order, p *tabby.Payment) error {
	ship, items := o.shipment()
	o.freshCaptures++
	ref := fmt.Sprintf("%s-%d", o.captureRef(), o.freshCaptures)
	got, err := m.tabby.Capture(ctx, p.ID, tabby.CaptureRequest{
		Amount: m.tabbyAmount(ship, o.currency), ReferenceID: ref, Items: items,
	})
	if err != nil {
		m.log.Warn("capture refused", "order", o.id, "reference_id", ref, "err", err)
		got = p
	}
	m.record(o, got)
	if got.Status == tabby.StatusClosed {
		o.settle()
	} else {
		o.status = StatusPaid
	}
	return nil
}
