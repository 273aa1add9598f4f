package storetest

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator/store"
)

// testListFollowsChanges replaces a document changing one thing at a time
// and checks that it moves on the lists, and their totals, accordingly.
func testListFollowsChanges(t *testing.T, open Opener) {
	s := open(t)
	next := T0.Add(48 * time.Hour)
	mk := func(id, merchant string, created time.Time, status string) store.Doc {
		d := NewDoc("e", id, merchant, created, `{}`)
		d.Index = map[string]string{"status": status}
		return d
	}
	Put(t, s, mk("a", "m", T0, "open"), mk("b", "m", T0, "open"), mk("c", "m", T0, "open"))
	want := func(when string, q store.Query, ids ...string) {
		t.Helper()
		if got, n := List(t, s, "e", q); n != len(ids) || !slices.Equal(got, ids) {
			t.Errorf("%s: List(%+v) = %v of %d, want %v", when, q, got, n, ids)
		}
	}
	qOpen := store.Query{Merchant: "m", Index: map[string]string{"status": "open"}}
	qClosed := store.Query{Merchant: "m", Index: map[string]string{"status": "closed"}}
	qNextDay := store.Query{Merchant: "m", CreatedFrom: next.Truncate(24 * time.Hour)}

	Put(t, s, mk("b", "m", T0, "closed")) // the index only
	want("index changed", qOpen, "c", "a")
	want("index changed", qClosed, "b")
	want("index changed", store.Query{Merchant: "m"}, "c", "b", "a")

	Put(t, s, mk("a", "m", next, "open")) // Created only, to another day
	want("created changed", qOpen, "a", "c")
	want("created changed", qNextDay, "a")

	Put(t, s, mk("c", "n", T0, "open")) // the merchant only
	want("merchant changed", qOpen, "a")
	want("merchant changed", store.Query{Merchant: "n"}, "c")
	want("merchant changed", store.Query{Index: map[string]string{"status": "open"}}, "a", "c")

	Put(t, s, NewDoc("e", "b", "m", T0, `{}`)) // no index any more
	want("index removed", qClosed)
	want("index removed", store.Query{Merchant: "m", Index: map[string]string{"status": ""}}, "b")

	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Delete("e", "a") }); err != nil {
		t.Fatal(err)
	}
	want("deleted", qOpen)
	want("deleted", qNextDay)
	want("deleted", store.Query{Merchant: "m"}, "b")
}

// testListAgreesWithScan writes, replaces and deletes documents at random
// (moving them across merchants, days and index entries, in Updates that
// commit or fail) and checks every kind of listing against a scan of what
// was written: the same documents in the same order, the same totals.
func testListAgreesWithScan(t *testing.T, open Opener) {
	s := open(t)
	rng := rand.New(rand.NewPCG(7, 11))
	day0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	// Few distinct times, so that many documents share one and Seq orders
	// them; some on day boundaries, some the zero time.
	randomDoc := func(id string) store.Doc {
		var created time.Time
		if rng.IntN(10) > 0 {
			created = day0.Add(time.Duration(rng.IntN(4*24/6)) * 6 * time.Hour)
			if rng.IntN(3) == 0 {
				created = created.Add(time.Nanosecond)
			}
		}
		d := NewDoc("e", id, []string{"m1", "m2", ""}[rng.IntN(3)], created, fmt.Sprintf(`{"v":%d}`, rng.IntN(100)))
		if rng.IntN(5) > 0 {
			d.Index = map[string]string{}
			for _, k := range []string{"a", "b", ""} {
				if rng.IntN(3) > 0 {
					d.Index[k] = []string{"x", "y", ""}[rng.IntN(3)]
				}
			}
		}
		return d
	}
	model := map[string]store.Doc{}
	check := func(tx store.Tx, model map[string]store.Doc, when string) {
		t.Helper()
		at := func(d, h int) time.Time { return day0.Add(time.Duration(d)*24*time.Hour + time.Duration(h)*time.Hour) }
		ranges := [][2]time.Time{
			{}, {at(1, 0), time.Time{}}, {time.Time{}, at(3, 0)}, {at(1, 0), at(3, 0)},
			{at(0, 6).Add(time.Nanosecond), at(2, 6)}, {at(2, 6), at(2, 13)}, {at(3, 0), at(1, 0)},
		}
		indexes := []map[string]string{
			nil, {"a": "x"}, {"a": "y"}, {"b": "x"}, {"a": "x", "b": "y"}, {"a": ""}, {"a": "", "b": "x"}, {"c": "x"},
			{"": ""}, {"": "x"},
		}
		for _, merchant := range []string{"", "m1"} {
			for _, index := range indexes {
				for _, r := range ranges {
					for _, p := range [][2]int{{0, 0}, {3, 2}} {
						q := store.Query{Merchant: merchant, Index: index, CreatedFrom: r[0], CreatedBefore: r[1], Limit: p[0], Offset: p[1]}
						want, wantTotal := scan(model, q)
						docs, total, err := tx.List("e", q)
						if err != nil {
							t.Fatalf("%s: List(%+v): %v", when, q, err)
						}
						var got []string
						for _, d := range docs {
							got = append(got, d.ID)
							if m := model[d.ID]; !reflect.DeepEqual(d.Data, m.Data) || !d.Created.Equal(m.Created) {
								t.Errorf("%s: List(%+v) gave %s as %+v, want %+v", when, q, d.ID, d, m)
							}
						}
						if total != wantTotal || !slices.Equal(got, want) {
							t.Fatalf("%s: List(%+v) = %v of %d, want %v of %d", when, q, got, total, want, wantTotal)
						}
					}
				}
			}
		}
	}
	view := func(when string) {
		t.Helper()
		if err := s.View(ctx, func(tx store.Tx) error { check(tx, model, when); return nil }); err != nil {
			t.Fatal(err)
		}
	}

	for batch := 0; batch < 40; batch++ {
		pending := maps.Clone(model)
		fail := batch%5 == 4
		err := s.Update(ctx, func(tx store.Tx) error {
			for range 1 + rng.IntN(8) {
				id := fmt.Sprintf("d%d", rng.IntN(30))
				if rng.IntN(4) == 0 {
					if err := tx.Delete("e", id); err != nil {
						return err
					}
					delete(pending, id)
					continue
				}
				d := randomDoc(id)
				if err := tx.Put(d); err != nil {
					return err
				}
				got, err := tx.Get("e", id)
				if err != nil {
					return err
				}
				d.Seq = got.Seq
				pending[id] = d
			}
			if batch == 29 {
				check(tx, pending, fmt.Sprintf("inside update %d", batch))
			}
			if fail {
				return errNo
			}
			return nil
		})
		if fail != (err != nil) {
			t.Fatalf("update %d: %v", batch, err)
		}
		if !fail {
			model = pending
		}
		if batch == 14 || batch == 29 || batch == 39 {
			view(fmt.Sprintf("after update %d", batch))
		}
	}
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	model = map[string]store.Doc{}
	view("after reset")
}

// scan is what List must answer, found the slow way.
func scan(docs map[string]store.Doc, q store.Query) ([]string, int) {
	var match []store.Doc
	for _, d := range docs {
		if (q.Merchant == "" || d.Merchant == q.Merchant) && hasIndex(d, q.Index) &&
			(q.CreatedFrom.IsZero() || !d.Created.Before(q.CreatedFrom)) &&
			(q.CreatedBefore.IsZero() || d.Created.Before(q.CreatedBefore)) {
			match = append(match, d)
		}
	}
	slices.SortFunc(match, func(a, b store.Doc) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return cmp.Compare(b.Seq, a.Seq)
	})
	var ids []string
	for i, d := range match {
		if i >= q.Offset && (q.Limit <= 0 || len(ids) < q.Limit) {
			ids = append(ids, d.ID)
		}
	}
	return ids, len(match)
}

// hasIndex tells whether d has every entry of index, a missing key reading
// as "".
func hasIndex(d store.Doc, index map[string]string) bool {
	for k, v := range index {
		if d.Index[k] != v {
			return false
		}
	}
	return true
}

// testListOrder: a list is newest first, by creation time, then by Seq among documents created at the same instant.
func testListOrder(t *testing.T, open Opener) {
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
}

// testListFilters: a list keeps the documents of its merchant, index entries and creation times.
func testListFilters(t *testing.T, open Opener) {
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
}

// testListPaging: a list pages with Offset and Limit and counts every document that matches.
func testListPaging(t *testing.T, open Opener) {
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
}
