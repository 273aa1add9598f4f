package tabby

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

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

// ListQuery filters GET /api/v2/payments.
type ListQuery struct {
	// Statuses to include; empty means AUTHORIZED and CLOSED, as at Tabby.
	Match         func(p *Payment) bool
	CreatedFrom   time.Time // inclusive; zero means unbounded
	CreatedBefore time.Time // exclusive; zero means unbounded
	Limit, Offset int
}

// List returns merchant m's payments matching q, newest first, and the total
// number that matched.
func (s *Service) List(ctx context.Context, m *tenant.Merchant, q ListQuery) ([]*Payment, int, error) {
	var all []*Payment
	err := s.Store.View(ctx, func(tx store.Tx) error {
		docs, _, err := tx.List(kindPayment, store.Query{Merchant: m.ID})
		if err != nil {
			return err
		}
		for _, d := range docs {
			p := new(Payment)
			if err := json.Unmarshal(d.Data, p); err != nil {
				return err
			}
			if (q.CreatedFrom.IsZero() || !p.CreatedAt.Before(q.CreatedFrom)) &&
				(q.CreatedBefore.IsZero() || p.CreatedAt.Before(q.CreatedBefore)) && q.Match(p) {
				all = append(all, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	total := len(all)
	if q.Offset >= len(all) {
		return []*Payment{}, total, nil
	}
	all = all[q.Offset:]
	if q.Limit > 0 && len(all) > q.Limit {
		all = all[:q.Limit]
	}
	return all, total, nil
}
