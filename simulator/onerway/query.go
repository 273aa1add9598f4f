package onerway

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// Query selects a merchant's transactions for /v1/txn/list. The filters
// that are set all apply; at least one of MerchantTxnIDs, TransactionIDs
// or a time range is set.
type Query struct {
	MerchantTxnIDs []string
	TransactionIDs []string
	TxnTypes       []ow.TxnType
	// Start and End bound txnTime, both included; zero when there is no
	// range.
	Start, End time.Time
}

// Transaction returns merchant m's transaction id: ErrNoSuchTransaction
// when there is none or it is another merchant's.
func (s *Service) Transaction(ctx context.Context, m *tenant.Merchant, id string) (*Transaction, error) {
	t, err := s.TransactionAnyMerchant(ctx, id)
	if err == nil && t.Merchant != m.ID {
		return nil, ErrNoSuchTransaction
	}
	return t, err
}

// TransactionAnyMerchant returns transaction id whoever owns it; the
// cashier page and the control API use it.
func (s *Service) TransactionAnyMerchant(ctx context.Context, id string) (*Transaction, error) {
	var t *Transaction
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		t, err = get(tx, id)
		return err
	})
	return t, err
}

func get(tx store.Tx, id string) (*Transaction, error) {
	var t Transaction
	_, err := store.GetJSON(tx, kindTransaction, id, &t)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoSuchTransaction
	}
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// Transactions returns merchant m's transactions, newest first, at most
// limit (0 for all), and how many there are.
func (s *Service) Transactions(ctx context.Context, m *tenant.Merchant, limit int) ([]*Transaction, int, error) {
	var out []*Transaction
	var total int
	err := s.Store.View(ctx, func(tx store.Tx) error {
		docs, n, err := tx.List(kindTransaction, store.Query{Merchant: m.ID, Limit: limit})
		total = n
		if err == nil {
			out, err = decode(docs)
		}
		return err
	})
	return out, total, err
}

func decode(docs []store.Doc) ([]*Transaction, error) {
	out := make([]*Transaction, 0, len(docs))
	for _, d := range docs {
		t := new(Transaction)
		if err := json.Unmarshal(d.Data, t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// List returns merchant m's transactions that q selects, newest first
// (/v1/txn/list): those of q's ids when it names any, else those of its
// time range, then only those every filter of q keeps.
func (s *Service) List(ctx context.Context, m *tenant.Merchant, q Query) ([]*Transaction, error) {
	var found []*Transaction
	err := s.Store.View(ctx, func(tx store.Tx) error {
		if q.MerchantTxnIDs == nil && q.TransactionIDs == nil {
			docs, _, err := tx.List(kindTransaction, store.Query{
				Merchant: m.ID, CreatedFrom: q.Start, CreatedBefore: q.End.Add(time.Second),
			})
			if err == nil {
				found, err = decode(docs)
			}
			return err
		}
		ids := slices.Clone(q.TransactionIDs)
		for _, mid := range q.MerchantTxnIDs {
			var id string
			_, err := store.GetJSON(tx, kindMerchantTxnID, merchantTxnIDDoc(m.ID, mid, time.Time{}).ID, &id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		for _, id := range ids {
			t, err := get(tx, id)
			if errors.Is(err, ErrNoSuchTransaction) {
				continue
			}
			if err != nil {
				return err
			}
			if t.Merchant == m.ID && !slices.ContainsFunc(found, func(f *Transaction) bool { return f.ID == t.ID }) {
				found = append(found, t)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := slices.DeleteFunc(found, func(t *Transaction) bool { return !q.keeps(t) })
	slices.SortStableFunc(out, func(a, b *Transaction) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, nil
}

// keeps reports whether every filter of q keeps t.
func (q Query) keeps(t *Transaction) bool {
	switch {
	case q.MerchantTxnIDs != nil && !slices.Contains(q.MerchantTxnIDs, t.MerchantTxnID),
		q.TransactionIDs != nil && !slices.Contains(q.TransactionIDs, t.ID),
		q.TxnTypes != nil && !slices.Contains(q.TxnTypes, t.TxnType),
		!q.Start.IsZero() && (t.CreatedAt.Before(q.Start) || !t.CreatedAt.Before(q.End.Add(time.Second))):
		return false
	}
	return true
}
