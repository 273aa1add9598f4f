package fault_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
)

// requestCases are every action kind on requests, each as a rule's action
// and as the X-Sim-Fault header, with what the client must see and
// whether the capture it failed was made all the same.
var requestCases = []struct {
	name    string
	action  map[string]any
	header  string
	applied bool
	check   func(t *testing.T, r *reply)
}{
	{"status 503 in Tabby's envelope", map[string]any{"kind": "status", "status": 503}, "status=503", false, func(t *testing.T, r *reply) {
		wantJSON(t, r, 503)
		if r.str("status") != "error" || r.str("errorType") != "service_unavailable" || r.str("error") != "service unavailable" {
			t.Errorf("body %s, want Tabby's envelope", r.body)
		}
	}},
	{"status 500 in plain text, as Tabby sends it", map[string]any{"kind": "status"}, "status=500", false, func(t *testing.T, r *reply) {
		wantText(t, r, 500, "text/plain", "Internal Server error")
	}},
	{"status 429 with Retry-After", map[string]any{"kind": "status", "status": 429, "retry_after": 2}, "status=429; retry_after=2", false, func(t *testing.T, r *reply) {
		wantJSON(t, r, 429)
		if r.header.Get("Retry-After") != "2" || r.str("errorType") != "too_many_requests" {
			t.Errorf("Retry-After %q, body %s", r.header.Get("Retry-After"), r.body)
		}
	}},
	{"status with Tabby's code and message", map[string]any{"kind": "status", "status": 403, "code": "no_permission", "message": "merchant is blocked"},
		"status=403; code=no_permission; message=merchant is blocked", false, func(t *testing.T, r *reply) {
			wantJSON(t, r, 403)
			if r.str("errorType") != "no_permission" || r.str("error") != "merchant is blocked" {
				t.Errorf("body %s", r.body)
			}
		}},
	{"html firewall page", map[string]any{"kind": "html"}, "html=403", false, func(t *testing.T, r *reply) {
		wantText(t, r, 403, "text/html", "<!DOCTYPE html>")
	}},
	{"plain-text 502", map[string]any{"kind": "text", "status": 502}, "text=502", false, func(t *testing.T, r *reply) {
		wantText(t, r, 502, "text/plain", "502 Bad Gateway")
	}},
	{"malformed JSON", map[string]any{"kind": "malformed"}, "malformed", false, func(t *testing.T, r *reply) {
		wantUnreadable(t, r, 200)
	}},
	{"truncated answer", map[string]any{"kind": "truncate"}, "truncate", true, func(t *testing.T, r *reply) {
		wantUnreadable(t, r, 200)
		if !strings.HasPrefix(string(r.body), `{"id":`) {
			t.Errorf("body %s, want the start of the payment", r.body)
		}
	}},
	{"delay", map[string]any{"kind": "delay", "duration": "20ms"}, "delay=20ms", true, func(t *testing.T, r *reply) {
		wantJSON(t, r, 200)
		if r.str("status") != "CLOSED" {
			t.Errorf("body %s, want the captured payment", r.body)
		}
	}},
	{"reset", map[string]any{"kind": "reset"}, "reset", false, wantReset},
	{"close", map[string]any{"kind": "close"}, "close", false, wantClosed},
	{"after: 500", map[string]any{"kind": "after", "then": 500}, "after=500", true, func(t *testing.T, r *reply) {
		wantText(t, r, 500, "text/plain", "Internal Server error")
	}},
	{"after: 503", map[string]any{"kind": "after", "then": 503}, "after=503", true, func(t *testing.T, r *reply) {
		wantJSON(t, r, 503)
	}},
	{"after: reset", map[string]any{"kind": "after", "then": "reset"}, "after=reset", true, wantReset},
	{"after: close", map[string]any{"kind": "after", "then": "close"}, "after=close", true, wantClosed},
	{"after: timeout", map[string]any{"kind": "after", "then": "timeout", "hold": "20ms"}, "after=timeout; hold=20ms", true, wantClosed},
}

// TestActions_OnRequests: each action kind, as a rule and as the header,
// reaches the client over real HTTP as it says; the capture it failed is
// made or not as the kind says; the journal names the fault, with status 0
// for a connection dropped without an answer.
func TestActions_OnRequests(t *testing.T) {
	for _, c := range requestCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			rule := e.addRule(map[string]any{"match": map[string]any{"operation": "tabby.capture"}, "action": c.action, "scope": map[string]any{"first": 1}})
			for _, via := range []struct{ name, header, label string }{{"rule", "", rule.ID}, {"header", c.header, c.header}} {
				id := e.authorized()
				seq := e.seq()
				r := e.call(http.MethodPost, "/api/v2/payments/"+id+"/captures", captureBody("cap-1"), via.header)
				c.check(t, r)
				if n := len(e.payment(id).Captures); (n == 1) != c.applied {
					t.Errorf("%s: the payment has %d captures; applied should be %v", via.name, n, c.applied)
				}
				entry := e.entryAfter(seq)
				if entry.Fault != via.label || entry.Operation != "tabby.capture" {
					t.Errorf("%s: the journal records fault %q on %s, want %q", via.name, entry.Fault, entry.Operation, via.label)
				}
				if dropped := r.err != nil; dropped != (entry.Status == 0) {
					t.Errorf("%s: the journal records status %d for an answer that was dropped: %v", via.name, entry.Status, dropped)
				}
			}
			if got := e.rule(rule.ID); got.Matched != 1 || got.Fired != 1 {
				t.Errorf("the rule matched %d and fired %d, want 1 and 1 (the header request is not counted)", got.Matched, got.Fired)
			}
		})
	}
}

func wantJSON(t *testing.T, r *reply, status int) {
	t.Helper()
	if r.err != nil || r.status != status || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") || !json.Valid(r.body) {
		t.Errorf("got %d %q %s (%v), want %d with JSON", r.status, r.header.Get("Content-Type"), r.body, r.err, status)
	}
}

func wantText(t *testing.T, r *reply, status int, contentType, start string) {
	t.Helper()
	if r.err != nil || r.status != status || !strings.HasPrefix(r.header.Get("Content-Type"), contentType) ||
		!strings.HasPrefix(string(r.body), start) {
		t.Errorf("got %d %q %q (%v), want %d %s starting %q", r.status, r.header.Get("Content-Type"), r.body, r.err, status, contentType, start)
	}
}

// wantUnreadable wants an answer that says it is JSON and is not.
func wantUnreadable(t *testing.T, r *reply, status int) {
	t.Helper()
	if r.err != nil || r.status != status || r.header.Get("Content-Type") != "application/json" || json.Valid(r.body) || len(r.body) == 0 {
		t.Errorf("got %d %q %q (%v), want %d with a body that is not JSON", r.status, r.header.Get("Content-Type"), r.body, r.err, status)
	}
}

func wantReset(t *testing.T, r *reply) {
	t.Helper()
	if !errors.Is(r.err, syscall.ECONNRESET) {
		t.Errorf("got %d %s (%v), want the connection reset", r.status, r.body, r.err)
	}
}

func wantClosed(t *testing.T, r *reply) {
	t.Helper()
	if !errors.Is(r.err, io.EOF) {
		t.Errorf("got %d %s (%v), want the connection closed without an answer", r.status, r.body, r.err)
	}
}
