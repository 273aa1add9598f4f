// Package scenarios holds the failure-injection scenarios, embedded so the
// binary carries them, and reads scenario files. A scenario is a real-world
// situation the simulator plays for a merchant: a patch of the merchant's
// settings (webhook failure injection, timings), fault rules on requests
// and webhooks (the simulator/fault rule format), and a timeline that
// switches rules on and off as the merchant's clock moves. "calm" puts
// everything back.
package scenarios

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tabbysim/tabbysim/simulator/fault"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

//go:embed *.json
var files embed.FS

// Scenario is one scenario.
type Scenario struct {
	Name string `json:"name"`
	// Description says what real-world situation the scenario plays.
	Description string `json:"description"`
	// Settings is a patch of the merchant's settings, as PATCH
	// /_sim/v1/merchants/{id} takes it.
	Settings json.RawMessage `json:"settings,omitempty"`
	// ClearFaults removes every fault rule of the merchant before the
	// scenario's own are added; otherwise only the rules an earlier
	// application of the same scenario added are replaced.
	ClearFaults bool `json:"clear_faults,omitempty"`
	// Faults are rules without a merchant: they apply to the merchant the
	// scenario is applied to.
	Faults []fault.Spec `json:"faults,omitempty"`
	// Timeline switches the named rules on and off.
	Timeline []Step `json:"timeline,omitempty"`
}

// Step switches rules at a time on the merchant's clock. A rule whose first
// step switches it on is off until then.
type Step struct {
	// At is how long after the scenario is applied.
	At tenant.Duration `json:"at"`
	// On are the rules switched on.
	On []string `json:"on,omitempty"`
	// Off are the rules switched off.
	Off []string `json:"off,omitempty"`
}

// Rules are the scenario's fault rules as applied at now on the
// merchant's clock: each with the switches the timeline gives it.
func (s *Scenario) Rules(now time.Time) []fault.Rule {
	out := make([]fault.Rule, len(s.Faults))
	for i, spec := range s.Faults {
		out[i] = fault.Rule{Spec: spec}
		for _, st := range s.Timeline {
			for _, name := range st.On {
				if name == spec.Name {
					out[i].Switches = append(out[i].Switches, fault.Switch{At: now.Add(st.At.D()), On: true})
				}
			}
			for _, name := range st.Off {
				if name == spec.Name {
					out[i].Switches = append(out[i].Switches, fault.Switch{At: now.Add(st.At.D()), On: false})
				}
			}
		}
		sort.SliceStable(out[i].Switches, func(a, b int) bool { return out[i].Switches[a].At.Before(out[i].Switches[b].At) })
	}
	return out
}

var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// Parse reads a scenario, refusing unknown fields, and checks all of it:
// the name and description, the settings patch, every rule and the
// timeline. Its error names the field at fault and what is wrong with it,
// such as "faults[1].action.status: 42: give an HTTP status from 200 to
// 599".
func Parse(data []byte) (*Scenario, error) {
	var raw struct {
		Name        string            `json:"name"`
		Description string            `json:"description"`
		Settings    json.RawMessage   `json:"settings"`
		ClearFaults bool              `json:"clear_faults"`
		Faults      []json.RawMessage `json:"faults"`
		Timeline    []json.RawMessage `json:"timeline"`
	}
	if err := decode(data, &raw); err != nil {
		return nil, err
	}
	s := &Scenario{Name: raw.Name, Description: raw.Description, ClearFaults: raw.ClearFaults}
	switch {
	case !validName.MatchString(s.Name):
		return nil, fmt.Errorf("name: %q: use lower-case letters, digits and dashes, such as flaky-captures", s.Name)
	case strings.TrimSpace(s.Description) == "":
		return nil, errors.New("description: say what real-world situation the scenario plays")
	}
	if len(raw.Settings) > 0 && string(raw.Settings) != "null" {
		settings := tenant.DefaultSettings()
		err := tenant.ApplyPatch(raw.Settings, &settings)
		if err == nil {
			err = settings.Validate()
		}
		if err != nil {
			return nil, errors.New(strings.TrimPrefix(err.Error(), tenant.ErrInvalid.Error()+": "))
		}
		s.Settings = raw.Settings
	}
	named := map[string]bool{}
	for i, r := range raw.Faults {
		field := "faults[" + strconv.Itoa(i) + "]"
		spec, err := fault.ParseSpec(r)
		if err != nil {
			return nil, at(field, err)
		}
		switch {
		case spec.Merchant != "":
			return nil, fmt.Errorf("%s.merchant: leave it out: a scenario's rules apply to the merchant it is applied to", field)
		case spec.Name != "" && named[spec.Name]:
			return nil, fmt.Errorf("%s.name: %q names two rules", field, spec.Name)
		}
		named[spec.Name] = spec.Name != ""
		s.Faults = append(s.Faults, spec)
	}
	for i, r := range raw.Timeline {
		field := "timeline[" + strconv.Itoa(i) + "]"
		var raw struct {
			At  string   `json:"at"`
			On  []string `json:"on"`
			Off []string `json:"off"`
		}
		if err := decode(r, &raw); err != nil {
			return nil, at(field, err)
		}
		when, err := tenant.ParseDuration(raw.At)
		if err != nil || when < 0 {
			return nil, fmt.Errorf("%s.at: %q: give how long after the scenario is applied, such as \"10m\"", field, raw.At)
		}
		st := Step{At: when, On: raw.On, Off: raw.Off}
		if len(st.On)+len(st.Off) == 0 {
			return nil, fmt.Errorf("%s: name the rules it switches on or off", field)
		}
		for _, name := range append(append([]string(nil), st.On...), st.Off...) {
			if !named[name] {
				return nil, fmt.Errorf("%s: no rule of the scenario is named %q", field, name)
			}
		}
		s.Timeline = append(s.Timeline, st)
	}
	return s, nil
}

// decode decodes data strictly; its error is a *fault.FieldError naming
// the field at fault.
func decode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, more := dec.Token(); more != io.EOF {
			return &fault.FieldError{Msg: "more than one JSON value"}
		}
		return nil
	}
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te) && te.Field != "":
		return &fault.FieldError{Field: te.Field, Msg: fmt.Sprintf("want %s, got %s", te.Type, te.Value)}
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if name, ok := strings.CutPrefix(msg, `unknown field "`); ok {
		return &fault.FieldError{Field: strings.TrimSuffix(name, `"`), Msg: "unknown field"}
	}
	return &fault.FieldError{Msg: msg}
}

// at puts err under the field prefix: "faults[1].action.status: …".
func at(prefix string, err error) error {
	var fe *fault.FieldError
	if errors.As(err, &fe) && fe.Field != "" {
		return fmt.Errorf("%s.%s: %s", prefix, fe.Field, fe.Msg)
	}
	return fmt.Errorf("%s: %v", prefix, err)
}

// Load reads and checks the scenario file at path; its error starts with
// the path.
func Load(path string) (*Scenario, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// Find returns the embedded scenario called nameOrFile, or else reads the
// file at that path.
func Find(nameOrFile string) (*Scenario, error) {
	if s, err := Get(nameOrFile); err == nil {
		return s, nil
	}
	if strings.HasSuffix(nameOrFile, ".json") || strings.ContainsAny(nameOrFile, `/\`) {
		return Load(nameOrFile)
	}
	return nil, fmt.Errorf("no scenario %q: name one of `tabbysim scenario list`, or give a file's path", nameOrFile)
}

// All returns every embedded scenario, sorted by name.
func All() ([]*Scenario, error) {
	entries, err := files.ReadDir(".")
	if err != nil {
		return nil, err
	}
	var out []*Scenario
	for _, e := range entries {
		s, err := read(e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Get returns the embedded scenario called name.
func Get(name string) (*Scenario, error) {
	if !validName.MatchString(name) {
		return nil, fmt.Errorf("no scenario %q", name)
	}
	if _, err := files.Open(name + ".json"); err != nil {
		return nil, fmt.Errorf("no scenario %q", name)
	}
	return read(name + ".json")
}

func read(file string) (*Scenario, error) {
	b, err := files.ReadFile(file)
	if err != nil {
		return nil, err
	}
	s, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("scenarios/%s: %w", file, err)
	}
	if want := strings.TrimSuffix(path.Base(file), ".json"); s.Name != want {
		return nil, fmt.Errorf("scenarios/%s: name: %q does not match the file", file, s.Name)
	}
	return s, nil
}
