package clock

import (
	"container/heap"
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/tabbysim/tabbysim/simulator/apperr"
)

// Event is something due on a merchant's clock at a given time. Handlers look
// up the current state by Key and do nothing when the event is obsolete, so
// events are never cancelled, only outlived.
type Event struct {
	Merchant string
	At       time.Time
	Kind     string
	Key      string
	seq      uint64
}

// Handler runs a due event. The clock of the event's merchant reads Event.At
// (or later) while it runs.
type Handler func(ctx context.Context, e Event)

// ErrUnknownClock is returned for a merchant that has no clock.
var ErrUnknownClock = apperr.Errorf(apperr.NotFound, "clock: no clock for this merchant")

// Scheduler owns the merchants' clocks and their queues of due events.
//
// Due events fire by themselves when the merchant's clock reaches them (a
// background loop started by Run), and in order, one instant at a time, when a
// clock is advanced. Events due at the same instant run concurrently, so a
// slow handler for one payment never holds back another.
type Scheduler struct {
	// Moved, when set, hears of every new clock and every reading an
	// advance moves to, so the clocks can be kept with the rest of the
	// state.
	Moved func(merchant string, st State)

	real     func() time.Time
	handlers map[string]Handler

	mu      sync.Mutex
	tenants map[string]*tenant
	seq     uint64
	wake    chan struct{}
}

type tenant struct {
	clock *Clock
	queue eventHeap
	// advancing serialises Advance calls for one merchant.
	advancing sync.Mutex
	// inflight counts handlers FireDue started; idle is signalled (under
	// Scheduler.mu) when it drops to zero. Advance waits for them.
	inflight int
	idle     *sync.Cond
}

// NewScheduler returns a scheduler that reads real time from real.
func NewScheduler(real func() time.Time) *Scheduler {
	return &Scheduler{
		real:     real,
		handlers: map[string]Handler{},
		tenants:  map[string]*tenant{},
		wake:     make(chan struct{}, 1),
	}
}

// Handle registers the handler for events of kind. Register handlers before
// Run and before scheduling events of that kind.
func (s *Scheduler) Handle(kind string, h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[kind] = h
}

// AddClock gives merchant a clock; an existing clock is kept as it is.
func (s *Scheduler) AddClock(merchant string, mode Mode, start time.Time) *Clock {
	return s.add(merchant, New(mode, start, s.real))
}

// RestoreClock gives merchant back a clock saved as st.
func (s *Scheduler) RestoreClock(merchant string, st State) *Clock {
	return s.add(merchant, FromState(st, s.real))
}

func (s *Scheduler) add(merchant string, c *Clock) *Clock {
	s.mu.Lock()
	t, ok := s.tenants[merchant]
	if !ok {
		t = &tenant{clock: c, idle: sync.NewCond(&s.mu)}
		s.tenants[merchant] = t
	}
	s.mu.Unlock()
	if !ok && s.Moved != nil {
		s.Moved(merchant, c.State())
	}
	return t.clock
}

// Clock returns merchant's clock.
func (s *Scheduler) Clock(merchant string) (*Clock, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tenants[merchant]
	if !ok {
		return nil, ErrUnknownClock
	}
	return t.clock, nil
}

// RemoveClock forgets merchant's clock and its pending events.
func (s *Scheduler) RemoveClock(merchant string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tenants, merchant)
}

// Schedule queues an event for merchant at the given time.
func (s *Scheduler) Schedule(merchant string, at time.Time, kind, key string) error {
	s.mu.Lock()
	t, ok := s.tenants[merchant]
	if !ok {
		s.mu.Unlock()
		return ErrUnknownClock
	}
	if _, ok := s.handlers[kind]; !ok {
		s.mu.Unlock()
		return fmt.Errorf("clock: no handler for event kind %q", kind)
	}
	s.seq++
	heap.Push(&t.queue, Event{Merchant: merchant, At: at.UTC(), Kind: kind, Key: key, seq: s.seq})
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

// Pending lists merchant's queued events in the order they will fire.
func (s *Scheduler) Pending(merchant string) []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tenants[merchant]
	if !ok {
		return nil
	}
	out := append([]Event(nil), t.queue...)
	sort.Slice(out, func(i, j int) bool { return out[i].before(out[j]) })
	return out
}

// Advance moves merchant's clock to target, firing every event due by then in
// time order, the clock reading each event's time as it fires. It returns
// after the handlers of all those events returned, so their effects (and the
// events they scheduled at or before target) have happened. Moved hears of
// each new reading before the events due at it fire, so a clock kept by
// Moved is never behind what they did, whenever the process stops.
// A target the clock cannot read (see CheckTime) is refused with
// ErrOutOfRange.
func (s *Scheduler) Advance(ctx context.Context, merchant string, target time.Time) (time.Time, error) {
	s.mu.Lock()
	t, ok := s.tenants[merchant]
	s.mu.Unlock()
	if !ok {
		return time.Time{}, ErrUnknownClock
	}
	if err := checkTime(t.clock.Mode(), target, s.real()); err != nil {
		return t.clock.Now(), err
	}
	t.advancing.Lock()
	defer t.advancing.Unlock()
	for {
		if err := ctx.Err(); err != nil {
			return t.clock.Now(), err
		}
		batch := s.nextBatch(t, target)
		if len(batch) == 0 {
			break
		}
		if t.clock.moveTo(batch[0].At) {
			s.tellMoved(merchant, t)
		}
		s.run(ctx, batch)
	}
	t.clock.moveTo(target)
	s.tellMoved(merchant, t)
	return t.clock.Now(), nil
}

// tellMoved reports t's reading to Moved while t is still merchant's clock:
// a clock removed by a reset mid-advance must not overwrite the reading of
// the merchant that took its id.
func (s *Scheduler) tellMoved(merchant string, t *tenant) {
	s.mu.Lock()
	current := s.tenants[merchant] == t
	s.mu.Unlock()
	if current && s.Moved != nil {
		s.Moved(merchant, t.clock.State())
	}
}

// nextBatch waits for the handlers started in the background (they may
// schedule follow-ups inside the window), then pops the next batch due by
// limit; the two happen atomically, so no background firing slips between.
func (s *Scheduler) nextBatch(t *tenant, limit time.Time) []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t.inflight > 0 {
		t.idle.Wait()
	}
	return s.popDueLocked(t, limit)
}

// popDueLocked removes the events due at the earliest instant not after
// limit. s.mu is held.
func (s *Scheduler) popDueLocked(t *tenant, limit time.Time) []Event {
	if len(t.queue) == 0 || t.queue[0].At.After(limit) {
		return nil
	}
	at := t.queue[0].At
	var batch []Event
	for len(t.queue) > 0 && t.queue[0].At.Equal(at) {
		batch = append(batch, heap.Pop(&t.queue).(Event))
	}
	return batch
}

func (s *Scheduler) run(ctx context.Context, batch []Event) {
	s.mu.Lock()
	hs := make([]Handler, len(batch))
	for i, e := range batch {
		hs[i] = s.handlers[e.Kind]
	}
	s.mu.Unlock()
	if len(batch) == 1 {
		hs[0](ctx, batch[0])
		return
	}
	var wg sync.WaitGroup
	for i, e := range batch {
		wg.Add(1)
		go func(h Handler, e Event) {
			defer wg.Done()
			h(ctx, e)
		}(hs[i], e)
	}
	wg.Wait()
}

// FireDue starts, for every merchant, the handlers of the events due on its
// clock now, each in its own goroutine, and returns without waiting: a slow
// handler never holds back another merchant or another payment. Advance
// waits for the handlers FireDue started for its merchant.
func (s *Scheduler) FireDue(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tenants {
		now := t.clock.Now()
		for len(t.queue) > 0 && !t.queue[0].At.After(now) {
			e := heap.Pop(&t.queue).(Event)
			h := s.handlers[e.Kind]
			t.inflight++
			go func(t *tenant) {
				defer func() {
					s.mu.Lock()
					if t.inflight--; t.inflight == 0 {
						t.idle.Broadcast()
					}
					s.mu.Unlock()
				}()
				h(ctx, e)
			}(t)
		}
	}
}

// Wait returns once no handler FireDue started is still running.
func (s *Scheduler) Wait() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tenants {
		for t.inflight > 0 {
			t.idle.Wait()
		}
	}
}

// nextWait is how long until the earliest queued event falls due in real
// time, capped so that wall clocks moved by Advance are noticed.
func (s *Scheduler) nextWait() time.Duration {
	const maxWait = time.Second
	s.mu.Lock()
	defer s.mu.Unlock()
	wait := maxWait
	for _, t := range s.tenants {
		if len(t.queue) == 0 {
			continue
		}
		d := t.queue[0].At.Sub(t.clock.Now())
		if t.clock.Mode() == Manual && d > 0 {
			continue // a manual clock only reaches it through Advance
		}
		if d < wait {
			wait = d
		}
	}
	if wait < 0 {
		wait = 0
	}
	return wait
}

// Run fires due events in the background until ctx is done.
func (s *Scheduler) Run(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-s.wake:
		}
		s.FireDue(ctx)
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(s.nextWait())
	}
}

func (e Event) before(o Event) bool {
	if !e.At.Equal(o.At) {
		return e.At.Before(o.At)
	}
	return e.seq < o.seq
}

type eventHeap []Event

func (h eventHeap) Len() int           { return len(h) }
func (h eventHeap) Less(i, j int) bool { return h[i].before(h[j]) }
func (h eventHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *eventHeap) Push(x any)        { *h = append(*h, x.(Event)) }
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
