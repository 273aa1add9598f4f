package onerway

import (
	"context"
	"fmt"
	"time"

	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tabby"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// Cancellation (/v1/txn/cancelTxn, onerway-api.md §6): accepted only while
// the payment is still processing, between 5 and 30 minutes after it was
// made (onerway.cancel_from, onerway.cancel_until). Onerway then settles
// the payment's real final state and reports the cancel's result in a
// CANCEL notification. The gateway stops Tabby's checkout underneath in
// the same step as it accepts, so the payment can no longer succeed: it
// turns F with CancelledByMerchant (a TXN notification, as every final
// payment), and the cancel succeeds (a CANCEL notification, status S).
// Onerway's other case, a payment that succeeded after all and is
// refunded, cannot arise.

// CancelledByMerchant: the merchant cancelled the payment with cancelTxn
// while the customer had not finished paying.
var CancelledByMerchant = Outcome{"70007", "Cancelled by the merchant"}

// Errors of cancellations.
var (
	// ErrNotProcessing is a payment that is no longer processing: it
	// succeeded or failed already.
	ErrNotProcessing = apperr.Errorf(apperr.Conflict, "the payment is not processing")
	// ErrCancelWindow is a cancellation too soon or too late after the
	// payment was made.
	ErrCancelWindow = apperr.Errorf(apperr.Invalid, "outside the cancel window")
)

// Cancel cancels merchant m's payment id while it is processing (R) and
// between cancel_from and cancel_until after it was made. It returns the
// payment, now F.
//
// Errors: ErrNoSuchTransaction, ErrNotProcessing, ErrCancelWindow.
func (s *Service) Cancel(ctx context.Context, m *tenant.Merchant, id string) (*Transaction, error) {
	now, err := s.Now(m.ID)
	if err != nil {
		return nil, err
	}
	var p *Transaction
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		if p, err = paymentOf(tx, m, id); err != nil {
			return err
		}
		if p.Status != ow.StatusRedirect {
			return fmt.Errorf("%w: transaction %s is %s already", ErrNotProcessing, p.ID, p.Status)
		}
		o := m.Settings.Onerway
		if age := now.Sub(p.CreatedAt); age < o.CancelFrom.D() || age > o.CancelUntil.D() {
			return fmt.Errorf("%w: cancelTxn is accepted from %s to %s after the payment was made, and it was made %s ago",
				ErrCancelWindow, o.CancelFrom, o.CancelUntil, age.Round(time.Second))
		}
		p.finish(now, ow.StatusFailed, CancelledByMerchant.Reason("cancelTxn"), tabby.ByMerchant)
		if err := save(tx, p); err != nil {
			return err
		}
		// Tabby tells the gateway, which finds the payment final already.
		if _, err := s.Tabby.CancelSessionTx(ctx, tx, m, p.TabbyPaymentID); err != nil {
			return err
		}
		if err := s.notify(tx, m, p, p.Order.NotifyURL); err != nil {
			return err
		}
		n := NotificationOf(p)
		n.NotifyType, n.Status, n.Reason = ow.NotifyCancel, ow.StatusSuccess, Succeeded.Reason("").JSON()
		return s.send(tx, m, p.Order.NotifyURL, n)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}
