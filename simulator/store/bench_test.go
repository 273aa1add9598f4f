package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

func benchStores(b *testing.B, run func(b *testing.B, s Store)) {
	for _, c := range []struct {
		name string
		open func(b *testing.B) Store
	}{
		{"memory", func(*testing.B) Store { return NewMemory() }},
		{"sqlite", func(b *testing.B) Store {
			s, err := OpenSQLite(filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			s := c.open(b)
			defer s.Close()
			run(b, s)
		})
	}
}

var benchData = []byte(`{"id":"p","status":"AUTHORIZED","amount":"100.00","currency":"AED","buyer":{"name":"A","email":"a@example.com"},"captures":[],"refunds":[]}`)

// BenchmarkUpdate commits one Update per op that writes a new document and
// replaces a shared one, as a state change plus its webhook delivery would.
func BenchmarkUpdate(b *testing.B) {
	benchStores(b, func(b *testing.B, s Store) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			err := s.Update(ctx, func(tx Tx) error {
				if err := tx.Put(Doc{Kind: "payment", ID: "shared", Merchant: "m", Created: t0, Data: benchData}); err != nil {
					return err
				}
				return tx.Put(Doc{Kind: "delivery", ID: fmt.Sprint("d", i), Merchant: "m", Created: t0,
					Index: map[string]string{"payment": "shared"}, Data: benchData})
			})
			if err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkGet reads one of 1000 documents per op in its own View.
func BenchmarkGet(b *testing.B) {
	benchStores(b, func(b *testing.B, s Store) {
		const n = 1000
		err := s.Update(ctx, func(tx Tx) error {
			for i := 0; i < n; i++ {
				if err := tx.Put(Doc{Kind: "payment", ID: fmt.Sprint("p", i), Merchant: "m", Created: t0, Data: benchData}); err != nil {
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
			err := s.View(ctx, func(tx Tx) error {
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

// BenchmarkList pages through one merchant's documents filtered by index.
func BenchmarkList(b *testing.B) {
	benchStores(b, func(b *testing.B, s Store) {
		err := s.Update(ctx, func(tx Tx) error {
			for i := 0; i < 1000; i++ {
				d := Doc{Kind: "delivery", ID: fmt.Sprint("d", i), Merchant: fmt.Sprint("m", i%4), Created: t0,
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
			err := s.View(ctx, func(tx Tx) error {
				docs, total, err := tx.List("delivery", Query{Merchant: "m1", Index: map[string]string{"payment": "p1"}, Limit: 10})
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

// BenchmarkListPage reads a page of 20 of one merchant's newest documents,
// with 100 and with 100,000 of them stored: a listing costs what it
// returns, not what is stored, so both sizes cost about the same.
func BenchmarkListPage(b *testing.B) {
	queries := []struct {
		name string
		q    Query
	}{
		{"merchant", Query{Merchant: "m"}},
		{"index", Query{Merchant: "m", Index: map[string]string{"listed": "yes"}}},
		{"index+range", Query{Merchant: "m", Index: map[string]string{"listed": "yes"}, CreatedBefore: t0.Add(-time.Hour)}},
		{"offset", Query{Merchant: "m", Index: map[string]string{"listed": "yes"}, Offset: 40}},
	}
	for _, n := range []int{100, 100_000} {
		b.Run(fmt.Sprint("stored=", n), func(b *testing.B) {
			benchStores(b, func(b *testing.B, s Store) {
				fillPayments(b, s, n)
				for _, c := range queries {
					q := c.q
					q.Limit = 20
					b.Run(c.name, func(b *testing.B) {
						b.ReportAllocs()
						for b.Loop() {
							err := s.View(ctx, func(tx Tx) error {
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

// fillPayments stores n payments of merchant "m", one a minute up to t0,
// and as many of another merchant, in batches as a busy merchant would
// create them. Nine in ten are listed.
func fillPayments(b *testing.B, s Store, n int) {
	const batch = 1000
	for i := 0; i < n; i += batch {
		err := s.Update(ctx, func(tx Tx) error {
			for j := i; j < min(i+batch, n); j++ {
				status := "CLOSED"
				if j%10 == 0 {
					status = "EXPIRED"
				}
				idx := map[string]string{"status": status}
				if status == "CLOSED" {
					idx["listed"] = "yes"
				}
				created := t0.Add(time.Duration(j-n) * time.Minute)
				for _, m := range []string{"m", "other"} {
					d := Doc{Kind: "payment", ID: fmt.Sprint(m, j), Merchant: m, Created: created, Index: idx, Data: benchData}
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
