// Package storetest is the contract every store.Store meets, as one test
// suite a store's package runs against its own stores, with the helpers its
// own tests share.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"sync"
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
	testStore(t, open)
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

func testStore(t *testing.T, open Opener) {
	t.Run("RoundTrip", func(t *testing.T) {
		s := open(t)
		a := NewDoc("payment", "p1", "m1", T0, `{"amount":"10.00"}`)
		a.Index = map[string]string{"order": "o1"}
		b := NewDoc("payment", "p2", "m1", time.Time{}, ``) // zero time, no data, nil index
		c := NewDoc("payment", "p3", "m2", T0.In(time.FixedZone("GST", 4*3600)), `[]`)
		c.Index = map[string]string{}
		Put(t, s, a, b, c)
		for _, want := range []store.Doc{a, b, c} {
			got, err := Get(t, s, want.Kind, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			SameDoc(t, got, want)
			if got.Seq == 0 {
				t.Errorf("%s: Seq not set", want.ID)
			}
		}
		if d, _ := Get(t, s, "payment", "p2"); !d.Created.IsZero() || d.Data != nil || d.Index != nil {
			t.Errorf("p2 = %+v, want zero Created, nil Data and Index", d)
		}
		if d, _ := Get(t, s, "payment", "p3"); d.Index == nil || len(d.Index) != 0 {
			t.Errorf("p3 Index = %#v, want empty map", d.Index)
		}
		// Same id, another kind: a separate document.
		if _, err := Get(t, s, "capture", "p1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get other kind: %v, want ErrNotFound", err)
		}

		// Replace keeps Seq and changes the rest.
		before, _ := Get(t, s, "payment", "p1")
		a2 := NewDoc("payment", "p1", "m1", T0.Add(time.Hour), `{"amount":"5.00"}`)
		a2.Seq = 999 // ignored
		Put(t, s, a2)
		after, _ := Get(t, s, "payment", "p1")
		SameDoc(t, after, a2)
		if after.Seq != before.Seq {
			t.Errorf("replace: Seq %d, want %d kept", after.Seq, before.Seq)
		}

		// Changing what Get returned does not change the store.
		after.Data[0] = 'X'
		after.Index = map[string]string{"x": "y"}
		again, _ := Get(t, s, "payment", "p1")
		SameDoc(t, again, a2)

		// Delete, and delete of a missing one.
		err := s.Update(ctx, func(tx store.Tx) error {
			if err := tx.Delete("payment", "p1"); err != nil {
				return err
			}
			return tx.Delete("payment", "nope")
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Get(t, s, "payment", "p1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("after Delete: %v, want ErrNotFound", err)
		}
		// Put after delete is a new document with a new Seq.
		Put(t, s, a)
		if d, _ := Get(t, s, "payment", "p1"); d.Seq <= before.Seq {
			t.Errorf("re-created Seq %d, want > %d", d.Seq, before.Seq)
		}
	})

	t.Run("GetJSONPutJSON", func(t *testing.T) {
		s := open(t)
		type P struct{ Amount string }
		err := s.Update(ctx, func(tx store.Tx) error {
			return store.PutJSON(tx, store.Doc{Kind: "payment", ID: "p1", Merchant: "m"}, P{"1.00"})
		})
		if err != nil {
			t.Fatal(err)
		}
		var p P
		err = s.View(ctx, func(tx store.Tx) error {
			_, err := store.GetJSON(tx, "payment", "p1", &p)
			return err
		})
		if err != nil || p.Amount != "1.00" {
			t.Fatalf("GetJSON = %+v, %v", p, err)
		}
	})

	t.Run("Rollback", func(t *testing.T) {
		s := open(t)
		Put(t, s, NewDoc("payment", "keep", "m", T0, `1`), NewDoc("payment", "gone", "m", T0, `2`))
		ran := false
		err := s.Update(ctx, func(tx store.Tx) error {
			tx.AfterCommit(func() { ran = true })
			if err := tx.Put(NewDoc("payment", "new", "m", T0, `3`)); err != nil {
				return err
			}
			if err := tx.Put(NewDoc("payment", "keep", "m", T0, `changed`)); err != nil {
				return err
			}
			if err := tx.Delete("payment", "gone"); err != nil {
				return err
			}
			return errNo
		})
		if !errors.Is(err, errNo) {
			t.Fatalf("Update = %v, want fn's error", err)
		}
		if ran {
			t.Error("AfterCommit ran after a failed Update")
		}
		if _, err := Get(t, s, "payment", "new"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("new: %v, want ErrNotFound", err)
		}
		if got := Exists(t, s, "payment", "new", "keep", "gone"); !reflect.DeepEqual(got, []bool{false, true, true}) {
			t.Errorf("Exists new, keep, gone = %v, want false, true, true", got)
		}
		if d, _ := Get(t, s, "payment", "keep"); string(d.Data) != `1` {
			t.Errorf("keep = %s, want 1", d.Data)
		}
		if _, err := Get(t, s, "payment", "gone"); err != nil {
			t.Errorf("gone: %v, want kept", err)
		}
		if ids, n := List(t, s, "payment", store.Query{}); n != 2 || len(ids) != 2 {
			t.Errorf("list = %v %d, want 2 docs", ids, n)
		}
	})

	t.Run("RollbackOnPanic", func(t *testing.T) {
		s := open(t)
		func() {
			defer func() { recover() }()
			s.Update(ctx, func(tx store.Tx) error {
				tx.Put(NewDoc("payment", "p", "m", T0, `1`))
				panic("boom")
			})
		}()
		if _, err := Get(t, s, "payment", "p"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("after panic: %v, want ErrNotFound", err)
		}
		Put(t, s, NewDoc("payment", "q", "m", T0, `1`)) // the store still works
	})

	t.Run("AfterCommit", func(t *testing.T) {
		s := open(t)
		var order []string
		err := s.Update(ctx, func(tx store.Tx) error {
			tx.AfterCommit(func() {
				// The write is committed and visible, and the store is
				// free for another Update.
				d, err := Get(t, s, "payment", "p")
				if err != nil {
					t.Errorf("in AfterCommit: %v", err)
				}
				order = append(order, "first:"+string(d.Data))
				Put(t, s, NewDoc("payment", "q", "m", T0, `2`))
			})
			tx.AfterCommit(func() { order = append(order, "second") })
			if err := tx.Put(NewDoc("payment", "p", "m", T0, `1`)); err != nil {
				return err
			}
			order = append(order, "fn")
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"fn", "first:1", "second"}; !reflect.DeepEqual(order, want) {
			t.Errorf("order = %v, want %v", order, want)
		}
		if _, err := Get(t, s, "payment", "q"); err != nil {
			t.Errorf("write from AfterCommit: %v", err)
		}
	})

	t.Run("OwnWrites", func(t *testing.T) {
		s := open(t)
		Put(t, s, NewDoc("payment", "old", "m", T0, `1`), NewDoc("payment", "del", "m", T0, `2`))
		err := s.Update(ctx, func(tx store.Tx) error {
			if err := tx.Put(NewDoc("payment", "new", "m", T0.Add(time.Second), `3`)); err != nil {
				return err
			}
			if err := tx.Put(NewDoc("payment", "old", "m2", T0, `changed`)); err != nil {
				return err
			}
			if err := tx.Delete("payment", "del"); err != nil {
				return err
			}
			if d, err := tx.Get("payment", "new"); err != nil || string(d.Data) != `3` {
				return fmt.Errorf("get new = %s, %v", d.Data, err)
			}
			if d, err := tx.Get("payment", "old"); err != nil || string(d.Data) != `changed` {
				return fmt.Errorf("get old = %s, %v", d.Data, err)
			}
			if _, err := tx.Get("payment", "del"); !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("get del = %v", err)
			}
			for id, want := range map[string]bool{"new": true, "old": true, "del": false} {
				if ok, err := tx.Exists("payment", id); ok != want || err != nil {
					return fmt.Errorf("exists %s = %v, %v; want %v", id, ok, err, want)
				}
			}
			docs, n, err := tx.List("payment", store.Query{Merchant: "m"})
			if err != nil || n != 1 || len(docs) != 1 || docs[0].ID != "new" {
				return fmt.Errorf("list m = %v %d %v", docs, n, err)
			}
			// Replaced then deleted then put again, all in one transaction.
			if err := tx.Put(NewDoc("payment", "del", "m", T0, `4`)); err != nil {
				return err
			}
			if d, err := tx.Get("payment", "del"); err != nil || string(d.Data) != `4` {
				return fmt.Errorf("get del again = %s, %v", d.Data, err)
			}
			if ok, err := tx.Exists("payment", "del"); !ok || err != nil {
				return fmt.Errorf("exists del again = %v, %v", ok, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if ids, n := List(t, s, "payment", store.Query{}); n != 3 || !reflect.DeepEqual(ids, []string{"new", "del", "old"}) {
			t.Errorf("list = %v %d", ids, n)
		}
	})

	t.Run("ListOrder", func(t *testing.T) {
		s := open(t)
		// Same Created: insertion order, newest first. Earlier Created comes
		// last whatever its Seq; the zero time is the oldest of all.
		Put(t, s, NewDoc("e", "a", "m", T0, `1`), NewDoc("e", "b", "m", T0, `1`))
		Put(t, s, NewDoc("e", "c", "m", T0, `1`))
		Put(t, s, NewDoc("e", "old", "m", T0.Add(-time.Nanosecond), `1`))
		Put(t, s, NewDoc("e", "zero", "m", time.Time{}, `1`))
		Put(t, s, NewDoc("e", "new", "m", T0.Add(time.Nanosecond), `1`))
		Put(t, s, NewDoc("e", "d", "m", T0, `1`))
		Put(t, s, NewDoc("e", "b", "m", T0, `2`)) // replacing keeps b's place
		Put(t, s, NewDoc("other", "x", "m", T0.Add(time.Hour), `1`))
		want := []string{"new", "d", "c", "b", "a", "old", "zero"}
		if ids, n := List(t, s, "e", store.Query{}); n != len(want) || !reflect.DeepEqual(ids, want) {
			t.Errorf("list = %v %d, want %v", ids, n, want)
		}
		if ids, n := List(t, s, "none", store.Query{}); ids != nil || n != 0 {
			t.Errorf("empty kind = %v %d", ids, n)
		}
	})

	t.Run("ListFilters", func(t *testing.T) {
		s := open(t)
		mk := func(id, merchant string, created time.Duration, index map[string]string) store.Doc {
			d := NewDoc("delivery", id, merchant, T0.Add(created), `{}`)
			d.Index = index
			return d
		}
		Put(t, s,
			mk("d1", "m1", 1, map[string]string{"payment": "p1", "status": "sent"}),
			mk("d2", "m1", 2, map[string]string{"payment": "p2", "status": "sent"}),
			mk("d3", "m1", 3, map[string]string{"payment": "p1", "status": "failed"}),
			mk("d4", "m2", 4, map[string]string{"payment": "p1", "status": "sent"}),
			mk("d5", "m2", 5, nil),
			mk("d6", "m1", 6, map[string]string{"payment": "", "status": "sent"}),
			mk("d7", "m1", 7, map[string]string{`we"ird.key`: "a'b", "status": "x"}),
		)
		for _, c := range []struct {
			q    store.Query
			want []string
		}{
			{store.Query{}, []string{"d7", "d6", "d5", "d4", "d3", "d2", "d1"}},
			{store.Query{Merchant: "m1"}, []string{"d7", "d6", "d3", "d2", "d1"}},
			{store.Query{Merchant: "m2"}, []string{"d5", "d4"}},
			{store.Query{Merchant: "m3"}, nil},
			{store.Query{Index: map[string]string{"payment": "p1"}}, []string{"d4", "d3", "d1"}},
			{store.Query{Merchant: "m1", Index: map[string]string{"payment": "p1"}}, []string{"d3", "d1"}},
			{store.Query{Index: map[string]string{"payment": "p1", "status": "sent"}}, []string{"d4", "d1"}},
			{store.Query{Index: map[string]string{"payment": "p9"}}, nil},
			{store.Query{Index: map[string]string{"nokey": "v"}}, nil},
			{store.Query{Index: map[string]string{`we"ird.key`: "a'b"}}, []string{"d7"}},
			// As a Go map reads: a missing key matches "".
			{store.Query{Index: map[string]string{"payment": ""}}, []string{"d7", "d6", "d5"}},
			{store.Query{Index: map[string]string{}}, []string{"d7", "d6", "d5", "d4", "d3", "d2", "d1"}},
		} {
			ids, n := List(t, s, "delivery", c.q)
			if n != len(c.want) || !reflect.DeepEqual(ids, c.want) {
				t.Errorf("List(%+v) = %v %d, want %v", c.q, ids, n, c.want)
			}
		}
		// Listed documents are complete.
		s.View(ctx, func(tx store.Tx) error {
			docs, _, err := tx.List("delivery", store.Query{Merchant: "m1", Limit: 1, Offset: 3})
			if err != nil || len(docs) != 1 {
				t.Fatalf("list = %v, %v", docs, err)
			}
			SameDoc(t, docs[0], mk("d2", "m1", 2, map[string]string{"payment": "p2", "status": "sent"}))
			return nil
		})
	})

	t.Run("ListPaging", func(t *testing.T) {
		s := open(t)
		var all []string
		for i := 0; i < 10; i++ {
			id := fmt.Sprintf("d%d", i)
			Put(t, s, NewDoc("e", id, "m", T0, `1`))
			all = append([]string{id}, all...)
		}
		for _, c := range []struct {
			limit, offset int
			want          []string
		}{
			{0, 0, all},
			{3, 0, all[:3]},
			{3, 3, all[3:6]},
			{3, 9, all[9:]},
			{3, 10, nil},
			{0, 4, all[4:]},
			{20, 0, all},
			{0, 50, nil},
			{-1, -1, all},
		} {
			ids, n := List(t, s, "e", store.Query{Limit: c.limit, Offset: c.offset})
			if n != 10 || !reflect.DeepEqual(ids, c.want) {
				t.Errorf("Limit %d Offset %d = %v %d, want %v 10", c.limit, c.offset, ids, n, c.want)
			}
		}
	})

	t.Run("ViewReadOnly", func(t *testing.T) {
		s := open(t)
		Put(t, s, NewDoc("e", "a", "m", T0, `1`))
		err := s.View(ctx, func(tx store.Tx) error {
			if err := tx.Put(NewDoc("e", "b", "m", T0, `1`)); err == nil {
				t.Error("Put in View succeeded")
			}
			if err := tx.Delete("e", "a"); err == nil {
				t.Error("Delete in View succeeded")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if ids, _ := List(t, s, "e", store.Query{}); !reflect.DeepEqual(ids, []string{"a"}) {
			t.Errorf("after View: %v", ids)
		}
		if err := s.View(ctx, func(store.Tx) error { return errNo }); !errors.Is(err, errNo) {
			t.Errorf("View = %v, want fn's error", err)
		}
	})

	t.Run("CancelledContext", func(t *testing.T) {
		s := open(t)
		c, cancel := context.WithCancel(ctx)
		cancel()
		called := false
		if err := s.Update(c, func(store.Tx) error { called = true; return nil }); !errors.Is(err, context.Canceled) {
			t.Errorf("Update = %v", err)
		}
		if err := s.View(c, func(store.Tx) error { called = true; return nil }); !errors.Is(err, context.Canceled) {
			t.Errorf("View = %v", err)
		}
		if called {
			t.Error("fn called with a cancelled context")
		}
		// Cancelling once fn runs does not undo its writes.
		c, cancel = context.WithCancel(ctx)
		err := s.Update(c, func(tx store.Tx) error {
			cancel()
			return tx.Put(NewDoc("e", "a", "m", T0, `1`))
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Get(t, s, "e", "a"); err != nil {
			t.Error(err)
		}
	})

	t.Run("Reset", func(t *testing.T) {
		s := open(t)
		Put(t, s, NewDoc("a", "1", "m", T0, `1`), NewDoc("b", "2", "m", T0, `1`))
		before, _ := Get(t, s, "b", "2")
		if err := s.Reset(ctx); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"a", "b"} {
			if ids, n := List(t, s, k, store.Query{}); ids != nil || n != 0 {
				t.Errorf("after Reset %s: %v %d", k, ids, n)
			}
		}
		if got := Exists(t, s, "a", "1"); got[0] {
			t.Error("after Reset, a 1 exists")
		}
		Put(t, s, NewDoc("a", "1", "m", T0, `2`))
		if d, err := Get(t, s, "a", "1"); err != nil || string(d.Data) != `2` {
			t.Errorf("after Reset, put: %s %v", d.Data, err)
		}
		if d, _ := Get(t, s, "a", "1"); d.Seq <= before.Seq {
			t.Errorf("Seq after Reset = %d, want > %d", d.Seq, before.Seq)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		s := open(t)
		Put(t, s, NewDoc("counter", "c", "m", T0, `0`))
		const workers, each = 8, 25
		var wg sync.WaitGroup
		var mu sync.Mutex
		after := 0
		errs := make(chan error, workers*each*2)
		for w := 0; w < workers; w++ {
			wg.Add(2)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					errs <- s.Update(ctx, func(tx store.Tx) error {
						// Read-modify-write: lost updates would show in the count.
						c, err := tx.Get("counter", "c")
						if err != nil {
							return err
						}
						n, _ := strconv.Atoi(string(c.Data))
						c.Data = json.RawMessage(strconv.Itoa(n + 1))
						if err := tx.Put(c); err != nil {
							return err
						}
						tx.AfterCommit(func() { mu.Lock(); after++; mu.Unlock() })
						return tx.Put(NewDoc("item", fmt.Sprintf("w%d-%d", w, i), fmt.Sprintf("m%d", w), T0, `1`))
					})
				}
			}()
			go func() { // readers alongside
				defer wg.Done()
				for i := 0; i < each; i++ {
					errs <- s.View(ctx, func(tx store.Tx) error {
						_, _, err := tx.List("item", store.Query{Merchant: fmt.Sprintf("m%d", w), Limit: 5})
						return err
					})
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if c, _ := Get(t, s, "counter", "c"); string(c.Data) != strconv.Itoa(workers*each) {
			t.Errorf("counter = %s, want %d", c.Data, workers*each)
		}
		if _, n := List(t, s, "item", store.Query{}); n != workers*each {
			t.Errorf("items = %d, want %d", n, workers*each)
		}
		if after != workers*each {
			t.Errorf("AfterCommit ran %d times, want %d", after, workers*each)
		}
		// Every item has its own Seq.
		seen := map[uint64]bool{}
		s.View(ctx, func(tx store.Tx) error {
			docs, _, _ := tx.List("item", store.Query{})
			for _, d := range docs {
				if seen[d.Seq] {
					t.Errorf("Seq %d given twice", d.Seq)
				}
				seen[d.Seq] = true
			}
			return nil
		})
	})
}
