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
	"math"
	"net"
	"net/http"
	"slices"
	"strconv"
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

// order is one order of the shop. Its fields are guarded by mu, the
// per-order lock every change of the order holds, Tabby calls included.
type order struct {
	mu sync.Mutex

	id       string
	currency string
	amount   money.Amount
	items    []cartItem
	status   string
	deleted  bool

	sessionID, paymentID string
	paymentStatus        tabby.Status // as last retrieved
	rejectionReason      string
	captured, refunded   money.Amount
	freshCaptures        int             // captures-twice: captures sent so far
	polled               bool            // polls-once: the job retrieved the payment once
	processed            map[string]bool // rejects-repeated-webhooks: webhooks processed
}

// cartItem is one line of an order.
type cartItem struct {
	item    tabby.Item
	price   money.Amount // quantity × unit price, in minor units
	inStock *bool
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

// registerWebhook registers the merchant's webhook under a merchant code
// and returns its id. A webhook already at the merchant's URL (left by an
// earlier run that did not stop cleanly) is taken over: its header is set
// to this run's, which is the one the merchant checks.
func (m *Merchant) registerWebhook(ctx context.Context, code string) (string, error) {
	if m.cfg.PublicURL == "" {
		return "", errors.New("merchant: PublicURL is required to register the webhook")
	}
	url := m.cfg.PublicURL + WebhookPath
	hooks, err := m.tabby.ListWebhooks(ctx, code)
	if err != nil {
		return "", fmt.Errorf("merchant: listing the webhooks of merchant code %s: %w", code, err)
	}
	header := m.cfg.WebhookHeader
	for _, h := range hooks {
		if h.URL != url {
			continue
		}
		if h.Header == nil || *h.Header != header {
			if _, err := m.tabby.UpdateWebhook(ctx, code, h.ID, url, &header); err != nil {
				return "", fmt.Errorf("merchant: updating the webhook's header for merchant code %s: %w", code, err)
			}
			m.log.Info("webhook header updated", "url", url, "merchant_code", code)
		}
		return h.ID, nil
	}
	h, err := m.tabby.RegisterWebhook(ctx, code, url, &header)
	if err != nil {
		return "", fmt.Errorf("merchant: registering the webhook for merchant code %s: %w", code, err)
	}
	m.log.Info("webhook registered", "url", url, "merchant_code", code)
	return h.ID, nil
}

// RemoveWebhook deletes the webhooks Start registered, so a merchant that
// comes and goes never uses up Tabby's four webhooks per merchant code. It
// does nothing when there are none; one Tabby no longer knows counts as
// removed.
func (m *Merchant) RemoveWebhook(ctx context.Context) error {
	m.startMu.Lock()
	defer m.startMu.Unlock()
	if len(m.webhookIDs) == 0 {
		return nil
	}
	for code, id := range m.webhookIDs {
		if err := m.tabby.DeleteWebhook(ctx, code, id); err != nil && !tabby.IsNotFound(err) {
			return fmt.Errorf("merchant: removing the webhook of merchant code %s: %w", code, err)
		}
		delete(m.webhookIDs, code)
	}
	m.webhookIDs = nil
	m.log.Info("webhooks removed", "url", m.cfg.PublicURL+WebhookPath)
	return nil
}

// codes are the merchant's distinct merchant codes, sorted.
func (m *Merchant) codes() []string {
	var out []string
	for _, code := range m.cfg.MerchantCodes {
		out = append(out, code)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// currencies are the currencies the shop sells in, in the order of
// money.Currencies.
func (m *Merchant) currencies() []string {
	return slices.DeleteFunc(money.Currencies(), func(cur string) bool { return m.cfg.MerchantCodes[cur] == "" })
}

// DefaultMerchantCodes are the merchant codes of each currency on a
// simulator merchant that names none of its own.
func DefaultMerchantCodes() map[string]string {
	return map[string]string{"AED": "ae", "SAR": "sa", "KWD": "kw"}
}

// ParseMerchantCodes reads merchant codes written as
// "AED=ae,SAR=sa,KWD=kw", as the --merchant-codes flag and the
// TABBY_MERCHANT_CODES variable give them.
func ParseMerchantCodes(s string) (map[string]string, error) {
	codes := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		cur, code, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if _, known := money.Exponent(cur); !ok || !known || code == "" {
			return nil, fmt.Errorf("merchant codes %q: write them as CURRENCY=code pairs such as AED=ae,SAR=sa,KWD=kw (currencies: %s)",
				s, strings.Join(money.Currencies(), ", "))
		}
		codes[cur] = code
	}
	return codes, nil
}

// FormatMerchantCodes writes merchant codes as ParseMerchantCodes reads
// them, in the order of money.Currencies.
func FormatMerchantCodes(codes map[string]string) string {
	var pairs []string
	for _, cur := range money.Currencies() {
		if code, ok := codes[cur]; ok {
			pairs = append(pairs, cur+"="+code)
		}
	}
	return strings.Join(pairs, ",")
}

func (m *Merchant) poll(ctx context.Context) {
	defer m.wg.Done()
	t := time.NewTicker(m.cfg.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := m.pollOnce(ctx); err != nil && ctx.Err() == nil {
				m.log.Warn("polling payments", "err", err)
			}
		}
	}
}

// PollOnce retrieves the payment of every pending order, and of every paid
// order whose payment is still AUTHORIZED without a capture, and applies
// it: the cron job seed 002 offers as the alternative to webhooks. In the
// Onerway mode it queries the transactions of every order the gateway may
// still have news of.
func (m *Merchant) PollOnce(ctx context.Context) error {
	_, err := m.pollOnce(ctx)
	return err
}

func (m *Merchant) pollOnce(ctx context.Context) (int, error) {
	if m.ow != nil {
		return m.ow.pollOnce(ctx)
	}
	if m.has(DefectNeverPolls) {
		return 0, nil
	}
	m.mu.Lock()
	all := make([]*order, 0, len(m.orders))
	for _, o := range m.orders {
		all = append(all, o)
	}
	m.mu.Unlock()
	checked := 0
	var errs []error
	for _, o := range all {
		if ctx.Err() != nil {
			return checked, ctx.Err()
		}
		o.mu.Lock()
		if !o.deleted && o.needsPoll() && !(m.has(DefectPollsOnce) && o.polled) {
			o.polled = true
			checked++
			if err := m.refresh(ctx, o, "", false); err != nil {
				errs = append(errs, fmt.Errorf("order %s: %w", o.id, err))
			}
		}
		o.mu.Unlock()
	}
	return checked, errors.Join(errs...)
}

// needsPoll reports whether the order's payment may still change without
// the merchant's doing, or still waits for the merchant's capture or close
// (a paid order whose payment is still AUTHORIZED).
func (o *order) needsPoll() bool {
	if o.paymentID == "" {
		return false
	}
	return o.status == StatusPending ||
		(o.status == StatusPaid && o.paymentStatus == tabby.StatusAuthorized)
}

// refresh retrieves the order's payment and applies it; claimed says the
// notice that prompted it announced an authorization. An order that knows
// no payment yet takes payment id if Tabby says it pays for this order.
func (m *Merchant) refresh(ctx context.Context, o *order, id string, claimed bool) error {
	if o.paymentID != "" {
		id = o.paymentID
	}
	p, err := m.tabby.GetPayment(ctx, id)
	if err != nil {
		return fmt.Errorf("retrieving payment %s: %w", id, err)
	}
	if o.paymentID == "" && p.Order.ReferenceID != o.id {
		m.log.Warn("payment pays for another order", "order", o.id, "payment", id, "reference_id", p.Order.ReferenceID)
		return nil
	}
	return m.apply(ctx, o, p, claimed)
}

// apply brings the order in line with payment p; o.mu is held. claimed says
// the notice announced an authorization (only the captures-twice defect
// listens to it).
func (m *Merchant) apply(ctx context.Context, o *order, p *tabby.Payment, claimed bool) error {
	if o.paymentID == "" && p.ID != "" {
		o.paymentID = p.ID
		m.mu.Lock()
		m.byPayment[p.ID] = o.id
		m.mu.Unlock()
	}
	m.record(o, p)
	switch p.Status {
	case tabby.StatusAuthorized:
		o.status = StatusPaid
		if m.has(DefectCapturesTwice) {
			return m.captureFresh(ctx, o, p)
		}
		return m.fulfil(ctx, o, p)
	case tabby.StatusClosed:
		if m.has(DefectCapturesTwice) && claimed {
			return m.captureFresh(ctx, o, p)
		}
		o.settle()
	case tabby.StatusRejected:
		if !m.has(DefectIgnoresRejection) {
			o.status = StatusFailed
		}
	case tabby.StatusExpired:
		if m.has(DefectLosesOrderOnCancel) {
			m.delete(o)
			return nil
		}
		o.status = StatusCancelled
	case tabby.StatusCreated:
		// The customer has not finished the checkout yet.
	default:
		return fmt.Errorf("payment %s has an unknown status %q", p.ID, p.Status)
	}
	return nil
}

// record copies what Tabby says was captured and refunded.
func (m *Merchant) record(o *order, p *tabby.Payment) {
	o.paymentStatus = p.Status
	o.captured, o.refunded = 0, 0
	for _, c := range p.Captures {
		o.captured += m.minor(o, p.ID, c.Amount)
	}
	for _, r := range p.Refunds {
		o.refunded += m.minor(o, p.ID, r.Amount)
	}
}

// minor reads an amount of Tabby's in the order's minor units; an
// unreadable one counts as 0 and is logged.
func (m *Merchant) minor(o *order, paymentID, amount string) money.Amount {
	n, err := money.Parse(amount, o.currency)
	if err != nil {
		m.log.Warn("unreadable amount", "payment", paymentID, "amount", amount, "err", err)
		return 0
	}
	return n
}

// tabbyAmount writes an amount as the merchant sends it to Tabby: with the
// currency's decimals, or, with the two-decimals defect, as a float
// printed with two, which rounds KWD's third decimal away.
func (m *Merchant) tabbyAmount(a money.Amount, currency string) string {
	if m.has(DefectTwoDecimals) {
		exp, _ := money.Exponent(currency)
		return strconv.FormatFloat(float64(a)/math.Pow10(exp), 'f', 2, 64)
	}
	return a.Format(currency)
}

// readAmount reads an amount the shop is given (a price, a refund) in
// currency; with the float-amounts defect, as a float64 truncated to minor
// units, which turns 19.99 into 19.98.
func (m *Merchant) readAmount(s, currency string) (money.Amount, error) {
	if !m.has(DefectFloatAmounts) {
		return money.Parse(s, currency)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, err
	}
	exp, _ := money.Exponent(currency)
	return money.Amount(f * math.Pow10(exp)), nil
}

// refundRef is the reference_id of the order's nth refund; with the
// reuses-refund-reference defect, the same for every refund.
func (m *Merchant) refundRef(o *order, n int) string {
	if m.has(DefectReusesRefundReference) {
		return "refund-" + o.id
	}
	return fmt.Sprintf("refund-%s-%d", o.id, n)
}

// settle sets the status of an order whose payment is CLOSED.
func (o *order) settle() {
	switch {
	case o.captured == 0:
		o.status = StatusCancelled
	case o.refunded == 0:
		o.status = StatusPaid
	case o.refunded >= o.captured:
		o.status = StatusRefunded
	default:
		o.status = StatusPartiallyRefunded
	}
}

func (o *order) captureRef() string { return "capture-" + o.id }

// orderRef is the order.reference_id the merchant sends Tabby: the order's
// id, or with the wrong-order-reference defect its cart's.
func (m *Merchant) orderRef(o *order) string {
	if m.has(DefectWrongOrderReference) {
		return strings.Replace(o.id, "ord_", "cart_", 1)
	}
	return o.id
}

// shipment is what leaves the warehouse: the in-stock items (in_stock
// false ones do not ship), or the whole amount when everything ships.
func (o *order) shipment() (money.Amount, []tabby.Item) {
	var total money.Amount
	items := make([]tabby.Item, 0, len(o.items))
	for _, it := range o.items {
		if it.inStock == nil || *it.inStock {
			total += it.price
			items = append(items, it.item)
		}
	}
	if len(items) == len(o.items) {
		return o.amount, items
	}
	return min(total, o.amount), items
}

// fulfil captures an AUTHORIZED payment exactly once (reference_id
// capture-<order>), what ships, and closes the rest.
func (m *Merchant) fulfil(ctx context.Context, o *order, p *tabby.Payment) error {
	if m.has(DefectNeverCaptures) {
		return nil
	}
	ship, items := o.shipment()
	total, err := money.Parse(p.Amount, o.currency)
	if err != nil {
		total = o.amount
	}
	ship = min(ship, total)
	if ship > 0 && !hasCapture(p, o.captureRef()) {
		if p, err = m.tabby.Capture(ctx, p.ID, tabby.CaptureRequest{
			Amount: m.tabbyAmount(ship, o.currency), ReferenceID: o.captureRef(), Items: items,
		}); err != nil {
			return fmt.Errorf("capturing %s: %w", o.captureRef(), err)
		}
		m.log.Info("captured", "order", o.id, "payment", p.ID, "amount", ship.Format(o.currency))
		m.record(o, p)
	}
	if p.Status == tabby.StatusAuthorized && ship < total {
		closed, err := m.tabby.Close(ctx, p.ID)
		switch {
		case tabby.IsAlreadyClosed(err):
			if closed, err = m.tabby.GetPayment(ctx, p.ID); err != nil {
				return fmt.Errorf("retrieving payment %s: %w", p.ID, err)
			}
		case err != nil:
			return fmt.Errorf("closing the rest of payment %s: %w", p.ID, err)
		}
		m.log.Info("closed the rest", "order", o.id, "payment", p.ID)
		p = closed
		m.record(o, p)
	}
	if p.Status == tabby.StatusClosed {
		o.settle()
	}
	return nil
}

func hasCapture(p *tabby.Payment, ref string) bool {
	for _, c := range p.Captures {
		if c.ReferenceID == ref {
			return true
		}
	}
	return false
}

// captureFresh is the captures-twice defect: a capture with a new
// reference_id on every notice. Tabby's refusals are only logged.
func (m *Merchant) captureFresh(ctx context.Context, o *order, p *tabby.Payment) error {
	ship, items := o.shipment()
	o.freshCaptures++
	ref := fmt.Sprintf("%s-%d", o.captureRef(), o.freshCaptures)
	got, err := m.tabby.Capture(ctx, p.ID, tabby.CaptureRequest{
		Amount: m.tabbyAmount(ship, o.currency), ReferenceID: ref, Items: items,
	})
	if err != nil {
		m.log.Warn("capture refused", "order", o.id, "reference_id", ref, "err", err)
		got = p
	}
	m.record(o, got)
	if got.Status == tabby.StatusClosed {
		o.settle()
	} else {
		o.status = StatusPaid
	}
	return nil
}

// delete forgets the order; o.mu is held.
func (m *Merchant) delete(o *order) {
	o.deleted = true
	m.mu.Lock()
	delete(m.orders, o.id)
	if o.paymentID != "" {
		delete(m.byPayment, o.paymentID)
	}
	m.mu.Unlock()
	m.log.Info("order deleted", "order", o.id)
}

// newOrder adds an order and returns it locked.
func (m *Merchant) newOrder(currency string, amount money.Amount, items []cartItem) *order {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	o := &order{id: fmt.Sprintf("ord_%d", m.seq), currency: currency, amount: amount, items: items, status: StatusPending}
	o.mu.Lock()
	m.orders[o.id] = o
	return o
}

// lookup returns the order id, or the order of payment paymentID, locked;
// nil when there is none.
func (m *Merchant) lookup(id, paymentID string) *order {
	m.mu.Lock()
	o := m.orders[id]
	if o == nil && paymentID != "" {
		o = m.orders[m.byPayment[paymentID]]
	}
	m.mu.Unlock()
	if o == nil {
		return nil
	}
	o.mu.Lock()
	if o.deleted {
		o.mu.Unlock()
		return nil
	}
	return o
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
