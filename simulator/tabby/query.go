package tabby

import (
	"context"
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

// ListFilter selects the payments a listing shows; the zero value selects
// every payment. Each filter is an index entry that the payments it selects
// carry (see listIndex), so that a listing reads only its page.
type ListFilter struct{ key, value string }

// The filters of GET /api/v2/payments?status= beyond API statuses
// (tabby-api.md §3.9, §4.1).
var (
	// ListAuthorizedOrClosed is what Tabby lists when no status is asked.
	ListAuthorizedOrClosed = ListFilter{"listed", "yes"}
	// The dashboard statuses of a CLOSED payment.
	ListCaptured  = ListFilter{"closed", "captured"}  // captured, nothing refunded
	ListRefunded  = ListFilter{"closed", "refunded"}  // something refunded
	ListCancelled = ListFilter{"closed", "cancelled"} // closed without a capture
)

// ListStatus selects the payments in API status st.
func ListStatus(st Status) ListFilter { return ListFilter{"status", string(st)} }

func (f ListFilter) index() map[string]string {
	if f.key == "" {
		return nil
	}
	return map[string]string{f.key: f.value}
}

// listIndex files p under every ListFilter it matches.
func listIndex(p *Payment) map[string]string {
	idx := map[string]string{"status": string(p.Status)}
	if p.Status == Authorized || p.Status == Closed {
		idx["listed"] = "yes"
	}
	if p.Status == Closed {
		switch {
		case len(p.Refunds) > 0:
			idx["closed"] = "refunded"
		case len(p.Captures) == 0:
			idx["closed"] = "cancelled"
		default:
			idx["closed"] = "captured"
		}
	}
	return idx
}

// CountByStatus returns how many payments of every merchant are in each
// API status, as stored, every status included.
func (s *Service) CountByStatus(ctx context.Context) (map[string]int, error) {
	counts := map[string]int{}
	err := s.Store.View(ctx, func(tx store.Tx) error {
		for _, st := range []Status{Created, Authorized, Closed, Rejected, Expired} {
			_, n, err := tx.List(kindPayment, store.Query{Index: ListStatus(st).index(), Limit: 1})
			if err != nil {
				return err
			}
			counts[string(st)] = n
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return counts, nil
}

// ListQuery selects payments for GET /api/v2/payments.
type ListQuery struct {
	Filter        ListFilter
	CreatedFrom   time.Time // inclusive; zero means unbounded
	CreatedBefore time.Time // exclusive; zero means unbounded
	Limit, Offset int       // Limit 0 means no limit
}

// List returns merchant m's payments matching q, newest first, and the total
// number that matched. It reads only the payments it returns.
func (s *Service) List(ctx context.Context, m *tenant.Merchant, q ListQuery) ([]*Payment, int, error) {
	var out []*Payment
	var total int
	err := s.Store.View(ctx, func(tx store.Tx) error {
		var err error
		out, total, err = store.ListJSON[Payment](tx, kindPayment, store.Query{
			Merchant: m.ID, Index: q.Filter.index(),
			CreatedFrom: q.CreatedFrom, CreatedBefore: q.CreatedBefore,
			Limit: q.Limit, Offset: q.Offset,
		})
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return out, total, nil
}
