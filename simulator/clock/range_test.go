package clock

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestScheduler_AdvanceRefusesTimesAClockCannotRead: past Latest, or, for a
// wall clock, further from real time than its offset holds, Advance refuses
// with ErrOutOfRange and the clock stays where it was; Latest itself is
// fine.
func TestScheduler_AdvanceRefusesTimesAClockCannotRead(t *testing.T) {
	s := NewScheduler(func() time.Time { return t0 })
	s.AddClock("manual", Manual, t0)
	s.AddClock("wall", Wall, t0)
	for _, tc := range []struct {
		merchant string
		to       time.Time
	}{
		{"manual", Latest.Add(time.Nanosecond)},
		{"manual", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"wall", t0.AddDate(300, 0, 0)},
	} {
		if _, err := s.Advance(context.Background(), tc.merchant, tc.to); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("advancing the %s clock to %s: %v, want ErrOutOfRange", tc.merchant, tc.to, err)
		}
		if c, _ := s.Clock(tc.merchant); !c.Now().Equal(t0) {
			t.Errorf("a refused advance moved the %s clock to %s", tc.merchant, c.Now())
		}
	}
	if now, err := s.Advance(context.Background(), "manual", Latest); err != nil || !now.Equal(Latest) {
		t.Errorf("advancing to Latest: %s, %v", now, err)
	}
}
