// Package scenarios holds named failure-injection scenarios, embedded so
// the binary carries them. Each is a patch of merchant settings that makes
// the simulator misbehave on purpose (or, "calm", stop misbehaving).
package scenarios

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"
)

//go:embed *.json
var files embed.FS

// Scenario is one named scenario.
type Scenario struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Settings    json.RawMessage `json:"settings"`
}

// All returns every scenario, sorted by name.
func All() ([]Scenario, error) {
	entries, err := files.ReadDir(".")
	if err != nil {
		return nil, err
	}
	var out []Scenario
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

// Get returns the scenario called name.
func Get(name string) (Scenario, error) {
	if strings.ContainsAny(name, "/\\.") || name == "" {
		return Scenario{}, fmt.Errorf("no scenario %q", name)
	}
	s, err := read(name + ".json")
	if err != nil {
		return Scenario{}, fmt.Errorf("no scenario %q", name)
	}
	return s, nil
}

func read(file string) (Scenario, error) {
	b, err := files.ReadFile(file)
	if err != nil {
		return Scenario{}, err
	}
	var s Scenario
	if err := json.Unmarshal(b, &s); err != nil {
		return Scenario{}, fmt.Errorf("scenario %s: %w", file, err)
	}
	if want := strings.TrimSuffix(path.Base(file), ".json"); s.Name != want {
		return Scenario{}, fmt.Errorf("scenario %s: name %q does not match the file", file, s.Name)
	}
	return s, nil
}
