package fault_test

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/simulator/fault"
)

// TestParseHeader_DocumentedForms: every form the README shows reads as the
// action it names.
func TestParseHeader_DocumentedForms(t *testing.T) {
	for form, kind := range map[string]string{
		"status=500": "status", "status=429; retry_after=2": "status", "html=403": "html", "after=500": "after",
		"after=reset": "after", "reset": "reset", "delay=2s": "delay", "truncate": "truncate", "close": "close",
		"text=502": "text", "malformed": "malformed", "after=timeout; hold=5s": "after", "status=200; code=11001": "status",
	} {
		a, err := fault.ParseHeader(form)
		if err != nil || a.Kind() != kind {
			t.Errorf("%q: %v, %v; want a %s action", form, a, err, kind)
		}
	}
	a, err := fault.ParseHeader(" status = 429 ;retry_after= 2 ")
	if s, ok := a.(*fault.Status); err != nil || !ok || s.Status != 429 || s.RetryAfter != 2 {
		t.Errorf("spaces around the parts: %+v, %v", a, err)
	}
}

// TestHeader_Malformed: a malformed X-Sim-Fault is answered 400 by the
// simulator itself, in the control API's shape, naming the header, and
// the request is not handled.
func TestHeader_Malformed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := e.authorized()
	for value, why := range map[string]string{
		"":                        "unknown fault",
		"bogus":                   "unknown fault",
		"status=abc":              "status: want a whole number",
		"status=99":               "status: 99",
		"status=500; nope=1":      "nope: no such field",
		"status=500; retry_after": "write it as FIELD=VALUE",
		"reset=1":                 "reset takes no value",
		"drop":                    "acts on webhooks",
		"delay=soon":              "duration",
		"after=maybe":             "then",
		"html=200":                "status: 200",
	} {
		r := e.send(http.MethodPost, "/api/v2/payments/"+id+"/captures", e.merchant.Tabby.SecretKey, captureBody("cap-1"),
			http.Header{"X-Sim-Fault": {value}})
		msg := gjson.GetBytes(r.body, "error").String()
		if r.status != http.StatusBadRequest || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") ||
			!strings.HasPrefix(msg, "X-Sim-Fault: ") || !strings.Contains(msg, why) {
			t.Errorf("%q: got %d %s, want 400 {\"error\": \"X-Sim-Fault: …%s…\"}", value, r.status, r.body, why)
		}
	}
	two := e.send(http.MethodGet, "/api/v2/payments/"+id, e.merchant.Tabby.SecretKey, nil, http.Header{"X-Sim-Fault": {"reset", "status=500"}})
	if two.status != http.StatusBadRequest || !strings.Contains(string(two.body), "send one X-Sim-Fault header") {
		t.Errorf("two headers: got %d %s", two.status, two.body)
	}
	if n := len(e.payment(id).Captures); n != 0 {
		t.Fatalf("a request with a malformed header was handled: %d captures", n)
	}
}

// TestREADME_MatchesTheCode: every header value the README's table shows
// parses, and its table of actions lists every kind.
func TestREADME_MatchesTheCode(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := func(title string) string {
		_, rest, ok := strings.Cut(string(b), "\n"+title+"\n")
		if !ok {
			t.Fatalf("the README has no section %q", title)
		}
		body, _, _ := strings.Cut(rest, "\n### ")
		return body
	}
	firstCells := func(s string) []string {
		var out []string
		for _, line := range strings.Split(s, "\n") {
			if cell, ok := strings.CutPrefix(line, "| `"); ok {
				cell, _, _ = strings.Cut(cell, " |")
				for _, v := range strings.Split(cell, ", ") {
					out = append(out, strings.Trim(v, "`"))
				}
			}
		}
		return out
	}
	values := firstCells(section("### The `X-Sim-Fault` header"))
	if len(values) < 10 {
		t.Fatalf("found %d header values in the README", len(values))
	}
	for _, v := range values {
		if _, err := fault.ParseHeader(v); err != nil {
			t.Errorf("the README's header value %q: %v", v, err)
		}
	}
	kinds := map[string]bool{}
	for _, c := range firstCells(section("### Rules")) {
		kinds[c] = true
	}
	for _, k := range fault.Kinds() {
		if !kinds[k] {
			t.Errorf("the README's table of actions lacks %s", k)
		}
	}
}
