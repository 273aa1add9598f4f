package simulator_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
)

// held is how long a test waits for the server to close a connection it
// should close far sooner; reaching it means the server held on.
const held = 10 * time.Second

// dial opens a raw connection to the server at url.
func dial(t *testing.T, url string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// wantClosed reads what the server still sends and fails the test unless
// the server closes the connection.
func wantClosed(t *testing.T, conn net.Conn, r io.Reader) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(held))
	_, err := io.Copy(io.Discard, r)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server still holds the connection after %s", held)
	}
}

// TestListen_SlowBodyIsCutOff: a client sending its body a byte at a time
// is cut off once the read timeout has passed, however steadily it sends.
func TestListen_SlowBodyIsCutOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t, simulator.Config{Seed: 11, ReadTimeout: 200 * time.Millisecond})
	conn := dial(t, e.URL)
	_, err := io.WriteString(conn, "POST /api/v2/checkout HTTP/1.1\r\nHost: sim\r\nAuthorization: Bearer "+
		simulator.DefaultSecretKey+"\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				if _, err := io.WriteString(conn, " "); err != nil {
					return
				}
			}
		}
	}()
	wantClosed(t, conn, conn)
}

// TestListen_IdleConnectionIsClosed: a kept-alive connection that sends no
// new request is closed after the idle timeout.
func TestListen_IdleConnectionIsClosed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, simulator.Config{Seed: 12, IdleTimeout: 200 * time.Millisecond})
	conn := dial(t, e.URL)
	if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: sim\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Close {
		t.Fatalf("GET /healthz: %d, close %v; want 200 on a kept-alive connection", res.StatusCode, res.Close)
	}
	wantClosed(t, conn, br)
}

// TestListen_HeaderSizeIsCapped: a request whose headers pass the cap gets
// 431 instead of being read into memory.
func TestListen_HeaderSizeIsCapped(t *testing.T) {
	t.Parallel()
	e := newEnv(t, simulator.Config{Seed: 13})
	req, _ := http.NewRequest(http.MethodGet, e.URL+"/healthz", nil)
	req.Header.Set("X-Big", strings.Repeat("a", 128<<10))
	res, err := e.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("128 KiB of headers: %d, want 431", res.StatusCode)
	}
}

// TestListen_LongAdvanceCompletes: a clock advance waits for the webhook
// tries it fires, however long they take; the read and write timeouts,
// meant for slow clients, do not cut it.
func TestListen_LongAdvanceCompletes(t *testing.T) {
	t.Parallel()
	const timeout = 200 * time.Millisecond
	e := newEnv(t, simulator.Config{Seed: 14, ReadTimeout: timeout, WriteTimeout: timeout})
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
	}))
	t.Cleanup(hook.Close)
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	t.Cleanup(free) // before hook.Close, which waits for the handler

	m := e.NewMerchant(t, nil)
	e2e.WantStatus(t, m.RegisterWebhook(hook.URL, nil), http.StatusOK)
	m.Authorized("100.00")

	type answer struct {
		status int
		body   []byte
		err    error
	}
	advanced := make(chan answer, 1)
	go func() {
		res, err := e.Client.Post(e.URL+"/_sim/v1/merchants/"+m.ID+"/clock/advance", "application/json", strings.NewReader(`{"by": "0s"}`))
		if err != nil {
			advanced <- answer{err: err}
			return
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		advanced <- answer{res.StatusCode, body, err}
	}()
	select {
	case <-arrived:
	case a := <-advanced:
		t.Fatalf("the advance answered before the webhook arrived: %d %s %v", a.status, a.body, a.err)
	}
	time.Sleep(2 * timeout) // the advance outlives both timeouts
	free()
	a := <-advanced
	if a.err != nil || a.status != http.StatusOK || gjson.GetBytes(a.body, "now").String() == "" {
		t.Fatalf("advance: %d %s %v; want 200 with the clock", a.status, a.body, a.err)
	}
}
