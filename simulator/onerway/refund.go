package onerway

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tabbysim/tabbysim/client/money"
	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tabby"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// Refunds (/v1/txn/onlineRefund, onerway-api.md §6). A refund is a
// transaction of its own, TxnType REFUND, whose OriginTransactionID is the
// payment. It is I (pending Onerway's audit) until the audit decides it,
// refund_audit_after later on the merchant's clock: passed, the gateway
// refunds the Tabby payment underneath by the same amount and the refund
// is S, notified as TXN/REFUND; failed, it is F, notified as REFUND_AUDIT.
// While it is I the merchant may withdraw the application (N, no
// notification).

// The outcomes of refunds.
var (
	// AuditRejected: Onerway's audit refused the refund, sent as a
	// REFUND_AUDIT notification with status F.
	AuditRejected = Outcome{"70005", "Refund audit rejected"}
	// RefundWithdrawn: the merchant withdrew its application (refundType
	// 1) before the audit; the refund is N.
	RefundWithdrawn = Outcome{"70006", "Refund application withdrawn"}
)

// Errors of refunds.
var (
	// ErrNotSuccessful is a payment that is not S: it can be neither
	// refunded nor shipped.
	ErrNotSuccessful = apperr.Errorf(apperr.Conflict, "the payment is not successful")
	// ErrRefundExceeds is a refund beyond what is left of the payment.
	ErrRefundExceeds = apperr.Errorf(apperr.Invalid, "the refund exceeds what is left to refund")
	// ErrNotPendingAudit is a refund the audit already decided, or that
	// was withdrawn.
	ErrNotPendingAudit = apperr.Errorf(apperr.Conflict, "the refund is not pending audit")
)

// AuditFailCents is the magic refund amount: a refundAmount whose
// decimals are .13 (such as 10.13) fails the audit.
const AuditFailCents = 13

// timerRefundAudit decides a refund's audit.
const timerRefundAudit = "onerway.refund_audit"

// RefundApplication is a checked application for a refund (refundType 0).
type RefundApplication struct {
	// MerchantTxnID is the merchant's id for the refund, unique among all
	// its transactions.
	MerchantTxnID string
	// OriginTransactionID is the payment to refund.
	OriginTransactionID string
	// Amount is in the payment's currency's minor units, above zero.
	Amount money.Amount
}

// Refund applies for a refund of merchant m's payment: the payment must be
// S and have at least a.Amount left once the refunds applied before (I or
// S) are taken off. It returns the refund, I, whose audit is due
// refund_audit_after from now.
//
// Errors: ErrDuplicate, ErrNoSuchTransaction, ErrNotSuccessful,
// ErrRefundExceeds.
func (s *Service) Refund(ctx context.Context, m *tenant.Merchant, a RefundApplication) (*Transaction, error) {
	now, err := s.Now(m.ID)
	if err != nil {
		return nil, err
	}
	r := &Transaction{
		ID: s.IDs.Digits(19), Merchant: m.ID, MerchantNo: m.Onerway.MerchantNo, MerchantTxnID: a.MerchantTxnID,
		TxnType: ow.TxnRefund, OriginTransactionID: a.OriginTransactionID, Status: ow.StatusPendingAudit,
		Amount: a.Amount, CreatedAt: now,
	}
	r.ChannelRequestID = r.MerchantNo + s.IDs.Digits(19)
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		if err := reserve(tx, m.ID, r.MerchantTxnID, r.ID, now); err != nil {
			return err
		}
		p, err := paymentOf(tx, m, a.OriginTransactionID)
		if err != nil {
			return err
		}
		if p.Status != ow.StatusSuccess {
			return fmt.Errorf("%w: transaction %s is %s; only an S payment can be refunded", ErrNotSuccessful, p.ID, p.Status)
		}
		refunds, err := refundsOf(tx, p)
		if err != nil {
			return err
		}
		if left := p.Amount - applied(refunds); a.Amount > left {
			return fmt.Errorf("%w: %s %s asked, %s %s left of %s %s once the refunds applied before are taken off",
				ErrRefundExceeds, a.Amount.Format(p.Currency), p.Currency, left.Format(p.Currency), p.Currency,
				p.Amount.Format(p.Currency), p.Currency)
		}
		r.Currency = p.Currency
		amount := r.Amount.Format(r.Currency) + " " + r.Currency
		r.record(now, "refund applied, pending audit", tabby.ByMerchant, amount+" of payment "+p.ID)
		if err := store.CreateJSON(tx, transactionDoc(r), r); err != nil {
			return err
		}
		p.record(now, "refund applied", tabby.ByMerchant, amount+", refund "+r.ID)
		if err := save(tx, p); err != nil {
			return err
		}
		at, merchant, id := now.Add(m.Settings.Onerway.RefundAuditAfter.D()), m.ID, r.ID
		// A merchant removed by a reset has no clock; its timers go with it.
		tx.AfterCommit(func() { _ = s.Clocks.Schedule(merchant, at, timerRefundAudit, id) })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// WithdrawRefund withdraws merchant m's application for refund refundID
// (refundType 1) while it is pending audit: the refund turns N, its amount
// is free to refund again, and no notification is sent.
//
// Errors: ErrNoSuchTransaction (no refund of m's has that id),
// ErrNotPendingAudit.
func (s *Service) WithdrawRefund(ctx context.Context, m *tenant.Merchant, refundID string) (*Transaction, error) {
	return s.decide(ctx, m, refundID, func(tx store.Tx, r, p *Transaction, now time.Time) error {
		r.finish(now, ow.StatusCancelled, RefundWithdrawn.Reason(""), tabby.ByMerchant)
		return save(tx, r)
	})
}

// AuditResult is how a refund's audit ends.
type AuditResult string

// Audit results.
const (
	AuditPass AuditResult = "pass"
	AuditFail AuditResult = "fail"
)

// ParseAuditResult checks an audit result's name.
func ParseAuditResult(s string) (AuditResult, error) {
	switch r := AuditResult(s); r {
	case AuditPass, AuditFail:
		return r, nil
	}
	return "", apperr.Errorf(apperr.Invalid, `result must be "pass" or "fail", got %q`, s)
}

// Audit ends the audit of refund refundID, whoever's it is, now and as
// result says, instead of waiting for refund_audit_after and the magic
// amount: the control API's action.
//
// Errors: ErrNoSuchTransaction (no refund has that id),
// ErrNotPendingAudit.
func (s *Service) Audit(ctx context.Context, refundID string, result AuditResult) (*Transaction, error) {
	r, err := s.TransactionAnyMerchant(ctx, refundID)
	if err != nil {
		return nil, err
	}
	m, err := s.Merchants.Get(ctx, r.Merchant)
	if errors.Is(err, tenant.ErrNotFound) {
		return nil, ErrNoSuchTransaction
	}
	if err != nil {
		return nil, err
	}
	return s.audit(ctx, m, refundID, result, tabby.BySimulator)
}

// onRefundAudit decides a refund's audit when it is due: it fails for the
// magic amount, passes otherwise.
func (s *Service) onRefundAudit(ctx context.Context, e clock.Event) {
	m, err := s.Merchants.Get(ctx, e.Merchant)
	if err != nil {
		return // the merchant was removed by a reset
	}
	r, err := s.Transaction(ctx, m, e.Key)
	if err != nil || r.Status != ow.StatusPendingAudit {
		return // decided or withdrawn before it was due
	}
	result := AuditPass
	if r.Amount%100 == AuditFailCents {
		result = AuditFail
	}
	if _, err := s.audit(ctx, m, r.ID, result, ByGateway); err != nil && !errors.Is(err, ErrNotPendingAudit) {
		s.logError("deciding a refund's audit failed", "refund", r.ID, "err", err)
	}
}

// audit decides refund refundID of merchant m. Passed, the Tabby payment
// underneath is refunded by the refund's amount in the same step, its
// reference_id the refund's transactionId; should Tabby refuse (its refund
// window passed), the audit fails with Tabby's reason instead.
func (s *Service) audit(ctx context.Context, m *tenant.Merchant, refundID string, result AuditResult, by string) (*Transaction, error) {
	return s.decide(ctx, m, refundID, func(tx store.Tx, r, p *Transaction, now time.Time) error {
		reason := AuditRejected.Reason("")
		if result == AuditPass {
			_, err := s.Tabby.RefundTx(ctx, tx, m, p.TabbyPaymentID, &tabby.RefundRequest{
				Amount: r.Amount.Format(r.Currency), ReferenceID: r.ID, Reason: "Onerway refund " + r.ID,
			})
			switch {
			case err == nil:
				r.finish(now, ow.StatusSuccess, Succeeded.Reason(""), by)
				return s.notifyRefund(tx, m, r, p)
			case apperr.CodeOf(err) == apperr.Invalid:
				reason = AuditRejected.Reason("Tabby refused the refund: " + err.Error())
			default:
				return err
			}
		}
		r.finish(now, ow.StatusFailed, reason, by)
		return s.notifyRefund(tx, m, r, p)
	})
}

// decide applies fn, in one store transaction, to merchant m's refund
// refundID while it is pending audit, and to the payment it refunds as
// stored before fn. fn writes what it changes.
func (s *Service) decide(ctx context.Context, m *tenant.Merchant, refundID string, fn func(tx store.Tx, r, p *Transaction, now time.Time) error) (*Transaction, error) {
	now, err := s.Now(m.ID)
	if err != nil {
		return nil, err
	}
	var r *Transaction
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		if r, err = get(tx, refundID); err != nil {
			return err
		}
		if r.Merchant != m.ID || r.TxnType != ow.TxnRefund {
			return ErrNoSuchTransaction
		}
		if r.Status != ow.StatusPendingAudit {
			return fmt.Errorf("%w: refund %s is %s", ErrNotPendingAudit, r.ID, r.Status)
		}
		p, err := get(tx, r.OriginTransactionID)
		if err != nil {
			return err
		}
		return fn(tx, r, p, now)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// notifyRefund saves refund r, now decided, and sends its notification to
// the notifyUrl of payment p: TXN with txnType REFUND when it passed,
// REFUND_AUDIT when it failed, carrying the refund's own transactionId and
// merchantTxnId and the payment's (onerway-api.md §5).
func (s *Service) notifyRefund(tx store.Tx, m *tenant.Merchant, r, p *Transaction) error {
	if err := save(tx, r); err != nil {
		return err
	}
	n := NotificationOf(r)
	n.OriginMerchantTxnID = p.MerchantTxnID
	if r.Status == ow.StatusFailed {
		n.NotifyType = ow.NotifyRefundAudit
	}
	if p.Order == nil {
		return nil
	}
	return s.send(tx, m, p.Order.NotifyURL, n)
}

// paymentOf is merchant m's payment id (a SALE), read in tx:
// ErrNoSuchTransaction when m has no payment with that id.
func paymentOf(tx store.Tx, m *tenant.Merchant, id string) (*Transaction, error) {
	t, err := get(tx, id)
	if err != nil {
		return nil, err
	}
	if t.Merchant != m.ID || t.TxnType != ow.TxnSale {
		return nil, ErrNoSuchTransaction
	}
	return t, nil
}

// refundsOf are payment p's refunds, read in tx.
func refundsOf(tx store.Tx, p *Transaction) ([]*Transaction, error) {
	docs, _, err := tx.List(kindTransaction, store.Query{Merchant: p.Merchant, Index: map[string]string{"origin": p.ID}})
	if err != nil {
		return nil, err
	}
	return decode(docs)
}

// applied is what refunds take off their payment: those pending audit or
// passed.
func applied(refunds []*Transaction) money.Amount {
	var sum money.Amount
	for _, r := range refunds {
		if r.Status == ow.StatusPendingAudit || r.Status == ow.StatusSuccess {
			sum += r.Amount
		}
	}
	return sum
}

// refunded is what refunds that passed their audit returned.
func refunded(refunds []*Transaction) money.Amount {
	var sum money.Amount
	for _, r := range refunds {
		if r.Status == ow.StatusSuccess {
			sum += r.Amount
		}
	}
	return sum
}

// save writes transaction t, in tx, over its stored self.
func save(tx store.Tx, t *Transaction) error {
	return store.PutJSON(tx, transactionDoc(t), t)
}

// logError reports what went wrong after a change was committed, or in a
// timer, where no one waits for an answer.
func (s *Service) logError(msg string, args ...any) {
	if s.Log != nil {
		s.Log.Error("onerway: "+msg, args...)
	}
}
