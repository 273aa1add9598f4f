package main

import (
	"fmt"
	"io"

	"github.com/tabbysim/tabbysim/scenarios"
)

// scenario lists the embedded failure-injection scenarios or shows one.
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
		fmt.Fprintf(stdout, "%s: %s\nsettings: %s\napply: curl -X POST http://127.0.0.1:4600/_sim/v1/merchants/default/scenario -d '{\"name\": %q}'\n",
			s.Name, s.Description, s.Settings, s.Name)
		return 0
	}
	fs.fail(stderr, "say list, or show and a scenario's name")
	return 2
}
