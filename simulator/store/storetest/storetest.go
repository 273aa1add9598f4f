// Package storetest is the contract every store.Store meets, as one test
// suite a store's package runs against its own stores, with the helpers its
// own tests share.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator/store"
)

// Opener returns a fresh, empty store; the test's cleanup closes it.
type Opener func(t *testing.T) store.Store

// Run runs the contract against the stores open returns: documents round
// trip, Updates are atomic, listings are ordered, paged and filtered as the
// store.Tx documentation says and agree with a scan, Create never writes
// over a document, generations count, and a document written from a
// store.Value reads as its JSON would.
func Run(t *testing.T, open Opener) {
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, open) })
	t.Run("GetJSONPutJSON", func(t *testing.T) { testGetJSONPutJSON(t, open) })
	t.Run("Rollback", func(t *testing.T) { testRollback(t, open) })
	t.Run("RollbackOnPanic", func(t *testing.T) { testRollbackOnPanic(t, open) })
	t.Run("AfterCommit", func(t *testing.T) { testAfterCommit(t, open) })
	t.Run("OwnWrites", func(t *testing.T) { testOwnWrites(t, open) })
	t.Run("ListOrder", func(t *testing.T) { testListOrder(t, open) })
	t.Run("ListFilters", func(t *testing.T) { testListFilters(t, open) })
	t.Run("ListPaging", func(t *testing.T) { testListPaging(t, open) })
	t.Run("ViewReadOnly", func(t *testing.T) { testViewReadOnly(t, open) })
	t.Run("CancelledContext", func(t *testing.T) { testCancelledContext(t, open) })
	t.Run("Reset", func(t *testing.T) { testReset(t, open) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, open) })
	t.Run("Create", func(t *testing.T) { testCreate(t, open) })
	t.Run("NewGeneration", func(t *testing.T) { testNewGeneration(t, open) })
	t.Run("ListFollowsChanges", func(t *testing.T) { testListFollowsChanges(t, open) })
	t.Run("ListAgreesWithScan", func(t *testing.T) { testListAgreesWithScan(t, open) })
	t.Run("Values", func(t *testing.T) { testValues(t, open) })
	t.Run("Version", func(t *testing.T) { testVersion(t, open) })
}

// testVersion: a kind's version grows with each committed write of the
// kind and each reset, and with nothing else.
func testVersion(t *testing.T, open Opener) {
	s := open(t)
	a, b := s.Version("a"), s.Version("b")
	check := func(step string, growA, growB bool) {
		t.Helper()
		na, nb := s.Version("a"), s.Version("b")
		if (na > a) != growA || (nb > b) != growB || na < a || nb < b {
			t.Errorf("%s: versions a %d -> %d, b %d -> %d; want a grown %v, b grown %v", step, a, na, b, nb, growA, growB)
		}
		a, b = na, nb
	}
	Put(t, s, NewDoc("a", "1", "m", T0, `1`))
	check("put a", true, false)
	err := s.Update(ctx, func(tx store.Tx) error {
		return store.PutJSON(tx, store.Doc{Kind: "b", ID: "1", Merchant: "m"}, &order{Amount: "1.00"})
	})
	if err != nil {
		t.Fatal(err)
	}
	check("put b from a value", false, true)
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.Put(NewDoc("a", "2", "m", T0, `2`)); err != nil {
			return err
		}
		return errNo
	})
	if !errors.Is(err, errNo) {
		t.Fatal(err)
	}
	check("a rolled back update", false, false)
	if err := s.View(ctx, func(tx store.Tx) error { _, err := tx.Get("a", "1"); return err }); err != nil {
		t.Fatal(err)
	}
	check("a view", false, false)
	err = s.Update(ctx, func(tx store.Tx) error {
		tx.AfterCommit(func() { check("after commit", true, false) })
		return tx.Delete("a", "1")
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	check("reset", true, true)
}

var (
	ctx = context.Background()
	// T0 is the time the suite's documents are created at: a time with
	// nanoseconds, which a store must keep.
	T0    = time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.UTC)
	errNo = errors.New("no")
)

// NewDoc returns a document with data as its JSON ("" for none).
func NewDoc(kind, id, merchant string, created time.Time, data string) store.Doc {
	d := store.Doc{Kind: kind, ID: id, Merchant: merchant, Created: created}
	if data != "" {
		d.Data = json.RawMessage(data)
	}
	return d
}

// Put writes docs in one Update and fails the test on error.
func Put(t *testing.T, s store.Store, docs ...store.Doc) {
	t.Helper()
	err := s.Update(ctx, func(tx store.Tx) error {
		for _, d := range docs {
			if err := tx.Put(d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Get reads one document in a View.
func Get(t *testing.T, s store.Store, kind, id string) (store.Doc, error) {
	t.Helper()
	var d store.Doc
	err := s.View(ctx, func(tx store.Tx) error {
		var err error
		d, err = tx.Get(kind, id)
		return err
	})
	return d, err
}

// Exists tells, in one View, whether each document of kind is stored; it
// fails the test on error.
func Exists(t *testing.T, s store.Store, kind string, ids ...string) []bool {
	t.Helper()
	var out []bool
	err := s.View(ctx, func(tx store.Tx) error {
		for _, id := range ids {
			ok, err := tx.Exists(kind, id)
			if err != nil {
				return err
			}
			out = append(out, ok)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// List returns the ids a listing of kind gives, in order, and its total;
// it fails the test on error.
func List(t *testing.T, s store.Store, kind string, q store.Query) ([]string, int) {
	t.Helper()
	var ids []string
	var total int
	err := s.View(ctx, func(tx store.Tx) error {
		docs, n, err := tx.List(kind, q)
		for _, d := range docs {
			ids = append(ids, d.ID)
		}
		total = n
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids, total
}

// SameDoc compares everything but Seq, and times with Equal.
func SameDoc(t *testing.T, got, want store.Doc) {
	t.Helper()
	if !got.Created.Equal(want.Created) {
		t.Errorf("Created = %v, want %v", got.Created, want.Created)
	}
	got.Created, want.Created, got.Seq, want.Seq = time.Time{}, time.Time{}, 0, 0
	if !reflect.DeepEqual(got, want) {
		t.Errorf("doc = %+v, want %+v", got, want)
	}
}
