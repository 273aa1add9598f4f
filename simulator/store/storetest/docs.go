package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator/store"
)

// testRoundTrip: a document put reads back as written (kind, id, merchant, creation time, index, data), with a Seq.
func testRoundTrip(t *testing.T, open Opener) {
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
}

// testGetJSONPutJSON: PutJSON and GetJSON carry a Go value through the store.
func testGetJSONPutJSON(t *testing.T, open Opener) {
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
}

// testCancelledContext: a View or Update with a cancelled context runs nothing and returns the context's error.
func testCancelledContext(t *testing.T, open Opener) {
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
}

// testReset: Reset removes every document of every kind.
func testReset(t *testing.T, open Opener) {
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
}
