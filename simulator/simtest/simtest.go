// Package simtest starts an in-process tabbysim for Go tests with one call:
//
//	sim := simtest.Start(t)
//	s, err := sim.Tabby.CreateSession(ctx, req)
//	sim.Control.Customer(ctx, s.Payment.ID, "approve")
//	sim.Advance(t, 21*24*time.Hour)
//
// Each Start serves its own simulator on a free loopback port, so tests may
// run in parallel. sim.Onerway pays with Tabby through the Onerway gateway:
//
//	p, err := sim.Onerway.DoTransaction(ctx, req) // p.Status "R", p.RedirectURL
//	sim.Control.Customer(ctx, p.TransactionID, "approve")
package simtest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/client/simctl"
	"github.com/tabbysim/tabbysim/client/tabby"
	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/clock"
)

// Sim is a running simulator with a fresh merchant.
type Sim struct {
	// URL is the simulator's base URL, such as http://127.0.0.1:41234: the
	// Tabby API, the hosted pages and the control API.
	URL string
	// Merchant is the test's merchant, with its keys.
	Merchant *simctl.Merchant
	// Control is a control API client.
	Control *simctl.Client
	// Tabby is a Tabby API client with the merchant's secret key.
	Tabby *tabby.Client
	// Onerway is an Onerway gateway client with the merchant's merchantNo
	// and secret key.
	Onerway *onerway.Client
	// Simulator is the simulator itself.
	Simulator *simulator.Simulator
}

type options struct {
	seed      int64
	seedSet   bool
	wallClock bool
	settings  map[string]any
}

// Option configures Start.
type Option func(*options)

// WithSeed fixes the seed ids and failure injection are drawn from, to
// repeat a run; by default the seed is random and logged.
func WithSeed(n int64) Option {
	return func(o *options) { o.seed, o.seedSet = n, true }
}

// WithWallClock gives the merchant a clock that follows real time, so
// timeouts and webhook retries happen by themselves; by default the clock
// stands still until Advance.
func WithWallClock() Option {
	return func(o *options) { o.wallClock = true }
}

// WithSettings overrides the merchant's settings, such as
// {"tabby": {"auto_capture": "immediate"}} or {"webhooks": {"duplicate": 1}}.
func WithSettings(s map[string]any) Option {
	return func(o *options) { o.settings = s }
}

// Start runs an in-process simulator on a free loopback port with a fresh
// merchant on a manual clock (unless WithWallClock) and the background
// event loop running, and stops it all when the test ends. It fails the
// test on any setup error.
func Start(t testing.TB, opts ...Option) *Sim {
	t.Helper()
	o := options{}
	for _, opt := range opts {
		opt(&o)
	}
	if !o.seedSet {
		o.seed = time.Now().UnixNano()
	}
	t.Logf("simtest: seed %d (repeat with simtest.WithSeed(%d))", o.seed, o.seed)

	mode := clock.Manual
	if o.wallClock {
		mode = clock.Wall
	}
	sim, err := simulator.Listen("127.0.0.1:0", simulator.Config{Seed: o.seed, ClockMode: mode})
	if err != nil {
		t.Fatalf("simtest: start the simulator: %v", err)
	}
	base := sim.URL
	ctx, cancel := context.WithCancel(context.Background())
	running := make(chan struct{})
	go func() { defer close(running); sim.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-running
		_ = sim.Close()
	})

	hc := &http.Client{Timeout: 30 * time.Second}
	s := &Sim{URL: base, Control: simctl.New(base, simctl.WithHTTPClient(hc)), Simulator: sim.Simulator}
	req := simctl.CreateMerchantRequest{Name: t.Name(), Clock: string(mode), Settings: o.settings}
	m, err := s.Control.CreateMerchant(context.Background(), req)
	if err != nil {
		t.Fatalf("simtest: create merchant: %v", err)
	}
	s.Merchant = m
	s.Tabby = tabby.New(m.Tabby.SecretKey, tabby.WithBaseURL(base), tabby.WithHTTPClient(hc),
		tabby.WithRetryDelay(10*time.Millisecond))
	s.Onerway = onerway.New(m.Onerway.MerchantNo, m.Onerway.SecretKey, onerway.WithBaseURL(base), onerway.WithHTTPClient(hc))
	return s
}

// Advance moves the merchant's clock forward by d, running everything due
// on the way, and fails the test on error.
func (s *Sim) Advance(t testing.TB, d time.Duration) {
	t.Helper()
	if _, err := s.Control.Advance(context.Background(), s.Merchant.ID, d); err != nil {
		t.Fatalf("simtest: advance the clock by %s: %v", d, err)
	}
}

// Now is the merchant's current time.
func (s *Sim) Now(t testing.TB) time.Time {
	t.Helper()
	c, err := s.Control.Clock(context.Background(), s.Merchant.ID)
	if err != nil {
		t.Fatalf("simtest: read the clock: %v", err)
	}
	return c.Now
}
