// Package bench measures the simulator in one run on one machine, beside a
// bare net/http server answering the same bytes (the machine's own limit
// for Go HTTP) and, when a jar is at hand, WireMock serving them as static
// stubs, all driven by the same load generator.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/client/simctl"
	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/store/sqlite"
	"github.com/tabbysim/tabbysim/simulator/tabby"
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

// load gives the op of one cell; it may prepare what the cell uses up.
type load func(conns int) (Op, error)

func fixed(op Op) load { return func(int) (Op, error) { return op, nil } }

// cells drives one server at each number of connections in turn.
func (b *bencher) cells(ctx context.Context, row *Row, target string, ld load) []Cell {
	var out []Cell
	sr := &series{b: b, row: row, target: target, ld: ld, out: &out}
	for _, n := range b.o.Conns {
		sr.run(ctx, n)
	}
	return out
}

// series is one server's cells of a case. A cell's op failing to prepare
// is the simulator's failure, or a problem of the run on a stand-in.
type series struct {
	b      *bencher
	row    *Row
	target string
	ld     load
	out    *[]Cell
	// skip says why the cells at more connections are not run.
	skip string
}

func (s *series) run(ctx context.Context, n int) {
	b := s.b
	if s.skip != "" {
		*s.out = append(*s.out, Cell{Conns: n, Skipped: s.skip})
		return
	}
	op, err := s.ld(n)
	if err != nil {
		*s.out = append(*s.out, Cell{Conns: n, Skipped: "not run: " + err.Error()})
		b.bad(s.target, "%s on %s: preparing %d connections: %v", s.row.Title, s.target, n, err)
		return
	}
	stop := b.profile(s.row.Key, s.target, n)
	c := drive(ctx, n, b.o.Duration, op)
	stop()
	if ctx.Err() != nil {
		return
	}
	b.logf("%-44s %-15s %2d conns %9.0f ops/s  p50 %-8s p99 %-8s p99.9 %-8s errors %d",
		s.row.Title, s.target, n, c.Rate(), ms(c.P50), ms(c.P99), ms(c.P999), c.Errors)
	if c.Errors > 0 {
		b.bad(s.target, "%s on %s at %d connections: %d unexpected answers; the first: %s", s.row.Title, s.target, n, c.Errors, c.FirstError)
	}
	if c.P50 > raiseLimit {
		s.skip = fmt.Sprintf("not run: the median was %s at %d connections (more load is added only under %s)", ms(c.P50), n, ms(raiseLimit))
	}
	*s.out = append(*s.out, c)
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

// profile starts a CPU profile of a simulator's cell, when asked for, in
// <case>-<conns>.pprof; the returned function stops it.
func (b *bencher) profile(key, target string, conns int) func() {
	if b.o.CPUProfile == "" || target != targetSim {
		return func() {}
	}
	f, err := os.Create(filepath.Join(b.o.CPUProfile, fmt.Sprintf("%s-%d.pprof", key, conns)))
	if err != nil {
		b.problem("CPU profile of %s: %v", key, err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		b.problem("CPU profile of %s: %v", key, err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// spec is a case: how to load the simulator and what the stand-ins serve.
type spec struct {
	key, title string
	sim        load
	stubs      []stub
	// stand is the op on a stand-in at base; it is called for each cell.
	stand func(base string) Op
	// noWireMock says why WireMock cannot stand in, when it cannot.
	noWireMock string
}

// runRow measures a case on the simulator, the bare server and WireMock,
// one after the other at each number of connections, so that the cells a
// ratio compares are measured seconds apart on a machine others share.
func (b *bencher) runRow(ctx context.Context, s spec) *Row {
	row := &Row{Key: s.key, Title: s.title}
	b.r.Rows = append(b.r.Rows, row)
	standIn := func(base string) load { return func(int) (Op, error) { return s.stand(base), nil } }
	servers := []*series{{b: b, row: row, target: targetSim, ld: s.sim, out: &row.Sim}}
	bare, err := startBare(s.stubs, b.recv.URL)
	if err != nil {
		b.problem("%s: the bare server: %v", s.title, err)
	} else {
		defer bare.Close()
		servers = append(servers, &series{b: b, row: row, target: targetBare, ld: standIn(bare.URL), out: &row.Bare})
	}
	if wm := b.wireMockFor(ctx, s, row); wm != nil {
		servers = append(servers, &series{b: b, row: row, target: targetWireMock, ld: standIn(b.wm.URL), out: &row.WireMock})
	}
	for _, n := range b.o.Conns {
		for _, sr := range servers {
			sr.run(ctx, n)
		}
	}
	return row
}

// wireMockFor loads the case's stubs into WireMock and warms it up, or says
// in the row why WireMock stands in for it not.
func (b *bencher) wireMockFor(ctx context.Context, s spec, row *Row) *wiremock {
	switch {
	case s.noWireMock != "":
		row.WireMockNote = s.noWireMock
		return nil
	case b.wm == nil:
		row.WireMockNote = b.r.WireMock
		return nil
	}
	for _, st := range s.stubs {
		if err := b.wm.stub(ctx, st); err != nil {
			row.WireMockNote = "not measured (" + err.Error() + ")"
			b.problem("%s: %s", s.title, row.WireMockNote)
			return nil
		}
	}
	// The JVM compiles what runs hot: warm it before measuring.
	drive(ctx, b.o.Conns[len(b.o.Conns)-1], max(min(b.o.Duration, 2*time.Second), 300*time.Millisecond), s.stand(b.wm.URL))
	return b.wm
}

func listKey(n int) string { return fmt.Sprintf("list-%d", n) }

// listRow measures a list of 20 with n authorized payments stored, on a
// simulator of its own. With heap it also measures the live heap each
// stored session takes, before authorizing them.
func (b *bencher) listRow(ctx context.Context, n int, heap bool) error {
	sim, stop, err := b.newSim(nil)
	if err != nil {
		return err
	}
	defer func() {
		stop()
		debug.FreeOSMemory()
	}()
	title := fmt.Sprintf("list payments, %s stored (limit 20)", thousands(float64(n)))
	b.logf("%s: storing %d payments", title, n)
	var before uint64
	if heap {
		before = heapInUse()
	}
	ids, err := prepare(ctx, sim, n, !heap)
	if err != nil {
		return fmt.Errorf("storing payments: %w", err)
	}
	if heap {
		// The ids the bench keeps (48 bytes each) are counted too: under 1%.
		after := heapInUse()
		b.r.HeapPerPayment = (float64(after) - float64(before)) / float64(n)
		b.logf("heap per stored session: %.0f bytes", b.r.HeapPerPayment)
		if err := approveAll(ctx, sim, ids); err != nil {
			return fmt.Errorf("authorizing the stored payments: %w", err)
		}
	}
	key := simulator.DefaultSecretKey
	a, err := record(ctx, "GET", sim.URL+pathList+listQuery, tabbyHeader(key), nil, 200)
	if err != nil {
		b.fail("%s: %v", title, err)
		return nil
	}
	if got := gjson.GetBytes(a.body, "payments.#").Int(); got != min(20, int64(n)) {
		b.fail("%s: the list holds %d payments, want %d", title, got, min(20, n))
	}
	b.runRow(ctx, spec{
		key: listKey(n), title: title,
		sim:   fixed(listOp(sim.URL, key)),
		stubs: []stub{{route: routeList, answer: a}},
		stand: func(base string) Op { return listOp(base, key) },
	})
	return nil
}

// approveAll authorizes every payment as the customer would.
func approveAll(ctx context.Context, sim *simulator.Server, ids []string) error {
	return parallel(ctx, len(ids), func(i int) error {
		_, _, err := sim.Tabby.Act(ctx, ids[i], tabby.Approve)
		return err
	})
}

// parallel runs fn for 0..n-1 on every core and returns the first error.
func parallel(ctx context.Context, n int, fn func(i int) error) error {
	var (
		next  atomic.Int64
		first error
		once  sync.Once
		wg    sync.WaitGroup
	)
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { first = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return first
}

// mainRows measures the cases that share one simulator: create, retrieve,
// capture, doTransaction and the whole payment, then create and retrieve on
// --data.
func (b *bencher) mainRows(ctx context.Context) error {
	sim, stop, err := b.newSim(nil)
	if err != nil {
		return err
	}
	defer stop()
	key := simulator.DefaultSecretKey

	a, err := record(ctx, "POST", sim.URL+pathCheckout, tabbyHeader(key), checkoutBody, 200)
	if err != nil {
		b.fail("create checkout session with Tabby's Postman body: %v", err)
		return nil
	}
	create := b.runRow(ctx, spec{
		key: "create", title: "create checkout session (Postman body)",
		sim:   fixed(createOp(sim.URL, key)),
		stubs: []stub{{route: routeCreate, answer: a}},
		stand: func(base string) Op { return createOp(base, key) },
	})

	ids, err := prepare(ctx, sim, b.o.RetrieveIDs, true)
	if err != nil {
		return fmt.Errorf("preparing payments to retrieve: %w", err)
	}
	if a, err = record(ctx, "GET", sim.URL+withID(pathPayment, ids[0]), tabbyHeader(key), nil, 200); err != nil {
		b.fail("retrieve payment: %v", err)
		return nil
	}
	retrieve := b.runRow(ctx, spec{
		key: "retrieve", title: "retrieve payment",
		sim:   fixed(retrieveOp(sim.URL, key, ids)),
		stubs: []stub{{route: routeRetrieve, answer: a}},
		stand: func(base string) Op { return retrieveOp(base, key, ids) },
	})

	one, err := prepare(ctx, sim, 1, true)
	if err != nil {
		return fmt.Errorf("preparing a payment to capture: %w", err)
	}
	if a, err = record(ctx, "POST", sim.URL+withID(pathCapture, one[0]), tabbyHeader(key), captureBody, 200); err != nil {
		b.fail("capture: %v", err)
		return nil
	}
	b.runRow(ctx, spec{
		key: "capture", title: "capture (a fresh authorized payment each)",
		sim: func(conns int) (Op, error) {
			// As many payments as retrieve's pace could use up, and then some.
			n := int(rateAt(retrieve.Sim, conns)*b.o.Duration.Seconds()*1.3) + 50
			ids, err := prepare(ctx, sim, n, true)
			if err != nil {
				return nil, err
			}
			return captureOp(sim.URL, key, (&pool{ids: ids}).take), nil
		},
		stubs: []stub{{route: routeCapture, answer: a}},
		stand: func(base string) Op { return captureOp(base, key, always(one[0])) },
	})

	if err := b.onerwayRow(ctx, sim); err != nil {
		return err
	}
	if err := b.paymentRow(ctx, sim); err != nil {
		return err
	}
	return b.dataRows(ctx, create, retrieve)
}

func rateAt(cells []Cell, conns int) float64 {
	for _, c := range cells {
		if c.Conns == conns && c.Skipped == "" {
			return c.Rate()
		}
	}
	return 0
}

// onerwayCredentials are a merchant's Onerway merchantNo and secret key.
type onerwayCredentials struct{ MerchantNo, SecretKey string }

// defaultOnerwayCredentials reads the default merchant's Onerway
// credentials from the control API, if it has any.
func defaultOnerwayCredentials(ctx context.Context, base string) (onerwayCredentials, bool) {
	a, err := record(ctx, "GET", base+simctl.Prefix+"/merchants/"+simulator.DefaultMerchantID, nil, nil, 200)
	if err != nil {
		return onerwayCredentials{}, false
	}
	o := gjson.GetBytes(a.body, "onerway")
	first := func(names ...string) string {
		for _, n := range names {
			if v := o.Get(n).String(); v != "" {
				return v
			}
		}
		return ""
	}
	c := onerwayCredentials{MerchantNo: first("merchant_no", "merchantNo"), SecretKey: first("secret_key", "secretKey")}
	return c, c.MerchantNo != "" && c.SecretKey != ""
}

// onerwayRow measures a signed doTransaction creating a Tabby payment
// through the gateway, when the simulator serves it.
func (b *bencher) onerwayRow(ctx context.Context, sim *simulator.Server) error {
	const title = "Onerway signed doTransaction (Tabby)"
	cred, ok := defaultOnerwayCredentials(ctx, sim.URL)
	req := onerwayPayment("bench-record", b.recv.URL)
	req.MerchantNo = cred.MerchantNo
	body, err := onerway.SignRequest(req, cred.SecretKey)
	if err != nil {
		return err
	}
	a, err := record(ctx, "POST", sim.URL+routeOnerway.path, jsonHeader, body, 200)
	switch {
	case a.status == 404:
		b.r.Rows = append(b.r.Rows, &Row{Key: "onerway", Title: title, Note: "not served: the simulator answers 404 at " + routeOnerway.path})
		return nil
	case !ok:
		b.r.Rows = append(b.r.Rows, &Row{Key: "onerway", Title: title, Note: "skipped: the default merchant has no Onerway credentials"})
		return nil
	case err == nil && gjson.GetBytes(a.body, "respCode").String() != onerway.RespSuccess:
		err = fmt.Errorf("respCode %s: %s", gjson.GetBytes(a.body, "respCode"), excerpt(a.body))
	}
	if err != nil {
		b.fail("%s: %v", title, err)
		b.r.Rows = append(b.r.Rows, &Row{Key: "onerway", Title: title, Note: "failed: " + err.Error()})
		return nil
	}
	b.runRow(ctx, spec{
		key: "onerway", title: title,
		sim:   fixed(onerwayOp(sim.URL, cred, b.recv.URL)),
		stubs: []stub{{route: routeOnerway, answer: a}},
		stand: func(base string) Op { return onerwayOp(base, cred, b.recv.URL) },
	})
	return nil
}

// paymentRow measures whole payments for a merchant of their own, whose
// webhooks go to the loopback receiver. Only payments whose closed webhook
// was acknowledged count.
func (b *bencher) paymentRow(ctx context.Context, sim *simulator.Server) error {
	const title = "whole payment: create, approve, capture, webhook"
	m, err := simctl.New(sim.URL).CreateMerchant(ctx, simctl.CreateMerchantRequest{ID: "bench-payments", Name: "whole payments"})
	if err != nil {
		return fmt.Errorf("creating the merchant of whole payments: %w", err)
	}
	key := m.Tabby.SecretKey
	h := tabbyHeader(key)
	h.Set("X-Merchant-Code", "ae")
	if _, err := record(ctx, "POST", sim.URL+"/api/v1/webhooks", h, []byte(`{"url":"`+b.recv.URL+`"}`), 200); err != nil {
		b.fail("%s: registering the webhook: %v", title, err)
		return nil
	}

	// One whole payment, recorded for the bare server, webhooks included.
	stubs, err := b.recordPayment(ctx, sim.URL, key)
	if err != nil {
		b.fail("%s: %v", title, err)
		return nil
	}
	b.runRow(ctx, spec{
		key: "payment", title: title,
		sim: func(int) (Op, error) {
			b.recv.reset()
			return paymentOp(sim.URL, key, b.recv), nil
		},
		stubs: stubs,
		stand: func(base string) Op {
			b.recv.reset()
			return paymentOp(base, key, b.recv)
		},
		noWireMock: "not measured (static stubs send no webhooks)",
	})
	return nil
}

// recordPayment makes one whole payment and returns its answers, each with
// the webhooks it caused, for the bare server.
func (b *bencher) recordPayment(ctx context.Context, base, key string) ([]stub, error) {
	done := b.recv.record()
	create, err := record(ctx, "POST", base+pathCheckout, tabbyHeader(key), checkoutBody, 200)
	if err != nil {
		done()
		return nil, err
	}
	id := gjson.GetBytes(create.body, "payment.id").String()
	approve, err := record(ctx, "POST", base+withID(pathCustomer, id), jsonHeader, approveBody, 200)
	if err == nil {
		err = b.recv.waitBodies(ctx, 1, webhookWait)
	}
	if err != nil {
		done()
		return nil, err
	}
	capture, err := record(ctx, "POST", base+withID(pathCapture, id), tabbyHeader(key), captureBody, 200)
	if err == nil {
		err = b.recv.waitClosed(ctx, id, webhookWait)
	}
	bodies := done()
	if err != nil {
		return nil, err
	}
	return []stub{
		{route: routeCreate, answer: create},
		{route: routeCustomer, answer: approve, webhooks: bodies[:1]},
		{route: routeCapture, answer: capture, webhooks: bodies[1:]},
	}, nil
}

// dataRows measures create and retrieve again on a simulator keeping its
// state in SQLite, as `serve --data` does.
func (b *bencher) dataRows(ctx context.Context, create, retrieve *Row) error {
	dir, err := os.MkdirTemp("", "tabbysim-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(filepath.Join(dir, "bench.db"))
	if err != nil {
		return err
	}
	sim, stop, err := b.newSim(st)
	if err != nil {
		st.Close()
		return err
	}
	defer stop()
	key := simulator.DefaultSecretKey
	create.Data = b.cells(ctx, create, targetSimData, fixed(createOp(sim.URL, key)))
	ids, err := prepare(ctx, sim, b.o.RetrieveIDs, true)
	if err != nil {
		b.fail("--data: preparing payments to retrieve: %v", err)
		return nil
	}
	retrieve.Data = b.cells(ctx, retrieve, targetSimData, fixed(retrieveOp(sim.URL, key, ids)))
	return nil
}

// startup times `tabbysim serve` from exec to its ready line.
func (b *bencher) startup(ctx context.Context) error {
	if b.o.Binary == "" || b.o.StartupRuns < 1 {
		b.problem("start-up: no binary to run")
		return nil
	}
	b.logf("start-up: %d runs of %s serve", b.o.StartupRuns, b.o.Binary)
	ds, err := startupTimes(ctx, b.o.Binary, b.o.StartupRuns)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		b.problem("start-up: %v", err)
		return nil
	}
	b.r.Startup = ds
	b.logf("start-up: median %s", ms(median(ds)))
	return nil
}

// conformance times the whole suite against the reference merchant.
func (b *bencher) conformance(ctx context.Context) error {
	b.logf("conformance suite against the reference merchant")
	d, err := conformanceTime(ctx)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		b.fail("conformance suite: %v", err)
		return nil
	}
	b.r.Conformance = d
	b.logf("conformance suite: %s", d.Round(time.Millisecond))
	return nil
}
