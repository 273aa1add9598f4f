package fault_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/client/onerway"
)

// target is a provider's operation the request cases fail: how to send
// one, whether the provider made what it asked, and how the provider's
// answers look.
type target struct {
	name      string
	operation string
	// prepare readies a request of the operation, ref telling it from the
	// test's others: send sends it with the X-Sim-Fault header (none when
	// ""), made says whether the provider made what it asked.
	prepare func(e *env, ref string) (send func(fault string) *reply, made func() bool)
	// wantError checks an error the fault wrote in the provider's shape
	// for status, code and message as the action gives them.
	wantError func(t *testing.T, r *reply, status int, code, message string)
	// wantDone checks the answer of a request the provider made.
	wantDone func(t *testing.T, r *reply)
	// start is how the answer of a request made begins.
	start string
}

// targets are the operations every request case runs against, through
// the simulator's real Tabby API and real Onerway gateway.
var targets = []target{
	{
		name: "tabby capture", operation: "tabby.capture", start: `{"id":`, wantError: wantTabbyError,
		prepare: func(e *env, ref string) (func(string) *reply, func() bool) {
			id := e.authorized()
			return func(fault string) *reply {
					return e.call(http.MethodPost, "/api/v2/payments/"+id+"/captures", captureBody(ref), fault)
				}, func() bool {
					return len(e.payment(id).Captures) == 1
				}
		},
		wantDone: func(t *testing.T, r *reply) {
			wantJSON(t, r, 200)
			if r.str("status") != "CLOSED" {
				t.Errorf("body %s, want the captured payment", r.body)
			}
		},
	},
	{
		name: "onerway doTransaction", operation: "onerway.do_transaction", start: `{"respCode":"20000"`, wantError: wantOnerwayError,
		prepare: func(e *env, ref string) (func(string) *reply, func() bool) {
			return func(fault string) *reply {
					return e.owCall(onerway.PathDoTransaction, e.owPayment(ref), fault)
				}, func() bool {
					return e.owMade(ref) == 1
				}
		},
		wantDone: func(t *testing.T, r *reply) {
			wantJSON(t, r, 200)
			if r.str("respCode") != "20000" || r.str("data.status") != "R" || r.str("data.transactionId") == "" {
				t.Errorf("body %s, want the payment accepted", r.body)
			}
		},
	},
	{
		name: "onerway onlineRefund", operation: "onerway.online_refund", start: `{"respCode":"20000"`, wantError: wantOnerwayError,
		prepare: func(e *env, ref string) (func(string) *reply, func() bool) {
			paid := e.owPaid("order-" + ref)
			return func(fault string) *reply {
					return e.owCall(onerway.PathRefund, e.owRefund(ref, paid), fault)
				}, func() bool {
					return e.owMade(ref) == 1
				}
		},
		wantDone: func(t *testing.T, r *reply) {
			wantJSON(t, r, 200)
			if r.str("respCode") != "20000" || gjson.GetBytes(r.body, "data").Type != gjson.String || r.str("data") == "" {
				t.Errorf("body %s, want the refund's transactionId", r.body)
			}
		},
	},
}

// requestCases are every action kind on requests, each as a rule's action
// and as the X-Sim-Fault header, with what the client must see and
// whether what the request asked was made all the same.
var requestCases = []struct {
	name    string
	action  map[string]any
	header  string
	applied bool
	check   func(t *testing.T, p target, r *reply)
}{
	{"status 503", map[string]any{"kind": "status", "status": 503}, "status=503", false, func(t *testing.T, p target, r *reply) {
		p.wantError(t, r, 503, "", "")
	}},
	{"status 500", map[string]any{"kind": "status"}, "status=500", false, func(t *testing.T, p target, r *reply) {
		p.wantError(t, r, 500, "", "")
	}},
	{"status 429 with Retry-After", map[string]any{"kind": "status", "status": 429, "retry_after": 2}, "status=429; retry_after=2", false,
		func(t *testing.T, p target, r *reply) {
			p.wantError(t, r, 429, "", "")
			if r.header.Get("Retry-After") != "2" {
				t.Errorf("Retry-After %q, want 2", r.header.Get("Retry-After"))
			}
		}},
	{"status with a code and a message", map[string]any{"kind": "status", "status": 403, "code": "no_permission", "message": "merchant is blocked"},
		"status=403; code=no_permission; message=merchant is blocked", false, func(t *testing.T, p target, r *reply) {
			p.wantError(t, r, 403, "no_permission", "merchant is blocked")
		}},
	{"status 200", map[string]any{"kind": "status", "status": 200}, "status=200", false, func(t *testing.T, p target, r *reply) {
		p.wantError(t, r, 200, "", "")
	}},
	{"status 200 with a code and a message", map[string]any{"kind": "status", "status": 200, "code": "40001", "message": "Signature error: sign"},
		"status=200; code=40001; message=Signature error: sign", false, func(t *testing.T, p target, r *reply) {
			p.wantError(t, r, 200, "40001", "Signature error: sign")
		}},
	{"html firewall page", map[string]any{"kind": "html"}, "html=403", false, func(t *testing.T, p target, r *reply) {
		wantText(t, r, 403, "text/html", "<!DOCTYPE html>")
	}},
	{"plain-text 502", map[string]any{"kind": "text", "status": 502}, "text=502", false, func(t *testing.T, p target, r *reply) {
		wantText(t, r, 502, "text/plain", "502 Bad Gateway")
	}},
	{"malformed JSON", map[string]any{"kind": "malformed"}, "malformed", false, func(t *testing.T, p target, r *reply) {
		wantUnreadable(t, r, 200)
	}},
	{"truncated answer", map[string]any{"kind": "truncate"}, "truncate", true, func(t *testing.T, p target, r *reply) {
		wantUnreadable(t, r, 200)
		if !strings.HasPrefix(string(r.body), p.start) {
			t.Errorf("body %s, want the start of the answer, %s", r.body, p.start)
		}
	}},
	{"delay", map[string]any{"kind": "delay", "duration": "20ms"}, "delay=20ms", true, func(t *testing.T, p target, r *reply) {
		p.wantDone(t, r)
	}},
	{"reset", map[string]any{"kind": "reset"}, "reset", false, func(t *testing.T, _ target, r *reply) { wantReset(t, r) }},
	{"close", map[string]any{"kind": "close"}, "close", false, func(t *testing.T, _ target, r *reply) { wantClosed(t, r) }},
	{"after: 500", map[string]any{"kind": "after", "then": 500}, "after=500", true, func(t *testing.T, p target, r *reply) {
		p.wantError(t, r, 500, "", "")
	}},
	{"after: 503", map[string]any{"kind": "after", "then": 503}, "after=503", true, func(t *testing.T, p target, r *reply) {
		p.wantError(t, r, 503, "", "")
	}},
	{"after: reset", map[string]any{"kind": "after", "then": "reset"}, "after=reset", true, func(t *testing.T, _ target, r *reply) { wantReset(t, r) }},
	{"after: close", map[string]any{"kind": "after", "then": "close"}, "after=close", true, func(t *testing.T, _ target, r *reply) { wantClosed(t, r) }},
	{"after: timeout", map[string]any{"kind": "after", "then": "timeout", "hold": "20ms"}, "after=timeout; hold=20ms", true,
		func(t *testing.T, _ target, r *reply) { wantClosed(t, r) }},
}

// TestActions_OnRequests: each action kind, as a rule and as the header,
// reaches the client over real HTTP as it says, for each provider; what
// the request asked is made or not as the kind says; the journal names the
// fault, with status 0 for a connection dropped without an answer.
func TestActions_OnRequests(t *testing.T) {
	for _, p := range targets {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			for _, c := range requestCases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					e := newEnv(t)
					rule := e.addRule(map[string]any{"match": map[string]any{"operation": p.operation}, "action": c.action, "scope": map[string]any{"first": 1}})
					for _, via := range []struct{ name, header, label string }{{"rule", "", rule.ID}, {"header", c.header, c.header}} {
						send, made := p.prepare(e, "ref-"+via.name)
						seq := e.seq()
						r := send(via.header)
						c.check(t, p, r)
						if m := made(); m != c.applied {
							t.Errorf("%s: made %v, want %v", via.name, m, c.applied)
						}
						entry := e.entryAfter(seq)
						if entry.Fault != via.label || entry.Operation != p.operation {
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
		})
	}
}

// tabbyErrorTypes are the errorTypes Tabby's shape gives the statuses the
// request cases use when the action names none: its error table's, else
// the status's name in snake case.
var tabbyErrorTypes = map[int]string{200: "ok", 403: "no_permission", 429: "too_many_requests", 503: "service_unavailable"}

// wantTabbyError wants Tabby's envelope, or for a bare 500 the plain text
// Tabby sends.
func wantTabbyError(t *testing.T, r *reply, status int, code, message string) {
	t.Helper()
	if status == 500 && code == "" && message == "" {
		wantText(t, r, 500, "text/plain", "Internal Server error")
		return
	}
	if code == "" {
		code = tabbyErrorTypes[status]
	}
	if message == "" {
		message = strings.ToLower(http.StatusText(status))
	}
	wantJSON(t, r, status)
	if r.str("status") != "error" || r.str("errorType") != code || r.str("error") != message {
		t.Errorf("body %s, want Tabby's envelope with errorType %q and error %q", r.body, code, message)
	}
}

// wantOnerwayError wants Onerway's envelope on HTTP 200, respCode 11001
// System exception unless the action names another, and data null; on any
// other status, the plain text a gateway in front of Onerway sends.
func wantOnerwayError(t *testing.T, r *reply, status int, code, message string) {
	t.Helper()
	if status != 200 {
		if message == "" {
			message = fmt.Sprintf("%d %s", status, http.StatusText(status))
		}
		wantText(t, r, status, "text/plain", message+"\n")
		if string(r.body) != message+"\n" {
			t.Errorf("body %q, want %q", r.body, message+"\n")
		}
		return
	}
	if code == "" {
		code, message = "11001", "System exception"
	}
	wantJSON(t, r, 200)
	if r.str("respCode") != code || r.str("respMsg") != message || gjson.GetBytes(r.body, "data").Type != gjson.Null {
		t.Errorf("body %s, want {respCode %s, respMsg %q, data null}", r.body, code, message)
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
