package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/tabbysim/tabbysim/client/merchant"
	"github.com/tabbysim/tabbysim/conformance"
)

// conformOptions are the flags of tabbysim conform.
type conformOptions struct {
	Target      string
	Defect      string
	Variant     string
	Tags        string
	Features    string
	JUnit       string
	Report      string
	Lenient     bool
	Seed        int64
	Concurrency int
	SimAddr     string
	ListDefects bool
	ListSteps   bool
	Settle      time.Duration
}

func (o *conformOptions) Validate() error {
	if o.Defect != "" && o.Target != "reference" {
		return fmt.Errorf("--defect only applies to --target reference")
	}
	if o.Defect != "" && !knownDefect(o.Defect) {
		return fmt.Errorf("--defect: unknown defect %q (see --list-defects)", o.Defect)
	}
	if o.Variant != "" && (o.Target != "reference" || o.Defect != "" || !knownVariant(o.Variant)) {
		return fmt.Errorf("--variant: one of %s, with --target reference and no --defect", variantNames())
	}
	if o.Concurrency < 1 {
		return fmt.Errorf("--concurrency must be at least 1")
	}
	if o.Features != "" {
		if fi, err := os.Stat(o.Features); err != nil || !fi.IsDir() {
			return fmt.Errorf("--features %q: not a directory of .feature files", o.Features)
		}
	}
	if o.Settle <= 0 {
		return fmt.Errorf("--settle must be a positive duration such as 2s")
	}
	return nil
}

func knownDefect(name string) bool {
	for _, d := range merchant.Defects {
		if d.Name == name {
			return true
		}
	}
	return false
}

func conform(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o conformOptions
	fs := newFlagSet(&conformHelp)
	fs.StringVar(&o.Target, "target", "reference", `"reference" (the built-in reference merchant) or the path of an adapter file`)
	fs.StringVar(&o.Defect, "defect", "", "switch on one of the reference merchant's defects (see --list-defects)")
	fs.StringVar(&o.Variant, "variant", "", "build the reference merchant as one of its correct variants, which pass: "+variantNames())
	fs.StringVar(&o.Tags, "tags", "", `run only scenarios matching a tag expression: Cucumber's "@webhook and not @poll" or godog's "@webhook && ~@poll"`)
	fs.StringVar(&o.Features, "features", "", "run the .feature files of this directory, written with the shipped steps (see --list-steps), instead of the built-in ones")
	fs.StringVar(&o.JUnit, "junit", "", "write a JUnit XML report to this file")
	fs.StringVar(&o.Report, "report", "", "write a go-live readiness report to this file: Markdown, or HTML when it ends in .html")
	fs.BoolVar(&o.Lenient, "lenient", false, "report requests Tabby's contract does not allow as warnings instead of failing their scenario")
	fs.Int64Var(&o.Seed, "seed", 0, "seed for scenario order and the simulator (default: from the time; printed)")
	fs.IntVar(&o.Concurrency, "concurrency", 16, "scenarios run at once (external targets always run one at a time)")
	fs.StringVar(&o.SimAddr, "sim-addr", "", "simulator address (default: a free port; 127.0.0.1:4600 for an adapter without a command)")
	fs.BoolVar(&o.ListDefects, "list-defects", false, "print the reference merchant's defects and exit")
	fs.BoolVar(&o.ListSteps, "list-steps", false, "print the steps feature files may use, with an example each, and exit")
	fs.DurationVar(&o.Settle, "settle", conformance.DefaultSettle, "real time the merchant is given, after the harness's last action, to finish what it does in the background")
	if code, ok := fs.parse(args, stdout, stderr); !ok {
		return code
	}
	if o.ListDefects {
		for _, d := range merchant.Defects {
			fmt.Fprintf(stdout, "%s\t%s\n", d.Name, d.Description)
		}
		return 0
	}
	if o.ListSteps {
		if err := conformance.ListSteps(stdout); err != nil {
			fmt.Fprintln(stderr, "tabbysim conform:", err)
			return 1
		}
		return 0
	}
	opts := conformance.Options{
		Tags: o.Tags, Seed: o.Seed, Concurrency: o.Concurrency, JUnit: o.JUnit,
		Report: o.Report, Lenient: o.Lenient, Output: stdout, SimAddr: o.SimAddr, Settle: o.Settle,
	}
	// A run that cannot start says why in the reports too, so CI never
	// reads a former run's.
	cannot := func(err error) int {
		fmt.Fprintln(stderr, "tabbysim conform:", errors.Join(err, conformance.ReportFailure(opts, err)))
		return 2
	}
	if err := o.Validate(); err != nil {
		return cannot(err)
	}
	opts.Target = &conformance.Reference{Defect: o.Defect, Variant: o.Variant}
	if o.Target != "reference" {
		a, err := conformance.LoadAdapter(o.Target)
		if err != nil {
			return cannot(err)
		}
		opts.Target = &conformance.External{Adapter: a}
	}
	if o.Features != "" {
		opts.Features = os.DirFS(o.Features)
	}
	res, err := conformance.Run(ctx, opts)
	if err != nil {
		fmt.Fprintln(stderr, "tabbysim conform:", err)
		return 2
	}
	if !res.Passed {
		fmt.Fprintf(stdout, "\nFAIL: the integration broke at least one rule (seed %d)\n", res.Seed)
		return 1
	}
	fmt.Fprintf(stdout, "\nPASS: every scenario passed (seed %d)\n", res.Seed)
	return 0
}
