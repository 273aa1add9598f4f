// Package conformance runs the Gherkin features against a merchant
// integration: it plays the customer on the simulator, watches what the
// integration does, and fails when it breaks one of Tabby's rules.
package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
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
	// Tags selects scenarios by a tag expression, in Cucumber's syntax
	// ("@webhook and not @poll") or godog's ("@webhook && ~@poll"). A run
	// that selects no scenario fails with ErrNoScenarios.
	Tags string
	// Seed orders scenarios and seeds the simulator; 0 picks one.
	Seed int64
	// Concurrency runs scenarios at once when the target allows it.
	Concurrency int
	// JUnit, when set, is the path of a JUnit XML report.
	JUnit string
	// Report, when set, is the path of a go-live readiness report:
	// Markdown, or HTML when the name ends in .html.
	Report string
	// Lenient reports what the integration sent that the provider's
	// contract does not allow as warnings; by default it fails the
	// scenario.
	Lenient bool
	// Output receives the readable report.
	Output io.Writer
	// SimAddr is where the simulator listens: by default a free loopback
	// port, or DefaultSimAddr for an external target the harness does not
	// start (it was configured with the simulator's address beforehand).
	SimAddr string
	// Features overrides the embedded features.
	Features fs.FS
	// TestingT runs scenarios as subtests of a Go test.
	TestingT *testing.T
	// Settle is the settling window of real time the checks give the
	// merchant after the harness's last action (default DefaultSettle).
	Settle time.Duration
}

// Result is the outcome of a run.
type Result struct {
	// Passed is true when every scenario passed.
	Passed bool
	Seed   int64
	// Scenarios are the scenarios' results, in the order they ended.
	Scenarios []ScenarioResult
}

// DefaultSimAddr is where the simulator listens for an external target
// the harness does not start, as tabbysim serve does.
const DefaultSimAddr = "127.0.0.1:4600"

// ErrNoScenarios is returned when a run selects no scenario: a run that
// checks nothing is a failure, not a pass.
var ErrNoScenarios = errors.New("no scenario to run")

type harness struct {
	env    *Env
	target Target
	settle time.Duration
}

// Run runs the features against the target on a simulator of its own. When
// it cannot (a malformed tag expression, no scenario selected, a target
// that does not start) it returns an error, and the JUnit and readiness
// reports, if asked for, say why.
func Run(ctx context.Context, o Options) (Result, error) {
	res, err := run(ctx, o)
	if err == nil {
		err = writeReports(o, res, nil)
	} else if werr := writeReports(o, res, err); werr != nil {
		err = errors.Join(err, werr)
	}
	return res, err
}

// ReportFailure writes the JUnit and readiness reports o asks for, of a run
// that could not start (an adapter that does not load): each says why.
func ReportFailure(o Options, why error) error {
	return writeReports(o, Result{Seed: o.Seed}, why)
}

// writeReports writes the JUnit and readiness reports asked for; failed
// says why the run could not check anything.
func writeReports(o Options, res Result, failed error) error {
	var errs []error
	if o.JUnit != "" {
		errs = append(errs, writeJUnit(o.JUnit, res.Scenarios, failed))
	}
	if o.Report != "" {
		errs = append(errs, writeReadiness(o.Report, o, res, failed))
	}
	return errors.Join(errs...)
}

func run(ctx context.Context, o Options) (Result, error) {
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
		// A service the harness does not start was configured with the
		// simulator's address beforehand; one it starts learns it.
		o.SimAddr = "127.0.0.1:0"
		if ext, ok := o.Target.(*External); ok && ext.Adapter.Command.IsZero() {
			o.SimAddr = DefaultSimAddr
		}
	}
	if o.Features == nil {
		o.Features = features.FS
	}
	if o.Settle <= 0 {
		o.Settle = DefaultSettle
	}
	if o.Concurrency <= 0 || !o.Target.Parallel() {
		o.Concurrency = 1
	}
	res := Result{Seed: o.Seed}
	expr, err := parseTags(o.Tags)
	if err != nil {
		return res, err
	}
	filter, err := expr.godogFilter()
	if err != nil {
		return res, err
	}
	if err := selectsScenarios(o, filter); err != nil {
		return res, err
	}
	index, err := indexFeatures(o.Features, filter)
	if err != nil {
		return res, err
	}
	vocab, err := Steps()
	if err != nil {
		return res, err
	}

	// The checks read the scenario's requests from the journal, so it keeps
	// every request of the run.
	sim, err := simulator.Listen(o.SimAddr, simulator.Config{Seed: o.Seed, ClockMode: clock.Manual, JournalSize: 1 << 17})
	if err != nil {
		return res, fmt.Errorf("simulator: %w", err)
	}
	simURL := sim.URL
	env := &Env{SimURL: simURL, Control: simctl.New(simURL)}
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
		m, err := env.Control.Merchant(ctx, ext.MerchantID)
		if err != nil {
			return res, fmt.Errorf("the simulator merchant %s: %w", ext.MerchantID, err)
		}
		launched, stop, err := launch(ctx, ext.Adapter, simURL, m)
		if err != nil {
			return res, err
		}
		defer stop()
		ext.launched = launched
		defer func() { ext.launched = nil }()
	}

	fmt.Fprintf(o.Output, "tabbysim conform: target %s, simulator %s, seed %d\n\n", o.Target.Name(), simURL, o.Seed)
	h := &harness{env: env, target: o.Target, settle: o.Settle}
	rec := &recorder{out: o.Output, index: index, steps: vocab, env: env, lenient: o.Lenient}
	// godog runs the scenarios; the recorder writes the report.
	status := godog.TestSuite{
		Name:                suiteName,
		ScenarioInitializer: func(sc *godog.ScenarioContext) { rec.hook(sc, h) },
		Options: &godog.Options{
			Format: "progress", Output: io.Discard, Paths: []string{"."}, FS: o.Features, Tags: filter,
			Randomize: o.Seed, Concurrency: o.Concurrency, Strict: true, NoColors: true,
			TestingT: o.TestingT, DefaultContext: ctx,
		},
	}.Run()
	res.Scenarios = rec.Results()
	writeSummary(o.Output, res.Scenarios, o.Lenient)
	res.Passed = status == 0 && !slices.ContainsFunc(res.Scenarios, func(r ScenarioResult) bool { return r.Status == Failed })
	return res, nil
}

// selectsScenarios fails with ErrNoScenarios, saying why, when godog's
// filter selects no scenario of the features.
func selectsScenarios(o Options, filter string) error {
	selected, _, err := scenarios(o.Features, filter)
	if err != nil || selected > 0 {
		return err
	}
	all, tags, err := scenarios(o.Features, "")
	switch {
	case err != nil:
		return err
	case all == 0:
		return fmt.Errorf("%w: the features hold none", ErrNoScenarios)
	}
	return fmt.Errorf("%w: --tags %q matched none of the %d scenarios (their tags: %s)", ErrNoScenarios, o.Tags, all, strings.Join(tags, " "))
}

// scenarios counts the scenarios (an outline's rows each count) of the
// features that godog's filter selects, and lists their tags.
func scenarios(features fs.FS, filter string) (int, []string, error) {
	fts, err := godog.TestSuite{Options: &godog.Options{Paths: []string{"."}, FS: features, Tags: filter}}.RetrieveFeatures()
	if err != nil {
		return 0, nil, err
	}
	n := 0
	var tags []string
	for _, f := range fts {
		n += len(f.Pickles)
		for _, p := range f.Pickles {
			for _, t := range p.Tags {
				tags = append(tags, t.Name)
			}
		}
	}
	slices.Sort(tags)
	return n, slices.Compact(tags), nil
}
