package store

import (
	"sync"
	"sync/atomic"
)

// Versions counts, for Store.Version, the changes to each kind of document.
// The zero value is ready to use.
type Versions struct {
	resets atomic.Uint64
	kinds  sync.Map // kind -> *atomic.Uint64
}

// Of is kind's version: the resets plus the commits that wrote the kind,
// each only ever growing, so any change makes it grow.
func (v *Versions) Of(kind string) uint64 {
	n := v.resets.Load()
	if c, ok := v.kinds.Load(kind); ok {
		n += c.(*atomic.Uint64).Load()
	}
	return n
}

// Wrote counts a committed write of kind.
func (v *Versions) Wrote(kind string) {
	c, ok := v.kinds.Load(kind)
	if !ok {
		c, _ = v.kinds.LoadOrStore(kind, new(atomic.Uint64))
	}
	c.(*atomic.Uint64).Add(1)
}

// Reset counts a reset, which changes every kind.
func (v *Versions) Reset() { v.resets.Add(1) }
