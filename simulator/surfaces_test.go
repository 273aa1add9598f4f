package simulator_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tidwall/gjson"
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
	send := func(method, path, key string, body any) *resp {
		t.Helper()
		req, err := http.NewRequest(method, e.url+path, jsonBody(body))
		if err != nil {
			t.Fatal(err)
		}
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		res, err := e.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		r := &resp{status: res.StatusCode, header: res.Header}
		r.body, _ = io.ReadAll(res.Body)
		r.j = gjson.ParseBytes(r.body)
		return r
	}
	plain := func(r *resp, status int, text string) {
		t.Helper()
		if r.status != status || strings.TrimSpace(string(r.body)) != text || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
			t.Errorf("got %d %q (%s), want %d %q in plain text", r.status, r.body, r.header.Get("Content-Type"), status, text)
		}
	}
	control := func(r *resp, status int, text string) {
		t.Helper()
		if r.status != status || !strings.Contains(r.str("error"), text) || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
			t.Errorf("got %d %q (%s), want %d with an error about %q", r.status, r.body, r.header.Get("Content-Type"), status, text)
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
	plain(send(http.MethodPost, "/api/v2/checkout", sk, checkoutBody()), http.StatusInternalServerError, "Internal Server error")
	st.armed.Store(true)
	control(send(http.MethodPost, "/_sim/v1/merchants", "", map[string]any{}), http.StatusInternalServerError, "internal error")

	j := send(http.MethodGet, "/_sim/v1/journal?limit=1", "", nil)
	if got := j.j.Get("entries.0"); got.Get("operation").String() != "tabby.create_session" || got.Get("status").Int() != http.StatusInternalServerError {
		t.Errorf("the journal's newest entry is %s, want the create-session that panicked, with its 500", got.Raw)
	}
}
