package tabby

import (
	"context"

	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// RefundRequest is the body of a refund.
type RefundRequest struct {
	Amount      string `json:"amount"`
	ReferenceID string `json:"reference_id"`
	Reason      string `json:"reason"`
	Items       []Item `json:"items"`
}

// Refund returns amount from a closed payment, never more than captured.
// A refund whose reference_id was seen before on this payment changes
// nothing.
func (s *Service) Refund(ctx context.Context, m *tenant.Merchant, id string, r *RefundRequest) (*Payment, error) {
	return s.mutate(ctx, m, id, s.refund(m, r))
}

// RefundTx is Refund inside tx: a gateway refunds the payment underneath
// its own refund transaction in the same step as it records the refund's
// success, so that both are stored or neither.
func (s *Service) RefundTx(ctx context.Context, tx store.Tx, m *tenant.Merchant, id string, r *RefundRequest) (*Payment, error) {
	return s.mutateTx(ctx, tx, m, id, s.refund(m, r))
}

// refund is the change a refund makes.
func (s *Service) refund(m *tenant.Merchant, r *RefundRequest) func(p *Payment, c *change) error {
	return func(p *Payment, c *change) error {
		if r.ReferenceID != "" {
			for _, rf := range p.Refunds {
				if rf.ReferenceID == r.ReferenceID {
					return nil
				}
			}
		}
		if p.Status != Closed {
			if len(p.Captures) == 0 {
				return apperr.Errorf(apperr.Invalid, "can not refund payment that has no captures and not closed")
			}
			return apperr.Errorf(apperr.Invalid, "can not refund payment that is not closed: close it first (it is %s)", p.Status)
		}
		if r.Amount == "" {
			return apperr.Errorf(apperr.Invalid, "amount is required")
		}
		amount, err := money.Parse(r.Amount, p.Currency)
		if err != nil {
			return apperr.Errorf(apperr.Invalid, "amount: %v", err)
		}
		if err := validateItems("items", r.Items, p.Currency); err != nil {
			return err
		}
		if amount <= 0 {
			return apperr.Errorf(apperr.Invalid, "amount must be greater than zero")
		}
		window := m.Settings.Tabby.RefundWindow.D()
		if c.now.After(p.CreatedAt.Add(window)) {
			return apperr.Errorf(apperr.Invalid, "could not refund: refunds are accepted for %s after the payment was created, and that time has passed", m.Settings.Tabby.RefundWindow)
		}
		if rest := p.Captured() - p.Refunded(); amount > rest {
			return apperr.Errorf(apperr.Invalid, "could not refund %s %s: only %s %s of the captured amount is left to refund",
				amount.Format(p.Currency), p.Currency, rest.Format(p.Currency), p.Currency)
		}
		items := normaliseItems(r.Items, p.Currency)
		p.Refunds = append(p.Refunds, Refund{ID: s.IDs.UUID(), CreatedAt: c.now, Amount: amount, Reason: r.Reason, Items: items, ReferenceID: r.ReferenceID})
		p.record(c.now, "refunded", ByMerchant, amount.Format(p.Currency)+" "+p.Currency)
		c.emit(p, EventRefund)
		return nil
	}
}
