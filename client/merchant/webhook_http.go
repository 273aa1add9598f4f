package merchant

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/tabbysim/tabbysim/client/tabby"
)

// webhook receives Tabby's webhooks: it checks the registered header,
// finds the order, retrieves the payment and applies its status (§6.2).
// It answers 200 once the order is up to date, 503 when Tabby could not be
// asked, so Tabby tries again.
func (m *Merchant) webhook(w http.ResponseWriter, r *http.Request) {
	ack := func() {
		if m.has(DefectWebhookNon200) {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "the body is too large or was cut off")
		return
	}
	if m.has(DefectIgnoresWebhooks) {
		ack()
		return
	}
	if !m.has(DefectSkipsWebhookAuth) && !tabby.VerifyWebhook(r, m.cfg.WebhookHeader) {
		m.log.Warn("webhook with a missing or wrong auth header", "remote", r.RemoteAddr)
		writeError(w, http.StatusUnauthorized, "missing or wrong "+m.cfg.WebhookHeader.Title+" header")
		return
	}
	wp, err := tabby.ParseWebhook(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "not a Tabby webhook: "+err.Error())
		return
	}
	if m.is(VariantAsyncWebhooks) {
		select {
		case m.webhooks <- queuedWebhook{payload: wp, at: time.Now()}:
			ack()
		default:
			writeError(w, http.StatusServiceUnavailable, "too many webhooks are waiting; send this one again later")
		}
		return
	}
	o := m.lookup(wp.Order.ReferenceID, wp.ID)
	if o == nil {
		ack() // not ours, or gone: nothing to do
		return
	}
	defer o.mu.Unlock()
	// tabby-api.md §6.3: what tells one webhook from another.
	key := fmt.Sprintf("%s %s %d %d", wp.ID, wp.Status, len(wp.Captures), len(wp.Refunds))
	if m.has(DefectRejectsRepeatedWebhooks) && o.processed[key] {
		writeError(w, http.StatusConflict, "this webhook was processed already")
		return
	}
	claimed := strings.EqualFold(wp.Status, "authorized")
	switch {
	case m.has(DefectNoRereadOnWebhook):
		err = m.apply(r.Context(), o, fromWebhook(wp, o), claimed)
	case m.has(DefectTrustsWebhookOrder):
		err = m.applyIfGenuine(r.Context(), o, wp, claimed)
	default:
		err = m.refresh(r.Context(), o, wp.ID, claimed)
	}
	if err != nil {
		m.log.Warn("applying a webhook", "order", o.id, "payment", wp.ID, "err", err)
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	if m.has(DefectRejectsRepeatedWebhooks) {
		if o.processed == nil {
			o.processed = map[string]bool{}
		}
		o.processed[key] = true
	}
	ack()
}

// applyWebhook finds the order of a webhook, retrieves the payment and
// applies it, as the webhook handler does: the worker of the
// async-webhooks variant calls it.
func (m *Merchant) applyWebhook(ctx context.Context, wp *tabby.WebhookPayload) error {
	o := m.lookup(wp.Order.ReferenceID, wp.ID)
	if o == nil {
		return nil // not ours, or gone
	}
	defer o.mu.Unlock()
	return m.refresh(ctx, o, wp.ID, strings.EqualFold(wp.Status, "authorized"))
}

// applyIfGenuine is the trusts-webhook-order defect: the payment is
// retrieved, but only to check that it has reached the status the webhook
// announces; then the webhook's body is applied, however stale.
func (m *Merchant) applyIfGenuine(ctx context.Context, o *order, wp *tabby.WebhookPayload, claimed bool) error {
	p, err := m.tabby.GetPayment(ctx, wp.ID)
	if err != nil {
		return fmt.Errorf("retrieving payment %s: %w", wp.ID, err)
	}
	announced := tabby.Status(strings.ToUpper(wp.Status))
	if p.Status != announced && !(announced == tabby.StatusAuthorized && p.Status == tabby.StatusClosed) {
		return nil // not genuine: ignored
	}
	return m.apply(ctx, o, fromWebhook(wp, o), claimed)
}

// fromWebhook is the no-reread-on-webhook defect: the webhook body taken
// for the payment.
func fromWebhook(wp *tabby.WebhookPayload, o *order) *tabby.Payment {
	p := &tabby.Payment{
		ID: wp.ID, Status: tabby.Status(strings.ToUpper(wp.Status)), Amount: wp.Amount, Currency: wp.Currency,
		Captures: wp.Captures, Refunds: wp.Refunds,
	}
	if p.Amount == "" {
		p.Amount = o.amount.Format(o.currency)
	}
	return p
}

// reconcile polls the open payments now and answers how many it checked;
// the async-reconcile variant starts the job and answers 202 at once.
func (m *Merchant) reconcile(w http.ResponseWriter, r *http.Request) {
	if m.is(VariantAsyncReconcile) {
		started := m.inBackground(func(ctx context.Context) {
			if _, err := m.pollOnce(ctx); err != nil && ctx.Err() == nil {
				m.log.Warn("reconciling", "err", err)
			}
		})
		if !started {
			writeError(w, http.StatusServiceUnavailable, "the merchant is not running its jobs")
			return
		}
		writeJSON(w, http.StatusAccepted, map[string]string{"status": "started"})
		return
	}
	n, err := m.pollOnce(r.Context())
	if err != nil {
		m.log.Warn("reconciling", "err", err)
		writeJSON(w, http.StatusBadGateway, map[string]any{"checked": n, "error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"checked": n})
}
