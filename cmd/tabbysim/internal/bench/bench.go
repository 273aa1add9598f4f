// Package bench measures the simulator in one run on one machine, beside a
// bare net/http server answering the same bytes (the machine's own limit
// for Go HTTP) and, when a jar is at hand, WireMock serving them as static
// stubs, all driven by the same load generator.
package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/store"
)

// Options configure a run.
type Options struct {
	// Duration is how long each cell (one server at one number of
	// connections) is driven.
	Duration time.Duration
	// Conns are the numbers of connections each case is driven at.
	Conns []int
	// Stored is how many payments the large list and the heap measure keep.
	Stored int
	// RetrieveIDs is how many payments retrieve reads in turn.
	RetrieveIDs int
	// StartupRuns is how many times Binary is started; the median counts.
	StartupRuns int
	// Binary is the tabbysim executable whose start-up is timed.
	Binary string
	// WireMockJar is WireMock's standalone jar; "" leaves WireMock out.
	WireMockJar string
	// CPUProfile, when set, is a directory that receives a CPU profile of
	// each of the simulator's cells, named <case>-<conns>.pprof.
	CPUProfile string
	// Seed seeds the simulators' ids.
	Seed int64
	// Command is the command line, for the report.
	Command string
	// Progress receives a line for every cell as it is measured.
	Progress io.Writer
}

// The servers a case is measured on.
const (
	targetSim      = "tabbysim"
	targetSimData  = "tabbysim --data"
	targetBare     = "net/http"
	targetWireMock = "WireMock"
)

// raiseLimit is the median latency above which a server is not driven
// harder: the cells at more connections are left out, so that a
// pathological case cannot take the machine's memory or the run's time.
const raiseLimit = 250 * time.Millisecond

// Row is one case.
type Row struct {
	Key, Title string
	// Note says why the case was not measured, when it was not.
	Note string
	// Sim, Bare and WireMock hold one cell per number of connections;
	// Data the simulator's on --data, for the cases measured there.
	Sim, Bare, WireMock, Data []Cell
	// WireMockNote says why the WireMock cells are missing.
	WireMockNote string
}

// Report is a run's results.
type Report struct {
	Machine  Machine
	Options  Options
	Started  time.Time
	Took     time.Duration
	WireMock string
	Rows     []*Row
	// HeapPerPayment is the live heap per stored payment, in bytes.
	HeapPerPayment float64
	Startup        []time.Duration
	Conformance    time.Duration
	// Failures are answers the simulator should not have given; Problems
	// are measures that could not be taken for other reasons.
	Failures, Problems []string
}

// Row returns the case with key, or nil.
func (r *Report) Row(key string) *Row {
	for _, row := range r.Rows {
		if row.Key == key {
			return row
		}
	}
	return nil
}

type bencher struct {
	o    Options
	r    *Report
	recv *receiver
	wm   *wiremock
}

// Run measures every case and returns the report; an error means the run
// could not take place at all.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	b := &bencher{o: o, r: &Report{Machine: thisMachine(), Options: o, Started: time.Now()}}
	if o.CPUProfile != "" {
		if err := os.MkdirAll(o.CPUProfile, 0o755); err != nil {
			return nil, err
		}
	}
	recv, err := startReceiver()
	if err != nil {
		return nil, err
	}
	defer recv.Close()
	b.recv = recv

	b.r.WireMock = "not measured (no jar)"
	if o.WireMockJar != "" {
		b.logf("starting WireMock from %s", o.WireMockJar)
		wm, err := startWireMock(ctx, o.WireMockJar)
		if err != nil {
			b.r.WireMock = "not measured (" + err.Error() + ")"
		} else {
			defer wm.Close()
			b.wm = wm
			b.r.WireMock = "WireMock " + wm.Version + " (" + strings.Join(wiremockFlags, " ") + ")"
		}
	}

	// The lists first, each on a simulator of its own, and the heap while
	// nothing else is stored in this process.
	small := min(100, o.Stored)
	var steps []func(context.Context) error
	if small < o.Stored {
		steps = append(steps, func(ctx context.Context) error { return b.listRow(ctx, small, false) })
	}
	steps = append(steps, func(ctx context.Context) error { return b.listRow(ctx, o.Stored, true) },
		b.mainRows, b.startup, b.conformance)
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	b.r.Took = time.Since(b.r.Started)
	var rows []*Row
	for _, k := range slices.Compact([]string{"create", "retrieve", listKey(small), listKey(o.Stored), "capture", "onerway", "payment"}) {
		if row := b.r.Row(k); row != nil {
			rows = append(rows, row)
		}
	}
	b.r.Rows = rows
	return b.r, nil
}

func (b *bencher) logf(format string, a ...any) {
	fmt.Fprintf(b.o.Progress, format+"\n", a...)
}

func (b *bencher) fail(format string, a ...any) {
	b.r.Failures = append(b.r.Failures, fmt.Sprintf(format, a...))
}

func (b *bencher) problem(format string, a ...any) {
	b.r.Problems = append(b.r.Problems, fmt.Sprintf(format, a...))
}

// newSim starts a simulator on loopback with its event loop and a log line
// per request, as serve does by default (the lines are written nowhere).
func (b *bencher) newSim(st store.Store) (*simulator.Server, func(), error) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	sim, err := simulator.Listen("127.0.0.1:0", simulator.Config{Seed: b.o.Seed, Store: st, Logger: logger})
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); sim.Run(ctx) }()
	return sim, func() {
		cancel()
		<-done
		_ = sim.Close()
	}, nil
}

// bad records something that went wrong on target: a failure when target
// is the simulator, a problem of the run otherwise.
func (b *bencher) bad(target, format string, a ...any) {
	if target == targetSim || target == targetSimData {
		b.fail(format, a...)
	} else {
		b.problem(format, a...)
	}
}
