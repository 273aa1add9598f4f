// Package store keeps the simulator's state as JSON documents grouped by
// kind and owned by a merchant. The domain packages define what a document
// holds; the store only guarantees that an Update's writes land together or
// not at all, which is how a state change and the webhook it causes are
// written in one step.
//
// The memory store keeps the documents written from a Value decoded, so
// that reading one (GetJSON, ListJSON) costs a copy rather than a JSON
// decode and writing one no encoding; every reader still sees the document
// as its JSON would give it.
package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
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
	// Data is the document's JSON. It is nil in a Doc returned by GetJSON
	// when the store keeps the document decoded.
	Data json.RawMessage
	// value is the document decoded, kept by the memory store instead of
	// Data when Data is nil; it is never changed once written.
	value Value
	// index is Index as the memory store keeps it (Index is then nil).
	index []indexEntry
}

// Value is a document type the memory store keeps decoded: the pointer
// type a domain package reads and writes with GetJSON, PutJSON, CreateJSON
// and ListJSON.
type Value interface {
	// CopyValue returns a deep copy of the document, of the same pointer
	// type, that shares nothing either side could change; decoding its
	// JSON would give the same.
	CopyValue() Value
}

// Tx reads and writes documents inside View or Update.
type Tx interface {
	// Get returns ErrNotFound when there is no such document.
	Get(kind, id string) (Doc, error)
	// Exists reports whether a document has the kind and id, without
	// reading it.
	Exists(kind, id string) (bool, error)
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
	// Version is a count that grows, before Update or Reset returns, once
	// an Update that wrote or deleted a document of kind has committed and
	// once a Reset is done. Documents read after reading the version are
	// as stored while the version is the same, so a reader may keep what
	// it decoded from them until the version changes.
	Version(kind string) uint64
	Close() error
}

// Ref is a document that holds only the id of another, as a JSON string:
// the merchant a credential belongs to, the payment of a checkout session.
type Ref string

// CopyValue implements Value.
func (r *Ref) CopyValue() Value {
	c := *r
	return &c
}

// GetJSON reads a document and decodes it into v, which should point to
// a zero value: a copy of the document when the store keeps it decoded as
// v's type, its JSON decoded otherwise.
func GetJSON(tx Tx, kind, id string, v any) (Doc, error) {
	if mt, ok := tx.(*memTx); ok {
		d, ok := mt.stored(kind, id)
		if !ok {
			return Doc{}, ErrNotFound
		}
		data := d.Data
		d.Index, d.index, d.Data = unpackIndex(d.index), nil, bytes.Clone(data)
		return d, decode(data, d.value, v)
	}
	d, err := tx.Get(kind, id)
	if err != nil {
		return d, err
	}
	return d, json.Unmarshal(d.Data, v)
}

// ListJSON is Tx.List with every document decoded as GetJSON decodes it.
func ListJSON[T any](tx Tx, kind string, q Query) ([]*T, int, error) {
	var docs []Doc
	var total int
	if mt, ok := tx.(*memTx); ok {
		docs, total = mt.m.list(kind, q)
	} else {
		var err error
		if docs, total, err = tx.List(kind, q); err != nil {
			return nil, 0, err
		}
	}
	out := make([]*T, 0, len(docs))
	for _, d := range docs {
		v := new(T)
		if err := decode(d.Data, d.value, v); err != nil {
			return nil, 0, err
		}
		out = append(out, v)
	}
	return out, total, nil
}

// decode sets v to a document: a copy of value when it is of v's type,
// value's JSON decoded when it is not, data decoded when there is no value.
func decode(data json.RawMessage, value Value, v any) error {
	if value == nil {
		return json.Unmarshal(data, v)
	}
	if dst := reflect.ValueOf(v); dst.Type() == reflect.TypeOf(value) {
		dst.Elem().Set(reflect.ValueOf(value.CopyValue()).Elem())
		return nil
	}
	data, err := json.Marshal(value)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// PutJSON writes v as document d: as a copy of v when v is a Value and the
// store keeps documents decoded, as v's JSON otherwise.
func PutJSON(tx Tx, d Doc, v any) error {
	if err := setContent(tx, &d, v); err != nil {
		return err
	}
	return tx.Put(d)
}

// CreateJSON writes v as a new document d, as PutJSON writes it.
func CreateJSON(tx Tx, d Doc, v any) error {
	if err := setContent(tx, &d, v); err != nil {
		return err
	}
	return tx.Create(d)
}

func setContent(tx Tx, d *Doc, v any) error {
	if val, ok := v.(Value); ok {
		if _, ok := tx.(*memTx); ok {
			d.Data, d.value = nil, val.CopyValue()
			return nil
		}
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	d.Data, d.value = data, nil
	return nil
}
