package webhook_test

// Delivery throughput: b.N deliveries, each enqueued in its own store
// update as a payment event would be, for a few merchants on manual clocks,
// then every clock advanced so that all are tried against a loopback
// receiver.
//
//	go test -run '^$' -bench Delivery -benchtime 20000x ./simulator/webhook/

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator/tenant"
	"github.com/tabbysim/tabbysim/simulator/webhook"
	"github.com/tabbysim/tabbysim/simulator/webhook/webhooktest"
)

const benchMerchants = 4

// benchReceiver answers 200, or 500 to the first try of each delivery when
// failFirst is set; it tells deliveries apart by their bodies.
func benchReceiver(b *testing.B, failFirst bool) (*httptest.Server, *atomic.Int64) {
	var hits atomic.Int64
	var seen sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		hits.Add(1)
		if failFirst {
			if _, again := seen.LoadOrStore(string(body), true); !again {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
		}
		_, _ = io.WriteString(w, "ok")
	}))
	b.Cleanup(srv.Close)
	return srv, &hits
}

// runDeliveries enqueues b.N deliveries spread over benchMerchants
// merchants and advances each clock by each of steps in turn, the merchants
// in parallel. It returns how long that took, enqueueing included.
func runDeliveries(b *testing.B, url string, steps ...time.Duration) (*webhooktest.Env, []*tenant.Merchant, time.Duration) {
	x := newEngine(b, 0)
	ms := make([]*tenant.Merchant, benchMerchants)
	for i := range ms {
		ms[i] = x.Merchant(b, fmt.Sprintf("m%d", i), tenant.WebhookSettings{})
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		p := fmt.Sprintf("p%07d", i)
		x.Enqueue(b, ms[i%benchMerchants], testDelivery(url, p))
	}
	for _, step := range steps {
		var wg sync.WaitGroup
		for _, m := range ms {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, _ := x.Clocks.Clock(m.ID)
				if _, err := x.Clocks.Advance(bg, m.ID, c.Now().Add(step)); err != nil {
					b.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	elapsed := time.Since(start)
	b.StopTimer()
	return x, ms, elapsed
}

// delivered counts the deliveries in status Delivered.
func delivered(b *testing.B, x *webhooktest.Env) int {
	ds, err := x.Engine.List(bg, webhook.Filter{Status: webhook.Delivered})
	if err != nil {
		b.Fatal(err)
	}
	return len(ds)
}

// BenchmarkDelivery: deliveries per second to a receiver answering 200.
func BenchmarkDelivery(b *testing.B) {
	srv, hits := benchReceiver(b, false)
	x, _, elapsed := runDeliveries(b, srv.URL, 0)
	if n := delivered(b, x); n != b.N || hits.Load() != int64(b.N) {
		b.Fatalf("%d delivered with %d requests, want %d", n, hits.Load(), b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "deliveries/s")
}

// BenchmarkDeliveryWithRetries: each delivery's first try is answered 500
// and its retry, a minute later on the merchant's clock, 200; deliveries
// (not tries) per second.
func BenchmarkDeliveryWithRetries(b *testing.B) {
	srv, hits := benchReceiver(b, true)
	x, _, elapsed := runDeliveries(b, srv.URL, 0, testPolicy.Backoff[0])
	if n := delivered(b, x); n != b.N || hits.Load() != int64(2*b.N) {
		b.Fatalf("%d delivered with %d requests, want %d with %d", n, hits.Load(), b.N, 2*b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "deliveries/s")
	b.ReportMetric(float64(2*b.N)/elapsed.Seconds(), "tries/s")
}
