package store

import (
	"cmp"
	"database/sql"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMemoryListFollowsChanges(t *testing.T) { testListFollowsChanges(t, openMemory) }
func TestSQLiteListFollowsChanges(t *testing.T) { testListFollowsChanges(t, openSQLite) }

// testListFollowsChanges replaces a document changing one thing at a time
// and checks that it moves on the lists, and their totals, accordingly.
func testListFollowsChanges(t *testing.T, open opener) {
	s := open(t)
	next := t0.Add(48 * time.Hour)
	mk := func(id, merchant string, created time.Time, status string) Doc {
		d := doc("e", id, merchant, created, `{}`)
		d.Index = map[string]string{"status": status}
		return d
	}
	put(t, s, mk("a", "m", t0, "open"), mk("b", "m", t0, "open"), mk("c", "m", t0, "open"))
	want := func(when string, q Query, ids ...string) {
		t.Helper()
		if got, n := list(t, s, "e", q); n != len(ids) || !slices.Equal(got, ids) {
			t.Errorf("%s: List(%+v) = %v of %d, want %v", when, q, got, n, ids)
		}
	}
	qOpen := Query{Merchant: "m", Index: map[string]string{"status": "open"}}
	qClosed := Query{Merchant: "m", Index: map[string]string{"status": "closed"}}
	qNextDay := Query{Merchant: "m", CreatedFrom: next.Truncate(24 * time.Hour)}

	put(t, s, mk("b", "m", t0, "closed")) // the index only
	want("index changed", qOpen, "c", "a")
	want("index changed", qClosed, "b")
	want("index changed", Query{Merchant: "m"}, "c", "b", "a")

	put(t, s, mk("a", "m", next, "open")) // Created only, to another day
	want("created changed", qOpen, "a", "c")
	want("created changed", qNextDay, "a")

	put(t, s, mk("c", "n", t0, "open")) // the merchant only
	want("merchant changed", qOpen, "a")
	want("merchant changed", Query{Merchant: "n"}, "c")
	want("merchant changed", Query{Index: map[string]string{"status": "open"}}, "a", "c")

	put(t, s, doc("e", "b", "m", t0, `{}`)) // no index any more
	want("index removed", qClosed)
	want("index removed", Query{Merchant: "m", Index: map[string]string{"status": ""}}, "b")

	if err := s.Update(ctx, func(tx Tx) error { return tx.Delete("e", "a") }); err != nil {
		t.Fatal(err)
	}
	want("deleted", qOpen)
	want("deleted", qNextDay)
	want("deleted", Query{Merchant: "m"}, "b")
}

func TestMemoryListAgreesWithScan(t *testing.T) { testListAgreesWithScan(t, openMemory) }
func TestSQLiteListAgreesWithScan(t *testing.T) { testListAgreesWithScan(t, openSQLite) }

// testListAgreesWithScan writes, replaces and deletes documents at random
// (moving them across merchants, days and index entries, in Updates that
// commit or fail) and checks every kind of listing against a scan of what
// was written: the same documents in the same order, the same totals.
func testListAgreesWithScan(t *testing.T, open opener) {
	s := open(t)
	rng := rand.New(rand.NewPCG(7, 11))
	day0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	// Few distinct times, so that many documents share one and Seq orders
	// them; some on day boundaries, some the zero time.
	randomDoc := func(id string) Doc {
		var created time.Time
		if rng.IntN(10) > 0 {
			created = day0.Add(time.Duration(rng.IntN(4*24/6)) * 6 * time.Hour)
			if rng.IntN(3) == 0 {
				created = created.Add(time.Nanosecond)
			}
		}
		d := doc("e", id, []string{"m1", "m2", ""}[rng.IntN(3)], created, fmt.Sprintf(`{"v":%d}`, rng.IntN(100)))
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
	model := map[string]Doc{}
	check := func(tx Tx, model map[string]Doc, when string) {
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
						q := Query{Merchant: merchant, Index: index, CreatedFrom: r[0], CreatedBefore: r[1], Limit: p[0], Offset: p[1]}
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
		if err := s.View(ctx, func(tx Tx) error { check(tx, model, when); return nil }); err != nil {
			t.Fatal(err)
		}
	}

	for batch := 0; batch < 40; batch++ {
		pending := maps.Clone(model)
		fail := batch%5 == 4
		err := s.Update(ctx, func(tx Tx) error {
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
	model = map[string]Doc{}
	view("after reset")
}

// scan is what List must answer, found the slow way.
func scan(docs map[string]Doc, q Query) ([]string, int) {
	var match []Doc
	for _, d := range docs {
		if (q.Merchant == "" || d.Merchant == q.Merchant) && matches(d, q.Index) &&
			(q.CreatedFrom.IsZero() || !d.Created.Before(q.CreatedFrom)) &&
			(q.CreatedBefore.IsZero() || d.Created.Before(q.CreatedBefore)) {
			match = append(match, d)
		}
	}
	slices.SortFunc(match, func(a, b Doc) int {
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

// TestSQLiteListPlans checks that every listing statement finds its rows
// through an index, never by scanning a table or sorting: what a listing
// reads does not grow with what is stored.
func TestSQLiteListPlans(t *testing.T) {
	s := openSQLite(t).(*SQLite)
	put(t, s, doc("e", "a", "m", t0, `1`))
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	// counted: the total of one merchant's list, whole or between dates,
	// comes from doc_counts; only the part of a day at either end is counted
	// row by row.
	for _, c := range []struct {
		q       Query
		counted bool
	}{
		{Query{Merchant: "m"}, true},
		{Query{}, false},
		{Query{Merchant: "m", Index: map[string]string{"a": "x"}}, true},
		{Query{Index: map[string]string{"a": "x"}}, false},
		{Query{Merchant: "m", Index: map[string]string{"a": "x"}, CreatedFrom: day}, true},
		{Query{Merchant: "m", Index: map[string]string{"a": "x"}, CreatedBefore: day.Add(48 * time.Hour)}, true},
		{Query{Merchant: "m", CreatedFrom: day.Add(time.Hour), CreatedBefore: day.Add(72*time.Hour + time.Nanosecond)}, true},
		{Query{Merchant: "m", CreatedFrom: day.Add(time.Hour), CreatedBefore: day.Add(2 * time.Hour)}, false},
		{Query{Merchant: "m", Index: map[string]string{"a": "x", "b": "y", "c": ""}, CreatedFrom: day}, false},
	} {
		q := c.q
		l := newListing("e", q)
		for _, st := range []struct {
			name, sql string
			args      []any
		}{{"count", l.count, l.countArgs}, {"page", l.page, append(slices.Clone(l.args), 20, 0, "e")}} {
			plan := queryPlan(t, s.r, st.sql, st.args)
			for _, line := range plan {
				if strings.Contains(line, "TEMP B-TREE") || strings.Contains(line, "AUTOMATIC") ||
					strings.HasPrefix(line, "SCAN") && line != "SCAN page" && line != "SCAN CONSTANT ROW" {
					t.Errorf("List(%+v) %s reads more than its rows:\n%s\n%s", q, st.name, strings.Join(plan, "\n"), st.sql)
					break
				}
			}
			if st.name == "count" && c.counted != slices.ContainsFunc(plan, func(l string) bool { return strings.Contains(l, "doc_counts") }) {
				t.Errorf("List(%+v) count: from doc_counts = %v, want %v:\n%s", q, !c.counted, c.counted, strings.Join(plan, "\n"))
			}
		}
	}
}

func queryPlan(t *testing.T, db *sql.DB, query string, args []any) []string {
	t.Helper()
	rows, err := db.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan
}

// TestSQLiteMigrateV1 opens a file written with schema version 1, which
// listed by scanning: its documents are on the new lists, counted.
func TestSQLiteMigrateV1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE docs (kind TEXT NOT NULL, id TEXT NOT NULL, merchant TEXT NOT NULL,
			created_s INTEGER NOT NULL, created_ns INTEGER NOT NULL, seq INTEGER NOT NULL,
			idx TEXT, data BLOB, PRIMARY KEY (kind, id))`,
		`CREATE INDEX docs_by_merchant ON docs (kind, merchant, created_s, created_ns, seq)`,
		`CREATE INDEX docs_by_kind ON docs (kind, created_s, created_ns, seq)`,
		`CREATE TABLE meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`,
		`INSERT INTO meta VALUES ('seq', 3)`,
		fmt.Sprintf(`INSERT INTO docs VALUES
			('e', 'd1', 'm', %[1]d, 0, 1, '{"a":"x","b":""}', '1'),
			('e', 'd2', 'm', %[1]d, 0, 2, NULL, '2'),
			('e', 'd3', 'n', %[1]d, 5, 3, '{"a":"x"}', '3')`, t0.Unix()),
		`PRAGMA user_version = 1`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct {
		q    Query
		want []string
	}{
		{Query{Merchant: "m"}, []string{"d2", "d1"}},
		{Query{Merchant: "m", Index: map[string]string{"a": "x"}}, []string{"d1"}},
		{Query{Index: map[string]string{"a": "x"}}, []string{"d3", "d1"}},
		{Query{Merchant: "m", Index: map[string]string{"b": ""}}, []string{"d2", "d1"}},
		{Query{}, []string{"d3", "d2", "d1"}},
	} {
		if ids, n := list(t, s, "e", c.q); n != len(c.want) || !slices.Equal(ids, c.want) {
			t.Errorf("List(%+v) = %v of %d, want %v", c.q, ids, n, c.want)
		}
	}
	put(t, s, doc("e", "d4", "m", t0, `4`))
	if d, _ := get(t, s, "e", "d4"); d.Seq != 4 {
		t.Errorf("Seq after migration = %d, want 4", d.Seq)
	}
	var version int
	if err := s.w.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil || version != schemaVersion {
		t.Errorf("user_version = %d, %v; want %d", version, err, schemaVersion)
	}
}
