// Package sqlite keeps the simulator's state in an SQLite file, through a
// pure-Go driver. Only the tabbysim binary links it: the memory store in
// package store is the default everywhere else, so a merchant's module that
// imports the simulator never pulls the driver in.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // pure-Go driver, registered as "sqlite"

	"github.com/tabbysim/tabbysim/simulator/store"
)

// schemaVersion is kept in PRAGMA user_version so a later change of the
// schema can tell which files it must migrate. Version 2 added the listing
// tables, doc_keys and doc_counts.
const schemaVersion = 2

// The schema. Created is kept as Unix seconds plus nanoseconds rather than a
// single nanosecond count so that every time.Time, the zero one included,
// round-trips and sorts exactly. data is the last column so that a row whose
// Data spills onto overflow pages is only read that far when Data is asked
// for.
//
// Listings read doc_keys, which files every document on the lists a
// store.Query can ask for (as the memory store's listKey does): one row for its kind
// (key and value empty) and one per Index entry with a value, each ordered
// by merchant and creation. Only the rows of a page are joined to docs.
// doc_counts keeps how many rows each list of one merchant has, by day of
// creation, so that a listing's total is a sum over the days it spans.
// Triggers keep both in step with docs, whatever statement writes it.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS docs (
		kind       TEXT    NOT NULL,
		id         TEXT    NOT NULL,
		merchant   TEXT    NOT NULL,
		created_s  INTEGER NOT NULL,
		created_ns INTEGER NOT NULL,
		seq        INTEGER NOT NULL,
		idx        TEXT,
		data       BLOB,
		PRIMARY KEY (kind, id)
	)`,
	`CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`,
	// Version 1 listed from these, filtering Index entries row by row.
	`DROP INDEX IF EXISTS docs_by_merchant`,
	`DROP INDEX IF EXISTS docs_by_kind`,
	`CREATE TABLE IF NOT EXISTS doc_keys (
		kind       TEXT    NOT NULL,
		id         TEXT    NOT NULL,
		key        TEXT    NOT NULL,
		value      TEXT    NOT NULL,
		merchant   TEXT    NOT NULL,
		created_s  INTEGER NOT NULL,
		created_ns INTEGER NOT NULL,
		seq        INTEGER NOT NULL,
		PRIMARY KEY (kind, id, key, value)
	) WITHOUT ROWID`,
	`CREATE INDEX IF NOT EXISTS doc_keys_by_merchant ON doc_keys (kind, merchant, key, value, created_s, created_ns, seq)`,
	`CREATE INDEX IF NOT EXISTS doc_keys_by_kind ON doc_keys (kind, key, value, created_s, created_ns, seq)`,
	`CREATE TABLE IF NOT EXISTS doc_counts (
		kind     TEXT    NOT NULL,
		merchant TEXT    NOT NULL,
		key      TEXT    NOT NULL,
		value    TEXT    NOT NULL,
		day      INTEGER NOT NULL,
		n        INTEGER NOT NULL,
		PRIMARY KEY (kind, merchant, key, value, day)
	) WITHOUT ROWID`,
	`CREATE TRIGGER IF NOT EXISTS docs_filed AFTER INSERT ON docs BEGIN ` + fileNew + ` END`,
	`CREATE TRIGGER IF NOT EXISTS docs_refiled AFTER UPDATE ON docs
	WHEN old.merchant IS NOT new.merchant OR old.created_s IS NOT new.created_s
		OR old.created_ns IS NOT new.created_ns OR old.seq IS NOT new.seq OR old.idx IS NOT new.idx
	BEGIN ` + unfileOld + fileNew + ` END`,
	`CREATE TRIGGER IF NOT EXISTS docs_unfiled AFTER DELETE ON docs BEGIN ` + unfileOld + ` END`,
	`CREATE TRIGGER IF NOT EXISTS doc_keys_counted AFTER INSERT ON doc_keys BEGIN
		INSERT INTO doc_counts VALUES (new.kind, new.merchant, new.key, new.value, ` + dayOf("new.created_s") + `, 1)
			ON CONFLICT DO UPDATE SET n = n + 1;
	END`,
	`CREATE TRIGGER IF NOT EXISTS doc_keys_uncounted AFTER DELETE ON doc_keys BEGIN
		UPDATE doc_counts SET n = n - 1 WHERE kind = old.kind AND merchant = old.merchant
			AND key = old.key AND value = old.value AND day = ` + dayOf("old.created_s") + `;
		DELETE FROM doc_counts WHERE kind = old.kind AND merchant = old.merchant
			AND key = old.key AND value = old.value AND day = ` + dayOf("old.created_s") + ` AND n = 0;
	END`,
}

// day is the span doc_counts counts by: a UTC day, in seconds.
const day = 24 * 60 * 60

// dayOf is the SQL for the start of the day of a time in Unix seconds,
// rounded down as dayStart does.
func dayOf(sec string) string {
	return fmt.Sprintf("(%[1]s - (%[1]s %% %[2]d + %[2]d) %% %[2]d)", sec, day)
}

// dayStart is the start of the day of sec, in Unix seconds.
func dayStart(sec int64) int64 { return sec - (sec%day+day)%day }

// The bodies of the triggers that file a document on doc_keys.
const (
	fileNew = `
		INSERT INTO doc_keys VALUES (new.kind, new.id, '', '', new.merchant, new.created_s, new.created_ns, new.seq);
		INSERT INTO doc_keys SELECT new.kind, new.id, j.key, j.value, new.merchant, new.created_s, new.created_ns, new.seq
			FROM json_each(new.idx) AS j WHERE j.value <> '';`
	unfileOld = `
		DELETE FROM doc_keys WHERE kind = old.kind AND id = old.id;`
)

// migrations[v] brings a file written at schema version v-1 to v, once the
// schema above is in place.
var migrations = map[int][]string{
	// Version 1 had no doc_keys: file what it stored.
	2: {
		`INSERT INTO doc_keys SELECT kind, id, '', '', merchant, created_s, created_ns, seq FROM docs`,
		`INSERT INTO doc_keys SELECT d.kind, d.id, j.key, j.value, d.merchant, d.created_s, d.created_ns, d.seq
			FROM docs AS d, json_each(d.idx) AS j WHERE j.value <> ''`,
	},
}

const (
	docColumns = `merchant, created_s, created_ns, seq, idx, data`
	sqlGet     = `SELECT ` + docColumns + ` FROM docs WHERE kind = ? AND id = ?`
	sqlExists  = `SELECT 1 FROM docs WHERE kind = ? AND id = ?`
	// sqlPut keeps the seq of an existing row; RETURNING tells whether the
	// candidate seq was taken (a new row) or not (an existing one).
	sqlPut = `INSERT INTO docs (kind, id, merchant, created_s, created_ns, seq, idx, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (kind, id) DO UPDATE SET
			merchant = excluded.merchant, created_s = excluded.created_s,
			created_ns = excluded.created_ns, idx = excluded.idx, data = excluded.data
		RETURNING seq`
	sqlDelete = `DELETE FROM docs WHERE kind = ? AND id = ?`
	sqlSetSeq = `INSERT INTO meta (k, v) VALUES ('seq', ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`
	sqlGetSeq = `SELECT COALESCE((SELECT v FROM meta WHERE k = 'seq'), 0)`
)

const (
	// sqlCreate writes no row, and so returns none, when the id is taken.
	sqlCreate = `INSERT INTO docs (kind, id, merchant, created_s, created_ns, seq, idx, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (kind, id) DO NOTHING
		RETURNING seq`
	// sqlNewGeneration counts from 2 on a file written before starts were
	// counted.
	sqlNewGeneration = `INSERT INTO meta (k, v)
		VALUES ('generation', CASE WHEN (SELECT v FROM meta WHERE k = 'seq') > 0 THEN 2 ELSE 1 END)
		ON CONFLICT (k) DO UPDATE SET v = v + 1
		RETURNING v`
)

// Store is a store.Store kept in an SQLite file (WAL journal, synchronous=NORMAL:
// a committed Update survives the process being killed). Updates are
// serialised on one connection; Views run concurrently on a pool of
// read-only connections, each seeing a consistent snapshot.
type Store struct {
	// mu serialises Update and Reset and guards seq.
	mu  sync.Mutex
	seq uint64 // last sequence number committed

	w, r *sql.DB
	// Statements prepared on the writer and on the readers (which only
	// read).
	wStmts, rStmts stmts
	wSetSeq        *sql.Stmt
	// Listings, prepared on the readers as first run. (An Update's
	// listings run unprepared: preparing on the writer would wait for the
	// one connection the Update holds.)
	rListings listings
	versions  store.Versions
}

// Open opens the store kept in the file at path, creating it if needed.
func Open(path string) (*Store, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("store: open sqlite: want a file path, got %q", path)
	}
	name := "file:" + (&url.URL{Path: path}).EscapedPath()
	const common = "_pragma=busy_timeout(5000)&_pragma=foreign_keys(0)"
	w, err := sql.Open("sqlite", name+"?"+common+
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	// SQLite has one writer at a time; one connection makes that explicit.
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	s := &Store{w: w}
	if err := s.init(path, name, common); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init(path, name, common string) error {
	ctx := context.Background()
	var mode string
	if err := s.w.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
		return fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("store: open sqlite %s: journal mode is %q, want wal", path, mode)
	}
	var version int
	if err := s.w.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&version); err != nil {
		return fmt.Errorf("store: open sqlite %s: read schema version: %w", path, err)
	}
	if version > schemaVersion {
		return fmt.Errorf("store: open sqlite %s: schema version %d is newer than %d", path, version, schemaVersion)
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	defer tx.Rollback()
	for _, q := range schema {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: create schema in %s: %w", path, err)
		}
	}
	// A new file (version 0) has nothing to migrate.
	for v := version + 1; version > 0 && v <= schemaVersion; v++ {
		for _, q := range migrations[v] {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("store: migrate %s to schema version %d: %w", path, v, err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, schemaVersion)); err != nil {
		return fmt.Errorf("store: set schema version in %s: %w", path, err)
	}
	var seq int64
	if err := tx.QueryRowContext(ctx, sqlGetSeq).Scan(&seq); err != nil {
		return fmt.Errorf("store: read sequence from %s: %w", path, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: create schema in %s: %w", path, err)
	}
	s.seq = uint64(seq)

	for _, p := range []struct {
		stmt **sql.Stmt
		q    string
	}{{&s.wStmts[get], sqlGet}, {&s.wStmts[exists], sqlExists}, {&s.wStmts[put], sqlPut}, {&s.wStmts[create], sqlCreate},
		{&s.wStmts[del], sqlDelete}, {&s.wSetSeq, sqlSetSeq}} {
		if *p.stmt, err = s.w.PrepareContext(ctx, p.q); err != nil {
			return fmt.Errorf("store: prepare statement on %s: %w", path, err)
		}
	}

	// The readers open only once the file is in WAL mode with its schema.
	s.r, err = sql.Open("sqlite", name+"?"+common+"&_query_only=1")
	if err != nil {
		return fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	s.r.SetMaxIdleConns(4)
	s.rListings.db = s.r
	for i, q := range []string{get: sqlGet, exists: sqlExists} {
		if s.rStmts[i], err = s.r.PrepareContext(ctx, q); err != nil {
			return fmt.Errorf("store: prepare statement on %s: %w", path, err)
		}
	}
	return nil
}

// View implements store.Store.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	// As with the memory store, the context is only checked on the way in: a
	// transaction that has started is not cut short by it.
	tx, err := s.r.BeginTx(context.WithoutCancel(ctx), &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("store: begin view: %w", err)
	}
	defer tx.Rollback()
	return fn(&sqlTx{tx: tx, prepared: &s.rStmts, listings: &s.rListings, readOnly: true})
}

// Update implements store.Store.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t, err := s.commit(ctx, fn)
	if err != nil {
		return err
	}
	for _, f := range t.after {
		f()
	}
	return nil
}

func (s *Store) commit(ctx context.Context, fn func(store.Tx) error) (*sqlTx, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.w.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return nil, fmt.Errorf("store: begin update: %w", err)
	}
	defer tx.Rollback() // after Commit, a no-op; also covers a panic in fn
	t := &sqlTx{tx: tx, prepared: &s.wStmts, seq: s.seq}
	if err := fn(t); err != nil {
		return nil, err
	}
	if t.seq != s.seq {
		if _, err := tx.Stmt(s.wSetSeq).Exec(int64(t.seq)); err != nil {
			return nil, fmt.Errorf("store: save sequence: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: commit update: %w", err)
	}
	s.seq = t.seq
	for kind := range t.wrote {
		s.versions.Wrote(kind)
	}
	return t, nil
}

// Reset implements store.Store. Sequence numbers go on from where they were, as in
// the memory store.
func (s *Store) Reset(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.w.ExecContext(context.WithoutCancel(ctx), `DELETE FROM docs`); err != nil {
		return fmt.Errorf("store: reset: %w", err)
	}
	s.versions.Reset()
	return nil
}

// Version implements store.Store.
func (s *Store) Version(kind string) uint64 { return s.versions.Of(kind) }

// NewGeneration implements store.Store. The count is kept beside the sequence,
// which Reset leaves alone too. A file whose documents were written before
// starts were counted had at least one start already.
func (s *Store) NewGeneration(ctx context.Context) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var g int64
	err := s.w.QueryRowContext(context.WithoutCancel(ctx), sqlNewGeneration).Scan(&g)
	if err != nil {
		return 0, fmt.Errorf("store: count a new generation: %w", err)
	}
	return uint64(g), nil
}

// Close implements store.Store.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, st := range append(append([]*sql.Stmt{s.wSetSeq}, s.wStmts[:]...), s.rStmts[:]...) {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	errs = append(errs, s.rListings.close())
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	errs = append(errs, s.w.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: close sqlite: %w", err)
	}
	return nil
}

// The statements a transaction runs, by what they do.
const (
	get = iota
	exists
	put
	create
	del
	nStmts
)

// stmts are statements prepared on a database, indexed by what they do.
type stmts [nStmts]*sql.Stmt

// sqlTx is a store.Tx over one SQL transaction, which gives it its own writes to
// read and drops them if it is rolled back.
type sqlTx struct {
	tx       *sql.Tx
	prepared *stmts
	bound    stmts     // prepared, bound to tx as they are first run
	listings *listings // nil: run listings unprepared
	readOnly bool
	seq      uint64          // last sequence number given out
	wrote    map[string]bool // the kinds written
	after    []func()
}

// writes notes a write of kind, for Store.Version.
func (t *sqlTx) writes(kind string) {
	if t.wrote == nil {
		t.wrote = map[string]bool{}
	}
	t.wrote[kind] = true
}

// stmt is prepared statement i bound to the transaction.
func (t *sqlTx) stmt(i int) *sql.Stmt {
	if t.bound[i] == nil {
		t.bound[i] = t.tx.Stmt(t.prepared[i])
	}
	return t.bound[i]
}

// query runs a listing's SQL, prepared once on the database.
func (t *sqlTx) query(q string, args ...any) (*sql.Rows, error) {
	if t.listings == nil {
		return t.tx.Query(q, args...)
	}
	st, err := t.listings.stmt(q)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return t.tx.Query(q, args...)
	}
	return t.tx.Stmt(st).Query(args...)
}

// listings are the statements of the listings run on a database, by their
// SQL. A listing's SQL depends only on which of a query's fields are set
// and on how many Index entries it has (values and keys are arguments), so
// there are few; past maxListings more are run unprepared.
type listings struct {
	db *sql.DB
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

const maxListings = 64

// stmt returns the statement prepared for q, nil when there are too many.
func (l *listings) stmt(q string) (*sql.Stmt, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st, ok := l.m[q]; ok || len(l.m) >= maxListings {
		return st, nil
	}
	st, err := l.db.Prepare(q)
	if err != nil {
		return nil, err
	}
	if l.m == nil {
		l.m = map[string]*sql.Stmt{}
	}
	l.m[q] = st
	return st, nil
}

func (l *listings) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var errs []error
	for _, st := range l.m {
		errs = append(errs, st.Close())
	}
	return errors.Join(errs...)
}

func (t *sqlTx) AfterCommit(fn func()) { t.after = append(t.after, fn) }

func (t *sqlTx) Get(kind, id string) (store.Doc, error) {
	d := store.Doc{Kind: kind, ID: id}
	err := scanDoc(t.stmt(get).QueryRow(kind, id), &d, nil)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Doc{}, store.ErrNotFound
	}
	if err != nil {
		return store.Doc{}, fmt.Errorf("store: get %s %s: %w", kind, id, err)
	}
	return d, nil
}

func (t *sqlTx) Exists(kind, id string) (bool, error) {
	var one int
	err := t.stmt(exists).QueryRow(kind, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: exists %s %s: %w", kind, id, err)
	}
	return true, nil
}

func (t *sqlTx) Create(d store.Doc) error {
	written, err := t.write(create, "create", d)
	if err == nil && !written {
		return fmt.Errorf("%w: %s %s", store.ErrExists, d.Kind, d.ID)
	}
	return err
}

func (t *sqlTx) Put(d store.Doc) error {
	_, err := t.write(put, "put", d)
	return err
}

// write runs sqlPut or sqlCreate for d and reports whether it wrote a row:
// sqlCreate writes none when the id is taken.
func (t *sqlTx) write(st int, op string, d store.Doc) (bool, error) {
	if t.readOnly {
		return false, store.ErrReadOnly
	}
	var idx any // NULL for a nil Index, so that it reads back nil
	if d.Index != nil {
		b, err := json.Marshal(d.Index)
		if err != nil {
			return false, fmt.Errorf("store: %s %s %s: encode index: %w", op, d.Kind, d.ID, err)
		}
		idx = string(b)
	}
	var data any
	if len(d.Data) > 0 {
		data = []byte(d.Data)
	}
	t.writes(d.Kind)
	next := t.seq + 1
	var seq int64
	err := t.stmt(st).QueryRow(d.Kind, d.ID, d.Merchant, d.Created.Unix(), d.Created.Nanosecond(),
		int64(next), idx, data).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: %s %s %s: %w", op, d.Kind, d.ID, err)
	}
	// Every seq already stored is at most t.seq, so getting next back means
	// the row is new and has taken it.
	if uint64(seq) == next {
		t.seq = next
	}
	return true, nil
}

func (t *sqlTx) Delete(kind, id string) error {
	if t.readOnly {
		return store.ErrReadOnly
	}
	t.writes(kind)
	if _, err := t.stmt(del).Exec(kind, id); err != nil {
		return fmt.Errorf("store: delete %s %s: %w", kind, id, err)
	}
	return nil
}

func (t *sqlTx) List(kind string, q store.Query) ([]store.Doc, int, error) {
	l := newListing(kind, q)
	var total int
	rows, err := t.query(l.count, l.countArgs...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: count %s: %w", kind, err)
	}
	if err := scanOne(rows, &total); err != nil {
		return nil, 0, fmt.Errorf("store: count %s: %w", kind, err)
	}
	offset := max(q.Offset, 0)
	if total == 0 || offset >= total {
		return nil, total, nil
	}
	limit := -1 // no limit
	if q.Limit > 0 {
		limit = q.Limit
	}
	rows, err = t.query(l.page, append(l.args, limit, offset, kind)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list %s: %w", kind, err)
	}
	defer rows.Close()
	var out []store.Doc
	for rows.Next() {
		d := store.Doc{Kind: kind}
		if err := scanDoc(rows, &d, &d.ID); err != nil {
			return nil, 0, fmt.Errorf("store: list %s: %w", kind, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("store: list %s: %w", kind, err)
	}
	return out, total, nil
}

// listing is the SQL of one List.
type listing struct {
	count     string
	countArgs []any
	// page takes args, then the limit, the offset and the kind.
	page string
	args []any
}

// newListing serves q from one list of doc_keys, its kind's for the
// merchant or that of the first Index entry with a value, read newest first
// through doc_keys_by_merchant (doc_keys_by_kind for every merchant).
// Created bounds narrow the range read; other Index entries are checked on
// the rows read, each by primary key. The total of one merchant's list
// comes from doc_counts; other totals (across merchants, or with entries
// checked row by row) are counted on the index.
func newListing(kind string, q store.Query) listing {
	key, value := "", "" // the list of every document, unless an entry serves
	keys := slices.Sorted(maps.Keys(q.Index))
	for _, k := range keys {
		if q.Index[k] != "" {
			key, value = k, q.Index[k]
			break
		}
	}
	list := `k.kind = ? AND k.key = ? AND k.value = ?`
	listArgs := []any{kind, key, value}
	if q.Merchant != "" {
		list += ` AND k.merchant = ?`
		listArgs = append(listArgs, q.Merchant)
	}
	where := list
	args := slices.Clone(listArgs)
	if !q.CreatedFrom.IsZero() {
		where += ` AND (k.created_s, k.created_ns) >= (?, ?)`
		args = append(args, q.CreatedFrom.Unix(), q.CreatedFrom.Nanosecond())
	}
	if !q.CreatedBefore.IsZero() {
		where += ` AND (k.created_s, k.created_ns) < (?, ?)`
		args = append(args, q.CreatedBefore.Unix(), q.CreatedBefore.Nanosecond())
	}
	checked := false
	for _, k := range keys {
		switch v := q.Index[k]; {
		case value != "" && k == key:
			continue // the entry that serves
		case v == "": // as a Go map reads, a missing key matches ""
			where += ` AND NOT EXISTS (SELECT 1 FROM doc_keys AS f WHERE f.kind = k.kind AND f.id = k.id AND f.key = ? AND f.value <> '')`
			args = append(args, k)
		default:
			where += ` AND EXISTS (SELECT 1 FROM doc_keys AS f WHERE f.kind = k.kind AND f.id = k.id AND f.key = ? AND f.value = ?)`
			args = append(args, k, v)
		}
		checked = true
	}
	l := listing{
		page: `SELECT d.id, d.merchant, d.created_s, d.created_ns, d.seq, d.idx, d.data
			FROM (SELECT k.id, k.created_s, k.created_ns, k.seq FROM doc_keys AS k WHERE ` + where + `
				ORDER BY k.created_s DESC, k.created_ns DESC, k.seq DESC LIMIT ? OFFSET ?) AS page
			JOIN docs AS d ON d.kind = ? AND d.id = page.id
			ORDER BY page.created_s DESC, page.created_ns DESC, page.seq DESC`,
		args:      args,
		count:     `SELECT COUNT(*) FROM doc_keys AS k WHERE ` + where,
		countArgs: args,
	}
	if q.Merchant == "" || checked {
		return l
	}
	// The days wholly between the bounds are summed from doc_counts; the
	// part of a day at either end is counted on the index.
	sum := `SELECT COALESCE(SUM(n), 0) FROM doc_counts WHERE kind = ? AND merchant = ? AND key = ? AND value = ?`
	sumArgs := []any{kind, q.Merchant, key, value}
	var ends string
	var endArgs []any
	from, before := q.CreatedFrom, q.CreatedBefore
	if !from.IsZero() {
		first := dayStart(from.Unix())
		if first != from.Unix() || from.Nanosecond() != 0 {
			first += day
		}
		if !before.IsZero() && first >= dayStart(before.Unix()) {
			return l // no whole day between them
		}
		sum += ` AND day >= ?`
		sumArgs = append(sumArgs, first)
		ends += ` + (SELECT COUNT(*) FROM doc_keys AS k WHERE ` + list + ` AND (k.created_s, k.created_ns) >= (?, ?) AND k.created_s < ?)`
		endArgs = append(append(endArgs, listArgs...), from.Unix(), from.Nanosecond(), first)
	}
	if !before.IsZero() {
		last := dayStart(before.Unix())
		sum += ` AND day < ?`
		sumArgs = append(sumArgs, last)
		ends += ` + (SELECT COUNT(*) FROM doc_keys AS k WHERE ` + list + ` AND k.created_s >= ? AND (k.created_s, k.created_ns) < (?, ?))`
		endArgs = append(append(endArgs, listArgs...), last, before.Unix(), before.Nanosecond())
	}
	l.count = `SELECT (` + sum + `)` + ends
	l.countArgs = append(sumArgs, endArgs...)
	return l
}

type scanner interface{ Scan(dest ...any) error }

// scanOne reads the one row of rows, as sql.Row.Scan does, and closes rows.
func scanOne(rows *sql.Rows, dest ...any) error {
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Close()
}

// scanDoc reads docColumns, preceded by the id when id is not nil.
func scanDoc(row scanner, d *store.Doc, id *string) error {
	var (
		sec, nsec, seq int64
		idx            sql.NullString
		data           []byte
	)
	dest := []any{&d.Merchant, &sec, &nsec, &seq, &idx, &data}
	if id != nil {
		dest = append([]any{id}, dest...)
	}
	if err := row.Scan(dest...); err != nil {
		return err
	}
	d.Created = time.Unix(sec, nsec).UTC()
	d.Seq = uint64(seq)
	if idx.Valid {
		if err := json.Unmarshal([]byte(idx.String), &d.Index); err != nil {
			return fmt.Errorf("decode index: %w", err)
		}
		if d.Index == nil {
			d.Index = map[string]string{}
		}
	}
	if len(data) > 0 {
		d.Data = data
	}
	return nil
}
