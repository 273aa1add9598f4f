package webhook

import (
	"context"
	"errors"

	"github.com/tabbysim/tabbysim/simulator/store"
)

// Filter selects deliveries; empty fields match everything.
type Filter struct {
	Merchant string
	Payment  string
	Status   Status
	Limit    int
}

// List returns the deliveries matching f, newest first.
func (e *Engine) List(ctx context.Context, f Filter) ([]Delivery, error) {
	idx := map[string]string{}
	if f.Payment != "" {
		idx["payment"] = f.Payment
	}
	if f.Status != "" {
		idx["status"] = string(f.Status)
	}
	out := []Delivery{}
	err := e.Store.View(ctx, func(tx store.Tx) error {
		ds, _, err := store.ListJSON[Delivery](tx, kindDelivery, store.Query{Merchant: f.Merchant, Index: idx, Limit: f.Limit})
		for _, d := range ds {
			out = append(out, *d)
		}
		return err
	})
	return out, err
}

// Get returns one delivery with every try.
func (e *Engine) Get(ctx context.Context, id string) (*Delivery, error) {
	var d Delivery
	err := e.Store.View(ctx, func(tx store.Tx) error {
		_, err := store.GetJSON(tx, kindDelivery, id, &d)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	return &d, err
}

// Resend delivers delivery id's stored event again, with the same headers,
// as a new delivery with tries of its own. Failure injection does not apply
// to a resend.
func (e *Engine) Resend(ctx context.Context, id string) (*Delivery, error) {
	var d Delivery
	err := e.Store.Update(ctx, func(tx store.Tx) error {
		var orig Delivery
		if _, err := store.GetJSON(tx, kindDelivery, id, &orig); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return ErrNotFound
			}
			return err
		}
		now, err := e.now(orig.Merchant)
		if err != nil {
			return err
		}
		d = Delivery{
			ID: e.newID(), Merchant: orig.Merchant, Provider: orig.Provider, PaymentID: orig.PaymentID,
			Event: orig.Event, URL: orig.URL, Headers: cloneHeaders(orig.Headers), AuthHeader: orig.AuthHeader,
			Body: orig.Body, AckToken: orig.AckToken, CreatedAt: now, Status: Pending, ResendOf: orig.ID,
			NextAttempt: &now, Attempts: []Attempt{},
		}
		if err := store.CreateJSON(tx, deliveryDoc(&d), &d); err != nil {
			return err
		}
		e.scheduleAfter(tx, d.Merchant, now, tryKey(d.ID, 1))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}
