package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Generator names the load generator in the report.
const Generator = "in-process Go generator: one goroutine per connection, each with its own keep-alive " +
	"net/http connection, sending its next request as soon as the answer is read"

// requestTimeout bounds one request; an answer slower than this is an error.
const requestTimeout = time.Minute

// Op is one unit of load: one request, or a whole payment of several. It
// returns an error when an answer was not the one expected.
type Op func(ctx context.Context, w *Worker) error

// errExhausted ends a worker's loop early without counting as an error: the
// payments prepared for the cell are used up.
var errExhausted = errors.New("the prepared payments are used up")

// Worker is one connection's loop.
type Worker struct {
	// ID numbers the workers of a cell from 0; N counts this worker's ops.
	// Together they make ids unique within a cell.
	ID, N int
	http  *http.Client
	buf   bytes.Buffer
}

// Do sends a request and reads the answer, which must have status want.
// The body returned is valid until the next call.
func (w *Worker) Do(ctx context.Context, method, url string, header http.Header, body []byte, want int) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := w.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	w.buf.Reset()
	if _, err := w.buf.ReadFrom(resp.Body); err != nil {
		return nil, fmt.Errorf("%s %s: reading the answer: %w", method, req.URL.Path, err)
	}
	if resp.StatusCode != want {
		return nil, fmt.Errorf("%s %s: %d, want %d: %s", method, req.URL.Path, resp.StatusCode, want, excerpt(w.buf.Bytes()))
	}
	return w.buf.Bytes(), nil
}

func excerpt(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// Cell is the outcome of driving one server at one number of connections.
type Cell struct {
	Conns int
	// Ops completed as expected, and those that were not.
	Ops, Errors int
	FirstError  string
	// Elapsed runs from the first request to the last answer: a cell stops
	// sending at its deadline and waits for the requests in flight, so no
	// work spills into the next cell.
	Elapsed        time.Duration
	P50, P99, P999 time.Duration
	// Skipped says why the cell was not run.
	Skipped string
}

// Rate is the cell's throughput in ops per second.
func (c Cell) Rate() float64 {
	if c.Elapsed <= 0 {
		return 0
	}
	return float64(c.Ops) / c.Elapsed.Seconds()
}

// drive runs op on conns connections until d has passed and reports the
// throughput and the latency percentiles of the ops that succeeded.
func drive(ctx context.Context, conns int, d time.Duration, op Op) Cell {
	var (
		mu    sync.Mutex
		lat   []time.Duration
		cell  = Cell{Conns: conns}
		wg    sync.WaitGroup
		start = time.Now()
	)
	deadline := start.Add(d)
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr := &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1, DisableCompression: true}
			defer tr.CloseIdleConnections()
			w := &Worker{ID: i, http: &http.Client{Transport: tr, Timeout: requestTimeout}}
			var mine []time.Duration
			var errs int
			var first string
			for ctx.Err() == nil && time.Now().Before(deadline) {
				t0 := time.Now()
				err := op(ctx, w)
				w.N++
				if errors.Is(err, errExhausted) {
					break
				}
				if err != nil {
					if ctx.Err() != nil {
						break
					}
					errs++
					if first == "" {
						first = err.Error()
					}
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			defer mu.Unlock()
			lat = append(lat, mine...)
			cell.Errors += errs
			if cell.FirstError == "" {
				cell.FirstError = first
			}
		}()
	}
	wg.Wait()
	cell.Elapsed = time.Since(start)
	cell.Ops = len(lat)
	slices.Sort(lat)
	cell.P50, cell.P99, cell.P999 = percentile(lat, 0.50), percentile(lat, 0.99), percentile(lat, 0.999)
	return cell
}

// percentile is the smallest latency at least q of the sorted ones do not
// exceed.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
