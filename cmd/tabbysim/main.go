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
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run runs one subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printOverview(stderr)
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
		return runMerchant(ctx, args[1:], stdout, stderr)
	case "health":
		return health(ctx, args[1:], stdout, stderr)
	case "bench":
		return benchCommand(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-v":
		return version(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		if len(args) == 2 && args[1] != "help" {
			return run(ctx, []string{args[1], "--help"}, stdout, stderr)
		}
		printOverview(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "tabbysim: unknown command %q\n\n", args[0])
	printOverview(stderr)
	return 2
}
