package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/tabbysim/tabbysim/conformance"
)

// Machine is what the numbers were measured on.
type Machine struct {
	CPU   string
	Cores int
	Go    string
	OS    string
	// Load is the load average over the minute before the run, as
	// /proc/loadavg gives it ("" where there is none): what else was
	// running, which the ratios depend on.
	Load string
}

func thisMachine() Machine {
	m := Machine{CPU: "unknown", Cores: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
				m.CPU = strings.TrimSpace(value)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) > 0 {
			m.Load = f[0]
		}
	}
	return m
}

// heapInUse is the heap's live bytes after a full collection.
func heapInUse() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// readyLine is how `tabbysim serve` says it is serving.
const readyLine = "tabbysim listening on "

// startupTimes runs `bin serve` runs times and measures each from exec to
// the ready line.
func startupTimes(ctx context.Context, bin string, runs int) ([]time.Duration, error) {
	var out []time.Duration
	for range runs {
		d, err := startupTime(ctx, bin)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func startupTime(ctx context.Context, bin string) (time.Duration, error) {
	cmd := exec.CommandContext(ctx, bin, "serve", "--addr", "127.0.0.1:0", "--seed", "1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	ready := make(chan time.Duration, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), readyLine) {
				ready <- time.Since(start)
			}
		}
		close(ready)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	d, ok := <-ready
	_ = cmd.Process.Signal(os.Interrupt)
	for range ready {
	}
	werr := cmd.Wait()
	if !ok {
		return 0, fmt.Errorf("%s serve printed no ready line: %v %s", bin, werr, excerpt([]byte(stderr.String())))
	}
	return d, nil
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// conformanceTime runs the whole conformance suite against the clean
// reference merchant, as `tabbysim conform` does, and times it.
func conformanceTime(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	res, err := conformance.Run(ctx, conformance.Options{Seed: 1, Concurrency: 16})
	d := time.Since(start)
	if err != nil {
		return d, err
	}
	if !res.Passed {
		return d, errors.New("the clean reference merchant failed the suite (tabbysim conform --seed 1 shows why)")
	}
	return d, nil
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
