// Package clock gives every merchant its own clock and fires due events in
// time order on it. Domain code reads time only from a Clock.
package clock

import (
	"fmt"
	"sync"
	"time"
)

// Mode says how a clock moves.
type Mode string

const (
	// Wall follows real time plus an offset; advancing grows the offset.
	Wall Mode = "wall"
	// Manual stands still until it is advanced.
	Manual Mode = "manual"
)

// ParseMode accepts "wall" or "manual".
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case Wall, Manual:
		return Mode(s), nil
	}
	return "", fmt.Errorf("clock mode must be %q or %q, got %q", Wall, Manual, s)
}

// Clock is one merchant's clock. It is safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	mode   Mode
	real   func() time.Time
	offset time.Duration // wall mode
	now    time.Time     // manual mode
}

// New returns a clock in mode that starts at start. real is the source of
// real time for wall mode (time.Now in production).
func New(mode Mode, start time.Time, real func() time.Time) *Clock {
	c := &Clock{mode: mode, real: real}
	if mode == Manual {
		c.now = start.UTC()
	} else {
		c.offset = start.Sub(real())
	}
	return c
}

// Now is the clock's current time, in UTC.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked()
}

func (c *Clock) nowLocked() time.Time {
	if c.mode == Manual {
		return c.now
	}
	return c.real().Add(c.offset).UTC()
}

// Mode reports how the clock moves.
func (c *Clock) Mode() Mode {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mode
}

// Offset is how far the clock is ahead of real time.
func (c *Clock) Offset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nowLocked().Sub(c.real())
}

// moveTo sets the clock to t if t is later than now, and reports whether it
// did; clocks never go back.
func (c *Clock) moveTo(t time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !t.After(c.nowLocked()) {
		return false
	}
	if c.mode == Manual {
		c.now = t.UTC()
	} else {
		c.offset = t.Sub(c.real())
	}
	return true
}

// State is what it takes to restore a clock: its mode, and its reading
// (manual) or its offset from real time (wall).
type State struct {
	Mode   Mode          `json:"mode"`
	Now    time.Time     `json:"now,omitempty"`
	Offset time.Duration `json:"offset,omitempty"`
}

// State returns the clock's state.
func (c *Clock) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mode == Manual {
		return State{Mode: Manual, Now: c.now}
	}
	return State{Mode: Wall, Offset: c.offset}
}

// FromState restores a clock; a wall clock keeps its offset, so time went on
// passing while it was away.
func FromState(s State, real func() time.Time) *Clock {
	if s.Mode == Manual {
		return &Clock{mode: Manual, now: s.Now.UTC(), real: real}
	}
	return &Clock{mode: Wall, offset: s.Offset, real: real}
}
