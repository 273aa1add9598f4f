// Package conformance runs the Gherkin features against a merchant
// integration: it plays the customer on the simulator, watches what the
// integration does, and fails when it breaks one of Tabby's rules.
package conformance

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"testing"
	"time"

	"github.com/cucumber/godog"

	"github.com/tabbysim/tabbysim/client/simctl"
	"github.com/tabbysim/tabbysim/features"
	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/clock"
)

// Options configure a run.
type Options struct {
	// Target is the integration under test (default: the clean reference
	// merchant).
	Target Target
	// Tags filters scenarios, in godog's syntax ("@webhook && ~@poll").
	Tags string
	// Seed orders scenarios and seeds the simulator; 0 picks one.
	Seed int64
	// Concurrency runs scenarios at once when the target allows it.
	Concurrency int
	// JUnit, when set, is the path of a JUnit XML report.
	JUnit string
	// Output receives the readable report.
	Output io.Writer
	// SimAddr is where the simulator listens (default 127.0.0.1:0; an
	// external merchant needs a fixed address it was configured with).
	SimAddr string
	// Features overrides the embedded features.
	Features fs.FS
	// TestingT runs scenarios as subtests of a Go test.
	TestingT *testing.T
}

// Result is the outcome of a run.
type Result struct {
	// Passed is true when every scenario passed.
	Passed bool
	Seed   int64
}

type harness struct {
	env    *Env
	target Target
}

// Run runs the features against the target on a simulator of its own.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.Target == nil {
		o.Target = &Reference{}
	}
	if o.Seed == 0 {
		o.Seed = time.Now().UnixNano()
	}
	if o.Output == nil {
		o.Output = io.Discard
	}
	if o.SimAddr == "" {
		o.SimAddr = "127.0.0.1:0"
	}
	if o.Features == nil {
		o.Features = features.FS
	}
	if o.Concurrency <= 0 || !o.Target.Parallel() {
		o.Concurrency = 1
	}
	res := Result{Seed: o.Seed}

	// The checks read the scenario's requests from the journal, so it keeps
	// every request of the run.
	sim, err := simulator.Listen(o.SimAddr, simulator.Config{Seed: o.Seed, ClockMode: clock.Manual, JournalSize: 1 << 17})
	if err != nil {
		return res, fmt.Errorf("simulator: %w", err)
	}
	simURL := sim.URL
	runCtx, cancel := context.WithCancel(ctx)
	running := make(chan struct{})
	go func() { defer close(running); sim.Run(runCtx) }()
	defer func() {
		cancel()
		<-running
		_ = sim.Close()
	}()

	if ext, ok := o.Target.(*External); ok {
		if ext.MerchantID == "" {
			ext.MerchantID = simulator.DefaultMerchantID
		}
		stop, err := startCommand(ctx, ext.Adapter, simURL, simulator.DefaultSecretKey)
		if err != nil {
			return res, err
		}
		defer stop()
	}

	fmt.Fprintf(o.Output, "tabbysim conform: target %s, simulator %s, seed %d\n", o.Target.Name(), simURL, o.Seed)
	format := "pretty"
	if o.JUnit != "" {
		format += ",junit:" + o.JUnit
	}
	h := &harness{env: &Env{SimURL: simURL, Control: simctl.New(simURL)}, target: o.Target}
	status := godog.TestSuite{
		Name:                "tabbysim conformance",
		ScenarioInitializer: func(sc *godog.ScenarioContext) { registerSteps(sc, h) },
		Options: &godog.Options{
			Format: format, Output: o.Output, Paths: []string{"."}, FS: o.Features, Tags: o.Tags,
			Randomize: o.Seed, Concurrency: o.Concurrency, Strict: true, NoColors: true,
			TestingT: o.TestingT, DefaultContext: ctx,
		},
	}.Run()
	res.Passed = status == 0
	return res, nil
}
