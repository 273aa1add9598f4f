package fault

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/tabbysim/tabbysim/simulator/webhook"
)

// Action is what a rule does. Each kind is a struct in a file of its own,
// registered by that file; its JSON fields are the kind's config, and its
// comments document them. A kind acts on requests, on webhooks, or on
// both, by implementing RequestAction, WebhookAction or both.
type Action interface {
	// Kind is the name the rule format knows the kind by.
	Kind() string
	// Check says what is wrong with the config, naming the field.
	Check() error
}

// RequestAction fails a request to a provider's API.
type RequestAction interface {
	Action
	// Serve answers the request x holds instead of, or after, the
	// provider's handler.
	Serve(x *Exchange)
}

// WebhookAction changes what becomes of a webhook delivery.
type WebhookAction interface {
	Action
	// Decide adds the action's effect to the delivery's decision.
	Decide(d *webhook.Decision)
}

// kind is a registered action kind.
type kind struct {
	// new returns the kind's config with its defaults.
	new func() Action
	// header names the field the X-Sim-Fault header's value sets, as in
	// status=503; "" when the kind takes no value, as reset.
	header string
}

var kinds = map[string]kind{}

// register adds an action kind; each kind's file calls it from init.
func register(name string, new func() Action, header string) {
	if _, dup := kinds[name]; dup {
		panic("fault: action kind " + name + " registered twice")
	}
	kinds[name] = kind{new: new, header: header}
}

// Kinds lists every action kind, sorted.
func Kinds() []string { return kindsWhere(func(Action) bool { return true }) }

func webhookKinds() []string {
	return kindsWhere(func(a Action) bool { _, ok := a.(WebhookAction); return ok })
}

func requestKinds() []string {
	return kindsWhere(func(a Action) bool { _, ok := a.(RequestAction); return ok })
}

func kindsWhere(keep func(Action) bool) []string {
	var out []string
	for name, k := range kinds {
		if keep(k.new()) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// ActionJSON holds a rule's action as the rule format writes it: its kind
// and the kind's config side by side, {"kind": "status", "status": 503}.
type ActionJSON struct{ Action }

// MarshalJSON writes the kind first, then the config.
func (a ActionJSON) MarshalJSON() ([]byte, error) {
	if a.Action == nil {
		return []byte("null"), nil
	}
	cfg, err := json.Marshal(a.Action)
	if err != nil {
		return nil, err
	}
	kind, _ := json.Marshal(a.Kind())
	var b bytes.Buffer
	b.WriteString(`{"kind":`)
	b.Write(kind)
	if rest := bytes.TrimSpace(cfg[1:]); len(rest) > 1 {
		b.WriteByte(',')
		b.Write(rest)
	} else {
		b.WriteByte('}')
	}
	return b.Bytes(), nil
}

// UnmarshalJSON reads and checks an action.
func (a *ActionJSON) UnmarshalJSON(data []byte) error {
	act, err := parseAction(data)
	if err != nil {
		return err
	}
	a.Action = act
	return nil
}

// parseAction reads {"kind": …, config…} strictly and checks the config.
func parseAction(data []byte) (Action, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		return nil, &FieldError{Msg: fmt.Sprintf("must be an object with a kind (%s)", kindList())}
	}
	var name string
	if err := json.Unmarshal(fields["kind"], &name); err != nil || name == "" {
		return nil, fieldErr("kind", "required, one of %s", kindList())
	}
	k, ok := kinds[name]
	if !ok {
		return nil, fieldErr("kind", "unknown kind %q; the kinds are %s", name, kindList())
	}
	delete(fields, "kind")
	act := k.new()
	rest, _ := json.Marshal(fields) // raw messages always encode
	if err := decodeStrict(rest, act); err != nil {
		return nil, err
	}
	return act, act.Check()
}

func kindList() string { return strings.Join(Kinds(), ", ") }
