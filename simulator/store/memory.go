package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Memory is a Store held in memory. Updates are serialised and write in
// place, keeping what they replace so that a failed Update leaves no trace.
// Every document is also filed, in creation order, on the lists a listing
// can ask for (see listKey), so that a listing reads only its page.
type Memory struct {
	mu         sync.RWMutex
	kinds      map[string]map[string]Doc
	lists      map[listKey]*entries
	seq        uint64
	generation uint64
	versions   Versions
}

// NewMemory returns an empty memory store.
func NewMemory() *Memory {
	return &Memory{kinds: map[string]map[string]Doc{}, lists: map[listKey]*entries{}}
}

// View implements Store.
func (m *Memory) View(ctx context.Context, fn func(Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return fn(&memTx{m: m, readOnly: true})
}

// Update implements Store.
func (m *Memory) Update(ctx context.Context, fn func(Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tx := &memTx{m: m, undo: map[key]*Doc{}}
	if err := m.commit(tx, fn); err != nil {
		return err
	}
	for _, f := range tx.after {
		f()
	}
	return nil
}

// commit runs fn under the lock and undoes its writes unless it returns
// nil, when it panics too.
func (m *Memory) commit(tx *memTx, fn func(Tx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	committed := false
	defer func() {
		if !committed {
			for k, d := range tx.undo {
				m.write(k, d)
			}
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	committed = true
	for k := range tx.undo {
		m.versions.Wrote(k.kind)
	}
	return nil
}

// Reset implements Store.
func (m *Memory) Reset(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.kinds = map[string]map[string]Doc{}
	m.lists = map[listKey]*entries{}
	m.versions.Reset()
	return nil
}

// Version implements Store.
func (m *Memory) Version(kind string) uint64 { return m.versions.Of(kind) }

// NewGeneration implements Store.
func (m *Memory) NewGeneration(context.Context) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.generation++
	return m.generation, nil
}

// Close implements Store.
func (m *Memory) Close() error { return nil }

type key struct{ kind, id string }

// listKey names one list of documents of a kind: of one merchant or of all
// (all is set and merchant is ""); every document (key and value are "") or
// those with one index entry. An entry with an empty value is on no list of
// its own, which leaves the pair ("", "") to the list of every document.
type listKey struct {
	kind, merchant string
	all            bool
	key, value     string
}

// listsOf names the lists the stored document d is on.
func listsOf(d Doc) []listKey {
	ls := make([]listKey, 0, 2*(1+len(d.index)))
	for _, l := range []listKey{{kind: d.Kind, merchant: d.Merchant}, {kind: d.Kind, all: true}} {
		ls = append(ls, l)
		for _, e := range d.index {
			if e.value != "" {
				l.key, l.value = e.key, e.value
				ls = append(ls, l)
			}
		}
	}
	return ls
}

// indexEntry is one entry of a stored document's index. The memory store
// keeps a document's few entries as a slice sorted by key: a map of one
// to three entries takes a few times the room.
type indexEntry struct{ key, value string }

// packIndex is index as stored: nil for nil, empty for empty.
func packIndex(index map[string]string) []indexEntry {
	if index == nil {
		return nil
	}
	out := make([]indexEntry, 0, len(index))
	for k, v := range index {
		out = append(out, indexEntry{k, v})
	}
	slices.SortFunc(out, func(a, b indexEntry) int { return cmp.Compare(a.key, b.key) })
	return out
}

func unpackIndex(es []indexEntry) map[string]string {
	if es == nil {
		return nil
	}
	index := make(map[string]string, len(es))
	for _, e := range es {
		index[e.key] = e.value
	}
	return index
}

// indexValue is the value of key in a stored index, "" when it has none.
func indexValue(es []indexEntry, key string) string {
	for _, e := range es {
		if e.key == key {
			return e.value
		}
	}
	return ""
}

// entry is a document's place on a list. Lists are sorted oldest first.
type entry struct {
	sec  int64
	nsec int32
	seq  uint64
	id   string
}

func entryOf(d Doc) entry {
	return entry{sec: d.Created.Unix(), nsec: int32(d.Created.Nanosecond()), seq: d.Seq, id: d.ID}
}

// bound is the place of time t before every entry created at t.
func bound(t time.Time) entry { return entry{sec: t.Unix(), nsec: int32(t.Nanosecond())} }

func compareEntries(a, b entry) int {
	if c := cmp.Compare(a.sec, b.sec); c != 0 {
		return c
	}
	if c := cmp.Compare(a.nsec, b.nsec); c != 0 {
		return c
	}
	return cmp.Compare(a.seq, b.seq)
}

// write replaces document k by d, or removes it when d is nil, and moves it
// on the lists.
func (m *Memory) write(k key, d *Doc) {
	docs := m.kinds[k.kind]
	var prev *Doc
	if p, ok := docs[k.id]; ok {
		prev = &p
	}
	switch {
	case d != nil && docs == nil:
		docs = map[string]Doc{}
		m.kinds[k.kind] = docs
		fallthrough
	case d != nil:
		docs[k.id] = *d
	default:
		delete(docs, k.id)
	}
	m.refile(prev, d)
}

// refile moves a document from the lists prev was on to those d is on,
// leaving alone the lists where its place does not change: most writes
// change a document's data and perhaps one index entry.
func (m *Memory) refile(prev, d *Doc) {
	if prev != nil && d != nil && prev.Merchant == d.Merchant && slices.Equal(prev.index, d.index) &&
		entryOf(*prev) == entryOf(*d) {
		return
	}
	var was, is []listKey
	var from, to entry
	if prev != nil {
		was, from = listsOf(*prev), entryOf(*prev)
	}
	if d != nil {
		is, to = listsOf(*d), entryOf(*d)
	}
	moved := prev == nil || d == nil || from != to
	for _, l := range was {
		if moved || !slices.Contains(is, l) {
			if es := m.lists[l]; es != nil && es.remove(from) && es.len() == 0 {
				delete(m.lists, l)
			}
		}
	}
	for _, l := range is {
		if moved || !slices.Contains(was, l) {
			es := m.lists[l]
			if es == nil {
				es = &entries{}
				m.lists[l] = es
			}
			es.insert(to)
		}
	}
}

// list serves q from the shortest list that holds every match: its kind's
// for the merchant, or one index entry's. Created bounds are found by
// binary search; only other index entries asked for are checked one
// document at a time. It returns the stored documents of the page, which
// the caller copies.
func (m *Memory) list(kind string, q Query) ([]Doc, int) {
	base := listKey{kind: kind, merchant: q.Merchant, all: q.Merchant == ""}
	from := base
	for k, v := range q.Index {
		l := base
		l.key, l.value = k, v
		if v != "" && (from == base || m.listLen(l) < m.listLen(from)) {
			from = l
		}
	}
	check := map[string]string{}
	for k, v := range q.Index {
		if from == base || k != from.key {
			check[k] = v
		}
	}
	es := m.lists[from]
	if es == nil {
		return nil, 0
	}
	lo, hi := 0, es.len()
	if !q.CreatedFrom.IsZero() {
		lo = es.rank(bound(q.CreatedFrom))
	}
	if !q.CreatedBefore.IsZero() {
		hi = max(lo, es.rank(bound(q.CreatedBefore)))
	}

	docs := m.kinds[kind]
	offset := max(q.Offset, 0)
	limit := hi - lo
	if q.Limit > 0 {
		limit = q.Limit
	}
	var out []Doc
	if len(check) == 0 {
		es.backward(lo, hi-offset, func(e entry) bool {
			out = append(out, docs[e.id])
			return len(out) < limit
		})
		return out, hi - lo
	}
	total := 0
	es.backward(lo, hi, func(e entry) bool {
		d := docs[e.id]
		if matches(d, check) {
			if total >= offset && len(out) < limit {
				out = append(out, d)
			}
			total++
		}
		return true
	})
	return out, total
}

// listLen is how many documents list l holds.
func (m *Memory) listLen(l listKey) int {
	if es := m.lists[l]; es != nil {
		return es.len()
	}
	return 0
}

func matches(d Doc, index map[string]string) bool {
	for k, v := range index {
		if indexValue(d.index, k) != v {
			return false
		}
	}
	return true
}

// memTx writes in place and keeps, for each document it writes, what was
// there before, so that a failed Update can be undone.
type memTx struct {
	m        *Memory
	readOnly bool
	undo     map[key]*Doc // nil: the document did not exist
	after    []func()
}

func (t *memTx) AfterCommit(fn func()) { t.after = append(t.after, fn) }

func (t *memTx) Get(kind, id string) (Doc, error) {
	d, ok := t.stored(kind, id)
	if !ok {
		return Doc{}, ErrNotFound
	}
	return exported(d)
}

func (t *memTx) Exists(kind, id string) (bool, error) {
	_, ok := t.stored(kind, id)
	return ok, nil
}

// stored is the document as the store holds it, to be copied before it
// leaves the store.
func (t *memTx) stored(kind, id string) (Doc, bool) {
	d, ok := t.m.kinds[kind][id]
	return d, ok
}

// exported is a copy of a stored document with its JSON, for Get and List.
func exported(d Doc) (Doc, error) {
	c := d
	c.Data = append([]byte(nil), d.Data...)
	c.Index, c.index = unpackIndex(d.index), nil
	if c.value != nil {
		data, err := json.Marshal(c.value)
		if err != nil {
			return Doc{}, err
		}
		c.Data, c.value = data, nil
	}
	return c, nil
}

func (t *memTx) Create(d Doc) error {
	if t.readOnly {
		return ErrReadOnly
	}
	if _, ok := t.stored(d.Kind, d.ID); ok {
		return fmt.Errorf("%w: %s %s", ErrExists, d.Kind, d.ID)
	}
	return t.Put(d)
}

func (t *memTx) Put(d Doc) error {
	if t.readOnly {
		return ErrReadOnly
	}
	c := d
	c.Data = append([]byte(nil), d.Data...)
	c.Index, c.index = nil, packIndex(d.Index)
	if c.Data != nil {
		c.value = nil
	}
	if prev, ok := t.m.kinds[d.Kind][d.ID]; ok {
		c.Seq = prev.Seq
	} else {
		t.m.seq++
		c.Seq = t.m.seq
	}
	t.write(key{d.Kind, d.ID}, &c)
	return nil
}

func (t *memTx) Delete(kind, id string) error {
	if t.readOnly {
		return ErrReadOnly
	}
	if _, ok := t.m.kinds[kind][id]; ok {
		t.write(key{kind, id}, nil)
	}
	return nil
}

func (t *memTx) write(k key, d *Doc) {
	if _, kept := t.undo[k]; !kept {
		var prev *Doc
		if p, ok := t.m.kinds[k.kind][k.id]; ok {
			prev = &p
		}
		t.undo[k] = prev
	}
	t.m.write(k, d)
}

func (t *memTx) List(kind string, q Query) ([]Doc, int, error) {
	docs, total := t.m.list(kind, q)
	for i, d := range docs {
		var err error
		if docs[i], err = exported(d); err != nil {
			return nil, 0, err
		}
	}
	return docs, total, nil
}
