package simulator_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
	"github.com/tabbysim/tabbysim/simulator/store"
)

// buggy is a store whose next write panics once armed, as a bug in a
// handler would.
type buggy struct {
	store.Store
	armed atomic.Bool
}

func (b *buggy) Update(ctx context.Context, fn func(store.Tx) error) error {
	if b.armed.CompareAndSwap(true, false) {
		panic("a bug")
	}
	return b.Store.Update(ctx, fn)
}

// TestSurfaces_AnswerInTheirOwnShape: what a surface's handlers never see
// (an unknown path, a wrong method) and a handler that panics are answered
// in that surface's own shape: Tabby's API in Go's plain text, as Tabby's
// servers answer (README's error table), the control API in its JSON
// {"error": ...}. A Tabby request that panicked is still in the journal.
func TestSurfaces_AnswerInTheirOwnShape(t *testing.T) {
	t.Parallel()
	st := &buggy{Store: store.NewMemory()}
	e := newEnv(t, simulator.Config{Seed: 9, Store: st})
	// Tabby's contract knows none of these requests but the checkout,
	// whose 500 it documents in JSON where Tabby's servers answer in plain
	// text (a known conflict).
	send := func(method, path, key string, body any) *e2e.Resp {
		t.Helper()
		spec := e2e.SpecUnknownOp
		if path == "/api/v2/checkout" && method == http.MethodPost {
			spec = e2e.SpecConflict
		}
		return e.Do(t, e2e.Req{Method: method, Path: path, Key: key, Body: body, Spec: spec})
	}
	plain := func(r *e2e.Resp, status int, text string) {
		t.Helper()
		if r.Status != status || strings.TrimSpace(string(r.Body)) != text || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
			t.Errorf("got %d %q (%s), want %d %q in plain text", r.Status, r.Body, r.Header.Get("Content-Type"), status, text)
		}
	}
	control := func(r *e2e.Resp, status int, text string) {
		t.Helper()
		if r.Status != status || !strings.Contains(r.Str("error"), text) || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			t.Errorf("got %d %q (%s), want %d with an error about %q", r.Status, r.Body, r.Header.Get("Content-Type"), status, text)
		}
	}
	sk := simulator.DefaultSecretKey

	plain(send(http.MethodGet, "/api/v2/nothing", sk, nil), http.StatusNotFound, "404 page not found")
	plain(send(http.MethodDelete, "/api/v2/checkout", sk, nil), http.StatusMethodNotAllowed, "405 method not allowed")
	plain(send(http.MethodPatch, "/api/v1/payments/00000000-0000-4000-8000-000000000000", sk, nil), http.StatusMethodNotAllowed, "405 method not allowed")
	control(send(http.MethodGet, "/_sim/v1/nothing", "", nil), http.StatusNotFound, "no control API route GET /_sim/v1/nothing")
	control(send(http.MethodPost, "/_sim/v1/health", "", nil), http.StatusMethodNotAllowed, "POST /_sim/v1/health")
	control(send(http.MethodDelete, "/_sim/v1/merchants", "", nil), http.StatusMethodNotAllowed, "DELETE /_sim/v1/merchants")

	st.armed.Store(true)
	plain(send(http.MethodPost, "/api/v2/checkout", sk, e2e.CheckoutBody()), http.StatusInternalServerError, "Internal Server error")
	st.armed.Store(true)
	control(send(http.MethodPost, "/_sim/v1/merchants", "", map[string]any{}), http.StatusInternalServerError, "internal error")

	j := send(http.MethodGet, "/_sim/v1/journal?limit=1", "", nil)
	if got := j.JSON.Get("entries.0"); got.Get("operation").String() != "tabby.create_session" || got.Get("status").Int() != http.StatusInternalServerError {
		t.Errorf("the journal's newest entry is %s, want the create-session that panicked, with its 500", got.Raw)
	}
}
