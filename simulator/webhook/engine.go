package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/ids"
	"github.com/tabbysim/tabbysim/simulator/metrics"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

const (
	kindDelivery = "webhook.delivery"
	kindChain    = "webhook.chain"
	timerTry     = "webhook.try"
)

// ReorderHold is how long a held delivery waits for its payment's next
// event before it goes out anyway, so nothing is held for ever.
const ReorderHold = time.Minute

// ErrNotFound is returned for an unknown delivery.
var ErrNotFound = apperr.Errorf(apperr.NotFound, "no such delivery")

// Engine stores and delivers the webhooks of every provider whose Policy
// is registered.
type Engine struct {
	Store     store.Store
	Clocks    *clock.Scheduler
	IDs       *ids.Source
	Merchants *tenant.Registry

	// Generation is the count of starts on Store, this one included
	// (store.Store.NewGeneration): with a count of deliveries made since
	// this start, it makes delivery ids that never repeat on a store.
	Generation uint64

	// Client sends the tries; it must not set its own timeout (each try
	// has the policy's). The default keeps connections alive for reuse.
	Client *http.Client
	// Injector decides each delivery's failure injection; nil means the
	// merchant's own settings (SettingsInjector).
	Injector Injector
	// Workers bounds the tries in flight at once for one merchant (default
	// 128), so a merchant whose receiver hangs never holds back another's.
	Workers int
	// Log gets a line per attempt, and the engine's errors.
	Log *slog.Logger
	// Metrics counts the attempts; nil counts nothing.
	Metrics *metrics.Metrics

	policies map[string]Policy // by provider, filled by Register
	slots    sync.Map          // merchant → chan struct{} of Workers slots
	seq      atomic.Uint64
	claims   sync.Map // "id#n" → a try in progress
}

// Start registers the engine's timer with the scheduler.
func (e *Engine) Start() {
	if e.Workers <= 0 {
		e.Workers = 128
	}
	if e.Client == nil {
		e.Client = &http.Client{
			Transport:     newTransport(e.Workers),
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if e.Log == nil {
		e.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	e.Clocks.Handle(timerTry, e.onTimer)
}

// newTransport is http.DefaultTransport with room to keep connections
// alive for reuse: the default keeps 2 per host, so a busy merchant would
// dial and close a connection for nearly every try. Several merchants often
// share one receiver (a test harness's), hence a few workers' worth per
// host; idle connections still close after IdleConnTimeout.
func newTransport(workers int) *http.Transport {
	var t *http.Transport
	if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		t = dt.Clone()
	} else {
		t = &http.Transport{Proxy: http.ProxyFromEnvironment, IdleConnTimeout: 90 * time.Second}
	}
	t.MaxIdleConnsPerHost = 4 * workers
	t.MaxIdleConns = 8 * workers
	return t
}

// slot returns merchant's pool of worker slots.
func (e *Engine) slot(merchant string) chan struct{} {
	if s, ok := e.slots.Load(merchant); ok {
		return s.(chan struct{})
	}
	s, _ := e.slots.LoadOrStore(merchant, make(chan struct{}, e.Workers))
	return s.(chan struct{})
}

func (e *Engine) newID() string {
	return fmt.Sprintf("dlv_%d_%010d", e.Generation, e.seq.Add(1))
}

// now is merchant's time; tenant.ErrNotFound when a reset removed it.
func (e *Engine) now(merchant string) (time.Time, error) {
	return tenant.Now(e.Clocks, merchant)
}

func deliveryDoc(d *Delivery) store.Doc {
	return store.Doc{Kind: kindDelivery, ID: d.ID, Merchant: d.Merchant, Created: d.CreatedAt,
		Index: map[string]string{"payment": d.PaymentID, "status": string(d.Status)}}
}

// Close drops the connections kept alive for webhook tries.
func (e *Engine) Close() {
	if e.Client != nil {
		e.Client.CloseIdleConnections()
	}
}

// Recover puts every pending or held delivery's next try back on its
// merchant's clock after a restart. Tries already due happen at once; a
// delivery queued right behind another waits for it, as before.
func (e *Engine) Recover(ctx context.Context) error {
	var open []Delivery
	for _, status := range []Status{Pending, Held} {
		ds, err := e.List(ctx, Filter{Status: status})
		if err != nil {
			return err
		}
		open = append(open, ds...)
	}
	queued := map[string]bool{}
	for _, d := range open {
		if len(d.Attempts) == 0 {
			for _, id := range d.Then {
				queued[id] = true
			}
		}
	}
	for _, d := range open {
		if queued[d.ID] {
			continue
		}
		at := d.CreatedAt
		if d.NextAttempt != nil {
			at = *d.NextAttempt
		}
		if err := e.Clocks.Schedule(d.Merchant, at, timerTry, tryKey(d.ID, len(d.Attempts)+1)); err != nil && !errors.Is(err, clock.ErrUnknownClock) {
			return fmt.Errorf("recovering delivery %s: %w", d.ID, err)
		}
	}
	return nil
}
