package fault_test

import (
	"errors"
	"net/http"
	"os"
	"testing"
	"time"
)

// TestDelay_ClientGivesUp: a delayed request whose client gives up is let
// go at once, not held for the rest of its delay, and not handled.
func TestDelay_ClientGivesUp(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.authorized()
	seq := e.seq()
	e.http.Timeout = 100 * time.Millisecond
	r := e.call(http.MethodPost, "/api/v2/payments/"+id+"/captures", captureBody("cap-1"), "delay=1h")
	if !errors.Is(r.err, os.ErrDeadlineExceeded) && !isTimeout(r.err) {
		t.Fatalf("got %d %s (%v), want the client's timeout", r.status, r.body, r.err)
	}
	// Within entryAfter's bound, far below the hour the delay asked for.
	if entry := e.entryAfter(seq); entry.Fault != "delay=1h" {
		t.Fatalf("the journal: %+v", entry)
	}
	if n := len(e.payment(id).Captures); n != 0 {
		t.Fatalf("a request its client gave up on was handled: %d captures", n)
	}
}

func isTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}

// TestDelay_Shutdown: closing the fault engine, as a shutdown does, lets
// a delayed request go on at once.
func TestDelay_Shutdown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.authorized()
	done := make(chan *reply)
	go func() {
		done <- e.call(http.MethodPost, "/api/v2/payments/"+id+"/captures", captureBody("cap-1"), "delay=1h")
	}()
	e.sim.Faults.Close()
	if r := <-done; r.err != nil || r.status != http.StatusOK {
		t.Fatalf("got %d %s (%v), want the request handled", r.status, r.body, r.err)
	}
}
