package store

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// entries agrees with one sorted slice through random filings and
// removals, across many chunks as they split and empty.
func TestEntries_AgreeWithASortedSlice(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var l entries
	var want []entry
	random := func() entry {
		// Few distinct times, so that many entries tie on time and sort by
		// seq.
		return entry{sec: rng.Int64N(50), seq: rng.Uint64N(1 << 40), id: fmt.Sprint(rng.Int())}
	}
	check := func(step int) {
		t.Helper()
		if l.len() != len(want) {
			t.Fatalf("step %d: len %d, want %d", step, l.len(), len(want))
		}
		var got []entry
		l.backward(0, l.len(), func(e entry) bool { got = append(got, e); return true })
		slices.Reverse(got)
		if !slices.Equal(got, want) {
			t.Fatalf("step %d: entries differ from the sorted slice", step)
		}
		for range 5 {
			e := random()
			i, _ := slices.BinarySearchFunc(want, e, compareEntries)
			if r := l.rank(e); r != i {
				t.Fatalf("step %d: rank %d, want %d", step, r, i)
			}
		}
		if len(want) > 0 {
			lo := rng.IntN(len(want))
			hi := lo + rng.IntN(len(want)-lo+1)
			var page []entry
			l.backward(lo, hi, func(e entry) bool { page = append(page, e); return len(page) < 7 })
			wantPage := slices.Clone(want[max(lo, hi-7):hi])
			slices.Reverse(wantPage)
			if !slices.Equal(page, wantPage) {
				t.Fatalf("step %d: backward(%d, %d) = %v, want %v", step, lo, hi, page, wantPage)
			}
		}
	}
	for step := 0; step < 15_000 || len(want) > 0; step++ {
		// Grow to a few thousand entries, then shrink to none.
		grow := step < 15_000
		if grow && (len(want) == 0 || rng.IntN(4) != 0) || !grow && rng.IntN(4) == 0 {
			e := random()
			if _, found := slices.BinarySearchFunc(want, e, compareEntries); found {
				continue
			}
			l.insert(e)
			i, _ := slices.BinarySearchFunc(want, e, compareEntries)
			want = slices.Insert(want, i, e)
		} else {
			i := rng.IntN(len(want))
			if !l.remove(want[i]) {
				t.Fatalf("step %d: remove of a filed entry failed", step)
			}
			want = slices.Delete(want, i, i+1)
			if e := random(); !slices.Contains(want, e) && l.remove(e) {
				t.Fatalf("step %d: remove of an entry not filed succeeded", step)
			}
		}
		if len(l.chunks) > 2*l.len()/chunkSize+1 {
			t.Fatalf("step %d: %d chunks for %d entries", step, len(l.chunks), l.len())
		}
		if step%500 == 0 {
			check(step)
		}
	}
	check(-1)
	if len(l.chunks) != 0 {
		t.Errorf("%d chunks left with no entry", len(l.chunks))
	}
}
