// Package changes tells watchers what changed in the simulator as it
// happens: each document a store update committed, each request the journal
// kept, a reset. The control API streams it as server-sent events, and the
// dashboard re-fetches only what changed instead of polling.
package changes

import (
	"sync"
	"sync/atomic"
)

// Change is one thing that changed.
type Change struct {
	// Kind is what changed: the kind of a stored document
	// ("tabby.payment", "webhook.delivery", "clock", "merchant", …),
	// KindJournal, KindReset or KindResync.
	Kind string `json:"kind"`
	// Merchant owns what changed; "" when it is everyone's.
	Merchant string `json:"merchant,omitempty"`
	// ID is the document's id, when a document changed.
	ID string `json:"id,omitempty"`
}

// Kinds of change that are not a stored document.
const (
	// KindJournal: the journal kept a request of Merchant.
	KindJournal = "journal"
	// KindReset: everything was forgotten.
	KindReset = "reset"
	// KindResync: the watcher fell behind and missed changes; anything may
	// have changed.
	KindResync = "resync"
)

// buffer is how many changes a watcher may fall behind before it is told
// to resync instead.
const buffer = 256

// Feed hands every change published to every watcher. It is safe for
// concurrent use; the zero value is ready.
type Feed struct {
	mu       sync.Mutex
	watchers map[*Watcher]struct{}
	count    atomic.Int64
	closed   bool
	done     chan struct{}
}

// Watcher receives the changes of one merchant, and everyone's.
type Watcher struct {
	merchant string
	c        chan Change
	missed   atomic.Bool
	feed     *Feed
}

// Watched reports whether anyone watches, so that publishers can skip the
// work of telling what changed when no one listens.
func (f *Feed) Watched() bool { return f.count.Load() > 0 }

// Watch returns a watcher of merchant's changes ("" for every merchant's).
// Stop it when done.
func (f *Feed) Watch(merchant string) *Watcher {
	w := &Watcher{merchant: merchant, c: make(chan Change, buffer), feed: f}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	if f.watchers == nil {
		f.watchers = map[*Watcher]struct{}{}
	}
	f.watchers[w] = struct{}{}
	f.count.Add(1)
	return w
}

// Publish hands cs to the watchers they concern. It never blocks: a
// watcher that fell behind gets a KindResync instead of what it missed.
func (f *Feed) Publish(cs ...Change) {
	if !f.Watched() {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for w := range f.watchers {
		for _, c := range cs {
			if w.merchant != "" && c.Merchant != "" && c.Merchant != w.merchant {
				continue
			}
			select {
			case w.c <- c:
			default:
				w.missed.Store(true)
			}
		}
	}
}

// Close ends every watch, now and to come: Done is closed. Servers close
// the feed when they shut down, so that streams of changes, which never end
// by themselves, let them.
func (f *Feed) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	if !f.closed {
		f.closed = true
		close(f.done)
	}
}

func (f *Feed) init() {
	if f.done == nil {
		f.done = make(chan struct{})
	}
}

// Done is closed when the feed is.
func (f *Feed) Done() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.init()
	return f.done
}

// C delivers the watcher's changes.
func (w *Watcher) C() <-chan Change { return w.c }

// Missed reports, once, that changes were dropped because the watcher fell
// behind since the last call.
func (w *Watcher) Missed() bool { return w.missed.Swap(false) }

// Stop ends the watch.
func (w *Watcher) Stop() {
	f := w.feed
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.watchers[w]; ok {
		delete(f.watchers, w)
		f.count.Add(-1)
	}
}
