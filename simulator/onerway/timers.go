package onerway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// Start registers the gateway's timers with the scheduler: refund audits
// and settlements, on each merchant's clock.
func (s *Service) Start() {
	s.Clocks.Handle(timerRefundAudit, s.onRefundAudit)
	s.Clocks.Handle(timerSettle, s.onSettle)
}

// resumeTimers puts back, after a restart, the audits of the refunds still
// pending and the settlements still scheduled. Those already due happen
// at once.
func (s *Service) resumeTimers(ctx context.Context) error {
	var pending []*Transaction
	var scheduled []*Settlement
	err := s.Store.View(ctx, func(tx store.Tx) error {
		docs, _, err := tx.List(kindTransaction, store.Query{Index: map[string]string{"status": string(ow.StatusPendingAudit)}})
		if err == nil {
			pending, err = decode(docs)
		}
		if err != nil {
			return err
		}
		docs, _, err = tx.List(kindSettlement, store.Query{Index: map[string]string{"state": string(Scheduled)}})
		for _, d := range docs {
			st := new(Settlement)
			if err := json.Unmarshal(d.Data, st); err != nil {
				return err
			}
			scheduled = append(scheduled, st)
		}
		return err
	})
	if err != nil {
		return err
	}
	merchants := map[string]*tenant.Merchant{}
	merchant := func(id string) *tenant.Merchant {
		if m, ok := merchants[id]; ok {
			return m
		}
		m, _ := s.Merchants.Get(ctx, id) // nil: its merchant is gone
		merchants[id] = m
		return m
	}
	for _, r := range pending {
		if m := merchant(r.Merchant); m != nil {
			at := r.CreatedAt.Add(m.Settings.Onerway.RefundAuditAfter.D())
			if err := s.Clocks.Schedule(m.ID, at, timerRefundAudit, r.ID); err != nil && !errors.Is(err, clock.ErrUnknownClock) {
				return fmt.Errorf("resuming the audit of refund %s: %w", r.ID, err)
			}
		}
	}
	for _, st := range scheduled {
		if m := merchant(st.Merchant); m != nil {
			if err := s.Clocks.Schedule(m.ID, *st.SettleAt, timerSettle, st.TransactionID); err != nil && !errors.Is(err, clock.ErrUnknownClock) {
				return fmt.Errorf("resuming the settlement of %s: %w", st.TransactionID, err)
			}
		}
	}
	return nil
}
