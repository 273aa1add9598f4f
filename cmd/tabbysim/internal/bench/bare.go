package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"
)

// answer is an answer recorded from the simulator, served again by the
// stand-ins: same status, same headers, same body, so the same bytes.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// record sends one request to the simulator and keeps its answer, which
// must have status want; with another status it returns the answer too.
func record(ctx context.Context, method, url string, header http.Header, body []byte, want int) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	h := resp.Header.Clone()
	h.Del("Date") // net/http adds its own
	h.Del("Content-Length")
	a := answer{status: resp.StatusCode, header: h, body: b}
	if resp.StatusCode != want {
		return a, fmt.Errorf("%s %s: %d, want %d: %s", method, req.URL.Path, resp.StatusCode, want, excerpt(b))
	}
	return a, nil
}

// route is a request the stand-ins answer with a recorded answer.
type route struct {
	method string
	// path is a net/http pattern, such as /api/v2/payments/{id}.
	path string
	// wiremock is the path as a WireMock urlPathPattern.
	wiremock string
}

var (
	routeCreate   = route{http.MethodPost, pathCheckout, pathCheckout}
	routeRetrieve = route{http.MethodGet, pathPayment, "/api/v2/payments/[^/]+"}
	routeList     = route{http.MethodGet, pathList, pathList}
	routeCapture  = route{http.MethodPost, pathCapture, "/api/v2/payments/[^/]+/captures"}
	routeCustomer = route{http.MethodPost, pathCustomer, "/_sim/v1/payments/[^/]+/customer"}
	routeOnerway  = route{http.MethodPost, "/v1/txn/doTransaction", "/v1/txn/doTransaction"}
)

// stub is a route with its answer and the webhooks sent after it.
type stub struct {
	route
	answer
	webhooks [][]byte
}

// bare is a bare net/http server answering fixed bodies: the fastest a Go
// HTTP server can be on this machine, the yardstick of every case.
type bare struct {
	URL  string
	srv  *http.Server
	hook *http.Client
}

// startBare serves stubs on a loopback port. A stub's webhooks are posted,
// in order, to receiver after its answer, as the simulator's outbox would.
func startBare(stubs []stub, receiver string) (*bare, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	// Webhooks keep their connections alive, as the simulator's outbox does.
	hooks := &http.Transport{MaxIdleConnsPerHost: 256}
	b := &bare{URL: "http://" + ln.Addr().String(), hook: &http.Client{Transport: hooks, Timeout: webhookWait}}
	mux := http.NewServeMux()
	for _, s := range stubs {
		mux.HandleFunc(s.method+" "+s.path, func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			for k, v := range s.header {
				w.Header()[k] = v
			}
			w.WriteHeader(s.status)
			_, _ = w.Write(s.body)
			if len(s.webhooks) > 0 {
				go b.post(receiver, s.webhooks)
			}
		})
	}
	b.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = b.srv.Serve(ln) }()
	return b, nil
}

func (b *bare) post(url string, bodies [][]byte) {
	for _, body := range bodies {
		resp, err := b.hook.Post(url, "application/json", bytes.NewReader(body))
		if err != nil {
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

func (b *bare) Close() {
	_ = b.srv.Close()
	b.hook.CloseIdleConnections()
}
