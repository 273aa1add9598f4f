// Package simulator wires the fake providers, their clocks, state, hosted
// pages and control API into one http.Handler.
package simulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/tabbysim/tabbysim/scenarios"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/control"
	"github.com/tabbysim/tabbysim/simulator/dashboard"
	"github.com/tabbysim/tabbysim/simulator/fault"
	"github.com/tabbysim/tabbysim/simulator/hpp"
	"github.com/tabbysim/tabbysim/simulator/ids"
	"github.com/tabbysim/tabbysim/simulator/internal/changes"
	"github.com/tabbysim/tabbysim/simulator/internal/surface"
	"github.com/tabbysim/tabbysim/simulator/journal"
	"github.com/tabbysim/tabbysim/simulator/metrics"
	"github.com/tabbysim/tabbysim/simulator/onerway"
	"github.com/tabbysim/tabbysim/simulator/onerway/onerwayapi"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tabby"
	"github.com/tabbysim/tabbysim/simulator/tabby/tabbyapi"
	"github.com/tabbysim/tabbysim/simulator/tenant"
	"github.com/tabbysim/tabbysim/simulator/webhook"
)

// The default merchant's fixed credentials, so the README's examples work
// as written. Its Onerway merchant number has 6 digits, as Onerway's
// sandbox merchants do; generated ones have 12, so they never meet.
const (
	DefaultMerchantID = "default"
	DefaultSecretKey  = "sk_test_00000000-0000-4000-8000-000000000000"
	DefaultPublicKey  = "pk_test_00000000-0000-4000-8000-000000000000"

	DefaultOnerwayMerchantNo = "800000"
	DefaultOnerwaySecretKey  = "00000000000000000000000000000000"
	DefaultOnerwayAppID      = "100000"
)

// Config configures a simulator.
type Config struct {
	// PublicURL is the base of the hosted page links and redirects, such as
	// http://127.0.0.1:4600.
	PublicURL string
	// Seed makes ids and random faults reproducible.
	Seed int64
	// ClockMode is the mode of every new merchant's clock.
	ClockMode clock.Mode
	// Store keeps the state; nil means a fresh memory store.
	Store store.Store
	// Now is the source of real time; nil means time.Now.
	Now func() time.Time
	// Logger receives a line per request and per webhook attempt, and the
	// errors; nil discards them.
	Logger *slog.Logger
	// ControlToken, when set, must be sent as a bearer token to the control
	// API.
	ControlToken string
	// SeparateControl keeps the control API off Handler; serve
	// ControlHandler on its own address instead.
	SeparateControl bool
	// JournalSize is how many requests the journal keeps (default 1000).
	JournalSize int
	// ReadTimeout bounds reading a request, body included, so a client
	// sending slowly cannot hold a connection (default DefaultReadTimeout).
	ReadTimeout time.Duration
	// WriteTimeout bounds a request from the end of its headers to the end
	// of its answer (default DefaultWriteTimeout). A clock advance, which
	// waits for the webhook tries it fires, is not bound by it.
	WriteTimeout time.Duration
	// IdleTimeout closes a kept-alive connection that sends no new request
	// for this long (default DefaultIdleTimeout).
	IdleTimeout time.Duration
	// Strict makes the default merchant strict: what the provider's
	// contract does not allow is refused rather than accepted with a lint
	// warning.
	Strict bool
}

// Simulator is a running simulator.
type Simulator struct {
	cfg       Config
	Store     store.Store
	Merchants *tenant.Registry
	Clocks    *clock.Scheduler
	IDs       *ids.Source
	// requestIDs is apart from IDs so that payment ids do not depend on
	// how many requests came first.
	requestIDs *ids.Source
	Tabby      *tabby.Service
	Webhooks   *tabby.Webhooks
	// Onerway is the Onerway gateway, which makes Tabby payments
	// underneath.
	Onerway *onerway.Service
	Outbox  *webhook.Engine
	Journal *journal.Journal
	// Metrics counts requests, webhook attempts, faults and lint warnings,
	// served at GET /metrics beside the control API.
	Metrics *metrics.Metrics
	// Changes hears of every committed change, journal entry and reset;
	// the control API streams it to the dashboard.
	Changes *changes.Feed
	// Faults holds the fault rules and injects them into requests and
	// webhooks.
	Faults *fault.Engine

	handler  http.Handler
	control  http.Handler
	log      *slog.Logger
	requests *journal.RequestLog
	// resetting serialises resets, which each put the default merchant
	// back.
	resetting sync.Mutex
}

// New builds a simulator with its default merchant.
func New(cfg Config) (*Simulator, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Store == nil {
		cfg.Store = store.NewMemory()
	}
	if cfg.ClockMode == "" {
		cfg.ClockMode = clock.Wall
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.JournalSize <= 0 {
		cfg.JournalSize = 1000
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	// Each start on a store draws ids of its own: the seed repeats a run
	// from an empty store, never the ids a kept store already holds.
	generation, err := cfg.Store.NewGeneration(context.Background())
	if err != nil {
		return nil, err
	}
	feed := &changes.Feed{}
	s := &Simulator{
		cfg:        cfg,
		Store:      announcingStore{Store: cfg.Store, feed: feed},
		Changes:    feed,
		Clocks:     clock.NewScheduler(cfg.Now),
		IDs:        ids.ForGeneration(cfg.Seed, generation),
		requestIDs: ids.ForGeneration(cfg.Seed+1, generation),
		Journal:    journal.New(cfg.JournalSize),
		Metrics:    metrics.New(cfg.Logger),
		log:        cfg.Logger,
	}
	s.requests = &journal.RequestLog{Log: s.log, Metrics: s.Metrics}
	s.Clocks.Moved = s.saveClock
	s.Journal.Clock = func(merchant string) (time.Time, bool) {
		t, err := tenant.Now(s.Clocks, merchant)
		return t, err == nil
	}
	s.Journal.Added = func(e journal.Entry) {
		feed.Publish(changes.Change{Kind: changes.KindJournal, Merchant: e.Merchant})
	}
	s.Merchants = &tenant.Registry{Store: s.Store}
	s.Webhooks = &tabby.Webhooks{Store: s.Store, IDs: s.IDs}
	s.Tabby = &tabby.Service{Store: s.Store, Merchants: s.Merchants, Clocks: s.Clocks, IDs: s.IDs}
	// Faults draw from a source of their own, so a seed's payment ids do
	// not depend on the faults that fired.
	s.Faults = &fault.Engine{Store: s.Store, Clocks: s.Clocks, IDs: ids.ForGeneration(cfg.Seed+2, generation), Log: s.log, Metrics: s.Metrics}
	s.Outbox = &webhook.Engine{
		Store: s.Store, Clocks: s.Clocks, IDs: s.IDs, Generation: generation, Merchants: s.Merchants, Log: s.log,
		Metrics:  s.Metrics,
		Injector: s.Faults,
	}
	s.Outbox.Register(tabby.WebhookPolicy(s.IDs))
	s.Outbox.Register(onerway.WebhookPolicy)
	s.Outbox.Start()
	s.Onerway = &onerway.Service{
		Store: s.Store, Merchants: s.Merchants, Clocks: s.Clocks, IDs: s.IDs, Tabby: s.Tabby, Outbox: s.Outbox, Log: s.log,
		CashierURL: func(id string) string { return s.cfg.PublicURL + hpp.CashierPath(id) },
		ReturnURL:  func(id string) string { return s.cfg.PublicURL + hpp.ReturnPath(id) },
	}
	// The gateway makes its transactions S before their settlement starts.
	s.Tabby.Observers = []tabby.Observer{&tabby.WebhookSender{Outbox: s.Outbox}, s.Onerway, s.Onerway.SettlementObserver()}
	s.Tabby.Start()
	s.Onerway.Start()
	s.Metrics.CountStatuses(tabbyapi.Provider, s.Tabby.CountByStatus)
	s.Metrics.CountStatuses(onerwayapi.Provider, s.Onerway.CountByStatus)

	ctl := &control.API{
		Merchants: s.Merchants, Clocks: s.Clocks, IDs: s.IDs, Tabby: s.Tabby, Onerway: s.Onerway, Journal: s.Journal,
		ClockMode: cfg.ClockMode, Token: cfg.ControlToken, Reset: s.Reset, Now: cfg.Now, Outbox: s.Outbox, Log: s.log,
		Changes: feed, Faults: s.Faults, ApplyScenario: s.ApplyScenario,
	}
	api := &tabbyapi.API{
		Service: s.Tabby, Webhooks: s.Webhooks, Merchants: s.Merchants, Log: s.log,
		HostedPageURL: func(session string) string { return s.cfg.PublicURL + "/hpp/" + session },
	}
	gatewayAPI := &onerwayapi.API{Service: s.Onerway, Merchants: s.Merchants, Log: s.log}

	root := mux.NewRouter()
	// Outside the surfaces, which answer in their own shapes, an unknown
	// path or method is answered in Go's plain text.
	root.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
	})
	root.Handle("/healthz", journal.Quiet(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`+"\n")
	}))).Methods(http.MethodGet)
	// A provider's request is identified, journalled, put through the
	// fault rules, then handled.
	api.Register(root, surface.Identify(api), s.Journal.Middleware, s.Faults.Middleware(tabbyapi.FaultShape{}))
	gatewayAPI.Register(root, surface.Identify(gatewayAPI), s.Journal.Middleware, s.Faults.Middleware(onerwayapi.FaultShape{}))
	(&hpp.Pages{Service: s.Tabby}).Register(root)
	(&hpp.Cashier{Gateway: s.Onerway}).Register(root)

	// The metrics are served where the control API is, behind its token;
	// the dashboard lives there too, as it works through the control API.
	metricsHandler := journal.Quiet(ctl.RequireToken(s.Metrics.Handler()))
	ctlRouter := mux.NewRouter()
	ctl.Register(ctlRouter)
	ctlRouter.Handle("/metrics", metricsHandler).Methods(http.MethodGet)
	dashboard.Register(ctlRouter)
	s.control = s.common(ctlRouter)
	if !cfg.SeparateControl {
		ctl.Register(root)
		root.Handle("/metrics", metricsHandler).Methods(http.MethodGet)
		dashboard.Register(root)
	}
	s.handler = s.common(root)

	if err := s.recover(context.Background()); err != nil {
		return nil, fmt.Errorf("resuming the stored state: %w", err)
	}
	if err := s.addDefaultMerchant(context.Background()); err != nil {
		return nil, err
	}
	return s, nil
}

const kindClock = "clock"

// saveClock keeps a merchant's clock with the rest of the state.
func (s *Simulator) saveClock(merchant string, st clock.State) {
	err := s.Store.Update(context.Background(), func(tx store.Tx) error {
		if !tenant.Exists(tx, merchant) {
			return nil // removed by a reset while its clock moved
		}
		return store.PutJSON(tx, store.Doc{Kind: kindClock, ID: merchant, Merchant: merchant}, st)
	})
	if err != nil {
		s.log.Error("saving a clock failed", "merchant", merchant, "err", err)
	}
}

// recover resumes a stored state: merchants stored by an earlier version
// are upgraded, every merchant gets its clock back, payment timers,
// gateway transactions and pending webhook tries go back on those clocks,
// and the gateway captures what a crash left uncaptured.
func (s *Simulator) recover(ctx context.Context) error {
	if err := s.Merchants.Upgrade(ctx, s.log, s.onerwayCredentials); err != nil {
		return err
	}
	ms, err := s.Merchants.List(ctx)
	if err != nil {
		return err
	}
	for _, m := range ms {
		var st clock.State
		err := s.Store.View(ctx, func(tx store.Tx) error {
			_, err := store.GetJSON(tx, kindClock, m.ID, &st)
			return err
		})
		switch {
		case err == nil:
			s.Clocks.RestoreClock(m.ID, st)
		case errors.Is(err, store.ErrNotFound):
			s.Clocks.AddClock(m.ID, s.cfg.ClockMode, s.cfg.Now())
		default:
			return err
		}
	}
	if err := s.Tabby.Recover(ctx); err != nil {
		return err
	}
	if err := s.Onerway.Recover(ctx); err != nil {
		return err
	}
	return s.Outbox.Recover(ctx)
}

// Handler serves the providers, the hosted pages and (unless configured
// apart) the control API and the dashboard.
func (s *Simulator) Handler() http.Handler { return s.handler }

// ControlHandler serves only the control API and the dashboard.
func (s *Simulator) ControlHandler() http.Handler { return s.control }

// PublicURL is the base URL the simulator puts in links.
func (s *Simulator) PublicURL() string { return s.cfg.PublicURL }

// Seed is the seed ids and faults are drawn from.
func (s *Simulator) Seed() int64 { return s.IDs.Seed() }

// Run fires due events (timeouts, auto-captures, deliveries) in real time
// until ctx is done.
func (s *Simulator) Run(ctx context.Context) { s.Clocks.Run(ctx) }

// Close ends the streams of changes, waits for the event handlers still
// running, closes the webhook connections kept alive and releases the
// store. Stop Run first.
func (s *Simulator) Close() error {
	s.Changes.Close()
	s.Faults.Close()
	s.Clocks.Wait()
	s.Outbox.Close()
	return s.Store.Close()
}

// DefaultMerchant returns the merchant the simulator starts with.
func (s *Simulator) DefaultMerchant(ctx context.Context) (*tenant.Merchant, error) {
	return s.Merchants.Get(ctx, DefaultMerchantID)
}

// onerwayCredentials are the Onerway credentials merchant gets: the fixed
// ones for the default merchant, new ones from the seed for any other.
func (s *Simulator) onerwayCredentials(merchant string) tenant.OnerwayCredentials {
	if merchant == DefaultMerchantID {
		return tenant.OnerwayCredentials{MerchantNo: DefaultOnerwayMerchantNo, SecretKey: DefaultOnerwaySecretKey,
			AppID: DefaultOnerwayAppID}
	}
	return tenant.NewOnerwayCredentials(s.IDs)
}

func (s *Simulator) addDefaultMerchant(ctx context.Context) error {
	if m, err := s.Merchants.Get(ctx, DefaultMerchantID); err == nil {
		s.Clocks.AddClock(DefaultMerchantID, s.cfg.ClockMode, s.cfg.Now())
		if s.cfg.Strict && !m.Settings.Strict {
			_, err = s.Merchants.UpdateSettings(ctx, DefaultMerchantID, json.RawMessage(`{"strict": true}`))
		}
		return err
	}
	settings := tenant.DefaultSettings()
	settings.Strict = s.cfg.Strict
	m := &tenant.Merchant{
		ID: DefaultMerchantID, Name: "Default merchant", CreatedAt: s.cfg.Now().UTC(),
		Tabby: tenant.TabbyKeys{SecretKey: DefaultSecretKey, PublicKey: DefaultPublicKey,
			MerchantCodes: tenant.DefaultMerchantCodes()},
		Onerway:  s.onerwayCredentials(DefaultMerchantID),
		Settings: settings,
	}
	if err := s.Merchants.Create(ctx, m); err != nil {
		return fmt.Errorf("default merchant: %w", err)
	}
	s.Clocks.AddClock(m.ID, s.cfg.ClockMode, s.cfg.Now())
	return nil
}

// Reset forgets every merchant, payment and journal entry and starts again
// with the default merchant.
func (s *Simulator) Reset(ctx context.Context) error {
	s.resetting.Lock()
	defer s.resetting.Unlock()
	ms, err := s.Merchants.List(ctx)
	if err != nil {
		return err
	}
	for _, m := range ms {
		s.Clocks.RemoveClock(m.ID)
	}
	if err := s.Store.Reset(ctx); err != nil {
		return err
	}
	s.Journal.Reset()
	return s.addDefaultMerchant(ctx)
}

// ApplyScenario applies sc to merchant id: its settings, then its fault
// rules in place of those it put there before, timed by its timeline from
// the merchant's clock now. sc was checked when it was read, so only a
// merchant that is not there stops it.
func (s *Simulator) ApplyScenario(ctx context.Context, id string, sc *scenarios.Scenario) (*tenant.Merchant, error) {
	now, err := tenant.Now(s.Clocks, id)
	if err != nil {
		return nil, err
	}
	m, err := s.Merchants.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(sc.Settings) > 0 {
		if m, err = s.Merchants.UpdateSettings(ctx, id, sc.Settings); err != nil {
			return nil, err
		}
	}
	if _, err := s.Faults.ReplaceScenario(ctx, id, sc.Name, sc.ClearFaults, sc.Rules(now)); err != nil {
		return nil, err
	}
	return m, nil
}

// common adds a request id and the version to every response, logs every
// request, and turns a panic the surfaces did not answer in their own
// shapes (one on the hosted pages, say) into a plain-text 500, logged.
func (s *Simulator) common(next http.Handler) http.Handler {
	logged := s.requests.Middleware(s.recoverPanics(next))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req_"+s.requestIDs.Hex(12))
		w.Header().Set("X-Tabbysim-Version", Version)
		logged.ServeHTTP(w, r)
	})
}

func (s *Simulator) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v)
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = io.WriteString(w, "Internal Server error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}
