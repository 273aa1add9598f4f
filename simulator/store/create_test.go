package store

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestCreate(t *testing.T) {
	for name, open := range map[string]opener{"Memory": openMemory, "SQLite": openSQLite} {
		t.Run(name, func(t *testing.T) { testCreate(t, open) })
	}
}

// testCreate checks that Create writes a new document and refuses, writing
// nothing, one whose kind and id are taken.
func testCreate(t *testing.T, open opener) {
	s := open(t)
	first := doc("payment", "p1", "m1", t0, `{"v":1}`)
	first.Index = map[string]string{"order": "o1"}
	if err := s.Update(ctx, func(tx Tx) error { return tx.Create(first) }); err != nil {
		t.Fatal(err)
	}
	stored, err := get(t, s, "payment", "p1")
	if err != nil {
		t.Fatal(err)
	}
	sameDoc(t, stored, first)
	if stored.Seq == 0 {
		t.Error("Create set no Seq")
	}

	// A second document with the same id is refused and changes nothing,
	// even when the transaction goes on and commits.
	second := doc("payment", "p1", "m2", t0.Add(1), `{"v":2}`)
	err = s.Update(ctx, func(tx Tx) error {
		if err := tx.Create(second); !errors.Is(err, ErrExists) {
			t.Errorf("Create of a taken id = %v, want ErrExists", err)
		}
		var d Doc
		if d, err = tx.Get("payment", "p1"); err != nil || string(d.Data) != `{"v":1}` {
			t.Errorf("inside the transaction p1 = %s, %v; want the first document", d.Data, err)
		}
		return tx.Create(doc("payment", "p2", "m1", t0, `2`))
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := get(t, s, "payment", "p1")
	sameDoc(t, got, first)
	if got.Seq != stored.Seq {
		t.Errorf("Seq went from %d to %d", stored.Seq, got.Seq)
	}
	if ids, n := list(t, s, "payment", Query{}); n != 2 {
		t.Errorf("documents = %v, want p1 and p2", ids)
	}

	// Another kind may use the same id; an id written or deleted earlier in
	// the same transaction counts as it stands there.
	err = s.Update(ctx, func(tx Tx) error {
		if err := tx.Create(doc("session", "p1", "m1", t0, `1`)); err != nil {
			return err
		}
		if err := tx.Put(doc("payment", "p3", "m1", t0, `3`)); err != nil {
			return err
		}
		if err := tx.Create(doc("payment", "p3", "m1", t0, `3`)); !errors.Is(err, ErrExists) {
			t.Errorf("Create of an id put in the same transaction = %v, want ErrExists", err)
		}
		if err := tx.Delete("payment", "p2"); err != nil {
			return err
		}
		return tx.Create(doc("payment", "p2", "m1", t0, `"again"`))
	})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := get(t, s, "payment", "p2"); err != nil || string(d.Data) != `"again"` {
		t.Errorf("p2 re-created after its delete = %s, %v", d.Data, err)
	}

	err = s.View(ctx, func(tx Tx) error { return tx.Create(doc("payment", "p9", "m1", t0, `1`)) })
	if err == nil {
		t.Error("Create in a View succeeded")
	}
}

func TestNewGeneration(t *testing.T) {
	for name, open := range map[string]opener{"Memory": openMemory, "SQLite": openSQLite} {
		t.Run(name, func(t *testing.T) {
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
		})
	}
}

// TestNewGeneration_SQLiteFile: the count is kept in the file, and a file
// written before starts were counted had a start already.
func TestNewGeneration_SQLiteFile(t *testing.T) {
	dir := t.TempDir()
	generation := func(path string, docs ...Doc) uint64 {
		t.Helper()
		s, err := OpenSQLite(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if len(docs) > 0 {
			put(t, s, docs...)
			return 0
		}
		g, err := s.NewGeneration(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	fresh := filepath.Join(dir, "fresh.db")
	for want := uint64(1); want <= 2; want++ {
		if g := generation(fresh); g != want {
			t.Errorf("start %d on a new file: generation %d", want, g)
		}
	}
	older := filepath.Join(dir, "older.db")
	generation(older, doc("payment", "p1", "m1", t0, `1`))
	if g := generation(older); g != 2 {
		t.Errorf("first counted start on a file with documents: generation %d, want 2", g)
	}
}
