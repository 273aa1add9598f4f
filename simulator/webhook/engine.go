package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/ids"
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
var ErrNotFound = errors.New("no such delivery")

// Engine stores and delivers webhooks.
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
	Client   *http.Client
	Policies map[string]Policy
	// Workers bounds the tries in flight at once for one merchant (default
	// 128), so a merchant whose receiver hangs never holds back another's.
	Workers int
	Log     *slog.Logger

	slots  sync.Map // merchant → chan struct{} of Workers slots
	seq    atomic.Uint64
	claims sync.Map // "id#n" → a try in progress
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

// chain remembers, per payment and endpoint, the newest delivery and the
// one held back for reordering.
type chain struct {
	Tail string `json:"tail,omitempty"`
	Held string `json:"held,omitempty"`
}

func chainKey(d *Delivery) string { return d.Merchant + "|" + d.PaymentID + "|" + d.URL }

// Enqueue writes d in tx, the transaction that makes the change d reports,
// and schedules its first try on merchant m's clock with m's failure
// injection applied. Provider, PaymentID, Event, URL, Headers and Body must
// be set.
func (e *Engine) Enqueue(tx store.Tx, m *tenant.Merchant, d Delivery) error {
	if _, ok := e.Policies[d.Provider]; !ok {
		return fmt.Errorf("webhook: no delivery policy for provider %q", d.Provider)
	}
	now, err := e.now(m.ID)
	if err != nil {
		return err
	}
	d.ID, d.Merchant, d.CreatedAt, d.Status, d.Attempts = e.newID(), m.ID, now, Pending, []Attempt{}
	d.Headers = cloneHeaders(d.Headers)
	chaos := m.Settings.Webhooks
	e.forge(&d, chaos.Forge)
	if chaos.DropRate > 0 && (chaos.DropRate >= 1 || e.IDs.Float64() < chaos.DropRate) {
		d.Status = Dropped
		d.Chaos = append(d.Chaos, "dropped: lost on the way, the receiver never saw it")
		return store.CreateJSON(tx, deliveryDoc(&d), &d)
	}
	at := now.Add(chaos.Delay.D())
	if chaos.Delay > 0 {
		d.Chaos = append(d.Chaos, "delayed by "+chaos.Delay.String())
	}
	var copies []Delivery
	for i := 0; i < chaos.Duplicate; i++ {
		c := d
		c.ID, c.DuplicateOf, c.Headers = e.newID(), d.ID, cloneHeaders(d.Headers)
		c.Chaos = append(append([]string(nil), d.Chaos...), "duplicate of "+d.ID)
		copies = append(copies, c)
		d.Then = append(d.Then, c.ID)
	}

	var ch chain
	key := chainKey(&d)
	if _, err := store.GetJSON(tx, kindChain, key, &ch); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if ch.Held != "" {
		// A held delivery whose hold ran out has gone by itself; the next
		// event is then the one to hold back.
		var held Delivery
		if _, err := store.GetJSON(tx, kindDelivery, ch.Held, &held); err != nil || held.Status != Held {
			ch.Held = ""
		}
	}
	first := 1
	switch {
	case chaos.Reorder && ch.Held == "":
		d.Status = Held
		d.Chaos = append(d.Chaos, "held back until the payment's next event has gone out")
		ch.Held = d.ID
		at = at.Add(ReorderHold)
		d.NextAttempt = &at
	default:
		if ch.Held != "" {
			d.Then = append(d.Then, ch.Held)
			ch.Held = ""
		}
		queued, err := e.queueBehind(tx, ch.Tail, d.ID)
		if err != nil {
			return err
		}
		if queued != nil {
			d.NextAttempt = queued
			first = 0 // tried right after the tail, not on a timer
		} else {
			d.NextAttempt = &at
		}
		ch.Tail = d.ID
	}
	for _, c := range append([]Delivery{d}, copies...) {
		c.NextAttempt = d.NextAttempt
		if err := store.CreateJSON(tx, deliveryDoc(&c), &c); err != nil {
			return err
		}
	}
	if err := store.PutJSON(tx, store.Doc{Kind: kindChain, ID: key, Merchant: m.ID}, &ch); err != nil {
		return err
	}
	if first == 1 {
		e.scheduleAfter(tx, m.ID, at, tryKey(d.ID, 1))
	}
	return nil
}

// queueBehind puts id right after tail when tail still awaits its first
// try, and returns when that try is due; nil means tail has gone out.
func (e *Engine) queueBehind(tx store.Tx, tail, id string) (*time.Time, error) {
	if tail == "" {
		return nil, nil
	}
	var t Delivery
	d, err := store.GetJSON(tx, kindDelivery, tail, &t)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil || t.Status != Pending || len(t.Attempts) > 0 {
		return nil, err
	}
	t.Then = append(t.Then, id)
	return t.NextAttempt, store.PutJSON(tx, d, &t)
}

// forge replaces or removes the authentication header.
func (e *Engine) forge(d *Delivery, how string) {
	switch {
	case how == "":
	case d.AuthHeader == "":
		d.Chaos = append(d.Chaos, "forge: no authentication header is registered, so none was forged")
	case how == "missing":
		delete(d.Headers, d.AuthHeader)
		d.Chaos = append(d.Chaos, "forged: sent without the "+d.AuthHeader+" header")
	default:
		d.Headers[d.AuthHeader] = "forged-" + e.IDs.Hex(8)
		d.Chaos = append(d.Chaos, "forged: sent with a wrong "+d.AuthHeader+" header")
	}
}

// scheduleAfter puts a try on the merchant's clock once tx has committed,
// so the try always finds the delivery it is about.
func (e *Engine) scheduleAfter(tx store.Tx, merchant string, at time.Time, key string) {
	tx.AfterCommit(func() {
		if err := e.Clocks.Schedule(merchant, at, timerTry, key); err != nil {
			e.Log.Warn("could not schedule a webhook try", "merchant", merchant, "try", key, "err", err)
		}
	})
}

func tryKey(id string, n int) string { return id + "#" + strconv.Itoa(n) }

func (e *Engine) onTimer(ctx context.Context, ev clock.Event) {
	id, n, ok := strings.Cut(ev.Key, "#")
	if !ok {
		return
	}
	num, err := strconv.Atoi(n)
	if err != nil {
		return
	}
	e.try(ctx, ev.Merchant, id, num)
}

// try makes try n of merchant's delivery id, if that try is still the next
// one, and after a first try sends the deliveries queued behind it.
func (e *Engine) try(ctx context.Context, merchant, id string, n int) {
	key := tryKey(id, n)
	if _, busy := e.claims.LoadOrStore(key, true); busy {
		return
	}
	then := e.tryOnce(ctx, merchant, id, n)
	e.claims.Delete(key)
	for _, next := range then {
		e.try(ctx, merchant, next, 1)
	}
}

// tryOnce makes the try in one of merchant's worker slots, taken before
// anything else: a burst of due deliveries then waits its turn cheaply
// instead of crowding the store. It returns the deliveries queued behind a
// first try; their tries need slots of their own, so they are made after
// this slot is given back.
func (e *Engine) tryOnce(ctx context.Context, merchant, id string, n int) (then []string) {
	slot := e.slot(merchant)
	select {
	case slot <- struct{}{}:
	case <-ctx.Done():
		e.reschedule(ctx, id, n)
		return nil
	}
	defer func() { <-slot }()
	if ctx.Err() != nil {
		e.reschedule(ctx, id, n)
		return nil
	}

	d, raw, err := e.load(ctx, id)
	if err != nil || len(d.Attempts)+1 != n || (d.Status != Pending && d.Status != Held) {
		return nil
	}
	m, err := e.Merchants.Get(ctx, d.Merchant)
	if err != nil {
		return nil // the merchant is gone (reset)
	}
	pol := e.Policies[d.Provider]
	timeout := pol.Timeout
	if t := m.Settings.Webhooks.Timeout; t > 0 {
		timeout = t.D()
	}
	now, err := e.now(d.Merchant)
	if err != nil {
		return nil // the merchant is gone (reset)
	}
	att, body := e.post(ctx, &d, timeout)
	if ctx.Err() != nil {
		// The caller gave up (an advance whose client went away, a
		// shutdown): this was no fair try, so it is made again rather
		// than recorded as the receiver's failure or lost.
		e.reschedule(ctx, id, n)
		return nil
	}
	att.N, att.At = n, now
	att.Accepted = att.Error == "" && pol.Accepts(att.Status, body, &d)

	// The delivery as it will be stored, worked out before the store is
	// locked; the store's lock only sees a comparison and a put, unless
	// the delivery changed since it was read (a later event was queued
	// behind it), when the try is applied to the stored version instead.
	rec := d
	retry := settle(&rec, att, pol, now, n)
	data, err := json.Marshal(&rec)
	if err != nil {
		e.Log.Error("recording a webhook try failed", "delivery", id, "err", err)
		return nil
	}
	err = e.Store.Update(context.WithoutCancel(ctx), func(tx store.Tx) error {
		doc, err := tx.Get(kindDelivery, id)
		if errors.Is(err, store.ErrNotFound) {
			return nil // gone with its merchant in a reset
		}
		if err != nil {
			return err
		}
		cur, next := &rec, retry
		if !bytes.Equal(doc.Data, raw) {
			var stored Delivery
			if err := json.Unmarshal(doc.Data, &stored); err != nil {
				return err
			}
			if len(stored.Attempts)+1 != n {
				return nil
			}
			cur, next = &stored, settle(&stored, att, pol, now, n)
			if data, err = json.Marshal(cur); err != nil {
				return err
			}
		}
		if next != nil {
			e.scheduleAfter(tx, cur.Merchant, *next, tryKey(id, n+1))
		}
		if n == 1 {
			then = cur.Then
		}
		out := deliveryDoc(cur)
		out.Data = data
		return tx.Put(out)
	})
	if err != nil {
		e.Log.Error("recording a webhook try failed", "delivery", id, "err", err)
		return nil
	}
	return then
}

// load reads delivery id and the JSON it is stored as, decoding outside
// the store's lock.
func (e *Engine) load(ctx context.Context, id string) (Delivery, []byte, error) {
	var raw []byte
	err := e.Store.View(ctx, func(tx store.Tx) error {
		doc, err := tx.Get(kindDelivery, id)
		raw = doc.Data
		return err
	})
	var d Delivery
	if err == nil {
		err = json.Unmarshal(raw, &d)
	}
	return d, raw, err
}

// settle records attempt att, try n, on d: delivered, failed, or pending
// until the time it returns, when try n+1 is due.
func settle(d *Delivery, att Attempt, pol Policy, now time.Time, n int) (retry *time.Time) {
	switch {
	case att.Accepted:
		d.Status, d.NextAttempt = Delivered, nil
	case n < pol.Attempts:
		next := now.Add(pol.wait(n))
		d.Status, d.NextAttempt, att.NextAttempt = Pending, &next, &next
		retry = &next
	default:
		d.Status, d.NextAttempt = Failed, nil
	}
	d.Attempts = append(d.Attempts[:len(d.Attempts):len(d.Attempts)], att)
	return retry
}

// reschedule puts try n of delivery id back on its merchant's clock, due now,
// after its caller gave up on it: the next advance, or the background loop,
// makes it. A delivery that is no longer due is left alone.
func (e *Engine) reschedule(ctx context.Context, id string, n int) {
	d, _, err := e.load(context.WithoutCancel(ctx), id)
	if err != nil || len(d.Attempts)+1 != n || (d.Status != Pending && d.Status != Held) {
		return
	}
	now, err := e.now(d.Merchant)
	if err != nil {
		return // the merchant is gone (reset)
	}
	if err := e.Clocks.Schedule(d.Merchant, now, timerTry, tryKey(id, n)); err != nil {
		e.Log.Warn("could not put an interrupted webhook try back", "delivery", id, "try", n, "err", err)
	}
}

// post sends one try and returns it with the answer's body.
func (e *Engine) post(ctx context.Context, d *Delivery, timeout time.Duration) (Attempt, []byte) {
	att := Attempt{URL: d.URL, RequestHeaders: cloneHeaders(d.Headers)}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, strings.NewReader(d.Body))
	if err != nil {
		att.Error = "bad request: " + err.Error()
		return att, nil
	}
	for k, v := range d.Headers {
		req.Header.Set(k, v)
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		att.LatencyMS = ms(time.Since(start))
		att.Error = err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			att.Error = fmt.Sprintf("no answer within %s", timeout)
		}
		return att, nil
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err == nil {
		// Read a little past what is kept so the connection can be
		// reused; a longer answer costs a new connection.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 256<<10))
	}
	att.LatencyMS = ms(time.Since(start))
	att.Status = resp.StatusCode
	if err != nil {
		att.Error = "reading the answer: " + err.Error()
	}
	att.ResponseBody = clip(body, ResponseLimit)
	return att, body
}

// clip returns at most limit bytes of b as valid UTF-8, cut between
// characters, so the stored JSON stays within the limit and never carries
// half a character.
func clip(b []byte, limit int) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func cloneHeaders(h map[string]string) map[string]string {
	out := make(map[string]string, len(h))
	for k, v := range h {
		out[k] = v
	}
	return out
}

// Filter selects deliveries; empty fields match everything.
type Filter struct {
	Merchant string
	Payment  string
	Status   Status
	Limit    int
}

// List returns the deliveries matching f, newest first.
func (e *Engine) List(ctx context.Context, f Filter) ([]Delivery, error) {
	idx := map[string]string{}
	if f.Payment != "" {
		idx["payment"] = f.Payment
	}
	if f.Status != "" {
		idx["status"] = string(f.Status)
	}
	out := []Delivery{}
	err := e.Store.View(ctx, func(tx store.Tx) error {
		docs, _, err := tx.List(kindDelivery, store.Query{Merchant: f.Merchant, Index: idx, Limit: f.Limit})
		if err != nil {
			return err
		}
		for _, doc := range docs {
			var d Delivery
			if err := json.Unmarshal(doc.Data, &d); err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	return out, err
}

// Get returns one delivery with every try.
func (e *Engine) Get(ctx context.Context, id string) (*Delivery, error) {
	var d Delivery
	err := e.Store.View(ctx, func(tx store.Tx) error {
		_, err := store.GetJSON(tx, kindDelivery, id, &d)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNotFound
	}
	return &d, err
}

// Resend delivers delivery id's stored event again, with the same headers,
// as a new delivery with tries of its own. Failure injection does not apply
// to a resend.
func (e *Engine) Resend(ctx context.Context, id string) (*Delivery, error) {
	var d Delivery
	err := e.Store.Update(ctx, func(tx store.Tx) error {
		var orig Delivery
		if _, err := store.GetJSON(tx, kindDelivery, id, &orig); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return ErrNotFound
			}
			return err
		}
		now, err := e.now(orig.Merchant)
		if err != nil {
			return err
		}
		d = Delivery{
			ID: e.newID(), Merchant: orig.Merchant, Provider: orig.Provider, PaymentID: orig.PaymentID,
			Event: orig.Event, URL: orig.URL, Headers: cloneHeaders(orig.Headers), AuthHeader: orig.AuthHeader,
			Body: orig.Body, AckToken: orig.AckToken, CreatedAt: now, Status: Pending, ResendOf: orig.ID,
			NextAttempt: &now, Attempts: []Attempt{},
		}
		if err := store.CreateJSON(tx, deliveryDoc(&d), &d); err != nil {
			return err
		}
		e.scheduleAfter(tx, d.Merchant, now, tryKey(d.ID, 1))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
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
