package sqlite

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tabbysim/tabbysim/simulator/store"
)

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
