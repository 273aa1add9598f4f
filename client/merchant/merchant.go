// Package merchant is the reference merchant: a small but real shop that
// accepts Tabby the way Tabby tells merchants to integrate (seeds 000 and
// 002, tabby-api.md §4, §6, §8 and §11), served over HTTP. It is the default
// target of the conformance suite.
//
// It creates a checkout session per order and sends the customer to the
// hosted page; it never trusts a redirect or a webhook body, but retrieves
// the payment and applies that status, under a per-order lock, so duplicate
// and out-of-order notices change nothing twice; it captures an authorized
// payment exactly once (what ships) and closes the rest; it polls the
// payments still open, for the webhooks that never come; it refuses refunds
// beyond what was captured.
//
// It carries named defects (see Defects) that can be switched on one at a
// time, so the suite can prove it catches each of them.
package merchant

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/client/tabby"
)

// Config configures a merchant.
type Config struct {
	// TabbyURL is the base URL of Tabby's API (the simulator's).
	TabbyURL  string
	SecretKey string
	// MerchantCodes maps each currency the shop sells in to its Tabby
	// merchant code (default DefaultMerchantCodes). The shop registers its
	// webhook under each code and refuses a checkout in any other currency.
	MerchantCodes map[string]string
	// PublicURL is the merchant's own base URL, for merchant_urls and its
	// webhook URL.
	PublicURL string
	// WebhookHeader is registered with Tabby and checked on every webhook;
	// the default is X-Webhook-Secret with a random value.
	WebhookHeader tabby.WebhookHeader
	// PollInterval is how often the merchant retrieves the payments still
	// open; 0 means no background polling (PollOnce is still callable).
	PollInterval time.Duration
	// Provider is how the shop takes Tabby: ProviderTabby ("" too), through
	// Tabby's own API with the settings above, or ProviderOnerway, through
	// the Onerway gateway with Onerway's.
	Provider string
	Onerway  OnerwayConfig
	// Defect is "" or one name from Defects.
	Defect string
	// Variant is "" or one name from Variants; a merchant carries a
	// defect or a variant, not both.
	Variant    string
	HTTPClient *http.Client
	Logger     *slog.Logger
}

// Order statuses.
const (
	StatusPending           = "pending"
	StatusPaid              = "paid"
	StatusCancelled         = "cancelled"
	StatusFailed            = "failed"
	StatusRefunded          = "refunded"
	StatusPartiallyRefunded = "partially_refunded"
)

// WebhookPath is where the merchant receives Tabby's webhooks.
const WebhookPath = "/webhooks/tabby"

// Merchant is a running reference merchant. It is safe for concurrent use.
type Merchant struct {
	cfg   Config
	tabby *tabby.Client
	log   *slog.Logger

	mu        sync.Mutex
	orders    map[string]*order
	byPayment map[string]string // payment id → order id
	seq       int

	startMu    sync.Mutex
	webhookIDs map[string]string // by merchant code: the webhooks Start registered or found, until removed
	polling    bool
	// running is the context Start was given, under which the merchant's
	// background work runs; nil before Start.
	running context.Context
	wg      sync.WaitGroup // the poller, the webhook worker and background jobs
	// webhooks are the webhooks waiting for the worker (async-webhooks).
	webhooks chan queuedWebhook

	ow *onerwayShop // the Onerway mode's orders; nil in the Tabby mode
}

// queuedWebhook is a webhook acknowledged at and waiting for the worker.
type queuedWebhook struct {
	payload *tabby.WebhookPayload
	at      time.Time
}

// New checks cfg and returns a merchant. Call Start to register its webhook
// and start its poller.
func New(cfg Config) (*Merchant, error) {
	if err := checkDefect(cfg.Defect); err != nil {
		return nil, err
	}
	if err := checkVariant(cfg.Variant); err != nil {
		return nil, err
	}
	if cfg.Defect != "" && cfg.Variant != "" {
		return nil, errors.New("merchant: a merchant carries a defect or a variant, not both")
	}
	switch cfg.Provider {
	case "", ProviderTabby:
	case ProviderOnerway:
		if cfg.Variant != "" {
			return nil, errors.New("merchant: the variants are the Tabby mode's; the Onerway mode has none")
		}
		return newOnerway(cfg)
	default:
		return nil, fmt.Errorf("merchant: Provider must be %s or %s, got %q", ProviderTabby, ProviderOnerway, cfg.Provider)
	}
	if cfg.TabbyURL == "" {
		return nil, errors.New("merchant: TabbyURL is required")
	}
	if cfg.SecretKey == "" {
		return nil, errors.New("merchant: SecretKey is required")
	}
	if len(cfg.MerchantCodes) == 0 {
		cfg.MerchantCodes = DefaultMerchantCodes()
	}
	for cur, code := range cfg.MerchantCodes {
		if _, ok := money.Exponent(cur); !ok || code == "" {
			return nil, fmt.Errorf("merchant: MerchantCodes: %q=%q: give a merchant code for one of %s", cur, code, strings.Join(money.Currencies(), ", "))
		}
	}
	if cfg.PollInterval < 0 {
		return nil, errors.New("merchant: PollInterval must not be negative")
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if cfg.WebhookHeader.Title == "" {
		cfg.WebhookHeader.Title = "X-Webhook-Secret"
	}
	if cfg.WebhookHeader.Value == "" {
		cfg.WebhookHeader.Value = randomHex(16)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	opts := []tabby.Option{tabby.WithBaseURL(cfg.TabbyURL)}
	if cfg.HTTPClient != nil {
		opts = append(opts, tabby.WithHTTPClient(cfg.HTTPClient))
	}
	opts = append(opts, failureDefects(cfg)...)
	return &Merchant{
		cfg:       cfg,
		tabby:     tabby.New(cfg.SecretKey, opts...),
		log:       cfg.Logger.With("component", "reference-merchant"),
		orders:    map[string]*order{},
		byPayment: map[string]string{},
		webhooks:  make(chan queuedWebhook, webhookQueue),
	}, nil
}

// webhookQueue is how many webhooks may wait for the worker; beyond it
// the merchant answers 503, so Tabby sends the webhook again later.
const webhookQueue = 256

// pickup is how long background work waits before a worker takes it up,
// as work on a job queue does; the variants that work in the background
// wait it, so the conformance suite must wait for them.
const pickup = 50 * time.Millisecond

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Defect is the defect the merchant carries, or "".
func (m *Merchant) Defect() string { return m.cfg.Defect }

// WebhookHeader is the header the merchant registers and checks.
func (m *Merchant) WebhookHeader() tabby.WebhookHeader { return m.cfg.WebhookHeader }

func (m *Merchant) has(defect string) bool { return m.cfg.Defect == defect }

func (m *Merchant) is(variant string) bool { return m.cfg.Variant == variant }

// Start registers the merchant's webhook with Tabby under each of its
// merchant codes, once, unless one with its URL is registered already (then
// it takes that one, with its own header), and starts the poller when
// PollInterval is set and the webhook worker of the async-webhooks variant;
// they, and the background jobs of the async-reconcile variant, stop with
// ctx. In the Onerway mode there is nothing to register: each payment
// names its notifyUrl.
func (m *Merchant) Start(ctx context.Context) error {
	m.startMu.Lock()
	defer m.startMu.Unlock()
	if m.webhookIDs == nil && m.ow == nil {
		ids := map[string]string{}
		for _, code := range m.codes() {
			id, err := m.registerWebhook(ctx, code)
			if err != nil {
				return err
			}
			ids[code] = id
		}
		m.webhookIDs = ids
	}
	if m.running == nil {
		m.running = ctx
		if m.is(VariantAsyncWebhooks) {
			m.wg.Add(1)
			go m.work(ctx)
		}
	}
	if m.cfg.PollInterval > 0 && !m.polling {
		m.polling = true
		m.wg.Add(1)
		go m.poll(ctx)
	}
	return nil
}

// work is the webhook worker of the async-webhooks variant: it applies the
// webhooks the handler acknowledged, as the handler does otherwise. One
// that cannot be applied now is left to the poller and the reconcile job,
// since Tabby, answered 200, will not send it again.
func (m *Merchant) work(ctx context.Context) {
	defer m.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case q := <-m.webhooks:
			if !wait(ctx, time.Until(q.at.Add(pickup))) {
				return
			}
			if err := m.applyWebhook(ctx, q.payload); err != nil && ctx.Err() == nil {
				m.log.Warn("applying a webhook", "payment", q.payload.ID, "err", err)
			}
		}
	}
}

// wait waits d, and reports false when ctx ended first.
func wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// inBackground runs job, once a worker takes it up, under the context
// Start was given, and reports false when the merchant was not started.
func (m *Merchant) inBackground(job func(ctx context.Context)) bool {
	m.startMu.Lock()
	defer m.startMu.Unlock()
	if m.running == nil || m.running.Err() != nil {
		return false
	}
	ctx := m.running
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		if wait(ctx, pickup) {
			job(ctx)
		}
	}()
	return true
}

// Serve runs a merchant on addr (127.0.0.1:0 picks a port): it listens,
// sets PublicURL to the listening URL when it is empty, serves, and Starts
// the merchant. It returns the listening URL and a stop function that
// removes the merchant's webhook and shuts the server and the poller down.
func Serve(ctx context.Context, cfg Config, addr string) (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("merchant: %w", err)
	}
	url = "http://" + ln.Addr().String()
	if cfg.PublicURL == "" {
		cfg.PublicURL = url
	}
	m, err := New(cfg)
	if err != nil {
		ln.Close()
		return "", nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	srv := &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.log.Error("serving", "err", err)
		}
	}()
	stop = sync.OnceFunc(func() {
		cancel()
		// Tabby may still be delivering: the server keeps answering until
		// the webhook is gone.
		rctx, rcancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer rcancel()
		if err := m.RemoveWebhook(rctx); err != nil {
			m.log.Warn("stopping", "err", err)
		}
		// A connection a client dialled but never used counts as busy for
		// five seconds; a short grace keeps stopping quick.
		sctx, scancel := context.WithTimeout(context.Background(), time.Second)
		defer scancel()
		if err := srv.Shutdown(sctx); err != nil {
			srv.Close()
		}
		<-done
		m.wg.Wait()
	})
	if err := m.Start(ctx); err != nil {
		stop()
		return "", nil, err
	}
	return url, stop, nil
}
