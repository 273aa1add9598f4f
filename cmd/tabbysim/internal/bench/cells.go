package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
)

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

func rateAt(cells []Cell, conns int) float64 {
	for _, c := range cells {
		if c.Conns == conns && c.Skipped == "" {
			return c.Rate()
		}
	}
	return 0
}
