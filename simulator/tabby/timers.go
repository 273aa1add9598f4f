package tabby

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"time"

	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// expiryAt is when an unfinished payment turns EXPIRED.
func expiryAt(p *Payment, m *tenant.Merchant) time.Time {
	return p.SessionExpiresAt.Add(m.Settings.Tabby.ExpireAfterSession.D())
}

// autoCaptureAt is when an authorized payment left uncaptured is captured.
func autoCaptureAt(p *Payment, m *tenant.Merchant) time.Time {
	return p.AuthorizedAt.Add(m.Settings.Tabby.AutoCaptureAfter.D())
}

func (s *Service) expire(p *Payment, c *change, by, detail string) {
	now := c.now
	p.Status = Expired
	p.ExpiredAt = &now
	p.record(now, "expired", by, detail)
	c.emit(p, EventExpire)
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
		case p.Status == Authorized && p.AuthorizedAt != nil && m.Settings.Tabby.AutoCapture == "after_delay":
			err = s.Clocks.Schedule(p.Merchant, autoCaptureAt(&p, m), timerAutoCapture, p.ID)
		}
		if err != nil {
			return fmt.Errorf("recovering payment %s: %w", p.ID, err)
		}
	}
	return nil
}
