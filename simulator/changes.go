package simulator

import (
	"context"

	"github.com/tabbysim/tabbysim/simulator/internal/changes"
	"github.com/tabbysim/tabbysim/simulator/store"
)

// announcingStore tells the feed of changes what each committed update
// wrote, and of resets: every layer writes through the store, so the
// dashboard hears of payments, deliveries, clocks and merchants (and of
// whatever a new provider stores) from this one place.
type announcingStore struct {
	store.Store
	feed *changes.Feed
}

func (s announcingStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	if !s.feed.Watched() {
		return s.Store.Update(ctx, fn)
	}
	return s.Store.Update(ctx, func(tx store.Tx) error {
		atx := &announcingTx{Tx: tx}
		if err := fn(atx); err != nil {
			return err
		}
		if len(atx.changes) > 0 {
			tx.AfterCommit(func() { s.feed.Publish(atx.changes...) })
		}
		return nil
	})
}

func (s announcingStore) Reset(ctx context.Context) error {
	err := s.Store.Reset(ctx)
	if err == nil {
		s.feed.Publish(changes.Change{Kind: changes.KindReset})
	}
	return err
}

// announcingTx records the documents an update writes.
type announcingTx struct {
	store.Tx
	changes []changes.Change
}

func (tx *announcingTx) Create(d store.Doc) error {
	err := tx.Tx.Create(d)
	if err == nil {
		tx.note(changes.Change{Kind: d.Kind, Merchant: d.Merchant, ID: d.ID})
	}
	return err
}

func (tx *announcingTx) Put(d store.Doc) error {
	err := tx.Tx.Put(d)
	if err == nil {
		tx.note(changes.Change{Kind: d.Kind, Merchant: d.Merchant, ID: d.ID})
	}
	return err
}

func (tx *announcingTx) Delete(kind, id string) error {
	err := tx.Tx.Delete(kind, id)
	if err == nil {
		tx.note(changes.Change{Kind: kind, ID: id})
	}
	return err
}

// note records c once, however often the update writes the document.
func (tx *announcingTx) note(c changes.Change) {
	for _, seen := range tx.changes {
		if seen == c {
			return
		}
	}
	tx.changes = append(tx.changes, c)
}
