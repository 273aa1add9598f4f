// Package store keeps the simulator's state as JSON documents grouped by
// kind and owned by a merchant. The domain packages define what a document
// holds; the store only guarantees that an Update's writes land together or
// not at all, which is how a state change and the webhook it causes are
// written in one step.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// ErrNotFound is returned when no document has the kind and id asked for.
var ErrNotFound = errors.New("store: not found")

// ErrExists is returned by Create when a document has the kind and id
// already: a new document never replaces a stored one.
var ErrExists = errors.New("store: a document with this id exists")

// ErrReadOnly is returned by a write inside View.
var ErrReadOnly = errors.New("store: write in a read-only transaction")

// Doc is one stored document.
type Doc struct {
	Kind     string
	ID       string
	Merchant string
	// Created orders listings (newest first).
	Created time.Time
	// Seq is set by the store when a document is first written; it orders
	// documents created at the same instant, as on a stopped clock.
	Seq uint64
	// Index holds up to a few secondary keys a listing can filter on, such
	// as a payment id on a webhook delivery.
	Index map[string]string
	Data  json.RawMessage
}

// Tx reads and writes documents inside View or Update.
type Tx interface {
	// Get returns ErrNotFound when there is no such document.
	Get(kind, id string) (Doc, error)
	// Create writes a new document; it returns ErrExists, and writes
	// nothing, when one with the same kind and id is stored.
	Create(d Doc) error
	// Put creates or replaces a document.
	Put(d Doc) error
	// Delete removes a document; deleting a missing one is not an error.
	Delete(kind, id string) error
	// List returns the documents of kind matching q, newest first, and how
	// many matched before q.Limit and q.Offset were applied. It reads the
	// page it returns through an index, whatever else is stored.
	List(kind string, q Query) ([]Doc, int, error)
	// AfterCommit runs fn once the transaction's writes are committed and
	// visible, never if it fails: timers that read what the transaction
	// wrote are started there.
	AfterCommit(fn func())
}

// Query selects documents of one kind.
type Query struct {
	Merchant string // "" matches every merchant
	// Index entries the documents must have: every key must match. A
	// listing is served by one entry with a value; "" (matching a missing
	// key too) is only checked on the documents that entry lists.
	Index map[string]string
	// Created bounds: CreatedFrom inclusive, CreatedBefore exclusive; the
	// zero time leaves that side open.
	CreatedFrom, CreatedBefore time.Time
	Limit                      int // 0 means no limit
	Offset                     int
}

// Store is the simulator's state.
type Store interface {
	// View runs fn with a read-only view.
	View(ctx context.Context, fn func(Tx) error) error
	// Update runs fn; its writes are committed only if fn returns nil.
	Update(ctx context.Context, fn func(Tx) error) error
	// Reset removes every document.
	Reset(ctx context.Context) error
	// NewGeneration counts one more start of a program on the store and
	// returns the count: 1 on a new store. Neither Reset nor a crash takes
	// it back, so a program can tell its ids from those of earlier starts
	// on the same store.
	NewGeneration(ctx context.Context) (uint64, error)
	Close() error
}

// GetJSON reads a document and decodes it into v.
func GetJSON(tx Tx, kind, id string, v any) (Doc, error) {
	d, err := tx.Get(kind, id)
	if err != nil {
		return d, err
	}
	return d, json.Unmarshal(d.Data, v)
}

// PutJSON encodes v into d.Data and writes d.
func PutJSON(tx Tx, d Doc, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	d.Data = data
	return tx.Put(d)
}

// CreateJSON encodes v into d.Data and writes d as a new document.
func CreateJSON(tx Tx, d Doc, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	d.Data = data
	return tx.Create(d)
}
