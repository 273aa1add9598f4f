package simulator_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/internal/changes"
	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
	"github.com/tabbysim/tabbysim/simulator/webhook/webhooktest"
)

// stream is a client of GET /_sim/v1/events.
type stream struct {
	t      *testing.T
	events chan sse
}

// sse is one server-sent event.
type sse struct {
	name string // "" for a message
	data string
}

// watch opens the stream of changes at url (with key as bearer token, if
// any), waits for its "ready" event and reads it until the test ends.
func watch(t *testing.T, url, key string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		res.Body.Close()
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, res.Header.Get("Content-Type"))
	}
	s := &stream{t: t, events: make(chan sse, 1024)}
	go func() {
		defer res.Body.Close()
		defer close(s.events)
		sc := bufio.NewScanner(res.Body)
		var ev sse
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" || ev.data != "" {
					s.events <- ev
				}
				ev = sse{}
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	if ev := s.next(); ev.name != "ready" {
		t.Fatalf("first event %+v, want ready", ev)
	}
	return s
}

// next returns the next event; the stream must not end first.
func (s *stream) next() sse {
	s.t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			s.t.Fatal("the stream of changes ended")
		}
		return ev
	case <-time.After(10 * time.Second):
		s.t.Fatal("no event in 10s")
	}
	return sse{}
}

// until reads changes until it has seen one matching the non-empty fields
// of each of want, in any order, and returns every change it read.
func (s *stream) until(want ...changes.Change) []changes.Change {
	s.t.Helper()
	var read []changes.Change
	for len(want) > 0 {
		ev := s.next()
		var c changes.Change
		if err := json.Unmarshal([]byte(ev.data), &c); err != nil || ev.name != "" {
			s.t.Fatalf("event %+v is not a change", ev)
		}
		read = append(read, c)
		want = slices.DeleteFunc(want, func(w changes.Change) bool {
			return c.Kind == w.Kind && (w.Merchant == "" || c.Merchant == w.Merchant) && (w.ID == "" || c.ID == w.ID)
		})
	}
	return read
}

func TestEvents_StreamWhatChanged(t *testing.T) {
	t.Parallel()
	e := newEnv(t, simulator.Config{Seed: 21})
	m := e.NewMerchant(t, nil)
	other := e.NewMerchant(t, nil)
	hook := webhooktest.NewReceiver(t)
	if r := m.RegisterWebhook(hook.URL, nil); r.Status != http.StatusOK {
		t.Fatalf("register webhook: %s", r)
	}
	s := watch(t, e.URL+"/_sim/v1/events?merchant="+m.ID, "")

	other.Session()
	id, _ := m.Session()
	read := s.until(changes.Change{Kind: changes.KindJournal, Merchant: m.ID},
		changes.Change{Kind: "tabby.payment", Merchant: m.ID, ID: id})
	for _, c := range read {
		if c.Merchant == other.ID {
			t.Errorf("a watcher of %s heard of %+v", m.ID, c)
		}
	}

	m.Act(id, "approve")
	s.until(changes.Change{Kind: "tabby.payment", ID: id}, changes.Change{Kind: "webhook.delivery", Merchant: m.ID})
	m.Advance("1m")
	s.until(changes.Change{Kind: "clock", Merchant: m.ID, ID: m.ID})
	e2e.WantStatus(t, m.Ctl(http.MethodPost, "/reset", nil), http.StatusOK)
	s.until(changes.Change{Kind: changes.KindReset})
}

func TestEvents_NeedTheControlToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, simulator.Config{Seed: 22, ControlToken: "let-me-in"})
	for _, key := range []string{"", "wrong"} {
		r := call(t, e, http.MethodGet, "/_sim/v1/events", key, nil)
		if r.Status != http.StatusUnauthorized {
			t.Errorf("events with token %q: %s, want 401", key, r)
		}
	}
	s := watch(t, e.URL+"/_sim/v1/events", "let-me-in")
	e.DefaultMerchant(t).Session()
	s.until(changes.Change{Kind: "tabby.payment", Merchant: simulator.DefaultMerchantID})
}

// TestEvents_ShutdownEndsStreams: a stream of changes never ends by itself,
// so a shutdown must end it rather than wait for its deadline.
func TestEvents_ShutdownEndsStreams(t *testing.T) {
	t.Parallel()
	srv, err := simulator.Listen("127.0.0.1:0", simulator.Config{Seed: 23})
	if err != nil {
		t.Fatal(err)
	}
	s := watch(t, srv.URL+"/_sim/v1/events", "")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Error("shutdown waited for its deadline with a stream open")
	}
	for range s.events { // the stream ends
	}
}
