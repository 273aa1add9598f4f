package fault

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/ids"
	"github.com/tabbysim/tabbysim/simulator/metrics"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// kindRule is the store's kind of rules, which live with the rest of the
// state: a data file keeps them across restarts, with their counts.
const kindRule = "fault.rule"

// Engine keeps the fault rules and applies them: to requests through
// Middleware, to webhook deliveries as the delivery engine's Injector.
type Engine struct {
	Store  store.Store
	Clocks *clock.Scheduler
	// IDs draws rule ids and the chances of probability scopes. A source
	// apart from the payments' keeps a seed's payment ids the same with or
	// without faults.
	IDs *ids.Source
	// Log receives the failures to read or count rules; nil discards them.
	Log *slog.Logger
	// Metrics counts the faults that fire; nil counts nothing.
	Metrics *metrics.Metrics

	once sync.Once
	stop chan struct{}
	shut sync.Once
}

// stopping is closed when the engine closes.
func (e *Engine) stopping() chan struct{} {
	e.once.Do(func() { e.stop = make(chan struct{}) })
	return e.stop
}

// Close lets go of the requests actions are holding (delays, timeouts),
// so a shutdown does not wait for them.
func (e *Engine) Close() {
	stop := e.stopping()
	e.shut.Do(func() { close(stop) })
}

// Add checks s and stores it as a new rule. A rule for a merchant that
// does not exist is refused with apperr.NotFound.
func (e *Engine) Add(ctx context.Context, s Spec) (*Rule, error) {
	if err := s.Check(); err != nil {
		return nil, apperr.Errorf(apperr.Invalid, "%v", err)
	}
	r := &Rule{Spec: s}
	err := e.Store.Update(ctx, func(tx store.Tx) error {
		if s.Merchant != "" && !tenant.Exists(tx, s.Merchant) {
			return apperr.Errorf(apperr.NotFound, "merchant: no merchant %q", s.Merchant)
		}
		return e.create(tx, r)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (e *Engine) create(tx store.Tx, r *Rule) error {
	r.ID = "flt_" + e.IDs.Hex(8)
	return store.CreateJSON(tx, store.Doc{Kind: kindRule, ID: r.ID, Merchant: r.Merchant}, r)
}

// ReplaceScenario puts rules on merchant for scenario, in place of the
// rules that scenario put there before (of every rule of the merchant's,
// when clear is set), in one step: all are stored or none.
func (e *Engine) ReplaceScenario(ctx context.Context, merchant, scenario string, clear bool, rules []Rule) ([]Rule, error) {
	for i := range rules {
		if err := rules[i].Check(); err != nil {
			return nil, apperr.Errorf(apperr.Invalid, "%v", under("faults["+strconv.Itoa(i)+"]", err))
		}
	}
	out := make([]Rule, len(rules))
	err := e.Store.Update(ctx, func(tx store.Tx) error {
		if !tenant.Exists(tx, merchant) {
			return tenant.ErrNotFound
		}
		old, err := e.list(tx, merchant)
		if err != nil {
			return err
		}
		for _, r := range old {
			if clear || r.Scenario == scenario {
				if err := tx.Delete(kindRule, r.ID); err != nil {
					return err
				}
			}
		}
		for i, r := range rules {
			r.Merchant, r.Scenario, r.Matched, r.Fired = merchant, scenario, 0, 0
			if err := e.create(tx, &r); err != nil {
				return err
			}
			out[i] = r
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// List returns the rules, oldest first: every rule when merchant is "",
// else those of that merchant.
func (e *Engine) List(ctx context.Context, merchant string) ([]Rule, error) {
	var out []Rule
	err := e.Store.View(ctx, func(tx store.Tx) error {
		var err error
		out, err = e.list(tx, merchant)
		return err
	})
	return out, err
}

// list reads the rules of merchant ("" for every rule), oldest first.
func (e *Engine) list(tx store.Tx, merchant string) ([]Rule, error) {
	docs, _, err := tx.List(kindRule, store.Query{Merchant: merchant})
	if err != nil {
		return nil, err
	}
	out := make([]Rule, 0, len(docs))
	for _, d := range slices.Backward(docs) {
		var r Rule
		if err := json.Unmarshal(d.Data, &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Get returns rule id; apperr.NotFound when there is none.
func (e *Engine) Get(ctx context.Context, id string) (*Rule, error) {
	var r Rule
	err := e.Store.View(ctx, func(tx store.Tx) error { return get(tx, id, &r) })
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// Remove deletes rule id and returns it; apperr.NotFound when there is
// none.
func (e *Engine) Remove(ctx context.Context, id string) (*Rule, error) {
	var r Rule
	err := e.Store.Update(ctx, func(tx store.Tx) error {
		if err := get(tx, id, &r); err != nil {
			return err
		}
		return tx.Delete(kindRule, id)
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func get(tx store.Tx, id string, r *Rule) error {
	_, err := store.GetJSON(tx, kindRule, id, r)
	if errors.Is(err, store.ErrNotFound) {
		return apperr.Errorf(apperr.NotFound, "no fault rule %q", id)
	}
	return err
}

// RemoveAll deletes every rule, or every rule of merchant, and returns
// how many it deleted.
func (e *Engine) RemoveAll(ctx context.Context, merchant string) (int, error) {
	n := 0
	err := e.Store.Update(ctx, func(tx store.Tx) error {
		rules, err := e.list(tx, merchant)
		if err != nil {
			return err
		}
		for _, r := range rules {
			if err := tx.Delete(kindRule, r.ID); err != nil {
				return err
			}
		}
		n = len(rules)
		return nil
	})
	return n, err
}

// now is merchant's time on its own clock; the zero time when the request
// names no merchant, or one a reset removed.
func (e *Engine) now(merchant string) time.Time {
	if merchant == "" {
		return time.Time{}
	}
	t, err := tenant.Now(e.Clocks, merchant)
	if err != nil {
		return time.Time{}
	}
	return t
}

// count has the stored rule id count one more match at now, in tx, and
// reports whether it fires; a rule that is gone or inactive neither counts
// nor fires.
func (e *Engine) count(tx store.Tx, id string, now time.Time) (*Rule, bool, error) {
	var r Rule
	d, err := store.GetJSON(tx, kindRule, id, &r)
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil || !r.active(now) {
		return nil, false, err
	}
	r.Matched++
	fires := r.Scope.fires(r.Matched, e.IDs.Float64)
	if fires {
		r.Fired++
	}
	return &r, fires, store.PutJSON(tx, d, &r)
}
