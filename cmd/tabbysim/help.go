package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
	"syscall"
	"text/tabwriter"
)

// commandHelp is what `tabbysim help` says of a subcommand and what
// `tabbysim CMD --help` prints around its flags.
type commandHelp struct {
	Name    string
	Usage   string // the command line, after "tabbysim "
	Summary string // one line
	Example string // one or more command lines
}

var (
	serveHelp = commandHelp{
		Name: "serve", Usage: "serve [flags]",
		Summary: "run the simulator: the Tabby API, the hosted payment page and the control API",
		Example: "tabbysim serve --addr 127.0.0.1:0 --clock manual --data state.db",
	}
	conformHelp = commandHelp{
		Name: "conform", Usage: "conform [flags]",
		Summary: "run the conformance suite against an integration; exit 1 when it broke a rule",
		Example: "tabbysim conform --target shop-adapter.json --junit conformance.xml --report readiness.md",
	}
	merchantHelp = commandHelp{
		Name: "merchant", Usage: "merchant --tabby-url URL --secret-key KEY [flags] | --provider onerway --onerway-url URL --merchant-no NO --onerway-secret-key KEY [flags]",
		Summary: "run the reference merchant as a service; it removes its webhook when it stops",
		Example: "tabbysim merchant --tabby-url http://127.0.0.1:4600 --secret-key sk_test_00000000-0000-4000-8000-000000000000",
	}
	scenarioHelp = commandHelp{
		Name: "scenario", Usage: "scenario list | show NAME | validate FILE...",
		Summary: "list the failure-injection scenarios, show one, or check scenario files",
		Example: "tabbysim scenario validate my-scenario.json",
	}
	healthHelp = commandHelp{
		Name: "health", Usage: "health [flags]",
		Summary: "check that a simulator answers GET /healthz: exit 0 when it does, 1 otherwise",
		Example: "tabbysim health --url http://127.0.0.1:4600",
	}
	benchHelp = commandHelp{
		Name: "bench", Usage: "bench [flags]",
		Summary: "measure the simulator beside a bare Go server (and WireMock) and write BENCHMARKS.md",
		Example: "tabbysim bench --duration 5s --wiremock-jar wiremock-standalone.jar",
	}
	versionHelp = commandHelp{
		Name: "version", Usage: "version",
		Summary: "print the version",
		Example: "tabbysim version",
	}
	helpHelp = commandHelp{
		Name: "help", Usage: "help [COMMAND]",
		Summary: "this overview, or a command's help (as tabbysim COMMAND --help does)",
		Example: "tabbysim help serve",
	}
)

// commands are tabbysim's subcommands, in the order help lists them.
var commands = []*commandHelp{&serveHelp, &conformHelp, &merchantHelp, &scenarioHelp, &healthHelp, &benchHelp, &versionHelp, &helpHelp}

// printOverview writes `tabbysim help`.
func printOverview(w io.Writer) {
	fmt.Fprint(w, "tabbysim: a sandbox of the Tabby API for merchants' integrations and CI\n\n")
	fmt.Fprint(w, "Usage: tabbysim COMMAND [flags]\n\nCommands:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "  %s\t%s\n", c.Name, c.Summary)
	}
	tw.Flush()
	fmt.Fprint(w, "\nExamples:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %s\n", c.Example)
	}
	fmt.Fprint(w, "\nRun 'tabbysim COMMAND --help' for a command's flags.\n")
}

// flagSet is a subcommand's flags with its help. Its parse prints the help
// and the errors, with flags written --name as the README writes them.
type flagSet struct {
	*flag.FlagSet
	help *commandHelp
}

func newFlagSet(h *commandHelp) *flagSet {
	fs := flag.NewFlagSet(h.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &flagSet{FlagSet: fs, help: h}
}

// parse parses args. On -h or --help it prints the help to stdout, on a
// bad flag the error and where the help is to stderr; then ok is false and
// the command exits with code.
func (fs *flagSet) parse(args []string, stdout, stderr io.Writer) (code int, ok bool) {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return 0, true
	case errors.Is(err, flag.ErrHelp):
		fs.printHelp(stdout)
		return 0, false
	}
	fs.fail(stderr, doubleDash(err.Error()))
	return 2, false
}

// fail prints a usage error: what is wrong and where the help is.
func (fs *flagSet) fail(stderr io.Writer, msg string) {
	fmt.Fprintf(stderr, "tabbysim %s: %s\nRun 'tabbysim %s --help' for usage.\n", fs.Name(), msg, fs.Name())
}

func (fs *flagSet) printHelp(w io.Writer) {
	fmt.Fprintf(w, "Usage: tabbysim %s\n\n%s.\n", fs.help.Usage, upperFirst(fs.help.Summary))
	first := true
	fs.VisitAll(func(f *flag.Flag) {
		if first {
			fmt.Fprint(w, "\nFlags:\n")
			first = false
		}
		kind, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if kind != "" {
			line += " " + kind
		}
		fmt.Fprintf(w, "%s\n    \t%s", line, strings.ReplaceAll(usage, "\n", "\n    \t"))
		switch f.DefValue {
		case "", "0", "false", "0s":
		default:
			if kind == "string" {
				fmt.Fprintf(w, " (default %q)", f.DefValue)
			} else {
				fmt.Fprintf(w, " (default %s)", f.DefValue)
			}
		}
		fmt.Fprintln(w)
	})
	fmt.Fprintf(w, "\nExample:\n  %s\n", fs.help.Example)
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// singleDash is a flag as package flag's errors name it, -name.
var singleDash = regexp.MustCompile(`(^|\s)-([A-Za-z])`)

// doubleDash rewrites package flag's -name in an error as --name.
func doubleDash(msg string) string {
	return singleDash.ReplaceAllString(msg, "$1--$2")
}

// addrInUse adds a way out to a listen error on a busy address.
func addrInUse(err error, flag string) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("%w\nAnother program listens on that address: stop it, or pick another with %s (%s 127.0.0.1:0 picks a free port)", err, flag, flag)
	}
	return err
}
