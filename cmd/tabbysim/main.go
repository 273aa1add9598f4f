// Command tabbysim is a sandbox of the Tabby API with a conformance harness
// for merchant integrations.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/tabbysim/tabbysim/client/merchant"
	"github.com/tabbysim/tabbysim/simulator"
)

const usage = `tabbysim: a sandbox of the Tabby API for merchants' integrations and CI

usage:
  tabbysim serve [flags]     run the simulator (tabbysim serve -h for flags)
  tabbysim conform [flags]   run the conformance suite against an integration
  tabbysim merchant [flags]  run the reference merchant as a service
  tabbysim scenario list     the failure-injection scenarios (show NAME for one)
  tabbysim bench [flags]     measure the simulator beside a bare Go server and WireMock
  tabbysim version           print the version
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run runs one subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stdout, stderr)
	case "conform":
		return conform(ctx, args[1:], stdout, stderr)
	case "scenario":
		return scenario(args[1:], stdout, stderr)
	case "merchant":
		return merchant.Main(args[1:], stdout, stderr)
	case "bench":
		return benchCommand(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "tabbysim", simulator.Version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "tabbysim: unknown command %q\n\n%s", args[0], usage)
	return 2
}
