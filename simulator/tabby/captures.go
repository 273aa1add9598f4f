package tabby

import (
	"context"

	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// CaptureRequest is the body of a capture.
type CaptureRequest struct {
	Amount         string `json:"amount"`
	ReferenceID    string `json:"reference_id"`
	TaxAmount      string `json:"tax_amount"`
	ShippingAmount string `json:"shipping_amount"`
	DiscountAmount string `json:"discount_amount"`
	Items          []Item `json:"items"`
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
			return apperr.Errorf(apperr.Invalid, "could not capture not authorized payments")
		}
		if r.Amount == "" {
			return apperr.Errorf(apperr.Invalid, "amount is required")
		}
		amount, err := money.Parse(r.Amount, p.Currency)
		if err != nil {
			return apperr.Errorf(apperr.Invalid, "amount: %v", err)
		}
		for name, v := range map[string]string{"tax_amount": r.TaxAmount, "shipping_amount": r.ShippingAmount, "discount_amount": r.DiscountAmount} {
			if v == "" {
				continue
			}
			if _, err := money.Parse(v, p.Currency); err != nil {
				return apperr.Errorf(apperr.Invalid, "%s: %v", name, err)
			}
		}
		if err := validateItems("items", r.Items, p.Currency); err != nil {
			return err
		}
		if amount <= 0 {
			return apperr.Errorf(apperr.Invalid, "amount must be greater than zero")
		}
		if rest := p.Amount - p.Captured(); amount > rest {
			return apperr.Errorf(apperr.Invalid, "could not capture %s %s: only %s %s of the payment is left to capture",
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

// Close closes an authorized payment, cancelling what was not captured.
func (s *Service) Close(ctx context.Context, m *tenant.Merchant, id string) (*Payment, error) {
	return s.mutate(ctx, m, id, func(p *Payment, c *change) error {
		switch p.Status {
		case Closed:
			return apperr.Errorf(apperr.Invalid, "already closed")
		case Authorized:
			s.close(p, c, ByMerchant, "closed by the merchant")
			return nil
		}
		return apperr.Errorf(apperr.Invalid, "could not close not authorized payments")
	})
}
