package onerway

import (
	"context"
	"errors"

	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tabby"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// Observe implements tabby.Observer: the gateway follows the Tabby
// payments it made, inside the store transaction that changes them, so
// that a transaction's status and its notification are committed with the
// change underneath or not at all.
//
//   - authorize: the transaction turns S; once that is committed, the
//     gateway captures the Tabby payment in full (see capture);
//   - reject: F, Declined;
//   - expire: F, CancelledByCustomer when the customer cancelled on Tabby's
//     page, TimedOut when the payment expired unfinished (a session the
//     merchant cancelled through Tabby's own API counts as cancelled);
//   - capture, close, refund, update: noted in the history.
//
// Each final status is notified to the notifyUrl. Payments made directly
// with Tabby are not the gateway's and are left alone.
func (s *Service) Observe(ctx context.Context, tx store.Tx, m *tenant.Merchant, p *tabby.Payment, e tabby.Event) error {
	if p.Channel.Via != tabby.ViaOnerway {
		return nil
	}
	var t Transaction
	d, err := store.GetJSON(tx, kindTransaction, p.Channel.TransactionID, &t)
	if errors.Is(err, store.ErrNotFound) {
		// A payment made through the channel by something else than this
		// gateway, such as a test of the channel: not the gateway's to
		// follow, and no reason to refuse the change.
		if s.Log != nil {
			s.Log.Warn("a Tabby payment through Onerway names a transaction the gateway does not have", "payment", p.ID, "transaction", p.Channel.TransactionID)
		}
		return nil
	}
	if err != nil {
		return err
	}
	now, err := s.Now(m.ID)
	if err != nil {
		return err
	}
	wasFinal := t.Final()
	switch e {
	case tabby.EventAuthorize:
		if !wasFinal {
			t.finish(now, ow.StatusSuccess, Succeeded.Reason(""), tabby.ByCustomer)
			captured := t
			tx.AfterCommit(func() { s.capture(context.WithoutCancel(ctx), m, &captured) })
		}
	case tabby.EventReject:
		if !wasFinal {
			t.finish(now, ow.StatusFailed, Declined.Reason("Tabby declined the customer on its page"), ByTabby)
		}
	case tabby.EventExpire:
		if !wasFinal {
			if last := p.History[len(p.History)-1]; last.By == tabby.BySimulator {
				t.finish(now, ow.StatusFailed, TimedOut.Reason("the customer did not finish the payment on Tabby's page in time"), tabby.BySimulator)
			} else {
				t.finish(now, ow.StatusFailed, CancelledByCustomer.Reason("the payment was cancelled on Tabby's page"), last.By)
			}
		}
	default:
		t.record(now, "Tabby payment: "+string(e), ByGateway, p.History[len(p.History)-1].Detail)
	}
	d.Index = transactionDoc(&t).Index
	if err := store.PutJSON(tx, d, &t); err != nil {
		return err
	}
	if !wasFinal && t.Final() {
		return s.notify(tx, m, &t, t.Order.NotifyURL)
	}
	return nil
}
