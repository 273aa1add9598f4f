package onerway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/ids"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tabby"
	"github.com/tabbysim/tabbysim/simulator/tenant"
	"github.com/tabbysim/tabbysim/simulator/webhook"
)

// Errors of the gateway, which its API answers with respCodes of their own.
var (
	// ErrDuplicate is a merchantTxnId the merchant used before.
	ErrDuplicate = apperr.Errorf(apperr.Conflict, "merchantTxnId used before")
	// ErrNoSuchTransaction is a transaction the caller cannot see: there
	// is none, or it is another merchant's.
	ErrNoSuchTransaction = apperr.Errorf(apperr.NotFound, "no such transaction")
	// ErrCurrency is a currency the merchant has no Tabby merchant code
	// for.
	ErrCurrency = apperr.Errorf(apperr.Invalid, "no Tabby merchant code for the currency")
)

// Service is the gateway for every merchant.
type Service struct {
	Store     store.Store
	Merchants *tenant.Registry
	Clocks    *clock.Scheduler
	IDs       *ids.Source
	// Tabby makes the payments underneath; the gateway must be among its
	// Observers.
	Tabby *tabby.Service
	// Outbox delivers the notifications, under WebhookPolicy.
	Outbox *webhook.Engine
	// CashierURL is the cashier page of a transaction, the redirectUrl
	// doTransaction answers with.
	CashierURL func(transactionID string) string
	// ReturnURL is where Tabby's page sends the customer back to the
	// gateway, which sends them on to the merchant's returnUrl.
	ReturnURL func(transactionID string) string
	// Log receives what goes wrong after a change was committed; nil
	// discards it.
	Log *slog.Logger
}

// Now is merchant's current time on its own clock; tenant.ErrNotFound
// when a reset removed the merchant.
func (s *Service) Now(merchant string) (time.Time, error) {
	return tenant.Now(s.Clocks, merchant)
}

// DoTransaction makes merchant m's Tabby payment of sale
// (/v1/txn/doTransaction), in one store transaction: it reserves the
// merchantTxnId, creates the Transaction and the Tabby checkout session
// underneath, whose pages send the customer back to the gateway. The
// transaction is R, waiting for the customer on the cashier page, unless
// Tabby rejected the session at pre-scoring (the "…0002" test phones, an
// amount outside the merchant's Onerway limits): then it is F at once,
// with the Declined reason, and notified like any final transaction.
//
// Errors: ErrDuplicate, ErrCurrency, an apperr.Invalid when Tabby refuses
// the order built from the request, tenant.ErrNotFound when a reset
// removed the merchant.
func (s *Service) DoTransaction(ctx context.Context, m *tenant.Merchant, sale *Sale) (*Transaction, error) {
	code, err := merchantCode(m, sale.Currency)
	if err != nil {
		return nil, err
	}
	now, err := s.Now(m.ID)
	if err != nil {
		return nil, err
	}
	order := sale.Order
	t := &Transaction{
		ID: s.IDs.Digits(19), Merchant: m.ID, MerchantNo: m.Onerway.MerchantNo, MerchantTxnID: sale.MerchantTxnID,
		TxnType: ow.TxnSale, Status: ow.StatusRedirect, Amount: sale.Amount, Currency: sale.Currency, Order: &order,
		CreatedAt: now,
	}
	t.ChannelRequestID = t.MerchantNo + s.IDs.Digits(19)
	t.record(now, "created", tabby.ByMerchant, sale.Amount.Format(sale.Currency)+" "+sale.Currency+", "+string(order.Goods)+" goods")
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		if err := reserve(tx, m.ID, t.MerchantTxnID, t.ID, now); err != nil {
			return err
		}
		// The gateway is Tabby's client here: the merchant's strictness
		// governs its own requests to Tabby, not the gateway's.
		client := *m
		client.Settings.Strict = false
		p, err := s.Tabby.CreateSessionTx(ctx, tx, &client, checkoutRequest(t, code, s.ReturnURL(t.ID)), true, tabby.ThroughOnerway(t.ID))
		if apperr.CodeOf(err) == apperr.Invalid {
			return apperr.Errorf(apperr.Invalid, "Tabby refused the order made from this request: %v", err)
		}
		if err != nil {
			return err
		}
		t.TabbyPaymentID, t.TabbySessionID = p.ID, p.SessionID
		t.record(now, "Tabby checkout session created", ByGateway, "payment "+p.ID)
		if p.RejectionReason != "" {
			t.finish(now, ow.StatusFailed, Declined.Reason("Tabby rejected the customer at pre-scoring ("+p.RejectionReason+")"), ByTabby)
		}
		if err := store.CreateJSON(tx, transactionDoc(t), t); err != nil {
			return err
		}
		if t.Final() {
			return s.notify(tx, m, t, t.Order.NotifyURL)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// reserve records that merchant used merchantTxnID for transaction id:
// ErrDuplicate when it did before.
func reserve(tx store.Tx, merchant, merchantTxnID, id string, now time.Time) error {
	err := store.CreateJSON(tx, merchantTxnIDDoc(merchant, merchantTxnID, now), id)
	if errors.Is(err, store.ErrExists) {
		return fmt.Errorf("%w: %q", ErrDuplicate, merchantTxnID)
	}
	return err
}
