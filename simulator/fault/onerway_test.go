package fault_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/mux"
	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/internal/surface"
	"github.com/tabbysim/tabbysim/simulator/onerway/onerwayapi"
)

// gateway is a stand-in for the Onerway gateway's API, mounted on a
// simulator's fault rules and journal as a provider's API is: requests to
// /v1/txn/doTransaction and /v1/txn/onlineRefund are the default
// merchant's onerway.do_transaction and onerway.online_refund, answered with
// respCode 20000.
type gateway struct {
	url     string
	handled atomic.Int32
}

func newGateway(t *testing.T, sim *simulator.Server) *gateway {
	t.Helper()
	g := &gateway{}
	root := mux.NewRouter()
	s := surface.Mount(root, "/v1", gatewayAnswers{}, nil,
		surface.Identify(gatewayIdentity{}), sim.Journal.Middleware, sim.Faults.Middleware(onerwayapi.FaultShape{}))
	ok := func(w http.ResponseWriter, r *http.Request) {
		g.handled.Add(1)
		onerwayapi.Write(w, onerwayapi.Success(nil))
	}
	s.HandleFunc("/v1/txn/doTransaction", ok).Methods(http.MethodPost).Name("onerway.do_transaction")
	s.HandleFunc("/v1/txn/onlineRefund", ok).Methods(http.MethodPost).Name("onerway.online_refund")
	srv := httptest.NewServer(root)
	t.Cleanup(srv.Close)
	g.url = srv.URL
	return g
}

type gatewayIdentity struct{}

func (gatewayIdentity) Identify(r *http.Request) surface.Identity {
	return surface.Identity{Provider: "onerway", Operation: surface.Operation(mux.CurrentRoute(r).GetName()), Merchant: simulator.DefaultMerchantID}
}

type gatewayAnswers struct{}

func (gatewayAnswers) NotFound(w http.ResponseWriter, r *http.Request)         { http.NotFound(w, r) }
func (gatewayAnswers) MethodNotAllowed(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }
func (gatewayAnswers) Internal(w http.ResponseWriter, r *http.Request)         { http.NotFound(w, r) }

func (g *gateway) post(t *testing.T, path, fault string) *reply {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, g.url+path, strings.NewReader(`{"merchantNo": "800000"}`))
	if fault != "" {
		req.Header.Set("X-Sim-Fault", fault)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return &reply{err: err}
	}
	defer resp.Body.Close()
	out := &reply{status: resp.StatusCode, header: resp.Header}
	out.body = readAll(resp)
	return out
}

// wantRefusal wants Onerway's envelope on HTTP 200 with code and message.
func wantRefusal(t *testing.T, r *reply, code, msg string) {
	t.Helper()
	if r.err != nil || r.status != http.StatusOK || r.str("respCode") != code || r.str("respMsg") != msg ||
		gjson.GetBytes(r.body, "data").Type != gjson.Null {
		t.Errorf("got %d %s (%v), want 200 {respCode %s, respMsg %q, data null}", r.status, r.body, r.err, code, msg)
	}
}

// TestOnerwayShape: rules and the header answer an Onerway request in
// Onerway's shape, built by onerwayapi's Failure and Write: respCode and
// respMsg on HTTP 200; a status other than 200 as a gateway in front of
// it sends one, in plain text.
func TestOnerwayShape(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	g := newGateway(t, e.sim)
	wantRefusal(t, g.post(t, "/v1/txn/doTransaction", "status=200; code=11001"), "11001", "System exception")
	wantRefusal(t, g.post(t, "/v1/txn/doTransaction", "status=200"), "11001", "System exception")
	wantRefusal(t, g.post(t, "/v1/txn/doTransaction", "status=200; code=40001; message=Signature error: sign"), "40001", "Signature error: sign")
	if r := g.post(t, "/v1/txn/doTransaction", "status=502"); r.status != 502 || string(r.body) != "502 Bad Gateway\n" ||
		!strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Errorf("a 502 from a gateway in front: %d %q", r.status, r.body)
	}
	if r := g.post(t, "/v1/txn/doTransaction", "status=429; retry_after=3"); r.status != 429 || r.header.Get("Retry-After") != "3" {
		t.Errorf("a 429 from a gateway in front: %d %q %v", r.status, r.body, r.header)
	}
	if n := g.handled.Load(); n != 0 {
		t.Fatalf("the gateway handled %d refused requests", n)
	}
	if r := g.post(t, "/v1/txn/doTransaction", "after=500"); r.status != 500 || g.handled.Load() != 1 {
		t.Errorf("after=500: %d %q, handled %d; want the request handled, then a 500", r.status, r.body, g.handled.Load())
	}
	entries, err := e.ctl.Journal(context.Background(), simulator.DefaultMerchantID, 1)
	if err != nil || len(entries) != 1 || entries[0].Provider != "onerway" || entries[0].Operation != "onerway.do_transaction" || entries[0].Fault != "after=500" {
		t.Fatalf("the journal: %+v %v", entries, err)
	}
}

// TestOnerwayScenarios: the shipped Onerway scenarios do what they say.
func TestOnerwayScenarios(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("onerway-system-errors", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t)
		g := newGateway(t, e.sim)
		if _, err := e.ctl.ApplyScenario(ctx, simulator.DefaultMerchantID, "onerway-system-errors"); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/v1/txn/doTransaction", "/v1/txn/onlineRefund"} {
			wantRefusal(t, g.post(t, path, ""), "11001", "System exception")
			if r := g.post(t, path, ""); r.str("respCode") != "20000" {
				t.Errorf("%s the second time: %s, want it handled", path, r.body)
			}
		}
	})
	t.Run("onerway-signature-rejections", func(t *testing.T) {
		t.Parallel()
		e := newEnvWith(t, simulator.Config{Seed: 3})
		g := newGateway(t, e.sim)
		if _, err := e.ctl.ApplyScenario(ctx, simulator.DefaultMerchantID, "onerway-signature-rejections"); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			wantRefusal(t, g.post(t, "/v1/txn/doTransaction", ""), "40001", "Signature error: sign does not match the merchant's secret key")
		}
		if _, err := e.ctl.Advance(ctx, simulator.DefaultMerchantID, 10*time.Minute); err != nil {
			t.Fatal(err)
		}
		if r := g.post(t, "/v1/txn/onlineRefund", ""); r.str("respCode") != "20000" {
			t.Errorf("ten minutes later: %s, want the request handled", r.body)
		}
	})
}
