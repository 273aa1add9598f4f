// Package e2e is the simulator's end-to-end test environment, shared by the
// tests of the Tabby API, the control API, the webhook engine and the
// simulator's wiring: a simulator served on a loopback port, merchants made
// through the control API, requests over real HTTP, and every answer of the
// Tabby API checked against Tabby's OpenAPI contract.
package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/tabby/openapi"
)

// Env is a simulator reached over real HTTP.
type Env struct {
	Sim *simulator.Simulator
	// URL is where it listens, which is also its public URL.
	URL string
	// Client sends the requests; it does not follow redirects, so a test
	// sees where the simulator sends a browser.
	Client *http.Client
}

// Listen starts a simulator on a free loopback port; stop stops it.
func Listen(cfg simulator.Config) (e *Env, stop func(), err error) {
	sim, err := simulator.Listen("127.0.0.1:0", cfg)
	if err != nil {
		return nil, nil, err
	}
	client := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Env{Sim: sim.Simulator, URL: sim.URL, Client: client}, func() { sim.Close() }, nil
}

// Start starts a simulator of the test's own, stopped when the test ends.
func Start(t testing.TB, cfg simulator.Config) *Env {
	t.Helper()
	e, stop, err := Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return e
}

// Main runs a test binary's tests against one simulator, started with cfg
// and kept in *shared; tests are isolated from each other by merchant,
// which is the isolation the simulator promises. Call it from TestMain.
func Main(m *testing.M, cfg simulator.Config, shared **Env) {
	e, stop, err := Listen(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	*shared = e
	code := m.Run()
	stop()
	os.Exit(code)
}

// Resp is one answer.
type Resp struct {
	Status int
	Header http.Header
	Body   []byte
	// JSON is the body parsed, when it is JSON.
	JSON gjson.Result
}

// Str reads the string at a gjson path of the body.
func (r *Resp) Str(path string) string { return r.JSON.Get(path).String() }

// Text is the body without surrounding white space.
func (r *Resp) Text() string { return string(bytes.TrimSpace(r.Body)) }

func (r *Resp) String() string { return fmt.Sprintf("HTTP %d %s", r.Status, r.Text()) }

// Decode decodes the body into v.
func (r *Resp) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r, err)
	}
}

// Spec says what Tabby's OpenAPI contract must make of an answer of the
// Tabby API.
type Spec int

const (
	// SpecValid: the answer matches the contract.
	SpecValid Spec = iota
	// SpecUnknownOp: the operation is not in the contract (an unknown
	// route, a wrong method).
	SpecUnknownOp
	// SpecUndocumented: the status is not documented for the operation.
	SpecUndocumented
	// SpecConflict: the answer is deliberately not what the contract says
	// (a known conflict, named where it is used); the check must still
	// report it, so that a change on either side is noticed.
	SpecConflict
)

// Req is one request.
type Req struct {
	Method string
	Path   string
	// Key is sent as a bearer token; "" sends no Authorization header.
	Key    string
	Header map[string]string
	// Body is sent as JSON; a string is sent as it is; nil sends none.
	Body any
	Spec Spec
}

// Do sends r and, for the Tabby API (paths under /api/), checks the answer
// against the OpenAPI contract as r.Spec says.
func (e *Env) Do(t testing.TB, r Req) *Resp {
	t.Helper()
	var body io.Reader
	switch b := r.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("marshal body: %v", err)
		}
		body = bytes.NewReader(j)
	}
	req, err := http.NewRequest(r.Method, e.URL+r.Path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.Key != "" {
		req.Header.Set("Authorization", "Bearer "+r.Key)
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	res, err := e.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", r.Method, r.Path, err)
	}
	out := &Resp{Status: res.StatusCode, Header: res.Header, Body: b}
	if gjson.ValidBytes(b) {
		out.JSON = gjson.ParseBytes(b)
	}
	if strings.HasPrefix(r.Path, "/api/") {
		checkSpec(t, r, out)
	}
	return out
}

func checkSpec(t testing.TB, r Req, out *Resp) {
	t.Helper()
	err := openapi.Validate(r.Method, r.Path, out.Status, out.Header.Get("Content-Type"), out.Body)
	switch r.Spec {
	case SpecValid:
		if err != nil {
			t.Errorf("%s %s → %d: answer breaks the OpenAPI contract: %v\nbody: %s", r.Method, r.Path, out.Status, err, out.Body)
		}
	case SpecUnknownOp:
		if !errors.Is(err, openapi.ErrUnknownOperation) {
			t.Errorf("%s %s: want openapi.ErrUnknownOperation, got %v", r.Method, r.Path, err)
		}
	case SpecUndocumented:
		if !errors.Is(err, openapi.ErrUndocumentedStatus) {
			t.Errorf("%s %s → %d: want openapi.ErrUndocumentedStatus, got %v", r.Method, r.Path, out.Status, err)
		}
	case SpecConflict:
		if err == nil || errors.Is(err, openapi.ErrUnknownOperation) || errors.Is(err, openapi.ErrUndocumentedStatus) {
			t.Errorf("%s %s → %d: want a schema violation (known conflict), got %v", r.Method, r.Path, out.Status, err)
		}
	}
}

// Ctl calls the control API at path (under /_sim/v1).
func (e *Env) Ctl(t testing.TB, method, path string, body any) *Resp {
	t.Helper()
	return e.Do(t, Req{Method: method, Path: "/_sim/v1" + path, Body: body})
}
