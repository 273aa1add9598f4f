package main

import (
	"fmt"
	"io"

	"github.com/tabbysim/tabbysim/simulator"
)

// version prints the version the build stamped (see simulator.Version).
func version(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet(&versionHelp)
	if code, ok := fs.parse(args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fs.fail(stderr, fmt.Sprintf("unexpected arguments %q", fs.Args()))
		return 2
	}
	fmt.Fprintln(stdout, "tabbysim", simulator.Version)
	return 0
}
