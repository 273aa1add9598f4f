package tabby

import (
	"context"
	"fmt"

	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// UpdateReference sets order.reference_id on an authorized or closed payment.
func (s *Service) UpdateReference(ctx context.Context, m *tenant.Merchant, id, referenceID string) (*Payment, error) {
	return s.mutate(ctx, m, id, func(p *Payment, c *change) error {
		if p.Status != Authorized && p.Status != Closed {
			return apperr.Errorf(apperr.Invalid, "could not update payment: only AUTHORIZED and CLOSED payments can be updated, this one is %s", p.Status)
		}
		old := p.Order.ReferenceID
		p.Order.ReferenceID = referenceID
		p.record(c.now, "order reference updated", ByMerchant, fmt.Sprintf("%q → %q", old, referenceID))
		c.emit(p, EventUpdate)
		return nil
	})
}
