package fault

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// Exchange is a request a rule's action fails, with what the action can
// answer it with.
type Exchange struct {
	w     http.ResponseWriter
	r     *http.Request
	next  http.Handler
	shape Shape
	stop  <-chan struct{}
}

// writeError answers status in the provider's error shape.
func (x *Exchange) writeError(status int, code, message string) {
	if x.shape == nil {
		http.Error(x.w, http.StatusText(status), status)
		return
	}
	x.shape.WriteError(x.w, status, code, message)
}

// write answers status with body as contentType.
func (x *Exchange) write(status int, contentType, body string) {
	x.w.Header().Set("Content-Type", contentType)
	x.w.WriteHeader(status)
	_, _ = io.WriteString(x.w, body)
}

// pass lets the request through to the provider.
func (x *Exchange) pass() { x.next.ServeHTTP(x.w, x.r) }

// apply has the provider handle the request, and keeps its answer from
// the client: the state changes, the client has not heard of it yet.
func (x *Exchange) apply() *answer {
	a := &answer{header: x.w.Header().Clone(), status: http.StatusOK}
	x.next.ServeHTTP(a, x.r)
	return a
}

// hold waits d. It returns false when the client went away first, true
// when d passed or the simulator is shutting down.
func (x *Exchange) hold(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-x.stop:
		return true
	case <-x.r.Context().Done():
		return false
	}
}

// drop ends the connection without an answer: with a TCP reset when reset
// is set (the client reads "connection reset by peer"), else with a plain
// close (it reads an unexpected end of file).
func (x *Exchange) drop(reset bool) {
	conn, _, err := http.NewResponseController(x.w).Hijack()
	if err != nil {
		// A connection that cannot be taken over (HTTP/2) is ended by
		// net/http itself.
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok && reset {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// answer is a provider's answer kept from the client.
type answer struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (a *answer) Header() http.Header { return a.header }

func (a *answer) WriteHeader(status int) {
	if !a.wrote {
		a.status, a.wrote = status, true
	}
}

func (a *answer) Write(b []byte) (int, error) {
	a.WriteHeader(http.StatusOK)
	return a.body.Write(b)
}

// replay sends the kept answer with its body cut to body.
func (a *answer) replay(w http.ResponseWriter, body []byte) {
	h := w.Header()
	for k := range h {
		delete(h, k)
	}
	for k, v := range a.header {
		h[k] = v
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(a.status)
	_, _ = w.Write(body)
}
