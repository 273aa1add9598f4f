package storetest

import (
	"errors"
	"testing"

	"github.com/tabbysim/tabbysim/simulator/store"
)

// testCreate checks that Create writes a new document and refuses, writing
// nothing, one whose kind and id are taken.
func testCreate(t *testing.T, open Opener) {
	s := open(t)
	first := NewDoc("payment", "p1", "m1", T0, `{"v":1}`)
	first.Index = map[string]string{"order": "o1"}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Create(first) }); err != nil {
		t.Fatal(err)
	}
	stored, err := Get(t, s, "payment", "p1")
	if err != nil {
		t.Fatal(err)
	}
	SameDoc(t, stored, first)
	if stored.Seq == 0 {
		t.Error("Create set no Seq")
	}

	// A second document with the same id is refused and changes nothing,
	// even when the transaction goes on and commits.
	second := NewDoc("payment", "p1", "m2", T0.Add(1), `{"v":2}`)
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.Create(second); !errors.Is(err, store.ErrExists) {
			t.Errorf("Create of a taken id = %v, want ErrExists", err)
		}
		var d store.Doc
		if d, err = tx.Get("payment", "p1"); err != nil || string(d.Data) != `{"v":1}` {
			t.Errorf("inside the transaction p1 = %s, %v; want the first document", d.Data, err)
		}
		return tx.Create(NewDoc("payment", "p2", "m1", T0, `2`))
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := Get(t, s, "payment", "p1")
	SameDoc(t, got, first)
	if got.Seq != stored.Seq {
		t.Errorf("Seq went from %d to %d", stored.Seq, got.Seq)
	}
	if ids, n := List(t, s, "payment", store.Query{}); n != 2 {
		t.Errorf("documents = %v, want p1 and p2", ids)
	}

	// Another kind may use the same id; an id written or deleted earlier in
	// the same transaction counts as it stands there.
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.Create(NewDoc("session", "p1", "m1", T0, `1`)); err != nil {
			return err
		}
		if err := tx.Put(NewDoc("payment", "p3", "m1", T0, `3`)); err != nil {
			return err
		}
		if err := tx.Create(NewDoc("payment", "p3", "m1", T0, `3`)); !errors.Is(err, store.ErrExists) {
			t.Errorf("Create of an id put in the same transaction = %v, want ErrExists", err)
		}
		if err := tx.Delete("payment", "p2"); err != nil {
			return err
		}
		return tx.Create(NewDoc("payment", "p2", "m1", T0, `"again"`))
	})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := Get(t, s, "payment", "p2"); err != nil || string(d.Data) != `"again"` {
		t.Errorf("p2 re-created after its delete = %s, %v", d.Data, err)
	}

	err = s.View(ctx, func(tx store.Tx) error { return tx.Create(NewDoc("payment", "p9", "m1", T0, `1`)) })
	if err == nil {
		t.Error("Create in a View succeeded")
	}
}

// testNewGeneration checks that each call counts one more start, and that
// Reset takes none back.
func testNewGeneration(t *testing.T, open Opener) {
	s := open(t)
	for want := uint64(1); want <= 3; want++ {
		if want == 3 {
			if err := s.Reset(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if g, err := s.NewGeneration(ctx); err != nil || g != want {
			t.Fatalf("NewGeneration = %d, %v; want %d", g, err, want)
		}
	}
}
