package sqlite

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/store/storetest"
)

var (
	ctx   = context.Background()
	t0    = storetest.T0
	errNo = errors.New("no")
)

// open returns a new store in a file of the test's own; the test's cleanup
// closes it.
func open(t *testing.T) store.Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "store.db"))
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

func TestSQLite(t *testing.T) { storetest.Run(t, open) }

func BenchmarkSQLite(b *testing.B) {
	storetest.Benchmark(b, func(b *testing.B) store.Store {
		s, err := Open(filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		return s
	})
}

func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	a := storetest.NewDoc("payment", "p1", "m1", t0, `{"a":1}`)
	a.Index = map[string]string{"order": "o1"}
	storetest.Put(t, s, a, storetest.NewDoc("payment", "p2", "m1", t0, `2`))
	// A failed Update between: its Seq must not be reused wrongly either way.
	s.Update(ctx, func(tx store.Tx) error { tx.Put(storetest.NewDoc("payment", "x", "m", t0, `1`)); return errNo })
	// The newest document is deleted, so the highest Seq stored is not the
	// last one given out.
	storetest.Put(t, s, storetest.NewDoc("payment", "p3", "m1", t0, `3`))
	last, _ := storetest.Get(t, s, "payment", "p3")
	err = s.Update(ctx, func(tx store.Tx) error { return tx.Delete("payment", "p3") })
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := storetest.Get(t, s, "payment", "p1")
	if err != nil {
		t.Fatal(err)
	}
	storetest.SameDoc(t, got, a)
	storetest.Put(t, s, storetest.NewDoc("payment", "p4", "m1", t0, `4`))
	p4, _ := storetest.Get(t, s, "payment", "p4")
	if p4.Seq <= last.Seq {
		t.Errorf("Seq after reopen = %d, want > %d", p4.Seq, last.Seq)
	}
	if ids, n := storetest.List(t, s, "payment", store.Query{Merchant: "m1", Index: map[string]string{"order": "o1"}}); n != 1 || ids[0] != "p1" {
		t.Errorf("list after reopen = %v %d", ids, n)
	}
	if ids, _ := storetest.List(t, s, "payment", store.Query{}); !reflect.DeepEqual(ids, []string{"p4", "p2", "p1"}) {
		t.Errorf("order after reopen = %v", ids)
	}
}

func TestOpenErrors(t *testing.T) {
	for _, p := range []string{"", ":memory:", filepath.Join(t.TempDir(), "missing-dir", "x.db")} {
		if s, err := Open(p); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", p)
		}
	}
	// A path with characters that mean something in a URI.
	dir := filepath.Join(t.TempDir(), "a b?c#d%20")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s, err := Open(filepath.Join(dir, "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	storetest.Put(t, s, storetest.NewDoc("e", "a", "m", t0, `1`))
	s.Close()
	if _, err := os.Stat(filepath.Join(dir, "x.db")); err != nil {
		t.Errorf("database not at the path given: %v", err)
	}
}

// TestCrash runs a child process that commits Updates and reports each
// one, kills it with SIGKILL, and checks that every reported write is there.
func TestCrash(t *testing.T) {
	if os.Getenv("STORE_CRASH_HELPER") == "1" {
		crashHelper()
		return
	}
	path := filepath.Join(t.TempDir(), "store.db")
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, os.Args[0], "-test.run=^TestCrash$", "-test.count=1")
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

	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ids, n := storetest.List(t, s, "payment", store.Query{})
	if n != want {
		t.Fatalf("after kill: %d documents %v, want %d", n, ids, want)
	}
	for i := 0; i < want; i++ {
		d, err := storetest.Get(t, s, "payment", fmt.Sprintf("p%d", i))
		if err != nil || string(d.Data) != strconv.Itoa(i) {
			t.Errorf("p%d = %s, %v", i, d.Data, err)
		}
	}
	// The sequence goes on past what the killed process gave out.
	storetest.Put(t, s, storetest.NewDoc("payment", "after", "m", t0, `1`))
	a, _ := storetest.Get(t, s, "payment", "after")
	last, _ := storetest.Get(t, s, "payment", fmt.Sprintf("p%d", want-1))
	if a.Seq <= last.Seq {
		t.Errorf("Seq after crash = %d, want > %d", a.Seq, last.Seq)
	}
}

func crashHelper() {
	s, err := Open(os.Getenv("STORE_CRASH_PATH"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for i := 0; ; i++ {
		err := s.Update(ctx, func(tx store.Tx) error {
			return tx.Put(storetest.NewDoc("payment", fmt.Sprintf("p%d", i), "m", t0.Add(time.Duration(i)), strconv.Itoa(i)))
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

// TestPragmas checks the settings the durability and concurrency
// promises rest on.
func TestPragmas(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "store.db"))
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

// TestNewGeneration_File: the count is kept in the file, and a file
// written before starts were counted had a start already.
func TestNewGeneration_File(t *testing.T) {
	dir := t.TempDir()
	generation := func(path string, docs ...store.Doc) uint64 {
		t.Helper()
		s, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if len(docs) > 0 {
			storetest.Put(t, s, docs...)
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
	generation(older, storetest.NewDoc("payment", "p1", "m1", t0, `1`))
	if g := generation(older); g != 2 {
		t.Errorf("first counted start on a file with documents: generation %d, want 2", g)
	}
}

// TestListPlans checks that every listing statement finds its rows
// through an index, never by scanning a table or sorting: what a listing
// reads does not grow with what is stored.
func TestListPlans(t *testing.T) {
	s := open(t).(*Store)
	storetest.Put(t, s, storetest.NewDoc("e", "a", "m", t0, `1`))
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	// counted: the total of one merchant's list, whole or between dates,
	// comes from doc_counts; only the part of a day at either end is counted
	// row by row.
	for _, c := range []struct {
		q       store.Query
		counted bool
	}{
		{store.Query{Merchant: "m"}, true},
		{store.Query{}, false},
		{store.Query{Merchant: "m", Index: map[string]string{"a": "x"}}, true},
		{store.Query{Index: map[string]string{"a": "x"}}, false},
		{store.Query{Merchant: "m", Index: map[string]string{"a": "x"}, CreatedFrom: day}, true},
		{store.Query{Merchant: "m", Index: map[string]string{"a": "x"}, CreatedBefore: day.Add(48 * time.Hour)}, true},
		{store.Query{Merchant: "m", CreatedFrom: day.Add(time.Hour), CreatedBefore: day.Add(72*time.Hour + time.Nanosecond)}, true},
		{store.Query{Merchant: "m", CreatedFrom: day.Add(time.Hour), CreatedBefore: day.Add(2 * time.Hour)}, false},
		{store.Query{Merchant: "m", Index: map[string]string{"a": "x", "b": "y", "c": ""}, CreatedFrom: day}, false},
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

// TestMigrateV1 opens a file written with schema version 1, which
// listed by scanning: its documents are on the new lists, counted.
func TestMigrateV1(t *testing.T) {
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

	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct {
		q    store.Query
		want []string
	}{
		{store.Query{Merchant: "m"}, []string{"d2", "d1"}},
		{store.Query{Merchant: "m", Index: map[string]string{"a": "x"}}, []string{"d1"}},
		{store.Query{Index: map[string]string{"a": "x"}}, []string{"d3", "d1"}},
		{store.Query{Merchant: "m", Index: map[string]string{"b": ""}}, []string{"d2", "d1"}},
		{store.Query{}, []string{"d3", "d2", "d1"}},
	} {
		if ids, n := storetest.List(t, s, "e", c.q); n != len(c.want) || !slices.Equal(ids, c.want) {
			t.Errorf("List(%+v) = %v of %d, want %v", c.q, ids, n, c.want)
		}
	}
	storetest.Put(t, s, storetest.NewDoc("e", "d4", "m", t0, `4`))
	if d, _ := storetest.Get(t, s, "e", "d4"); d.Seq != 4 {
		t.Errorf("Seq after migration = %d, want 4", d.Seq)
	}
	var version int
	if err := s.w.QueryRow(`PRAGMA user_version`).Scan(&version); err != nil || version != schemaVersion {
		t.Errorf("user_version = %d, %v; want %d", version, err, schemaVersion)
	}
}

// TestListingsPrepared lists with more shapes of query than are kept
// prepared (a listing's SQL has a condition per bound and per Index entry):
// each listing is right, those past the bound run unprepared.
func TestListingsPrepared(t *testing.T) {
	s := open(t)
	index := map[string]string{}
	for i := range 10 {
		index["k"+strconv.Itoa(i)] = "v"
	}
	d := storetest.NewDoc("payment", "p", "m", t0, `{}`)
	d.Index = index
	storetest.Put(t, s, d, storetest.NewDoc("payment", "other", "m", t0.Add(-time.Second), `{}`))
	shapes := 0
	for range 2 {
		shapes = 0
		for entries := range len(index) {
			for _, merchant := range []string{"", "m"} {
				for _, from := range []time.Time{{}, t0.Add(-time.Hour)} {
					for _, before := range []time.Time{{}, t0.Add(time.Hour)} {
						q := store.Query{Merchant: merchant, Index: map[string]string{}, CreatedFrom: from, CreatedBefore: before}
						for i := range entries {
							q.Index["k"+strconv.Itoa(i)] = "v"
						}
						want := []string{"p"}
						if entries == 0 {
							want = []string{"p", "other"}
						}
						if ids, total := storetest.List(t, s, "payment", q); total != len(want) || !slices.Equal(ids, want) {
							t.Fatalf("list by %+v = %v %d, want %v", q, ids, total, want)
						}
						shapes++
					}
				}
			}
		}
	}
	if got := len(s.(*Store).rListings.m); shapes <= maxListings || got != maxListings {
		t.Errorf("%d listings prepared of %d shapes, want %d", got, shapes, maxListings)
	}
}
