package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/tidwall/gjson"
)

// receiver is a merchant's webhook endpoint on loopback: it acknowledges
// every webhook with 200 and tells the whole payments waiting on it when
// their payment's closed webhook has arrived.
type receiver struct {
	URL string
	srv *http.Server

	mu     sync.Mutex
	closed map[string]chan struct{}
	// kept holds every body while recording.
	kept      [][]byte
	recording bool
}

func startReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &receiver{URL: "http://" + ln.Addr().String() + "/webhooks/tabby", closed: map[string]chan struct{}{}}
	r.srv = &http.Server{Handler: http.HandlerFunc(r.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return
	}
	w.WriteHeader(http.StatusOK)
	r.mu.Lock()
	if r.recording {
		r.kept = append(r.kept, body)
	}
	r.mu.Unlock()
	if gjson.GetBytes(body, "status").String() == "closed" {
		select {
		case r.chanFor(gjson.GetBytes(body, "id").String()) <- struct{}{}:
		default:
		}
	}
}

// chanFor is where payment id's closed webhooks are signalled. The stand-in
// answers every payment with one id, so several payments may wait on one
// channel: each takes one signal.
func (r *receiver) chanFor(id string) chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	ch, ok := r.closed[id]
	if !ok {
		ch = make(chan struct{}, 256)
		r.closed[id] = ch
	}
	return ch
}

// waitClosed waits until payment id's closed webhook was acknowledged.
func (r *receiver) waitClosed(ctx context.Context, id string, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-r.chanFor(id):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return fmt.Errorf("payment %s: no closed webhook within %s", id, d)
	}
}

// reset forgets the signals of earlier cells.
func (r *receiver) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = map[string]chan struct{}{}
}

// record keeps the bodies of the webhooks that arrive until the returned
// function is called, which returns them in arrival order.
func (r *receiver) record() func() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recording, r.kept = true, nil
	return func() [][]byte {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.recording = false
		return r.kept
	}
}

// waitBodies waits until n bodies were recorded since record was called.
func (r *receiver) waitBodies(ctx context.Context, n int, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		r.mu.Lock()
		got := len(r.kept)
		r.mu.Unlock()
		if got >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d webhooks arrived within %s, want %d", got, d, n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func (r *receiver) Close() { _ = r.srv.Close() }
