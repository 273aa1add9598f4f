package webhook

import (
	"errors"
	"fmt"
	"time"

	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// chain remembers, per payment and endpoint, the newest delivery and the
// one held back for reordering.
type chain struct {
	Tail string `json:"tail,omitempty"`
	Held string `json:"held,omitempty"`
}

// CopyValue implements store.Value.
func (c *chain) CopyValue() store.Value {
	cp := *c
	return &cp
}

func chainKey(d *Delivery) string { return d.Merchant + "|" + d.PaymentID + "|" + d.URL }

// Enqueue writes d in tx, the transaction that makes the change d reports,
// and schedules its first try on merchant m's clock, with the failure
// injection the engine's Injector decides. Provider, PaymentID, Event, URL,
// Headers and Body must be set, and a Policy registered for Provider.
func (e *Engine) Enqueue(tx store.Tx, m *tenant.Merchant, d Delivery) error {
	pol, ok := e.policies[d.Provider]
	if !ok {
		return fmt.Errorf("webhook: no delivery policy for provider %q", d.Provider)
	}
	now, err := e.now(m.ID)
	if err != nil {
		return err
	}
	d.ID, d.Merchant, d.CreatedAt, d.Status, d.Attempts = e.newID(), m.ID, now, Pending, []Attempt{}
	d.Headers = cloneHeaders(d.Headers)
	chaos, err := e.injector().Inject(tx, m, &d)
	if err != nil {
		return err
	}
	if chaos.Forge != "" {
		pol.Forge(&d, chaos.Forge)
	}
	if chaos.DropRate > 0 && (chaos.DropRate >= 1 || e.IDs.Float64() < chaos.DropRate) {
		d.Status = Dropped
		d.Chaos = append(d.Chaos, "dropped: lost on the way, the receiver never saw it")
		return store.CreateJSON(tx, deliveryDoc(&d), &d)
	}
	at := now.Add(chaos.Delay)
	if chaos.Delay > 0 {
		d.Chaos = append(d.Chaos, "delayed by "+tenant.Duration(chaos.Delay).String())
	}
	var copies []Delivery
	for i := 0; i < chaos.Duplicate; i++ {
		c := d
		c.ID, c.DuplicateOf, c.Headers = e.newID(), d.ID, cloneHeaders(d.Headers)
		c.Chaos = append(append([]string(nil), d.Chaos...), "duplicate of "+d.ID)
		copies = append(copies, c)
		d.Then = append(d.Then, c.ID)
	}

	var ch chain
	key := chainKey(&d)
	if _, err := store.GetJSON(tx, kindChain, key, &ch); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if ch.Held != "" {
		// A held delivery whose hold ran out has gone by itself; the next
		// event is then the one to hold back.
		var held Delivery
		if _, err := store.GetJSON(tx, kindDelivery, ch.Held, &held); err != nil || held.Status != Held {
			ch.Held = ""
		}
	}
	first := 1
	switch {
	case chaos.Reorder && ch.Held == "":
		d.Status = Held
		d.Chaos = append(d.Chaos, "held back until the payment's next event has gone out")
		ch.Held = d.ID
		at = at.Add(ReorderHold)
		d.NextAttempt = &at
	default:
		if ch.Held != "" {
			d.Then = append(d.Then, ch.Held)
			ch.Held = ""
		}
		queued, err := e.queueBehind(tx, ch.Tail, d.ID)
		if err != nil {
			return err
		}
		if queued != nil {
			d.NextAttempt = queued
			first = 0 // tried right after the tail, not on a timer
		} else {
			d.NextAttempt = &at
		}
		ch.Tail = d.ID
	}
	for _, c := range append([]Delivery{d}, copies...) {
		c.NextAttempt = d.NextAttempt
		if err := store.CreateJSON(tx, deliveryDoc(&c), &c); err != nil {
			return err
		}
	}
	if err := store.PutJSON(tx, store.Doc{Kind: kindChain, ID: key, Merchant: m.ID}, &ch); err != nil {
		return err
	}
	if first == 1 {
		e.scheduleAfter(tx, m.ID, at, tryKey(d.ID, 1))
	}
	return nil
}

// queueBehind puts id right after tail when tail still awaits its first
// try, and returns when that try is due; nil means tail has gone out.
func (e *Engine) queueBehind(tx store.Tx, tail, id string) (*time.Time, error) {
	if tail == "" {
		return nil, nil
	}
	var t Delivery
	d, err := store.GetJSON(tx, kindDelivery, tail, &t)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil || t.Status != Pending || len(t.Attempts) > 0 {
		return nil, err
	}
	t.Then = append(t.Then, id)
	return t.NextAttempt, store.PutJSON(tx, d, &t)
}

// scheduleAfter puts a try on the merchant's clock once tx has committed,
// so the try always finds the delivery it is about.
func (e *Engine) scheduleAfter(tx store.Tx, merchant string, at time.Time, key string) {
	tx.AfterCommit(func() {
		if err := e.Clocks.Schedule(merchant, at, timerTry, key); err != nil {
			e.Log.Warn("could not schedule a webhook try", "merchant", merchant, "try", key, "err", err)
		}
	})
}
