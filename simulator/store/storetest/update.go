package storetest

import (
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

// testRollback: an Update whose function fails leaves none of its writes.
func testRollback(t *testing.T, open Opener) {
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
}

// testRollbackOnPanic: an Update whose function panics leaves none of its writes.
func testRollbackOnPanic(t *testing.T, open Opener) {
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
}

// testAfterCommit: AfterCommit's functions run once the Update committed, in order, with the store free.
func testAfterCommit(t *testing.T, open Opener) {
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
}

// testOwnWrites: an Update reads its own writes, deletions included.
func testOwnWrites(t *testing.T, open Opener) {
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
}

// testViewReadOnly: a write inside a View is refused with ErrReadOnly.
func testViewReadOnly(t *testing.T, open Opener) {
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
}

// testConcurrent: Updates and Views run at once lose no write.
func testConcurrent(t *testing.T, open Opener) {
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
}
