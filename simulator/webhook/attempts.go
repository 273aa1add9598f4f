package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/store"
)

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

	d, err := e.load(ctx, id)
	if err != nil || len(d.Attempts)+1 != n || (d.Status != Pending && d.Status != Held) {
		return nil
	}
	m, err := e.Merchants.Get(ctx, d.Merchant)
	if err != nil {
		return nil // the merchant is gone (reset)
	}
	pol, ok := e.policies[d.Provider]
	if !ok {
		e.Log.Error("no delivery policy for a stored delivery", "delivery", id, "provider", d.Provider)
		return nil
	}
	now, err := e.now(d.Merchant)
	if err != nil {
		return nil // the merchant is gone (reset)
	}
	att, body := e.post(ctx, &d, tryTimeout(m, pol))
	if ctx.Err() != nil {
		// The caller gave up (an advance whose client went away, a
		// shutdown): this was no fair try, so it is made again rather
		// than recorded as the receiver's failure or lost.
		e.reschedule(ctx, id, n)
		return nil
	}
	att.N, att.At = n, now
	att.Accepted = att.Error == "" && pol.Accepts(att.Status, body, &d)
	e.Metrics.WebhookAttempt(d.Provider, att.Result(), time.Duration(att.LatencyMS*float64(time.Millisecond)))

	// The try is recorded on the delivery as stored now, which may have
	// changed since it was read (a later event queued behind it).
	var recorded *Delivery
	var nextAt *time.Time
	err = e.Store.Update(context.WithoutCancel(ctx), func(tx store.Tx) error {
		recorded, nextAt = nil, nil
		var cur Delivery
		if _, err := store.GetJSON(tx, kindDelivery, id, &cur); errors.Is(err, store.ErrNotFound) {
			return nil // gone with its merchant in a reset
		} else if err != nil {
			return err
		}
		if len(cur.Attempts)+1 != n {
			return nil
		}
		next := settle(&cur, att, pol, now, n)
		if next != nil {
			e.scheduleAfter(tx, cur.Merchant, *next, tryKey(id, n+1))
		}
		if n == 1 {
			then = cur.Then
		}
		recorded, nextAt = &cur, next
		return store.PutJSON(tx, deliveryDoc(&cur), &cur)
	})
	if err != nil {
		e.Log.Error("recording a webhook try failed", "delivery", id, "err", err)
		return nil
	}
	e.logAttempt(ctx, &d, att, recorded, nextAt)
	return then
}

// Result names how an attempt went: "accepted" (acknowledged), "refused"
// (answered, but not as the provider's acknowledgement must be) or
// "no_answer" (no connection, no answer in time, or a broken one).
func (a Attempt) Result() string {
	switch {
	case a.Accepted:
		return "accepted"
	case a.Status == 0:
		return "no_answer"
	}
	return "refused"
}

// logAttempt writes one line for attempt att of d: where it went, the
// answer or the error, how long it took, and what comes next (recorded is
// the delivery as stored after it, nil if a reset removed it). It never
// logs the attempt's headers, which carry the registered webhook header,
// nor a body.
func (e *Engine) logAttempt(ctx context.Context, d *Delivery, att Attempt, recorded *Delivery, next *time.Time) {
	level := slog.LevelInfo
	if !att.Accepted {
		level = slog.LevelWarn
	}
	if !e.Log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("delivery", d.ID), slog.String("provider", d.Provider), slog.String("merchant", d.Merchant),
		slog.String("event", d.Event), slog.String("payment", d.PaymentID), slog.String("url", redactURL(d.URL)),
		slog.Int("attempt", att.N),
	}
	if att.Status != 0 {
		attrs = append(attrs, slog.Int("answer", att.Status))
	}
	if att.Error != "" {
		attrs = append(attrs, slog.String("error", att.Error))
	}
	attrs = append(attrs, slog.Float64("latency_ms", att.LatencyMS), slog.String("result", att.Result()))
	if recorded != nil {
		attrs = append(attrs, slog.String("delivery_status", string(recorded.Status)))
	}
	if next != nil {
		attrs = append(attrs, slog.Time("next_attempt", *next))
	}
	e.Log.LogAttrs(ctx, level, "webhook attempt", attrs...)
}

// redactURL hides the password of a URL that carries one.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return u.Redacted()
}

// load reads delivery id.
func (e *Engine) load(ctx context.Context, id string) (Delivery, error) {
	var d Delivery
	err := e.Store.View(ctx, func(tx store.Tx) error {
		_, err := store.GetJSON(tx, kindDelivery, id, &d)
		return err
	})
	return d, err
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
	d, err := e.load(context.WithoutCancel(ctx), id)
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
