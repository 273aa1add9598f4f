package fault

import (
	"encoding/json"
	"net/http"
	"path"
	"reflect"
	"sort"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/simulator/internal/surface"
	"github.com/tabbysim/tabbysim/simulator/webhook"
)

// What a rule matches.
const (
	// OnRequest rules match requests to a provider's API.
	OnRequest = "request"
	// OnWebhook rules match the webhooks the simulator sends merchants.
	OnWebhook = "webhook"
)

// Match says which requests, or which webhook deliveries, a rule applies
// to: every condition given must hold; none given matches everything.
type Match struct {
	// On is "request" (the default) or "webhook".
	On string `json:"on,omitempty"`
	// Provider is the provider's name, as the journal has it: "tabby",
	// "onerway".
	Provider string `json:"provider,omitempty"`
	// Operation is the request's operation, as the journal names it:
	// "tabby.capture", "onerway.online_refund" (requests only).
	Operation string `json:"operation,omitempty"`
	// Method is the request's HTTP method (requests only).
	Method string `json:"method,omitempty"`
	// Path is a pattern of the request's path, in which * stands for one
	// segment or part of one: "/api/v2/payments/*/refunds" (requests only).
	Path string `json:"path,omitempty"`
	// Headers must each be sent with exactly this value (requests only).
	Headers map[string]string `json:"headers,omitempty"`
	// Event is the delivery's event, such as Tabby's "authorize" and
	// Onerway's "TXN" (webhooks only).
	Event string `json:"event,omitempty"`
	// Body maps gjson paths to the JSON value the body must hold there;
	// null holds when the path is absent or null. Onerway's nested JSON
	// strings are reached with gjson's @fromstr, as in
	// "txnOrderMsg|@fromstr|returnUrl".
	Body map[string]json.RawMessage `json:"body,omitempty"`
}

func (m Match) on() string {
	if m.On == "" {
		return OnRequest
	}
	return m.On
}

func (m Match) check() error {
	switch m.on() {
	case OnRequest:
		if m.Event != "" {
			return fieldErr("event", "matches webhooks: give the rule \"on\": \"webhook\"")
		}
	case OnWebhook:
		for _, f := range []struct {
			name string
			set  bool
		}{{"operation", m.Operation != ""}, {"method", m.Method != ""}, {"path", m.Path != ""}, {"headers", len(m.Headers) > 0}} {
			if f.set {
				return fieldErr(f.name, "matches requests, not webhooks (those match provider, event and body)")
			}
		}
	default:
		return fieldErr("on", "%q: say %q or %q", m.On, OnRequest, OnWebhook)
	}
	if m.Path != "" {
		if _, err := path.Match(m.Path, "/"); err != nil || !strings.HasPrefix(m.Path, "/") {
			return fieldErr("path", "%q is not a path pattern such as /api/v2/payments/*/captures", m.Path)
		}
	}
	for name := range m.Headers {
		if strings.TrimSpace(name) == "" {
			return fieldErr("headers", "a header needs a name")
		}
	}
	for _, p := range sortedKeys(m.Body) {
		if strings.TrimSpace(p) == "" {
			return fieldErr("body", "a condition needs a gjson path")
		}
		if !json.Valid(m.Body[p]) {
			return fieldErr("body."+p, "not a JSON value")
		}
	}
	return nil
}

// request reports whether a request identified as id matches every
// condition but those on its body.
func (m Match) request(id surface.Identity, r *http.Request) bool {
	if m.on() != OnRequest || (m.Provider != "" && m.Provider != id.Provider) ||
		(m.Operation != "" && m.Operation != string(id.Operation)) ||
		(m.Method != "" && !strings.EqualFold(m.Method, r.Method)) {
		return false
	}
	if m.Path != "" {
		if ok, _ := path.Match(m.Path, r.URL.Path); !ok {
			return false
		}
	}
	for name, want := range m.Headers {
		if r.Header.Get(name) != want {
			return false
		}
	}
	return true
}

// webhook reports whether delivery d matches.
func (m Match) webhook(d *webhook.Delivery) bool {
	return m.on() == OnWebhook && (m.Provider == "" || m.Provider == d.Provider) &&
		(m.Event == "" || m.Event == d.Event) && m.body([]byte(d.Body))
}

// body reports whether every body condition holds on b.
func (m Match) body(b []byte) bool {
	for p, raw := range m.Body {
		got := gjson.GetBytes(b, p)
		var want any
		_ = json.Unmarshal(raw, &want) // checked valid
		if want == nil {
			if got.Exists() && got.Type != gjson.Null {
				return false
			}
			continue
		}
		if !got.Exists() || !reflect.DeepEqual(want, got.Value()) {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
