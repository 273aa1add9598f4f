package onerway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/tabbysim/tabbysim/client/money"
	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tabby"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// Settlement (seed 001): a successful payment settles to the merchant in
// USD, at the merchant's rate for its currency (onerway.settlement_rate).
// Virtual goods are due to settle once the payment succeeds; physical
// goods once the merchant uploads valid logistics. Either way the payment
// settles onerway.settle_after later on the merchant's clock, for its
// amount less the refunds that passed their audit by then.

// kindSettlement holds a successful payment's Settlement under its
// transactionId.
const kindSettlement = "onerway.settlement"

// timerSettle settles a payment.
const timerSettle = "onerway.settle"

// SettlementState is where a payment's settlement stands.
type SettlementState string

// Settlement states. Overdue is not stored: it is AwaitingLogistics seen
// after the logistics window from the payment's success.
const (
	// AwaitingLogistics: physical goods paid, no valid logistics upload
	// yet.
	AwaitingLogistics SettlementState = "awaiting_logistics"
	// Overdue: still awaiting logistics longer after the payment than an
	// upload is accepted after delivery (30 days by default).
	Overdue SettlementState = "overdue"
	// Scheduled: due to settle at SettleAt.
	Scheduled SettlementState = "scheduled"
	// Settled: paid out to the merchant.
	Settled SettlementState = "settled"
)

// ParseSettlementState checks a state's name.
func ParseSettlementState(s string) (SettlementState, error) {
	switch st := SettlementState(s); st {
	case AwaitingLogistics, Overdue, Scheduled, Settled:
		return st, nil
	}
	return "", apperr.Errorf(apperr.Invalid, "state must be awaiting_logistics, overdue, scheduled or settled; got %q", s)
}

// SettlementCurrency is what Onerway settles Tabby payments in (seed 001).
const SettlementCurrency = "USD"

// Settlement is a successful payment's way to the merchant's account.
type Settlement struct {
	// TransactionID is the payment's.
	TransactionID string       `json:"transaction_id"`
	Merchant      string       `json:"merchant"`
	MerchantTxnID string       `json:"merchant_txn_id"`
	Goods         ow.GoodsType `json:"goods"`
	// State is AwaitingLogistics, Scheduled or Settled; see StateAt.
	State SettlementState `json:"state"`
	// SucceededAt is when the payment turned S.
	SucceededAt time.Time `json:"succeeded_at"`
	// Logistics is the latest valid upload, for physical goods; Uploads
	// counts the valid uploads, each replacing the one before.
	Logistics *Logistics `json:"logistics,omitempty"`
	Uploads   int        `json:"uploads,omitempty"`
	// SettleAt is when the payment settles, once that is due.
	SettleAt *time.Time `json:"settle_at,omitempty"`
	// Paid is what was settled, once it was.
	Paid *Payout `json:"paid,omitempty"`
}

// Payout is what a settlement paid the merchant.
type Payout struct {
	At time.Time `json:"at"`
	// OrderAmount is the payment's amount and Refunded what refunds that
	// passed their audit took off it, in the payment's Currency.
	OrderAmount money.Amount `json:"order_amount"`
	Refunded    money.Amount `json:"refunded"`
	Currency    string       `json:"currency"`
	// Rate is the merchant's rate for Currency: USD for one unit.
	Rate string `json:"rate"`
	// Cents is the amount settled, in US cents.
	Cents int64 `json:"cents"`
}

// Amount is the amount settled, in USD with two decimals.
func (p *Payout) Amount() string { return fmt.Sprintf("%d.%02d", p.Cents/100, p.Cents%100) }

// StateAt is the settlement's state at now for a merchant whose logistics
// window is window: Overdue for physical goods still awaiting logistics
// that long after the payment succeeded.
func (st *Settlement) StateAt(now time.Time, window time.Duration) SettlementState {
	if st.State == AwaitingLogistics && now.After(st.LogisticsDue(window)) {
		return Overdue
	}
	return st.State
}

// LogisticsDue is when physical goods still awaiting logistics turn
// Overdue.
func (st *Settlement) LogisticsDue(window time.Duration) time.Time { return st.SucceededAt.Add(window) }

func settlementDoc(st *Settlement) store.Doc {
	return store.Doc{Kind: kindSettlement, ID: st.TransactionID, Merchant: st.Merchant, Created: st.SucceededAt,
		Index: map[string]string{"state": string(st.State)}}
}

// SettlementObserver is the tabby.Observer that starts the settlement of
// each payment of the gateway that succeeds. Register it after the
// Service, which makes the payment S in the same store transaction.
func (s *Service) SettlementObserver() tabby.Observer { return settlements{s} }

type settlements struct{ s *Service }

// Observe implements tabby.Observer: on the authorization of a Tabby
// payment the gateway made, a payment that turned S starts to settle:
// virtual goods settle_after from now, physical goods await logistics.
func (o settlements) Observe(ctx context.Context, tx store.Tx, m *tenant.Merchant, tp *tabby.Payment, e tabby.Event) error {
	if tp.Channel.Via != tabby.ViaOnerway || e != tabby.EventAuthorize {
		return nil
	}
	p, err := get(tx, tp.Channel.TransactionID)
	if errors.Is(err, ErrNoSuchTransaction) {
		return nil // not the gateway's (the Service's Observe says why)
	}
	if err != nil || p.Status != ow.StatusSuccess || p.Order == nil {
		return err
	}
	now, err := o.s.Now(m.ID)
	if err != nil {
		return err
	}
	st := &Settlement{TransactionID: p.ID, Merchant: p.Merchant, MerchantTxnID: p.MerchantTxnID, Goods: p.Order.Goods,
		State: AwaitingLogistics, SucceededAt: now}
	if st.Goods != ow.GoodsPhysical {
		o.s.schedule(tx, m, st, now)
	}
	err = store.CreateJSON(tx, settlementDoc(st), st)
	if errors.Is(err, store.ErrExists) {
		return nil // started already
	}
	return err
}

// schedule makes st due to settle settle_after from now, once tx commits.
func (s *Service) schedule(tx store.Tx, m *tenant.Merchant, st *Settlement, now time.Time) {
	at := now.Add(m.Settings.Onerway.SettleAfter.D())
	st.State, st.SettleAt = Scheduled, &at
	merchant, id := m.ID, st.TransactionID
	// A merchant removed by a reset has no clock; its timers go with it.
	tx.AfterCommit(func() { _ = s.Clocks.Schedule(merchant, at, timerSettle, id) })
}

// onSettle settles a payment when it is due.
func (s *Service) onSettle(ctx context.Context, e clock.Event) {
	m, err := s.Merchants.Get(ctx, e.Merchant)
	if err != nil {
		return // the merchant was removed by a reset
	}
	if err := s.settle(ctx, m, e.Key); err != nil {
		s.logError("settling a payment failed", "transaction", e.Key, "err", err)
	}
}

// settle pays out merchant m's payment id if it is due: its amount less
// the refunds that passed their audit, converted to USD at the merchant's
// rate, rounded half up to the cent.
func (s *Service) settle(ctx context.Context, m *tenant.Merchant, id string) error {
	now, err := s.Now(m.ID)
	if err != nil {
		return err
	}
	return s.Store.Update(ctx, func(tx store.Tx) error {
		var st Settlement
		if _, err := store.GetJSON(tx, kindSettlement, id, &st); err != nil {
			return err
		}
		if st.State != Scheduled || st.SettleAt.After(now) {
			return nil
		}
		p, err := get(tx, id)
		if err != nil {
			return err
		}
		refunds, err := refundsOf(tx, p)
		if err != nil {
			return err
		}
		rate, ok := m.Settings.Onerway.SettlementRate[p.Currency]
		if !ok {
			return fmt.Errorf("the merchant has no settlement rate for %s", p.Currency)
		}
		pay := &Payout{At: now, OrderAmount: p.Amount, Refunded: refunded(refunds), Currency: p.Currency, Rate: rate}
		if pay.Cents, err = toCents(pay.OrderAmount-pay.Refunded, p.Currency, rate); err != nil {
			return err
		}
		st.State, st.Paid = Settled, pay
		if err := store.PutJSON(tx, settlementDoc(&st), &st); err != nil {
			return err
		}
		p.record(now, "settled", ByGateway, pay.Amount()+" "+SettlementCurrency+" at "+rate+" "+SettlementCurrency+"/"+p.Currency)
		return save(tx, p)
	})
}

// toCents converts amount, in currency's minor units, to US cents at rate
// (USD for one unit of currency), rounding half up.
func toCents(amount money.Amount, currency, rate string) (int64, error) {
	r, err := tenant.ParseRate(rate)
	if err != nil {
		return 0, err
	}
	exp, ok := money.Exponent(currency)
	if !ok {
		return 0, fmt.Errorf("unknown currency %q", currency)
	}
	// cents = amount / 10^exp * rate * 100
	x := new(big.Rat).Mul(new(big.Rat).SetInt64(int64(amount)), r)
	x.Mul(x, big.NewRat(100, 1))
	x.Quo(x, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(exp)), nil)))
	x.Add(x, big.NewRat(1, 2))
	return new(big.Int).Quo(x.Num(), x.Denom()).Int64(), nil
}

// Settlement returns the settlement of payment id, whoever's it is:
// ErrNoSuchTransaction when there is no such payment, ErrNoSettlement when
// it has none (it is not S).
func (s *Service) Settlement(ctx context.Context, id string) (*Settlement, error) {
	var st Settlement
	err := s.Store.View(ctx, func(tx store.Tx) error {
		p, err := get(tx, id)
		if err != nil {
			return err
		}
		_, err = store.GetJSON(tx, kindSettlement, p.ID, &st)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("%w: transaction %s is a %s, %s", ErrNoSettlement, p.ID, p.TxnType, p.Status)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// ErrNoSettlement is a transaction that is not a successful payment.
var ErrNoSettlement = apperr.Errorf(apperr.NotFound, "no settlement: only successful payments settle")

// Settlements returns merchant m's settlements in state (all when ""),
// newest payment first; Overdue is judged on the merchant's clock.
func (s *Service) Settlements(ctx context.Context, m *tenant.Merchant, state SettlementState) ([]*Settlement, error) {
	now, err := s.Now(m.ID)
	if err != nil {
		return nil, err
	}
	q := store.Query{Merchant: m.ID}
	if stored := state; stored != "" {
		if stored == Overdue {
			stored = AwaitingLogistics
		}
		q.Index = map[string]string{"state": string(stored)}
	}
	var out []*Settlement
	err = s.Store.View(ctx, func(tx store.Tx) error {
		docs, _, err := tx.List(kindSettlement, q)
		if err != nil {
			return err
		}
		window := m.Settings.Onerway.LogisticsWindow.D()
		for _, d := range docs {
			st := new(Settlement)
			if err := json.Unmarshal(d.Data, st); err != nil {
				return err
			}
			if state == "" || st.StateAt(now, window) == state {
				out = append(out, st)
			}
		}
		return nil
	})
	return out, err
}
