package store

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// opener returns a fresh, empty store; the store is closed by the test's
// cleanup.
type opener func(t *testing.T) Store

func openMemory(t *testing.T) Store {
	s := NewMemory()
	t.Cleanup(func() { s.Close() })
	return s
}

func openSQLite(t *testing.T) Store {
	t.Helper()
	s, err := OpenSQLite(filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func TestMemory(t *testing.T) { testStore(t, openMemory) }
func TestSQLite(t *testing.T) { testStore(t, openSQLite) }

var (
	ctx   = context.Background()
	t0    = time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.UTC)
	errNo = errors.New("no")
)

func doc(kind, id, merchant string, created time.Time, data string) Doc {
	d := Doc{Kind: kind, ID: id, Merchant: merchant, Created: created}
	if data != "" {
		d.Data = json.RawMessage(data)
	}
	return d
}

func put(t *testing.T, s Store, docs ...Doc) {
	t.Helper()
	err := s.Update(ctx, func(tx Tx) error {
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

func get(t *testing.T, s Store, kind, id string) (Doc, error) {
	t.Helper()
	var d Doc
	err := s.View(ctx, func(tx Tx) error {
		var err error
		d, err = tx.Get(kind, id)
		return err
	})
	return d, err
}

func list(t *testing.T, s Store, kind string, q Query) ([]string, int) {
	t.Helper()
	var ids []string
	var total int
	err := s.View(ctx, func(tx Tx) error {
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

// sameDoc compares everything but Seq, and times with Equal.
func sameDoc(t *testing.T, got, want Doc) {
	t.Helper()
	if !got.Created.Equal(want.Created) {
		t.Errorf("Created = %v, want %v", got.Created, want.Created)
	}
	got.Created, want.Created, got.Seq, want.Seq = time.Time{}, time.Time{}, 0, 0
	if !reflect.DeepEqual(got, want) {
		t.Errorf("doc = %+v, want %+v", got, want)
	}
}

func testStore(t *testing.T, open opener) {
	t.Run("RoundTrip", func(t *testing.T) {
		s := open(t)
		a := doc("payment", "p1", "m1", t0, `{"amount":"10.00"}`)
		a.Index = map[string]string{"order": "o1"}
		b := doc("payment", "p2", "m1", time.Time{}, ``) // zero time, no data, nil index
		c := doc("payment", "p3", "m2", t0.In(time.FixedZone("GST", 4*3600)), `[]`)
		c.Index = map[string]string{}
		put(t, s, a, b, c)
		for _, want := range []Doc{a, b, c} {
			got, err := get(t, s, want.Kind, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			sameDoc(t, got, want)
			if got.Seq == 0 {
				t.Errorf("%s: Seq not set", want.ID)
			}
		}
		if d, _ := get(t, s, "payment", "p2"); !d.Created.IsZero() || d.Data != nil || d.Index != nil {
			t.Errorf("p2 = %+v, want zero Created, nil Data and Index", d)
		}
		if d, _ := get(t, s, "payment", "p3"); d.Index == nil || len(d.Index) != 0 {
			t.Errorf("p3 Index = %#v, want empty map", d.Index)
		}
		// Same id, another kind: a separate document.
		if _, err := get(t, s, "capture", "p1"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get other kind: %v, want ErrNotFound", err)
		}

		// Replace keeps Seq and changes the rest.
		before, _ := get(t, s, "payment", "p1")
		a2 := doc("payment", "p1", "m1", t0.Add(time.Hour), `{"amount":"5.00"}`)
		a2.Seq = 999 // ignored
		put(t, s, a2)
		after, _ := get(t, s, "payment", "p1")
		sameDoc(t, after, a2)
		if after.Seq != before.Seq {
			t.Errorf("replace: Seq %d, want %d kept", after.Seq, before.Seq)
		}

		// Changing what Get returned does not change the store.
		after.Data[0] = 'X'
		after.Index = map[string]string{"x": "y"}
		again, _ := get(t, s, "payment", "p1")
		sameDoc(t, again, a2)

		// Delete, and delete of a missing one.
		err := s.Update(ctx, func(tx Tx) error {
			if err := tx.Delete("payment", "p1"); err != nil {
				return err
			}
			return tx.Delete("payment", "nope")
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := get(t, s, "payment", "p1"); !errors.Is(err, ErrNotFound) {
			t.Errorf("after Delete: %v, want ErrNotFound", err)
		}
		// Put after delete is a new document with a new Seq.
		put(t, s, a)
		if d, _ := get(t, s, "payment", "p1"); d.Seq <= before.Seq {
			t.Errorf("re-created Seq %d, want > %d", d.Seq, before.Seq)
		}
	})

	t.Run("GetJSONPutJSON", func(t *testing.T) {
		s := open(t)
		type P struct{ Amount string }
		err := s.Update(ctx, func(tx Tx) error {
			return PutJSON(tx, Doc{Kind: "payment", ID: "p1", Merchant: "m"}, P{"1.00"})
		})
		if err != nil {
			t.Fatal(err)
		}
		var p P
		err = s.View(ctx, func(tx Tx) error {
			_, err := GetJSON(tx, "payment", "p1", &p)
			return err
		})
		if err != nil || p.Amount != "1.00" {
			t.Fatalf("GetJSON = %+v, %v", p, err)
		}
	})

	t.Run("Rollback", func(t *testing.T) {
		s := open(t)
		put(t, s, doc("payment", "keep", "m", t0, `1`), doc("payment", "gone", "m", t0, `2`))
		ran := false
		err := s.Update(ctx, func(tx Tx) error {
			tx.AfterCommit(func() { ran = true })
			if err := tx.Put(doc("payment", "new", "m", t0, `3`)); err != nil {
				return err
			}
			if err := tx.Put(doc("payment", "keep", "m", t0, `changed`)); err != nil {
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
		if _, err := get(t, s, "payment", "new"); !errors.Is(err, ErrNotFound) {
			t.Errorf("new: %v, want ErrNotFound", err)
		}
		if d, _ := get(t, s, "payment", "keep"); string(d.Data) != `1` {
			t.Errorf("keep = %s, want 1", d.Data)
		}
		if _, err := get(t, s, "payment", "gone"); err != nil {
			t.Errorf("gone: %v, want kept", err)
		}
		if ids, n := list(t, s, "payment", Query{}); n != 2 || len(ids) != 2 {
			t.Errorf("list = %v %d, want 2 docs", ids, n)
		}
	})

	t.Run("RollbackOnPanic", func(t *testing.T) {
		s := open(t)
		func() {
			defer func() { recover() }()
			s.Update(ctx, func(tx Tx) error {
				tx.Put(doc("payment", "p", "m", t0, `1`))
				panic("boom")
			})
		}()
		if _, err := get(t, s, "payment", "p"); !errors.Is(err, ErrNotFound) {
			t.Errorf("after panic: %v, want ErrNotFound", err)
		}
		put(t, s, doc("payment", "q", "m", t0, `1`)) // the store still works
	})

	t.Run("AfterCommit", func(t *testing.T) {
		s := open(t)
		var order []string
		err := s.Update(ctx, func(tx Tx) error {
			tx.AfterCommit(func() {
				// The write is committed and visible, and the store is
				// free for another Update.
				d, err := get(t, s, "payment", "p")
				if err != nil {
					t.Errorf("in AfterCommit: %v", err)
				}
				order = append(order, "first:"+string(d.Data))
				put(t, s, doc("payment", "q", "m", t0, `2`))
			})
			tx.AfterCommit(func() { order = append(order, "second") })
			if err := tx.Put(doc("payment", "p", "m", t0, `1`)); err != nil {
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
		if _, err := get(t, s, "payment", "q"); err != nil {
			t.Errorf("write from AfterCommit: %v", err)
		}
	})

	t.Run("OwnWrites", func(t *testing.T) {
		s := open(t)
		put(t, s, doc("payment", "old", "m", t0, `1`), doc("payment", "del", "m", t0, `2`))
		err := s.Update(ctx, func(tx Tx) error {
			if err := tx.Put(doc("payment", "new", "m", t0.Add(time.Second), `3`)); err != nil {
				return err
			}
			if err := tx.Put(doc("payment", "old", "m2", t0, `changed`)); err != nil {
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
			if _, err := tx.Get("payment", "del"); !errors.Is(err, ErrNotFound) {
				return fmt.Errorf("get del = %v", err)
			}
			docs, n, err := tx.List("payment", Query{Merchant: "m"})
			if err != nil || n != 1 || len(docs) != 1 || docs[0].ID != "new" {
				return fmt.Errorf("list m = %v %d %v", docs, n, err)
			}
			// Replaced then deleted then put again, all in one transaction.
			if err := tx.Put(doc("payment", "del", "m", t0, `4`)); err != nil {
				return err
			}
			if d, err := tx.Get("payment", "del"); err != nil || string(d.Data) != `4` {
				return fmt.Errorf("get del again = %s, %v", d.Data, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if ids, n := list(t, s, "payment", Query{}); n != 3 || !reflect.DeepEqual(ids, []string{"new", "del", "old"}) {
			t.Errorf("list = %v %d", ids, n)
		}
	})

	t.Run("ListOrder", func(t *testing.T) {
		s := open(t)
		// Same Created: insertion order, newest first. Earlier Created comes
		// last whatever its Seq; the zero time is the oldest of all.
		put(t, s, doc("e", "a", "m", t0, `1`), doc("e", "b", "m", t0, `1`))
		put(t, s, doc("e", "c", "m", t0, `1`))
		put(t, s, doc("e", "old", "m", t0.Add(-time.Nanosecond), `1`))
		put(t, s, doc("e", "zero", "m", time.Time{}, `1`))
		put(t, s, doc("e", "new", "m", t0.Add(time.Nanosecond), `1`))
		put(t, s, doc("e", "d", "m", t0, `1`))
		put(t, s, doc("e", "b", "m", t0, `2`)) // replacing keeps b's place
		put(t, s, doc("other", "x", "m", t0.Add(time.Hour), `1`))
		want := []string{"new", "d", "c", "b", "a", "old", "zero"}
		if ids, n := list(t, s, "e", Query{}); n != len(want) || !reflect.DeepEqual(ids, want) {
			t.Errorf("list = %v %d, want %v", ids, n, want)
		}
		if ids, n := list(t, s, "none", Query{}); ids != nil || n != 0 {
			t.Errorf("empty kind = %v %d", ids, n)
		}
	})

	t.Run("ListFilters", func(t *testing.T) {
		s := open(t)
		mk := func(id, merchant string, created time.Duration, index map[string]string) Doc {
			d := doc("delivery", id, merchant, t0.Add(created), `{}`)
			d.Index = index
			return d
		}
		put(t, s,
			mk("d1", "m1", 1, map[string]string{"payment": "p1", "status": "sent"}),
			mk("d2", "m1", 2, map[string]string{"payment": "p2", "status": "sent"}),
			mk("d3", "m1", 3, map[string]string{"payment": "p1", "status": "failed"}),
			mk("d4", "m2", 4, map[string]string{"payment": "p1", "status": "sent"}),
			mk("d5", "m2", 5, nil),
			mk("d6", "m1", 6, map[string]string{"payment": "", "status": "sent"}),
			mk("d7", "m1", 7, map[string]string{`we"ird.key`: "a'b", "status": "x"}),
		)
		for _, c := range []struct {
			q    Query
			want []string
		}{
			{Query{}, []string{"d7", "d6", "d5", "d4", "d3", "d2", "d1"}},
			{Query{Merchant: "m1"}, []string{"d7", "d6", "d3", "d2", "d1"}},
			{Query{Merchant: "m2"}, []string{"d5", "d4"}},
			{Query{Merchant: "m3"}, nil},
			{Query{Index: map[string]string{"payment": "p1"}}, []string{"d4", "d3", "d1"}},
			{Query{Merchant: "m1", Index: map[string]string{"payment": "p1"}}, []string{"d3", "d1"}},
			{Query{Index: map[string]string{"payment": "p1", "status": "sent"}}, []string{"d4", "d1"}},
			{Query{Index: map[string]string{"payment": "p9"}}, nil},
			{Query{Index: map[string]string{"nokey": "v"}}, nil},
			{Query{Index: map[string]string{`we"ird.key`: "a'b"}}, []string{"d7"}},
			// As a Go map reads: a missing key matches "".
			{Query{Index: map[string]string{"payment": ""}}, []string{"d7", "d6", "d5"}},
			{Query{Index: map[string]string{}}, []string{"d7", "d6", "d5", "d4", "d3", "d2", "d1"}},
		} {
			ids, n := list(t, s, "delivery", c.q)
			if n != len(c.want) || !reflect.DeepEqual(ids, c.want) {
				t.Errorf("List(%+v) = %v %d, want %v", c.q, ids, n, c.want)
			}
		}
		// Listed documents are complete.
		s.View(ctx, func(tx Tx) error {
			docs, _, err := tx.List("delivery", Query{Merchant: "m1", Limit: 1, Offset: 3})
			if err != nil || len(docs) != 1 {
				t.Fatalf("list = %v, %v", docs, err)
			}
			sameDoc(t, docs[0], mk("d2", "m1", 2, map[string]string{"payment": "p2", "status": "sent"}))
			return nil
		})
	})

	t.Run("ListPaging", func(t *testing.T) {
		s := open(t)
		var all []string
		for i := 0; i < 10; i++ {
			id := fmt.Sprintf("d%d", i)
			put(t, s, doc("e", id, "m", t0, `1`))
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
			ids, n := list(t, s, "e", Query{Limit: c.limit, Offset: c.offset})
			if n != 10 || !reflect.DeepEqual(ids, c.want) {
				t.Errorf("Limit %d Offset %d = %v %d, want %v 10", c.limit, c.offset, ids, n, c.want)
			}
		}
	})

	t.Run("ViewReadOnly", func(t *testing.T) {
		s := open(t)
		put(t, s, doc("e", "a", "m", t0, `1`))
		err := s.View(ctx, func(tx Tx) error {
			if err := tx.Put(doc("e", "b", "m", t0, `1`)); err == nil {
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
		if ids, _ := list(t, s, "e", Query{}); !reflect.DeepEqual(ids, []string{"a"}) {
			t.Errorf("after View: %v", ids)
		}
		if err := s.View(ctx, func(Tx) error { return errNo }); !errors.Is(err, errNo) {
			t.Errorf("View = %v, want fn's error", err)
		}
	})

	t.Run("CancelledContext", func(t *testing.T) {
		s := open(t)
		c, cancel := context.WithCancel(ctx)
		cancel()
		called := false
		if err := s.Update(c, func(Tx) error { called = true; return nil }); !errors.Is(err, context.Canceled) {
			t.Errorf("Update = %v", err)
		}
		if err := s.View(c, func(Tx) error { called = true; return nil }); !errors.Is(err, context.Canceled) {
			t.Errorf("View = %v", err)
		}
		if called {
			t.Error("fn called with a cancelled context")
		}
		// Cancelling once fn runs does not undo its writes.
		c, cancel = context.WithCancel(ctx)
		err := s.Update(c, func(tx Tx) error {
			cancel()
			return tx.Put(doc("e", "a", "m", t0, `1`))
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := get(t, s, "e", "a"); err != nil {
			t.Error(err)
		}
	})

	t.Run("Reset", func(t *testing.T) {
		s := open(t)
		put(t, s, doc("a", "1", "m", t0, `1`), doc("b", "2", "m", t0, `1`))
		before, _ := get(t, s, "b", "2")
		if err := s.Reset(ctx); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"a", "b"} {
			if ids, n := list(t, s, k, Query{}); ids != nil || n != 0 {
				t.Errorf("after Reset %s: %v %d", k, ids, n)
			}
		}
		put(t, s, doc("a", "1", "m", t0, `2`))
		if d, err := get(t, s, "a", "1"); err != nil || string(d.Data) != `2` {
			t.Errorf("after Reset, put: %s %v", d.Data, err)
		}
		if d, _ := get(t, s, "a", "1"); d.Seq <= before.Seq {
			t.Errorf("Seq after Reset = %d, want > %d", d.Seq, before.Seq)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		s := open(t)
		put(t, s, doc("counter", "c", "m", t0, `0`))
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
					errs <- s.Update(ctx, func(tx Tx) error {
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
						return tx.Put(doc("item", fmt.Sprintf("w%d-%d", w, i), fmt.Sprintf("m%d", w), t0, `1`))
					})
				}
			}()
			go func() { // readers alongside
				defer wg.Done()
				for i := 0; i < each; i++ {
					errs <- s.View(ctx, func(tx Tx) error {
						_, _, err := tx.List("item", Query{Merchant: fmt.Sprintf("m%d", w), Limit: 5})
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
		if c, _ := get(t, s, "counter", "c"); string(c.Data) != strconv.Itoa(workers*each) {
			t.Errorf("counter = %s, want %d", c.Data, workers*each)
		}
		if _, n := list(t, s, "item", Query{}); n != workers*each {
			t.Errorf("items = %d, want %d", n, workers*each)
		}
		if after != workers*each {
			t.Errorf("AfterCommit ran %d times, want %d", after, workers*each)
		}
		// Every item has its own Seq.
		seen := map[uint64]bool{}
		s.View(ctx, func(tx Tx) error {
			docs, _, _ := tx.List("item", Query{})
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

func TestSQLiteReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	a := doc("payment", "p1", "m1", t0, `{"a":1}`)
	a.Index = map[string]string{"order": "o1"}
	put(t, s, a, doc("payment", "p2", "m1", t0, `2`))
	// A failed Update between: its Seq must not be reused wrongly either way.
	s.Update(ctx, func(tx Tx) error { tx.Put(doc("payment", "x", "m", t0, `1`)); return errNo })
	// The newest document is deleted, so the highest Seq stored is not the
	// last one given out.
	put(t, s, doc("payment", "p3", "m1", t0, `3`))
	last, _ := get(t, s, "payment", "p3")
	err = s.Update(ctx, func(tx Tx) error { return tx.Delete("payment", "p3") })
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := get(t, s, "payment", "p1")
	if err != nil {
		t.Fatal(err)
	}
	sameDoc(t, got, a)
	put(t, s, doc("payment", "p4", "m1", t0, `4`))
	p4, _ := get(t, s, "payment", "p4")
	if p4.Seq <= last.Seq {
		t.Errorf("Seq after reopen = %d, want > %d", p4.Seq, last.Seq)
	}
	if ids, n := list(t, s, "payment", Query{Merchant: "m1", Index: map[string]string{"order": "o1"}}); n != 1 || ids[0] != "p1" {
		t.Errorf("list after reopen = %v %d", ids, n)
	}
	if ids, _ := list(t, s, "payment", Query{}); !reflect.DeepEqual(ids, []string{"p4", "p2", "p1"}) {
		t.Errorf("order after reopen = %v", ids)
	}
}

func TestOpenSQLiteErrors(t *testing.T) {
	for _, p := range []string{"", ":memory:", filepath.Join(t.TempDir(), "missing-dir", "x.db")} {
		if s, err := OpenSQLite(p); err == nil {
			s.Close()
			t.Errorf("OpenSQLite(%q) succeeded", p)
		}
	}
	// A path with characters that mean something in a URI.
	dir := filepath.Join(t.TempDir(), "a b?c#d%20")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := OpenSQLite(filepath.Join(dir, "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, doc("e", "a", "m", t0, `1`))
	s.Close()
	if _, err := os.Stat(filepath.Join(dir, "x.db")); err != nil {
		t.Errorf("database not at the path given: %v", err)
	}
}

// TestSQLiteCrash runs a child process that commits Updates and reports each
// one, kills it with SIGKILL, and checks that every reported write is there.
func TestSQLiteCrash(t *testing.T) {
	if os.Getenv("STORE_CRASH_HELPER") == "1" {
		crashHelper()
		return
	}
	path := filepath.Join(t.TempDir(), "store.db")
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, os.Args[0], "-test.run=^TestSQLiteCrash$", "-test.count=1")
	cmd.Env = append(os.Environ(), "STORE_CRASH_HELPER=1", "STORE_CRASH_PATH="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	const want = 20
	committed := 0
	sc := bufio.NewScanner(out)
	for committed < want && sc.Scan() {
		if sc.Text() == fmt.Sprintf("committed %d", committed) {
			committed++
		}
	}
	// Killed right after the last Update returned, with nothing closed.
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if committed != want {
		t.Fatalf("child reported %d commits (%v)", committed, err)
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed", cmd.ProcessState)
	}

	s, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ids, n := list(t, s, "payment", Query{})
	if n != want {
		t.Fatalf("after kill: %d documents %v, want %d", n, ids, want)
	}
	for i := 0; i < want; i++ {
		d, err := get(t, s, "payment", fmt.Sprintf("p%d", i))
		if err != nil || string(d.Data) != strconv.Itoa(i) {
			t.Errorf("p%d = %s, %v", i, d.Data, err)
		}
	}
	// The sequence goes on past what the killed process gave out.
	put(t, s, doc("payment", "after", "m", t0, `1`))
	a, _ := get(t, s, "payment", "after")
	last, _ := get(t, s, "payment", fmt.Sprintf("p%d", want-1))
	if a.Seq <= last.Seq {
		t.Errorf("Seq after crash = %d, want > %d", a.Seq, last.Seq)
	}
}

func crashHelper() {
	s, err := OpenSQLite(os.Getenv("STORE_CRASH_PATH"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for i := 0; ; i++ {
		err := s.Update(ctx, func(tx Tx) error {
			return tx.Put(doc("payment", fmt.Sprintf("p%d", i), "m", t0.Add(time.Duration(i)), strconv.Itoa(i)))
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Printf("committed %d\n", i)
		if i >= 19 {
			time.Sleep(time.Minute) // wait to be killed
			os.Exit(3)
		}
	}
}

// TestSQLitePragmas checks the settings the durability and concurrency
// promises rest on.
func TestSQLitePragmas(t *testing.T) {
	s, err := OpenSQLite(filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct {
		db         string
		pragma     string
		want       string
		fromReader bool
	}{
		{"writer", "journal_mode", "wal", false},
		{"writer", "synchronous", "1", false}, // NORMAL
		{"writer", "busy_timeout", "5000", false},
		{"writer", "query_only", "0", false},
		{"reader", "journal_mode", "wal", true},
		{"reader", "busy_timeout", "5000", true},
		{"reader", "query_only", "1", true},
	} {
		db := s.w
		if c.fromReader {
			db = s.r
		}
		var got string
		if err := db.QueryRow("PRAGMA " + c.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s: PRAGMA %s = %s, want %s", c.db, c.pragma, got, c.want)
		}
	}
}
