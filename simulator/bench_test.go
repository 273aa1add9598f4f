package simulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/store/sqlite"
	"github.com/tabbysim/tabbysim/simulator/tabby"
)

// The benchmarks below serve Tabby's API in process, through the
// simulator's whole handler (request id, journal, router, auth, service,
// store, answer) but without a network: what the simulator itself spends
// on a request, the figure to compare before and after a change on a
// machine whose load makes wall-clock throughput noisy. `tabbysim bench`
// measures the same cases over loopback HTTP beside a bare server.

// postmanCheckout is Tabby's Postman checkout body, as `tabbysim bench`
// sends it.
func postmanCheckout(b *testing.B) []byte {
	raw, err := os.ReadFile("../cmd/tabbysim/internal/bench/postman-checkout.json")
	if err != nil {
		b.Fatal(err)
	}
	return []byte(strings.NewReplacer("{{currency}}", "AED", "{{merchant_code}}", "ae").Replace(string(raw)))
}

var captureBody = []byte(`{"amount": "100.00", "reference_id": "idempotency_key_1"}`)

// discard is a ResponseWriter that keeps only the status.
type discard struct {
	h      http.Header
	status int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(status int)      { d.status = status }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }

// serve sends one request to h and fails unless it is answered 200.
func serve(b *testing.B, h http.Handler, method, path string, body []byte) {
	r, _ := http.NewRequest(method, "http://sim"+path, bytes.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+simulator.DefaultSecretKey)
	r.Header.Set("Content-Type", "application/json")
	w := &discard{h: http.Header{}, status: http.StatusOK}
	h.ServeHTTP(w, r)
	if w.status != http.StatusOK {
		b.Fatalf("%s %s: %d", method, path, w.status)
	}
}

// growStack grows the goroutine's stack to at least n bytes, so that no
// request in the loop pays for growing it, and callgrind, which loses
// track of calls when Go moves a stack, counts the requests' instructions
// alike.
//
//go:noinline
func growStack(n int) byte {
	var pad [1024]byte
	if n <= len(pad) {
		return pad[0]
	}
	return growStack(n-len(pad)) + pad[1]
}

// cpuTime is the CPU time the process has used, GC included: on a shared
// machine it varies less than the wall time an op takes.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// newBenchSim starts a simulator keeping its state in st (nil: in memory).
func newBenchSim(b *testing.B, st store.Store) *simulator.Simulator {
	// A log line per request, as serve writes by default, written nowhere.
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	sim, err := simulator.New(simulator.Config{Seed: 1, PublicURL: "http://sim", Logger: logger, Store: st})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = sim.Close() })
	return sim
}

// sessions creates n sessions with body for the default merchant through
// the service and, with approve, authorizes each.
func sessions(b *testing.B, sim *simulator.Simulator, body []byte, n int, approve bool) []string {
	ctx := context.Background()
	m, err := sim.DefaultMerchant(ctx)
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]string, n)
	for i := range ids {
		var req tabby.CheckoutRequest
		if err := json.Unmarshal(body, &req); err != nil {
			b.Fatal(err)
		}
		p, err := sim.Tabby.CreateSession(ctx, m, &req, true)
		if err != nil {
			b.Fatal(err)
		}
		if approve {
			if _, _, err := sim.Tabby.Act(ctx, p.ID, tabby.Approve); err != nil {
				b.Fatal(err)
			}
		}
		ids[i] = p.ID
	}
	return ids
}

// BenchmarkTabbyAPI serves create checkout session (Postman body),
// retrieve payment, capture (a fresh authorized payment each) and a list of
// 20, one request at a time and 64 at once (parallel), where the store's
// lock and the others are shared.
func BenchmarkTabbyAPI(b *testing.B) {
	checkout := postmanCheckout(b)
	for _, parallel := range []bool{false, true} {
		suffix := ""
		if parallel {
			suffix = "/parallel"
		}
		b.Run("create"+suffix, func(b *testing.B) {
			h := newBenchSim(b, nil).Handler()
			measure(b, parallel, func(int) { serve(b, h, http.MethodPost, "/api/v2/checkout", checkout) })
		})
		b.Run("retrieve"+suffix, func(b *testing.B) {
			sim := newBenchSim(b, nil)
			ids := sessions(b, sim, checkout, 1000, true)
			h := sim.Handler()
			measure(b, parallel, func(i int) { serve(b, h, http.MethodGet, "/api/v2/payments/"+ids[i%len(ids)], nil) })
		})
		b.Run("capture"+suffix, func(b *testing.B) {
			sim := newBenchSim(b, nil)
			ids := sessions(b, sim, checkout, b.N, true)
			h := sim.Handler()
			measure(b, parallel, func(i int) { serve(b, h, http.MethodPost, "/api/v2/payments/"+ids[i]+"/captures", captureBody) })
		})
		for _, stored := range []int{100, 100_000} {
			b.Run(fmt.Sprintf("list-%d%s", stored, suffix), func(b *testing.B) {
				sim := newBenchSim(b, nil)
				sessions(b, sim, checkout, stored, true)
				h := sim.Handler()
				measure(b, parallel, func(int) { serve(b, h, http.MethodGet, "/api/v2/payments?limit=20", nil) })
			})
		}
	}
}

// BenchmarkTabbyAPIData serves create and retrieve with the state in
// SQLite, as serve --data keeps it.
func BenchmarkTabbyAPIData(b *testing.B) {
	checkout := postmanCheckout(b)
	open := func(b *testing.B) store.Store {
		st, err := sqlite.Open(filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		return st
	}
	b.Run("create", func(b *testing.B) {
		h := newBenchSim(b, open(b)).Handler()
		measure(b, false, func(int) { serve(b, h, http.MethodPost, "/api/v2/checkout", checkout) })
	})
	b.Run("retrieve", func(b *testing.B) {
		sim := newBenchSim(b, open(b))
		ids := sessions(b, sim, checkout, 1000, true)
		h := sim.Handler()
		measure(b, false, func(i int) { serve(b, h, http.MethodGet, "/api/v2/payments/"+ids[i%len(ids)], nil) })
	})
}

// measure runs op b.N times, one at a time or 64 at once, and reports the
// CPU time per op beside the wall time.
func measure(b *testing.B, parallel bool, op func(i int)) {
	b.ReportAllocs()
	growStack(64 << 10)
	// The setup's garbage is collected now, not in the timed loop.
	runtime.GC()
	start := cpuTime()
	b.ResetTimer()
	if !parallel {
		for i := 0; i < b.N; i++ {
			op(i)
		}
	} else {
		var next atomic.Int64
		// 64 requests at once on 2 cores, as tabbysim bench's 64
		// connections.
		b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				op(int(next.Add(1) - 1))
			}
		})
	}
	b.StopTimer()
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// BenchmarkStoredSession stores sessions with the Postman body and
// reports the live heap each one takes (run it with -benchtime=20000x).
func BenchmarkStoredSession(b *testing.B) {
	sim := newBenchSim(b, nil)
	checkout := postmanCheckout(b)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	ids := sessions(b, sim, checkout, b.N, false)
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric((float64(after.HeapAlloc)-float64(before.HeapAlloc))/float64(b.N), "heap-B/session")
	// Each live object is one more the collector marks on every cycle.
	b.ReportMetric((float64(after.HeapObjects)-float64(before.HeapObjects))/float64(b.N), "objects/session")
	runtime.KeepAlive(ids)
}
