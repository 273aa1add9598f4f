package store

import "slices"

// chunkSize bounds how many entries filing or removing one moves.
const chunkSize = 512

// entries is one list of documents, sorted by compareEntries, kept in
// chunks of fewer than 2*chunkSize so that filing or removing a document
// moves at most a chunk, however long the list: a payment captured long
// after it was created leaves the middle of its status's list.
type entries struct {
	chunks [][]entry
	n      int
}

func (l *entries) len() int { return l.n }

// find returns the chunk e belongs in (the first whose last entry does not
// sort before it, or the last chunk) and how many entries come before that
// chunk; -1 when there is none.
func (l *entries) find(e entry) (int, int) {
	if len(l.chunks) == 0 {
		return -1, 0
	}
	c, _ := slices.BinarySearchFunc(l.chunks, e, func(ch []entry, e entry) int {
		return compareEntries(ch[len(ch)-1], e)
	})
	c = min(c, len(l.chunks)-1)
	before := 0
	for _, ch := range l.chunks[:c] {
		before += len(ch)
	}
	return c, before
}

// rank is how many entries sort before e.
func (l *entries) rank(e entry) int {
	c, before := l.find(e)
	if c < 0 {
		return 0
	}
	i, _ := slices.BinarySearchFunc(l.chunks[c], e, compareEntries)
	return before + i
}

// insert files e, which must not be on the list.
func (l *entries) insert(e entry) {
	l.n++
	c, _ := l.find(e)
	if c < 0 {
		l.chunks = [][]entry{{e}}
		return
	}
	ch := l.chunks[c]
	i, _ := slices.BinarySearchFunc(ch, e, compareEntries)
	ch = slices.Insert(ch, i, e)
	if len(ch) < 2*chunkSize {
		l.chunks[c] = ch
		return
	}
	// Split a full chunk in two, each with room to grow.
	upper := append(make([]entry, 0, 2*chunkSize), ch[chunkSize:]...)
	clear(ch[chunkSize:])
	l.chunks[c] = ch[:chunkSize]
	l.chunks = slices.Insert(l.chunks, c+1, upper)
}

// remove takes e off the list and reports whether it was on it.
func (l *entries) remove(e entry) bool {
	c, _ := l.find(e)
	if c < 0 {
		return false
	}
	ch := l.chunks[c]
	i, ok := slices.BinarySearchFunc(ch, e, compareEntries)
	if !ok {
		return false
	}
	l.n--
	ch = slices.Delete(ch, i, i+1)
	l.chunks[c] = ch
	// A chunk that fits in a neighbour joins it, so that chunks stay more
	// than half full on average.
	switch {
	case len(ch) == 0:
		l.chunks = slices.Delete(l.chunks, c, c+1)
	case c > 0 && len(l.chunks[c-1])+len(ch) <= chunkSize:
		l.chunks[c-1] = append(l.chunks[c-1], ch...)
		l.chunks = slices.Delete(l.chunks, c, c+1)
	case c+1 < len(l.chunks) && len(ch)+len(l.chunks[c+1]) <= chunkSize:
		l.chunks[c] = append(ch, l.chunks[c+1]...)
		l.chunks = slices.Delete(l.chunks, c+1, c+2)
	}
	return true
}

// backward calls fn with the entries of ranks hi-1 down to lo, newest
// first, until fn returns false.
func (l *entries) backward(lo, hi int, fn func(entry) bool) {
	end := l.n // the rank just past chunk c
	for c := len(l.chunks) - 1; c >= 0 && hi > lo; c-- {
		ch := l.chunks[c]
		start := end - len(ch)
		for ; hi > lo && hi > start; hi-- {
			if !fn(ch[hi-1-start]) {
				return
			}
		}
		end = start
	}
}
