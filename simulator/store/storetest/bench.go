package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator/store"
)

// BenchOpener returns a fresh, empty store for a benchmark.
type BenchOpener func(b *testing.B) store.Store

// Benchmark measures the stores open returns: an Update as a state change
// and its webhook write it, a Get, a filtered page, and pages of one
// merchant's newest documents among few and many stored.
func Benchmark(b *testing.B, open BenchOpener) {
	b.Run("Update", func(b *testing.B) { benchUpdate(b, open) })
	b.Run("Get", func(b *testing.B) { benchGet(b, open) })
	b.Run("List", func(b *testing.B) { benchList(b, open) })
	b.Run("ListPage", func(b *testing.B) { benchListPage(b, open) })
	b.Run("Refile", func(b *testing.B) { benchRefile(b, open) })
}

// withStore runs run on a new store and closes it.
func withStore(b *testing.B, open BenchOpener, run func(b *testing.B, s store.Store)) {
	s := open(b)
	defer s.Close()
	run(b, s)
}

var benchData = []byte(`{"id":"p","status":"AUTHORIZED","amount":"100.00","currency":"AED","buyer":{"name":"A","email":"a@example.com"},"captures":[],"refunds":[]}`)

// benchUpdate commits one Update per op that writes a new document and
// replaces a shared one, as a state change plus its webhook delivery would.
func benchUpdate(b *testing.B, open BenchOpener) {
	withStore(b, open, func(b *testing.B, s store.Store) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			err := s.Update(ctx, func(tx store.Tx) error {
				if err := tx.Put(store.Doc{Kind: "payment", ID: "shared", Merchant: "m", Created: T0, Data: benchData}); err != nil {
					return err
				}
				return tx.Put(store.Doc{Kind: "delivery", ID: fmt.Sprint("d", i), Merchant: "m", Created: T0,
					Index: map[string]string{"payment": "shared"}, Data: benchData})
			})
			if err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// benchGet reads one of 1000 documents per op in its own View.
func benchGet(b *testing.B, open BenchOpener) {
	withStore(b, open, func(b *testing.B, s store.Store) {
		const n = 1000
		err := s.Update(ctx, func(tx store.Tx) error {
			for i := 0; i < n; i++ {
				if err := tx.Put(store.Doc{Kind: "payment", ID: fmt.Sprint("p", i), Merchant: "m", Created: T0, Data: benchData}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			id := fmt.Sprint("p", i%n)
			err := s.View(ctx, func(tx store.Tx) error {
				_, err := tx.Get("payment", id)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// benchList pages through one merchant's documents filtered by index.
func benchList(b *testing.B, open BenchOpener) {
	withStore(b, open, func(b *testing.B, s store.Store) {
		err := s.Update(ctx, func(tx store.Tx) error {
			for i := 0; i < 1000; i++ {
				d := store.Doc{Kind: "delivery", ID: fmt.Sprint("d", i), Merchant: fmt.Sprint("m", i%4), Created: T0,
					Index: map[string]string{"payment": fmt.Sprint("p", i%10)}, Data: benchData}
				if err := tx.Put(d); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			err := s.View(ctx, func(tx store.Tx) error {
				docs, total, err := tx.List("delivery", store.Query{Merchant: "m1", Index: map[string]string{"payment": "p1"}, Limit: 10})
				if err == nil && (len(docs) != 10 || total != 50) {
					err = fmt.Errorf("got %d of %d", len(docs), total)
				}
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchRefile changes the status of one of 100,000 stored payments per op,
// the oldest first, as captures of payments authorized long before do: the
// payment leaves the start of one status's list and joins another's.
func benchRefile(b *testing.B, open BenchOpener) {
	withStore(b, open, func(b *testing.B, s store.Store) {
		const n = 100_000
		doc := func(i int, status string) store.Doc {
			return store.Doc{Kind: "payment", ID: fmt.Sprint("p", i), Merchant: "m", Created: T0.Add(time.Duration(i) * time.Second),
				Index: map[string]string{"status": status}, Data: benchData}
		}
		for i := 0; i < n; i += 1000 {
			err := s.Update(ctx, func(tx store.Tx) error {
				for j := i; j < i+1000; j++ {
					if err := tx.Put(doc(j, "AUTHORIZED")); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			status := "CLOSED"
			if i/n%2 == 1 {
				status = "AUTHORIZED"
			}
			if err := s.Update(ctx, func(tx store.Tx) error { return tx.Put(doc(i%n, status)) }); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// benchListPage reads a page of 20 of one merchant's newest documents,
// with 100 and with 100,000 of them stored: a listing costs what it
// returns, not what is stored, so both sizes cost about the same.
func benchListPage(b *testing.B, open BenchOpener) {
	queries := []struct {
		name string
		q    store.Query
	}{
		{"merchant", store.Query{Merchant: "m"}},
		{"index", store.Query{Merchant: "m", Index: map[string]string{"listed": "yes"}}},
		{"index+range", store.Query{Merchant: "m", Index: map[string]string{"listed": "yes"}, CreatedBefore: T0.Add(-time.Hour)}},
		{"offset", store.Query{Merchant: "m", Index: map[string]string{"listed": "yes"}, Offset: 40}},
	}
	for _, n := range []int{100, 100_000} {
		b.Run(fmt.Sprint("stored=", n), func(b *testing.B) {
			withStore(b, open, func(b *testing.B, s store.Store) {
				fillPayments(b, s, n)
				for _, c := range queries {
					q := c.q
					q.Limit = 20
					b.Run(c.name, func(b *testing.B) {
						b.ReportAllocs()
						for b.Loop() {
							err := s.View(ctx, func(tx store.Tx) error {
								docs, total, err := tx.List("payment", q)
								if err == nil && (len(docs) != 20 || total < 20) {
									err = fmt.Errorf("got %d of %d", len(docs), total)
								}
								return err
							})
							if err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			})
		})
	}
}

// fillPayments stores n payments of merchant "m", one a minute up to T0,
// and as many of another merchant, in batches as a busy merchant would
// create them. Nine in ten are listed.
func fillPayments(b *testing.B, s store.Store, n int) {
	const batch = 1000
	for i := 0; i < n; i += batch {
		err := s.Update(ctx, func(tx store.Tx) error {
			for j := i; j < min(i+batch, n); j++ {
				status := "CLOSED"
				if j%10 == 0 {
					status = "EXPIRED"
				}
				idx := map[string]string{"status": status}
				if status == "CLOSED" {
					idx["listed"] = "yes"
				}
				created := T0.Add(time.Duration(j-n) * time.Minute)
				for _, m := range []string{"m", "other"} {
					d := store.Doc{Kind: "payment", ID: fmt.Sprint(m, j), Merchant: m, Created: created, Index: idx, Data: benchData}
					if err := tx.Put(d); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
