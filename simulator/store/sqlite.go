package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // pure-Go driver, registered as "sqlite"
)

// schemaVersion is kept in PRAGMA user_version so a later change of the
// schema can tell which files it must migrate.
const schemaVersion = 1

// The schema. Created is kept as Unix seconds plus nanoseconds rather than a
// single nanosecond count so that every time.Time, the zero one included,
// round-trips and sorts exactly. data is the last column so that a row whose
// Data spills onto overflow pages is only read that far when Data is asked
// for.
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
	`CREATE INDEX IF NOT EXISTS docs_by_merchant ON docs (kind, merchant, created_s, created_ns, seq)`,
	`CREATE INDEX IF NOT EXISTS docs_by_kind ON docs (kind, created_s, created_ns, seq)`,
	`CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL)`,
}

const (
	docColumns = `merchant, created_s, created_ns, seq, idx, data`
	sqlGet     = `SELECT ` + docColumns + ` FROM docs WHERE kind = ? AND id = ?`
	// sqlPut keeps the seq of an existing row; RETURNING tells whether the
	// candidate seq was taken (a new row) or not (an existing one).
	sqlPut = `INSERT INTO docs (kind, id, merchant, created_s, created_ns, seq, idx, data)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (kind, id) DO UPDATE SET
			merchant = excluded.merchant, created_s = excluded.created_s,
			created_ns = excluded.created_ns, idx = excluded.idx, data = excluded.data
		RETURNING seq`
	sqlDelete  = `DELETE FROM docs WHERE kind = ? AND id = ?`
	sqlSetSeq  = `INSERT INTO meta (k, v) VALUES ('seq', ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`
	sqlGetSeq  = `SELECT COALESCE((SELECT v FROM meta WHERE k = 'seq'), 0)`
	orderNewer = ` ORDER BY created_s DESC, created_ns DESC, seq DESC`
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

// SQLite is a Store kept in an SQLite file (WAL journal, synchronous=NORMAL:
// a committed Update survives the process being killed). Updates are
// serialised on one connection; Views run concurrently on a pool of
// read-only connections, each seeing a consistent snapshot.
type SQLite struct {
	// mu serialises Update and Reset and guards seq.
	mu  sync.Mutex
	seq uint64 // last sequence number committed

	w, r *sql.DB
	// Statements prepared on the writer and on the readers.
	wGet, wPut, wCreate, wDelete, wSetSeq *sql.Stmt
	rGet                                  *sql.Stmt
}

// OpenSQLite opens the store kept in the file at path, creating it if needed.
func OpenSQLite(path string) (*SQLite, error) {
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
	s := &SQLite{w: w}
	if err := s.init(path, name, common); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *SQLite) init(path, name, common string) error {
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
	}{{&s.wGet, sqlGet}, {&s.wPut, sqlPut}, {&s.wCreate, sqlCreate}, {&s.wDelete, sqlDelete}, {&s.wSetSeq, sqlSetSeq}} {
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
	if s.rGet, err = s.r.PrepareContext(ctx, sqlGet); err != nil {
		return fmt.Errorf("store: prepare statement on %s: %w", path, err)
	}
	return nil
}

// View implements Store.
func (s *SQLite) View(ctx context.Context, fn func(Tx) error) error {
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
	return fn(&sqlTx{tx: tx, get: tx.Stmt(s.rGet), readOnly: true})
}

// Update implements Store.
func (s *SQLite) Update(ctx context.Context, fn func(Tx) error) error {
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

func (s *SQLite) commit(ctx context.Context, fn func(Tx) error) (*sqlTx, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.w.BeginTx(context.WithoutCancel(ctx), nil)
	if err != nil {
		return nil, fmt.Errorf("store: begin update: %w", err)
	}
	defer tx.Rollback() // after Commit, a no-op; also covers a panic in fn
	t := &sqlTx{
		tx: tx, get: tx.Stmt(s.wGet), put: tx.Stmt(s.wPut), create: tx.Stmt(s.wCreate),
		del: tx.Stmt(s.wDelete), seq: s.seq,
	}
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
	return t, nil
}

// Reset implements Store. Sequence numbers go on from where they were, as in
// the memory store.
func (s *SQLite) Reset(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.w.ExecContext(context.WithoutCancel(ctx), `DELETE FROM docs`); err != nil {
		return fmt.Errorf("store: reset: %w", err)
	}
	return nil
}

// NewGeneration implements Store. The count is kept beside the sequence,
// which Reset leaves alone too. A file whose documents were written before
// starts were counted had at least one start already.
func (s *SQLite) NewGeneration(ctx context.Context) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var g int64
	err := s.w.QueryRowContext(context.WithoutCancel(ctx), sqlNewGeneration).Scan(&g)
	if err != nil {
		return 0, fmt.Errorf("store: count a new generation: %w", err)
	}
	return uint64(g), nil
}

// Close implements Store.
func (s *SQLite) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, st := range []*sql.Stmt{s.wGet, s.wPut, s.wCreate, s.wDelete, s.wSetSeq, s.rGet} {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	errs = append(errs, s.w.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("store: close sqlite: %w", err)
	}
	return nil
}

// sqlTx is a Tx over one SQL transaction, which gives it its own writes to
// read and drops them if it is rolled back.
type sqlTx struct {
	tx                    *sql.Tx
	get, put, create, del *sql.Stmt
	readOnly              bool
	seq                   uint64 // last sequence number given out
	after                 []func()
}

func (t *sqlTx) AfterCommit(fn func()) { t.after = append(t.after, fn) }

func (t *sqlTx) Get(kind, id string) (Doc, error) {
	d := Doc{Kind: kind, ID: id}
	err := scanDoc(t.get.QueryRow(kind, id), &d, nil)
	if errors.Is(err, sql.ErrNoRows) {
		return Doc{}, ErrNotFound
	}
	if err != nil {
		return Doc{}, fmt.Errorf("store: get %s %s: %w", kind, id, err)
	}
	return d, nil
}

func (t *sqlTx) Create(d Doc) error {
	written, err := t.write(t.create, "create", d)
	if err == nil && !written {
		return fmt.Errorf("%w: %s %s", ErrExists, d.Kind, d.ID)
	}
	return err
}

func (t *sqlTx) Put(d Doc) error {
	_, err := t.write(t.put, "put", d)
	return err
}

// write runs sqlPut or sqlCreate for d and reports whether it wrote a row:
// sqlCreate writes none when the id is taken.
func (t *sqlTx) write(st *sql.Stmt, op string, d Doc) (bool, error) {
	if t.readOnly {
		return false, errReadOnly
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
	next := t.seq + 1
	var seq int64
	err := st.QueryRow(d.Kind, d.ID, d.Merchant, d.Created.Unix(), d.Created.Nanosecond(),
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
		return errReadOnly
	}
	if _, err := t.del.Exec(kind, id); err != nil {
		return fmt.Errorf("store: delete %s %s: %w", kind, id, err)
	}
	return nil
}

func (t *sqlTx) List(kind string, q Query) ([]Doc, int, error) {
	var where strings.Builder
	args := []any{kind}
	where.WriteString(` FROM docs WHERE kind = ?`)
	if q.Merchant != "" {
		where.WriteString(` AND merchant = ?`)
		args = append(args, q.Merchant)
	}
	for k, v := range q.Index {
		// A missing key reads as "", as a Go map does in the memory store.
		if v == "" {
			where.WriteString(` AND NOT EXISTS (SELECT 1 FROM json_each(docs.idx) AS j WHERE j.key = ? AND j.value <> '')`)
			args = append(args, k)
		} else {
			where.WriteString(` AND EXISTS (SELECT 1 FROM json_each(docs.idx) AS j WHERE j.key = ? AND j.value = ?)`)
			args = append(args, k, v)
		}
	}
	var total int
	if err := t.tx.QueryRow(`SELECT COUNT(*)`+where.String(), args...).Scan(&total); err != nil {
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
	rows, err := t.tx.Query(`SELECT id, `+docColumns+where.String()+orderNewer+` LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: list %s: %w", kind, err)
	}
	defer rows.Close()
	var out []Doc
	for rows.Next() {
		d := Doc{Kind: kind}
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

type scanner interface{ Scan(dest ...any) error }

// scanDoc reads docColumns, preceded by the id when id is not nil.
func scanDoc(row scanner, d *Doc, id *string) error {
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
