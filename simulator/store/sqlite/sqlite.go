// Package sqlite keeps the simulator's state in an SQLite file, through a
// pure-Go driver. Only the tabbysim binary links it: the memory store in
// package store is the default everywhere else, so a merchant's module that
// imports the simulator never pulls the driver in.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // pure-Go driver, registered as "sqlite"

	"github.com/tabbysim/tabbysim/simulator/store"
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
