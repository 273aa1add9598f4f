package clock

import (
	"context"
	"sync"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

func TestScheduler_AdvanceFiresInTimeOrderAtEventTime(t *testing.T) {
	s := NewScheduler(time.Now)
	c := s.AddClock("m", Manual, t0)
	var mu sync.Mutex
	var fired []string
	s.Handle("k", func(ctx context.Context, e Event) {
		mu.Lock()
		defer mu.Unlock()
		if !c.Now().Equal(e.At) {
			t.Errorf("event %s ran with the clock at %v, want %v", e.Key, c.Now(), e.At)
		}
		fired = append(fired, e.Key)
		if e.Key == "b" { // a handler may schedule follow-ups within the window
			if err := s.Schedule("m", e.At.Add(time.Minute), "k", "b2"); err != nil {
				t.Error(err)
			}
		}
	})
	for key, d := range map[string]time.Duration{"c": 30 * time.Minute, "a": 5 * time.Minute, "b": 10 * time.Minute, "late": 2 * time.Hour} {
		if err := s.Schedule("m", t0.Add(d), "k", key); err != nil {
			t.Fatal(err)
		}
	}
	now, err := s.Advance(context.Background(), "m", t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(time.Hour); !now.Equal(want) || !c.Now().Equal(want) {
		t.Fatalf("clock at %v after advance, want %v", c.Now(), want)
	}
	want := []string{"a", "b", "b2", "c"}
	if len(fired) != len(want) {
		t.Fatalf("fired %v, want %v", fired, want)
	}
	for i := range want {
		if fired[i] != want[i] {
			t.Fatalf("fired %v, want %v", fired, want)
		}
	}
	if p := s.Pending("m"); len(p) != 1 || p[0].Key != "late" {
		t.Fatalf("pending %v, want only the late event", p)
	}
}

func TestScheduler_ClocksAreIsolated(t *testing.T) {
	s := NewScheduler(time.Now)
	a := s.AddClock("a", Manual, t0)
	b := s.AddClock("b", Manual, t0)
	fired := map[string]int{}
	var mu sync.Mutex
	s.Handle("k", func(ctx context.Context, e Event) {
		mu.Lock()
		fired[e.Merchant]++
		mu.Unlock()
	})
	_ = s.Schedule("a", t0.Add(time.Minute), "k", "x")
	_ = s.Schedule("b", t0.Add(time.Minute), "k", "x")
	if _, err := s.Advance(context.Background(), "a", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if fired["a"] != 1 || fired["b"] != 0 {
		t.Fatalf("fired %v: advancing a must not fire b's events", fired)
	}
	if !b.Now().Equal(t0) || !a.Now().Equal(t0.Add(time.Hour)) {
		t.Fatalf("a=%v b=%v", a.Now(), b.Now())
	}
}

func TestScheduler_RunFiresDueEventsOnWallClock(t *testing.T) {
	s := NewScheduler(time.Now)
	s.AddClock("m", Wall, time.Now())
	done := make(chan Event, 1)
	s.Handle("k", func(ctx context.Context, e Event) { done <- e })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)
	if err := s.Schedule("m", time.Now().Add(20*time.Millisecond), "k", "x"); err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-done:
		if e.Key != "x" {
			t.Fatalf("fired %v", e)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a due event on a wall clock never fired")
	}
}

func TestScheduler_ManualClockFiresEventsDueNowWithoutAdvance(t *testing.T) {
	s := NewScheduler(time.Now)
	s.AddClock("m", Manual, t0)
	done := make(chan Event, 1)
	s.Handle("k", func(ctx context.Context, e Event) { done <- e })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)
	_ = s.Schedule("m", t0.Add(time.Hour), "k", "later")
	_ = s.Schedule("m", t0, "k", "now")
	select {
	case e := <-done:
		if e.Key != "now" {
			t.Fatalf("fired %q first, want the event due now", e.Key)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an event due now on a manual clock never fired")
	}
}

func TestClock_NeverGoesBack(t *testing.T) {
	c := New(Manual, t0, time.Now)
	c.moveTo(t0.Add(-time.Hour))
	if !c.Now().Equal(t0) {
		t.Fatalf("clock moved back to %v", c.Now())
	}
	w := New(Wall, time.Now().Add(48*time.Hour), time.Now)
	if off := w.Offset(); off < 47*time.Hour || off > 49*time.Hour {
		t.Fatalf("wall clock offset %v, want about 48h", off)
	}
}

func TestScheduler_UnknownMerchant(t *testing.T) {
	s := NewScheduler(time.Now)
	s.Handle("k", func(context.Context, Event) {})
	if err := s.Schedule("nobody", t0, "k", "x"); err != ErrUnknownClock {
		t.Fatalf("Schedule: %v, want ErrUnknownClock", err)
	}
	if _, err := s.Advance(context.Background(), "nobody", t0); err != ErrUnknownClock {
		t.Fatalf("Advance: %v, want ErrUnknownClock", err)
	}
	s.AddClock("m", Manual, t0)
	if err := s.Schedule("m", t0, "unregistered", "x"); err == nil {
		t.Fatal("scheduling an event kind without a handler must fail")
	}
}

func TestScheduler_ClockStateRoundTrip(t *testing.T) {
	s := NewScheduler(time.Now)
	var saved = map[string]State{}
	var mu sync.Mutex
	s.Moved = func(m string, st State) { mu.Lock(); saved[m] = st; mu.Unlock() }
	s.AddClock("manual", Manual, t0)
	s.AddClock("wall", Wall, time.Now().Add(time.Hour))
	if _, err := s.Advance(context.Background(), "manual", t0.Add(26*time.Minute)); err != nil {
		t.Fatal(err)
	}
	again := NewScheduler(time.Now)
	m := again.RestoreClock("manual", saved["manual"])
	w := again.RestoreClock("wall", saved["wall"])
	if !m.Now().Equal(t0.Add(26*time.Minute)) || m.Mode() != Manual {
		t.Fatalf("restored manual clock reads %v (%s), want %v", m.Now(), m.Mode(), t0.Add(26*time.Minute))
	}
	if off := w.Offset(); w.Mode() != Wall || off < 59*time.Minute || off > 61*time.Minute {
		t.Fatalf("restored wall clock is %v ahead (%s), want about an hour", off, w.Mode())
	}
}

// TestScheduler_AdvanceTellsMovedBeforeFiring: an event's handler runs only
// once Moved has heard of a reading at least the event's time, so a clock
// kept by Moved is never behind what a handler wrote before a crash.
func TestScheduler_AdvanceTellsMovedBeforeFiring(t *testing.T) {
	real := func() time.Time { return t0 }
	for _, mode := range []Mode{Manual, Wall} {
		t.Run(string(mode), func(t *testing.T) {
			s := NewScheduler(real)
			var mu sync.Mutex
			var kept State
			s.Moved = func(_ string, st State) {
				mu.Lock()
				defer mu.Unlock()
				kept = st
			}
			s.AddClock("m", mode, t0)
			fired := 0
			s.Handle("k", func(ctx context.Context, e Event) {
				mu.Lock()
				defer mu.Unlock()
				fired++
				if now := FromState(kept, real).Now(); now.Before(e.At) {
					t.Errorf("event at %v fired while the kept clock read %v", e.At, now)
				}
			})
			for _, d := range []time.Duration{time.Minute, time.Hour, 21 * 24 * time.Hour} {
				if err := s.Schedule("m", t0.Add(d), "k", d.String()); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.Advance(context.Background(), "m", t0.Add(22*24*time.Hour)); err != nil {
				t.Fatal(err)
			}
			if fired != 3 {
				t.Fatalf("%d events fired, want 3", fired)
			}
		})
	}
}
