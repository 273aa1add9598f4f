package clock

import (
	"fmt"
	"time"

	"github.com/tabbysim/tabbysim/simulator/apperr"
)

// Latest is the latest time a clock can be set to. Every time derived from
// a clock's reading (a session's expiry, expires_at a year after
// authorization, the refund window, an auto-capture, a webhook retry: each
// at most a setting's longest duration, about 292 years, away) then still
// has the four-digit year RFC 3339 and JSON need.
var Latest = time.Date(9000, time.January, 1, 0, 0, 0, 0, time.UTC)

// ErrOutOfRange is returned for a time a clock cannot be set to.
var ErrOutOfRange = apperr.Errorf(apperr.Invalid, "out of range")

// CheckTime reports whether a clock in mode can be set to t: not after
// Latest and, for a wall clock, which keeps its reading as an offset from
// real time, within about 292 years of real time.
func (s *Scheduler) CheckTime(mode Mode, t time.Time) error {
	return checkTime(mode, t, s.real())
}

func checkTime(mode Mode, t, real time.Time) error {
	if t.After(Latest) {
		return fmt.Errorf("%w: %s is after %s, the latest time a clock can read",
			ErrOutOfRange, t.UTC().Format(time.RFC3339), Latest.Format(time.RFC3339))
	}
	if mode == Wall && !real.Add(t.Sub(real)).Equal(t) {
		return fmt.Errorf("%w: %s is further from real time than a wall clock's offset can hold (about 292 years); use a manual clock",
			ErrOutOfRange, t.UTC().Format(time.RFC3339))
	}
	return nil
}
