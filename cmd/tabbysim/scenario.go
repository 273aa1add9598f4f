package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/tabbysim/tabbysim/scenarios"
)

// scenario lists the embedded failure-injection scenarios, shows one, or
// checks scenario files.
func scenario(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet(&scenarioHelp)
	if code, ok := fs.parse(args, stdout, stderr); !ok {
		return code
	}
	args = fs.Args()
	switch {
	case len(args) == 1 && args[0] == "list":
		all, err := scenarios.All()
		if err != nil {
			fmt.Fprintln(stderr, "tabbysim scenario:", err)
			return 1
		}
		for _, s := range all {
			fmt.Fprintf(stdout, "%s\t%s\n", s.Name, s.Description)
		}
		return 0
	case len(args) == 2 && args[0] == "show":
		s, err := scenarios.Get(args[1])
		if err != nil {
			fmt.Fprintln(stderr, "tabbysim scenario:", err)
			return 1
		}
		b, _ := json.MarshalIndent(s, "", "  ") // a parsed scenario always encodes
		fmt.Fprintf(stdout, "%s\napply: curl -X POST http://127.0.0.1:4600/_sim/v1/merchants/default/scenario -d '{\"name\": %q}'\n", b, s.Name)
		return 0
	case len(args) >= 2 && args[0] == "validate":
		code := 0
		for _, path := range args[1:] {
			s, err := scenarios.Load(path)
			if err != nil {
				fmt.Fprintln(stderr, "tabbysim scenario validate:", err)
				code = 1
				continue
			}
			fmt.Fprintf(stdout, "%s: scenario %s is valid (%s)\n", path, s.Name, summary(s))
		}
		return code
	}
	fs.fail(stderr, "say list, show and a scenario's name, or validate and files")
	return 2
}

// summary counts what a scenario holds.
func summary(s *scenarios.Scenario) string {
	parts := []string{fmt.Sprintf("%d fault rules", len(s.Faults))}
	if len(s.Settings) > 0 {
		parts = append(parts, "settings")
	}
	if len(s.Timeline) > 0 {
		parts = append(parts, fmt.Sprintf("%d timeline steps", len(s.Timeline)))
	}
	return strings.Join(parts, ", ")
}
