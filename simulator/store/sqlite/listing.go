package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/tabbysim/tabbysim/simulator/store"
)

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
