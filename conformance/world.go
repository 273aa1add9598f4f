package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/client/simctl"
	tabbyclient "github.com/tabbysim/tabbysim/client/tabby"
)

// World is one scenario's state: its own simulator merchant and clock, the
// integration under test, and what the customer and the merchant did.
type World struct {
	env      *Env
	merchant *simctl.Merchant
	adapter  *Adapter
	release  func()
	http     *http.Client
	started  time.Time

	data      CallData
	checkout  Answer
	redirect  string
	sessionID string
	paymentID string
	sent      *sentWebhook
}

// sentWebhook is a webhook the harness sent to the merchant itself.
type sentWebhook struct {
	claimed       string // the status its body announced
	paymentStatus string // the payment's status at Tabby when it was sent
	header        string // the value of the registered auth header it carried
	registered    *tabbyclient.WebhookHeader
	answer        Answer
}

func newWorld(env *Env) *World {
	jar, _ := cookiejar.New(nil)
	return &World{env: env, started: time.Now(), http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

func (w *World) close() {
	w.http.CloseIdleConnections()
	if w.release != nil {
		w.release()
	}
}

// broke is a failed rule: which rule, where it comes from, and what the
// merchant did instead.
func broke(rule, source, did string, args ...any) error {
	return fmt.Errorf("rule broken (%s): %s; instead %s", source, rule, fmt.Sprintf(did, args...))
}

var hppPath = regexp.MustCompile(`/hpp/([0-9a-f-]{36})`)

// startCheckout asks the merchant for a checkout and finds the payment it
// created.
func (w *World) startCheckout(ctx context.Context) error {
	a, err := w.adapter.do(ctx, w.http, w.adapter.Checkout.Call, w.data)
	if err != nil {
		return fmt.Errorf("starting a checkout at the merchant: %w", err)
	}
	w.checkout = a
	if a.Status >= 300 {
		return fmt.Errorf("the merchant answered the checkout with HTTP %d: %s", a.Status, cut(a.Body))
	}
	w.data.OrderRef = a.Get(w.adapter.Checkout.OrderRef).String()
	w.redirect = a.Get(w.adapter.Checkout.RedirectURL).String()
	if m := hppPath.FindStringSubmatch(w.redirect); m != nil {
		w.sessionID = m[1]
	}
	return w.findPayment(ctx)
}

// findPayment finds the scenario's payment: the one of the session the
// customer was sent to, else the newest one the merchant created for the
// order.
func (w *World) findPayment(ctx context.Context) error {
	ps, err := w.env.Control.Payments(ctx, w.merchant.ID)
	if err != nil {
		return err
	}
	for _, p := range ps {
		if (w.sessionID != "" && p.SessionID == w.sessionID) || (w.sessionID == "" && w.data.OrderRef != "" && p.OrderReference == w.data.OrderRef) {
			w.paymentID = p.ID
			return nil
		}
	}
	return nil
}

func (w *World) needPayment() error {
	if w.paymentID == "" {
		return fmt.Errorf("the merchant's checkout answer (%s) led to no Tabby payment: no hosted page URL at %q", cut(w.checkout.Body), w.adapter.Checkout.RedirectURL)
	}
	return nil
}

// hpp posts one form of the hosted page and returns the answer without
// following redirects.
func (w *World) hpp(ctx context.Context, step string, form url.Values) (*http.Response, error) {
	u, err := url.Parse(w.redirect)
	if err != nil {
		return nil, err
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/" + step
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	c := *w.http
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp, nil
}

// followRedirect plays the browser going back to the merchant.
func (w *World) followRedirect(ctx context.Context, resp *http.Response) error {
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || loc == "" {
		return fmt.Errorf("the hosted page did not redirect the customer (HTTP %d)", resp.StatusCode)
	}
	return w.visit(ctx, loc)
}

func (w *World) visit(ctx context.Context, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := w.http.Do(req)
	if err != nil {
		return fmt.Errorf("the customer's browser could not open %s: %w", u, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return nil
}

// payCustomer walks the hosted page: phone, OTP, then the final button.
func (w *World) payCustomer(ctx context.Context, button string) (*http.Response, error) {
	if err := w.needPayment(); err != nil {
		return nil, err
	}
	if resp, err := w.hpp(ctx, "phone", url.Values{"phone": {w.data.Buyer.Phone}}); err != nil || resp.StatusCode != 200 {
		return nil, hppFailed("phone", resp, err)
	}
	if resp, err := w.hpp(ctx, "otp", url.Values{"code": {"8888"}}); err != nil || resp.StatusCode != 200 {
		return nil, hppFailed("otp", resp, err)
	}
	return w.hpp(ctx, button, url.Values{})
}

func hppFailed(step string, resp *http.Response, err error) error {
	if err != nil {
		return fmt.Errorf("hosted page %s step: %w", step, err)
	}
	return fmt.Errorf("hosted page %s step answered HTTP %d", step, resp.StatusCode)
}

// orderStatus reads the order's status through the adapter; ok is false
// when the adapter cannot read orders.
func (w *World) orderStatus(ctx context.Context) (state string, raw string, ok bool, err error) {
	sc := w.adapter.OrderStatus
	if sc == nil {
		return "", "", false, nil
	}
	a, err := w.adapter.do(ctx, w.http, sc.Call, w.data)
	if err != nil {
		return "", "", true, err
	}
	if a.Status == http.StatusNotFound {
		return "missing", "HTTP 404", true, nil
	}
	if a.Status >= 300 {
		return "", "", true, fmt.Errorf("reading the order answered HTTP %d: %s", a.Status, cut(a.Body))
	}
	raw = a.Get(sc.Status).String()
	for state, values := range sc.Values {
		for _, v := range values {
			if v == raw {
				return state, raw, true, nil
			}
		}
	}
	return "unknown", raw, true, nil
}

// action runs one of the merchant's operations.
func (w *World) action(ctx context.Context, name string) (Answer, error) {
	c, ok := w.adapter.Actions[name]
	if !ok {
		return Answer{}, fmt.Errorf("%w %q: describe it in the adapter, or leave out scenarios tagged @poll", errNoAction, name)
	}
	a, err := w.adapter.do(ctx, w.http, c, w.data)
	if err != nil {
		return a, fmt.Errorf("merchant action %s: %w", name, err)
	}
	return a, nil
}

// apiCalls returns the scenario's requests to Tabby's API whose method is
// method and whose path ends with suffix, oldest first.
func (w *World) apiCalls(ctx context.Context, method, suffix string) ([]simctl.JournalEntry, error) {
	entries, err := w.env.Control.Journal(ctx, w.merchant.ID, 1000)
	if err != nil {
		return nil, err
	}
	var out []simctl.JournalEntry
	for i := len(entries) - 1; i >= 0; i-- {
		e := entries[i]
		if e.At.Before(w.started) || e.Method != method || !strings.HasPrefix(e.Path, "/api/") {
			continue
		}
		if w.paymentID != "" && !strings.Contains(e.Path, w.paymentID) && strings.Contains(e.Path, "/payments/") {
			continue
		}
		if strings.HasSuffix(e.Path, suffix) {
			out = append(out, e)
		}
	}
	return out, nil
}

// webhookEndpoint is where the merchant asked Tabby to send webhooks.
func (w *World) webhookEndpoint(ctx context.Context) (*tabbyclient.Webhook, error) {
	c := tabbyclient.New(w.merchant.Tabby.SecretKey, tabbyclient.WithBaseURL(w.env.SimURL))
	hooks, err := c.ListWebhooks(ctx, "ae")
	if err != nil {
		return nil, err
	}
	if len(hooks) == 0 {
		return nil, broke("register a webhook for the merchant code", "seed 002, tabby-api.md §3.10", "no webhook is registered")
	}
	return &hooks[0], nil
}

// postWebhook sends a webhook of the payment, as it stands but with
// status, to the merchant's endpoint with the given value of the
// registered auth header, and records it in w.sent.
func (w *World) postWebhook(ctx context.Context, status string, headerValue func(real string) string) error {
	hook, err := w.webhookEndpoint(ctx)
	if err != nil {
		return err
	}
	p, err := w.env.Control.Payment(ctx, w.paymentID)
	if err != nil {
		return err
	}
	body := map[string]any{
		"id": p.ID, "status": status, "amount": gjson.GetBytes(p.Raw, "amount").String(), "currency": p.Currency,
		"created_at": gjson.GetBytes(p.Raw, "created_at").String(), "expires_at": gjson.GetBytes(p.Raw, "expires_at").String(),
		"is_test": true, "is_expired": false, "closed_at": nil,
		"order": map[string]string{"reference_id": p.OrderReference}, "captures": []any{}, "refunds": []any{},
		"meta": map[string]any{"order_id": nil, "customer": nil}, "token": nil,
	}
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, strings.NewReader(string(b)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	sent := &sentWebhook{claimed: status, paymentStatus: p.Status, registered: hook.Header}
	if hook.Header != nil {
		if v := headerValue(hook.Header.Value); v != "" {
			req.Header.Set(hook.Header.Title, v)
		}
		sent.header = req.Header.Get(hook.Header.Title)
	}
	resp, err := w.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	rb, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	sent.answer = Answer{Status: resp.StatusCode, Body: rb}
	w.sent = sent
	return nil
}

func cut(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
