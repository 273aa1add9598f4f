package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tabbysim/tabbysim/cmd/tabbysim/internal/bench"
)

// benchOptions are the flags of tabbysim bench.
type benchOptions struct {
	Duration    time.Duration
	Quick       bool
	Out         string
	WireMockJar string
	Binary      string
	CPUProfile  string
	Stored      int
	StartupRuns int
	Seed        int64
}

func (o *benchOptions) Validate() error {
	if o.Duration <= 0 {
		return fmt.Errorf("--duration must be more than 0, got %s", o.Duration)
	}
	if o.Stored < 1 {
		return fmt.Errorf("--stored must be at least 1, got %d", o.Stored)
	}
	if o.StartupRuns < 1 {
		return fmt.Errorf("--startup-runs must be at least 1, got %d", o.StartupRuns)
	}
	return nil
}

func benchCommand(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o benchOptions
	fs := newFlagSet(&benchHelp)
	fs.DurationVar(&o.Duration, "duration", 3*time.Second, "how long each server is driven at each number of connections")
	fs.BoolVar(&o.Quick, "quick", false, "tiny durations and counts: checks that every case runs, measures nothing worth keeping")
	fs.StringVar(&o.Out, "out", "BENCHMARKS.md", "Markdown file the results go into (the part a run wrote before is replaced, the rest kept)")
	fs.StringVar(&o.WireMockJar, "wiremock-jar", "", "WireMock's standalone jar (default: node_modules/wiremock from `npm install wiremock`, if there); needs java on PATH")
	fs.StringVar(&o.Binary, "binary", "", "tabbysim executable whose start-up is timed (default: this one)")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of each of the simulator's cells into this directory, as CASE-CONNS.pprof")
	fs.IntVar(&o.Stored, "stored", 100_000, "payments stored for the large list and the heap measure")
	fs.IntVar(&o.StartupRuns, "startup-runs", 5, "start-ups timed; the median is reported")
	fs.Int64Var(&o.Seed, "seed", 1, "seed for the simulators' ids")
	if code, ok := fs.parse(args, stdout, stderr); !ok {
		return code
	}
	if o.Quick {
		o.Duration, o.Stored, o.StartupRuns = 100*time.Millisecond, 300, 1
	}
	if err := o.Validate(); err != nil {
		fmt.Fprintln(stderr, "tabbysim bench:", err)
		return 2
	}
	if o.Binary == "" {
		exe, err := os.Executable()
		if err != nil {
			fmt.Fprintln(stderr, "tabbysim bench: --binary:", err)
			return 2
		}
		o.Binary = exe
	}
	retrieveIDs := 1000
	if o.Quick {
		retrieveIDs = 20
	}
	// The simulators run in this process, with serve's garbage collector.
	tuneGC()
	fmt.Fprintf(stdout, "tabbysim bench: load from the %s\n", bench.Generator)
	rep, err := bench.Run(ctx, bench.Options{
		Duration: o.Duration, Conns: []int{1, 16, 64}, Stored: o.Stored, RetrieveIDs: retrieveIDs,
		StartupRuns: o.StartupRuns, Binary: o.Binary, WireMockJar: bench.FindWireMockJar(o.WireMockJar),
		CPUProfile: o.CPUProfile, Seed: o.Seed, Command: strings.Join(append([]string{"tabbysim bench"}, args...), " "),
		Progress: stdout,
	})
	if err != nil {
		fmt.Fprintln(stderr, "tabbysim bench:", err)
		return 2
	}
	fmt.Fprintln(stdout)
	fmt.Fprint(stdout, rep.Markdown())
	if err := rep.WriteFile(o.Out); err != nil {
		fmt.Fprintln(stderr, "tabbysim bench:", err)
		return 2
	}
	fmt.Fprintf(stdout, "\nwritten to %s\n", o.Out)
	if len(rep.Failures) > 0 {
		fmt.Fprintf(stderr, "tabbysim bench: the simulator answered %d times as it should not have (see %s)\n", len(rep.Failures), o.Out)
		return 1
	}
	return 0
}
