package bench

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// The generated part of BENCHMARKS.md lies between these lines; what is
// outside them (findings, profiles) is kept when a run rewrites the file.
const (
	beginMarker = "<!-- tabbysim bench: generated from here to the end marker; a run rewrites it -->"
	endMarker   = "<!-- tabbysim bench: end -->"
)

// WriteFile puts the report's Markdown into path, replacing the part an
// earlier run wrote and keeping the rest.
func (r *Report) WriteFile(path string) error {
	md := beginMarker + "\n" + r.Markdown() + endMarker + "\n"
	old, err := os.ReadFile(path)
	switch {
	case os.IsNotExist(err):
		return os.WriteFile(path, []byte("# Benchmarks\n\n"+md), 0o644)
	case err != nil:
		return err
	}
	s := string(old)
	i, j := strings.Index(s, beginMarker), strings.Index(s, endMarker)
	if i < 0 || j < i {
		return os.WriteFile(path, []byte(strings.TrimRight(s, "\n")+"\n\n"+md), 0o644)
	}
	return os.WriteFile(path, []byte(s[:i]+md+strings.TrimPrefix(s[j+len(endMarker):], "\n")), 0o644)
}

// Markdown is the report as tables.
func (r *Report) Markdown() string {
	var b strings.Builder
	o := r.Options
	m := r.Machine
	fmt.Fprintf(&b, "## Results\n\n")
	fmt.Fprintf(&b, "- Machine: %s, %d cores, %s; %s.\n", m.CPU, m.Cores, m.OS, m.Go)
	if m.Load != "" {
		fmt.Fprintf(&b, "- Load average over the minute before the run: %s (what else the machine was running).\n", m.Load)
	}
	fmt.Fprintf(&b, "- Command: `%s`, run %s; %s a cell; the run took %s.\n",
		o.Command, r.Started.UTC().Format("2006-01-02 15:04 MST"), o.Duration, r.Took.Round(time.Second))
	fmt.Fprintf(&b, "- Load: %s. Everything on loopback on this one machine; the simulator and the bare server run in the bench's own process, beside the generator.\n", Generator)
	fmt.Fprintf(&b, "- Stand-ins: `net/http` is a bare Go server answering the simulator's recorded answers (same status, headers and bytes; for whole payments it also posts the recorded webhooks); WireMock: %s, the same answers as static stubs.\n", r.WireMock)
	fmt.Fprintf(&b, "- Ops are requests, except whole payments (create, approve through the control API, capture, and the closed webhook acknowledged by a loopback receiver; only completed ones count). Latencies are of ops that succeeded. At each number of connections the servers are driven one after the other, so a ratio compares cells measured seconds apart; a server is not driven harder once its median passes %s.\n\n", ms(raiseLimit))

	b.WriteString("### Throughput and latency\n\n")
	b.WriteString("| case | conns | tabbysim ops/s | p50 | p99 | p99.9 | net/http ops/s | p99 | tabbysim ÷ net/http | WireMock ops/s | p99 | tabbysim ÷ WireMock |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, row := range r.Rows {
		if row.Note != "" {
			fmt.Fprintf(&b, "| %s | | %s | | | | | | | | | |\n", row.Title, row.Note)
			continue
		}
		for i, n := range o.Conns {
			sim, bare, wm := cellAt(row.Sim, i), cellAt(row.Bare, i), cellAt(row.WireMock, i)
			wmCols := "| " + row.WireMockNote + " | | "
			if row.WireMockNote == "" {
				wmCols = fmt.Sprintf("| %s | %s | %s ", rate(wm), p99(wm), ratio(sim, wm))
			}
			fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s | %s %s|\n",
				row.Title, n, rate(sim), lat(sim, sim.P50), lat(sim, sim.P99), lat(sim, sim.P999),
				rate(bare), p99(bare), ratio(sim, bare), wmCols)
		}
	}

	b.WriteString("\n### State, start-up, conformance\n\n| measure | result |\n|---|--:|\n")
	heap := "not measured"
	if r.HeapPerPayment > 0 {
		heap = fmt.Sprintf("%s B (%.1f KiB)", thousands(r.HeapPerPayment), r.HeapPerPayment/1024)
	}
	fmt.Fprintf(&b, "| live heap per stored payment, after %s sessions with the Postman body (HeapAlloc after GC, delta ÷ count) | %s |\n", thousands(float64(o.Stored)), heap)
	start := "not measured"
	if len(r.Startup) > 0 {
		runs := make([]string, len(r.Startup))
		for i, d := range r.Startup {
			runs[i] = ms(d)
		}
		start = fmt.Sprintf("%s (runs: %s)", ms(median(r.Startup)), strings.Join(runs, ", "))
	}
	fmt.Fprintf(&b, "| start-up of `tabbysim serve`, exec to the ready line, median of %d | %s |\n", o.StartupRuns, start)
	conf := "not measured"
	if r.Conformance > 0 {
		conf = fmt.Sprintf("%.2f s", r.Conformance.Seconds())
	}
	fmt.Fprintf(&b, "| whole conformance suite against the reference merchant, wall time | %s |\n", conf)

	b.WriteString("\n### `--data` (SQLite) against memory\n\n")
	b.WriteString("| case | conns | memory ops/s | `--data` ops/s | `--data` ÷ memory | memory p99 | `--data` p99 |\n|---|--:|--:|--:|--:|--:|--:|\n")
	for _, row := range r.Rows {
		if row.Data == nil {
			continue
		}
		for i, n := range o.Conns {
			mem, data := cellAt(row.Sim, i), cellAt(row.Data, i)
			fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s |\n", row.Title, n, rate(mem), rate(data), ratio(data, mem), p99(mem), p99(data))
		}
	}

	b.WriteString("\n### Targets (shown here, never asserted in tests)\n\n| target | measured | |\n|---|--:|---|\n")
	for _, t := range r.targets() {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", t.what, t.measured, t.verdict)
	}

	b.WriteString("\n### Unexpected answers from the simulator\n\n")
	if len(r.Failures) == 0 {
		b.WriteString("None.\n")
	}
	for _, f := range r.Failures {
		fmt.Fprintf(&b, "- %s\n", oneLine(f))
	}
	if len(r.Problems) > 0 {
		b.WriteString("\n### Measures not taken\n\n")
		for _, p := range r.Problems {
			fmt.Fprintf(&b, "- %s\n", oneLine(p))
		}
	}
	return b.String()
}

func oneLine(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "\n", " "), "|", `\|`) }

// cellAt is the i-th cell, or one marked as not run.
func cellAt(cells []Cell, i int) Cell {
	if i < len(cells) {
		return cells[i]
	}
	return Cell{Skipped: "not run"}
}

func rate(c Cell) string {
	if c.Skipped != "" {
		return c.Skipped
	}
	switch r := c.Rate(); {
	case c.Ops == 0 && c.Errors > 0:
		return "failed"
	case r < 10:
		return fmt.Sprintf("%.2f", r)
	default:
		return thousands(r)
	}
}

func p99(c Cell) string { return lat(c, c.P99) }

func lat(c Cell, d time.Duration) string {
	if c.Skipped != "" || c.Ops == 0 {
		return ""
	}
	return ms(d)
}

func ratio(a, b Cell) string {
	if a.Skipped != "" || b.Skipped != "" || b.Rate() == 0 {
		return ""
	}
	return fmt.Sprintf("%.2f×", a.Rate()/b.Rate())
}

// ms writes a duration in milliseconds with two or three significant
// digits.
func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v >= 10000:
		return fmt.Sprintf("%.1f s", v/1000)
	case v >= 100:
		return thousands(v) + " ms"
	case v >= 10:
		return fmt.Sprintf("%.1f ms", v)
	default:
		return fmt.Sprintf("%.2f ms", v)
	}
}

// thousands writes v rounded, with commas between thousands.
func thousands(v float64) string {
	s := strconv.FormatInt(int64(math.Round(v)), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

type target struct{ what, measured, verdict string }

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "missed"
}

// targets holds the measures against what the simulator aims at.
func (r *Report) targets() []target {
	var out []target
	notMeasured := func(what string) { out = append(out, target{what, "not measured", ""}) }
	last := len(r.Options.Conns) - 1
	top := r.Options.Conns[last]
	at := func(key string, cells func(*Row) []Cell) (Cell, bool) {
		row := r.Row(key)
		if row == nil || row.Note != "" {
			return Cell{}, false
		}
		c := cellAt(cells(row), last)
		return c, c.Skipped == "" && c.Ops > 0
	}
	sim := func(row *Row) []Cell { return row.Sim }
	for _, t := range []struct {
		key string
		min float64
	}{{"create", 0.5}, {"retrieve", 0.7}, {"capture", 0.4}} {
		for _, o := range []struct {
			name  string
			min   float64
			cells func(*Row) []Cell
		}{
			{targetBare, t.min, func(row *Row) []Cell { return row.Bare }},
			{targetWireMock, 3, func(row *Row) []Cell { return row.WireMock }},
		} {
			what := fmt.Sprintf("%s at %d connections: at least %.1f× %s", r.title(t.key), top, o.min, o.name)
			s, ok1 := at(t.key, sim)
			c, ok2 := at(t.key, o.cells)
			if !ok1 || !ok2 || c.Rate() == 0 {
				notMeasured(what)
				continue
			}
			x := s.Rate() / c.Rate()
			out = append(out, target{what, fmt.Sprintf("%.2f×", x), verdict(x >= o.min)})
		}
	}
	for _, t := range []struct {
		key string
		max time.Duration
	}{{"retrieve", 5 * time.Millisecond}, {"create", 10 * time.Millisecond}} {
		what := fmt.Sprintf("%s at %d connections: p99 under %s", r.title(t.key), top, ms(t.max))
		if c, ok := at(t.key, sim); ok {
			out = append(out, target{what, ms(c.P99), verdict(c.P99 < t.max)})
		} else {
			notMeasured(what)
		}
	}
	out = append(out, r.listTarget())

	what := fmt.Sprintf("whole payments with their webhook at %d connections: at least 3,000/s", top)
	if c, ok := at("payment", sim); ok {
		out = append(out, target{what, thousands(c.Rate()) + "/s", verdict(c.Rate() >= 3000)})
	} else {
		notMeasured(what)
	}
	what = "live heap per stored payment: at most 4 KiB"
	if r.HeapPerPayment > 0 {
		out = append(out, target{what, fmt.Sprintf("%.1f KiB", r.HeapPerPayment/1024), verdict(r.HeapPerPayment <= 4096)})
	} else {
		notMeasured(what)
	}
	what = fmt.Sprintf("`--data` on create at %d connections: at least 0.3× memory", top)
	mem, ok1 := at("create", sim)
	data, ok2 := at("create", func(row *Row) []Cell { return row.Data })
	if ok1 && ok2 {
		x := data.Rate() / mem.Rate()
		out = append(out, target{what, fmt.Sprintf("%.2f×", x), verdict(x >= 0.3)})
	} else {
		notMeasured(what)
	}
	what = "start-up under 50 ms"
	if len(r.Startup) > 0 {
		d := median(r.Startup)
		out = append(out, target{what, ms(d), verdict(d < 50*time.Millisecond)})
	} else {
		notMeasured(what)
	}
	what = "the whole conformance suite under 5 s"
	if r.Conformance > 0 {
		out = append(out, target{what, fmt.Sprintf("%.2f s", r.Conformance.Seconds()), verdict(r.Conformance < 5*time.Second)})
	} else {
		notMeasured(what)
	}
	return out
}

// listTarget compares the two lists at the most connections both were
// driven at.
func (r *Report) listTarget() target {
	n := r.Options.Stored
	small, large := r.Row(listKey(min(100, n))), r.Row(listKey(n))
	what := fmt.Sprintf("a list of 20 costs the same with %s or %s stored (within 20%%)", thousands(float64(min(100, n))), thousands(float64(n)))
	if small == nil || large == nil || small.Note != "" || large.Note != "" {
		return target{what, "not measured", ""}
	}
	for i := len(r.Options.Conns) - 1; i >= 0; i-- {
		s, l := cellAt(small.Sim, i), cellAt(large.Sim, i)
		if s.Skipped != "" || s.Rate() == 0 {
			continue
		}
		if l.Skipped != "" {
			return target{what, fmt.Sprintf("the larger list was not run at %d connections", r.Options.Conns[i]), verdict(false)}
		}
		x := l.Rate() / s.Rate()
		return target{what, fmt.Sprintf("%.2f× the throughput at %d connections", x, r.Options.Conns[i]), verdict(x >= 0.8)}
	}
	return target{what, "not measured", ""}
}

func (r *Report) title(key string) string {
	if row := r.Row(key); row != nil {
		return row.Title
	}
	return key
}
