package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
)

// Memory is a Store held in memory. Updates are serialised; a failed Update
// leaves no trace.
type Memory struct {
	mu         sync.RWMutex
	kinds      map[string]map[string]Doc
	seq        uint64
	generation uint64
}

// NewMemory returns an empty memory store.
func NewMemory() *Memory {
	return &Memory{kinds: map[string]map[string]Doc{}}
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
	tx := &memTx{m: m, writes: map[key]*Doc{}}
	if err := m.commit(tx, fn); err != nil {
		return err
	}
	for _, f := range tx.after {
		f()
	}
	return nil
}

func (m *Memory) commit(tx *memTx, fn func(Tx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := fn(tx); err != nil {
		return err
	}
	for k, d := range tx.writes {
		docs := m.kinds[k.kind]
		if d == nil {
			delete(docs, k.id)
			continue
		}
		if docs == nil {
			docs = map[string]Doc{}
			m.kinds[k.kind] = docs
		}
		docs[k.id] = *d
	}
	return nil
}

// Reset implements Store.
func (m *Memory) Reset(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.kinds = map[string]map[string]Doc{}
	return nil
}

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

// memTx buffers writes so that a failed Update changes nothing; reads see
// the transaction's own writes.
type memTx struct {
	m        *Memory
	readOnly bool
	writes   map[key]*Doc
	after    []func()
}

func (t *memTx) AfterCommit(fn func()) { t.after = append(t.after, fn) }

var errReadOnly = errors.New("store: write in a read-only transaction")

func (t *memTx) Get(kind, id string) (Doc, error) {
	if d, ok := t.writes[key{kind, id}]; ok {
		if d == nil {
			return Doc{}, ErrNotFound
		}
		return cloneDoc(*d), nil
	}
	d, ok := t.m.kinds[kind][id]
	if !ok {
		return Doc{}, ErrNotFound
	}
	return cloneDoc(d), nil
}

func (t *memTx) Create(d Doc) error {
	if t.readOnly {
		return errReadOnly
	}
	if _, err := t.Get(d.Kind, d.ID); err == nil {
		return fmt.Errorf("%w: %s %s", ErrExists, d.Kind, d.ID)
	}
	return t.Put(d)
}

func (t *memTx) Put(d Doc) error {
	if t.readOnly {
		return errReadOnly
	}
	c := cloneDoc(d)
	if prev, err := t.Get(d.Kind, d.ID); err == nil {
		c.Seq = prev.Seq
	} else {
		t.m.seq++
		c.Seq = t.m.seq
	}
	t.writes[key{d.Kind, d.ID}] = &c
	return nil
}

func (t *memTx) Delete(kind, id string) error {
	if t.readOnly {
		return errReadOnly
	}
	t.writes[key{kind, id}] = nil
	return nil
}

func (t *memTx) List(kind string, q Query) ([]Doc, int, error) {
	seen := map[string]bool{}
	var out []Doc
	consider := func(d Doc) {
		if q.Merchant != "" && d.Merchant != q.Merchant {
			return
		}
		for k, v := range q.Index {
			if d.Index[k] != v {
				return
			}
		}
		out = append(out, cloneDoc(d))
	}
	for k, d := range t.writes {
		if k.kind != kind {
			continue
		}
		seen[k.id] = true
		if d != nil {
			consider(*d)
		}
	}
	for id, d := range t.m.kinds[kind] {
		if !seen[id] {
			consider(d)
		}
	}
	sortNewestFirst(out)
	return page(out, q)
}

func sortNewestFirst(docs []Doc) {
	sort.Slice(docs, func(i, j int) bool {
		if !docs[i].Created.Equal(docs[j].Created) {
			return docs[i].Created.After(docs[j].Created)
		}
		return docs[i].Seq > docs[j].Seq
	})
}

func page(docs []Doc, q Query) ([]Doc, int, error) {
	total := len(docs)
	if q.Offset > 0 {
		if q.Offset >= len(docs) {
			return nil, total, nil
		}
		docs = docs[q.Offset:]
	}
	if q.Limit > 0 && len(docs) > q.Limit {
		docs = docs[:q.Limit]
	}
	return docs, total, nil
}

func cloneDoc(d Doc) Doc {
	c := d
	c.Data = append([]byte(nil), d.Data...)
	if d.Index != nil {
		c.Index = make(map[string]string, len(d.Index))
		for k, v := range d.Index {
			c.Index[k] = v
		}
	}
	return c
}
