package fault

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"

	"github.com/tabbysim/tabbysim/simulator/internal/httpjson"
	"github.com/tabbysim/tabbysim/simulator/internal/surface"
	"github.com/tabbysim/tabbysim/simulator/journal"
	"github.com/tabbysim/tabbysim/simulator/store"
)

// Middleware is the layer a provider's API is mounted with, behind
// surface.Identify and the journal: it applies the fault the X-Sim-Fault
// header asks for, or else the action of the first rule, oldest first,
// that matches the request and fires, and marks the journal entry with
// the header's value or the rule's id. A rule that matches but does not
// fire (out of its scope) lets the rules after it try; once one fires,
// those after it do not see the request. Shape writes the provider's
// errors.
func (e *Engine) Middleware(shape Shape) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			act, label, ok := e.choose(w, r)
			if !ok {
				return
			}
			if act == nil {
				next.ServeHTTP(w, r)
				return
			}
			journal.MarkFault(r.Context(), label)
			e.Metrics.FaultFired(surface.IdentityOf(r.Context()).Provider, act.Kind())
			act.Serve(&Exchange{w: w, r: r, next: next, shape: shape, stop: e.stopping()})
		})
	}
}

// choose finds the request's fault and the label the journal gives it;
// nil when there is none. ok is false when it answered the request itself:
// a malformed X-Sim-Fault is refused, never ignored.
func (e *Engine) choose(w http.ResponseWriter, r *http.Request) (act RequestAction, label string, ok bool) {
	if values := r.Header.Values(Header); len(values) > 0 {
		if len(values) > 1 {
			refuseHeader(w, "send one "+Header+" header, not "+strconv.Itoa(len(values)))
			return nil, "", false
		}
		act, err := ParseHeader(values[0])
		if err != nil {
			refuseHeader(w, err.Error()+"; "+HeaderForms)
			return nil, "", false
		}
		return act, values[0], true
	}
	rule, err := e.pick(r)
	if err != nil {
		// The rules could not be read: the request goes through unharmed.
		if e.Log != nil {
			e.Log.Error("reading the fault rules", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		return nil, "", true
	}
	if rule == nil {
		return nil, "", true
	}
	return rule.Action.Action.(RequestAction), rule.ID, true
}

// refuseHeader answers a malformed X-Sim-Fault in the control API's shape:
// it is the simulator that refuses it, not the provider.
func refuseHeader(w http.ResponseWriter, msg string) {
	_ = httpjson.Write(w, http.StatusBadRequest, map[string]string{"error": Header + ": " + msg}, "  ")
}

// pick finds the rule that fails request r, counting the match of every
// active rule it tries; nil when none fires.
func (e *Engine) pick(r *http.Request) (*Rule, error) {
	id := surface.IdentityOf(r.Context())
	// A match counts even when the client has gone since.
	ctx := context.WithoutCancel(r.Context())
	var candidates []Rule
	err := e.Store.View(ctx, func(tx store.Tx) error {
		rules, err := e.list(tx, "")
		for _, rule := range rules {
			if (rule.Merchant == "" || rule.Merchant == id.Merchant) && rule.Match.request(id, r) {
				candidates = append(candidates, rule)
			}
		}
		return err
	})
	if err != nil || len(candidates) == 0 {
		return nil, err
	}
	if needsBody(candidates) {
		body := peekBody(r)
		kept := candidates[:0]
		for _, c := range candidates {
			if c.Match.body(body) {
				kept = append(kept, c)
			}
		}
		if candidates = kept; len(candidates) == 0 {
			return nil, nil
		}
	}
	now := e.now(id.Merchant)
	var fired *Rule
	err = e.Store.Update(ctx, func(tx store.Tx) error {
		for _, c := range candidates {
			rule, fires, err := e.count(tx, c.ID, now)
			if err != nil {
				return err
			}
			if fires {
				fired = rule
				return nil
			}
		}
		return nil
	})
	return fired, err
}

func needsBody(rules []Rule) bool {
	for _, r := range rules {
		if len(r.Match.Body) > 0 {
			return true
		}
	}
	return false
}

// peekBody reads the start of r's body, as much as a provider reads, and
// leaves the whole stream for the handler.
func peekBody(r *http.Request) []byte {
	if r.Body == nil {
		return nil
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, httpjson.MaxBody+1))
	r.Body = readCloser{io.MultiReader(bytes.NewReader(b), r.Body), r.Body}
	return b
}

type readCloser struct {
	io.Reader
	io.Closer
}
