package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/client/simctl"
	tabbyclient "github.com/tabbysim/tabbysim/client/tabby"
	"github.com/tabbysim/tabbysim/simulator/tabby"
)

// tabbyDriver speaks to Tabby directly (@tabby): its hosted page at
// /hpp/{session}, its /api/v1|v2/payments paths, its webhooks
// authenticated by the header the merchant registered per merchant code.
type tabbyDriver struct {
	w         *World
	sessionID string // of the hosted page the customer was sent to
	// page is the hosted page when the customer reaches it other than by
	// the merchant's redirect (through a gateway's cashier).
	page string
}

func newTabbyDriver(w *World) driver { return &tabbyDriver{w: w} }

func (d *tabbyDriver) name() string { return "Tabby" }

// tabbyPhones are Tabby's approved test phones by currency's country
// (tabby-api.md §8).
var tabbyPhones = map[string]string{"AED": "+971500000001", "SAR": "+966500000001", "KWD": "+96590000001"}

func (d *tabbyDriver) customer(currency string) CallBuyer {
	phone, ok := tabbyPhones[currency]
	if !ok {
		phone = tabbyPhones["AED"]
	}
	return CallBuyer{Name: "Sara Customer", Email: tabby.EmailSuccess, Phone: phone}
}

var tabbyHostedPage = regexp.MustCompile(`/hpp/([0-9a-f-]{36})`)

func (d *tabbyDriver) findPayment(ctx context.Context) (string, error) {
	w := d.w
	d.sessionID = ""
	if m := tabbyHostedPage.FindStringSubmatch(w.redirect); m != nil {
		d.sessionID = m[1]
	}
	ps, err := w.env.Control.Payments(ctx, w.merchant.ID)
	if err != nil {
		return "", err
	}
	for _, p := range ps {
		if (d.sessionID != "" && p.SessionID == d.sessionID) || (d.sessionID == "" && w.data.OrderRef != "" && p.OrderReference == w.data.OrderRef) {
			d.sessionID = p.SessionID
			return p.ID, nil
		}
	}
	// Else the session of the merchant's newest request to create one, as
	// a merchant that did not offer Tabby and sent another reference has.
	if d.sessionID == "" {
		calls, err := w.apiCalls(ctx, "checkout")
		if err != nil || len(calls) == 0 {
			return "", err
		}
		session := gjson.Get(calls[len(calls)-1].ResponseBody, "id").String()
		for _, p := range ps {
			if session != "" && p.SessionID == session {
				d.sessionID = session
				return p.ID, nil
			}
		}
	}
	return "", nil
}

// hostedPage walks Tabby's checkout page: the customer cancels at once, or
// confirms the phone, enters the OTP and presses the final button.
func (d *tabbyDriver) hostedPage(ctx context.Context, action string) (*http.Response, error) {
	if action != "cancel" {
		if resp, err := d.post(ctx, "phone", url.Values{"phone": {d.w.data.Buyer.Phone}}); err != nil || resp.StatusCode != http.StatusOK {
			return nil, hppFailed("phone", resp, err)
		}
		if resp, err := d.post(ctx, "otp", url.Values{"code": {tabby.OTPCode}}); err != nil || resp.StatusCode != http.StatusOK {
			return nil, hppFailed("otp", resp, err)
		}
	}
	return d.post(ctx, action, url.Values{})
}

// post posts one form of the hosted page and returns the answer without
// following redirects.
func (d *tabbyDriver) post(ctx context.Context, step string, form url.Values) (*http.Response, error) {
	page := d.w.redirect
	if d.page != "" {
		page = d.page
	}
	u, err := url.Parse(page)
	if err != nil {
		return nil, err
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/" + step
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	c := *d.w.http
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp, nil
}

func hppFailed(step string, resp *http.Response, err error) error {
	if err != nil {
		return fmt.Errorf("hosted page %s step: %w", step, err)
	}
	return fmt.Errorf("hosted page %s step answered HTTP %d", step, resp.StatusCode)
}

func (d *tabbyDriver) api() *tabbyclient.Client {
	return tabbyclient.New(d.w.merchant.Tabby.SecretKey, tabbyclient.WithBaseURL(d.w.env.SimURL))
}

func (d *tabbyDriver) returnURL(ctx context.Context, kind, paymentID string) (string, error) {
	sess, err := d.api().GetSession(ctx, d.sessionID)
	if err != nil {
		return "", err
	}
	u := map[string]string{"success": sess.MerchantURLs.Success, "cancel": sess.MerchantURLs.Cancel, "failure": sess.MerchantURLs.Failure}[kind]
	if u == "" {
		return "", broke("R-MERCHANT-URLS", "send merchant_urls."+kind+" with the session", "the session has no %s URL", kind)
	}
	return tabby.WithPaymentID(u, paymentID), nil
}

func (d *tabbyDriver) tabbyPayment(context.Context) (string, error) { return d.w.paymentID, nil }

// orderRule: an order still pending shows a redirect proved nothing; any
// other state, that the order follows Tabby's payment status.
func (d *tabbyDriver) orderRule(state string) string {
	if state == "pending" {
		return "R-REDIRECT-UNTRUSTED"
	}
	return "R-ORDER-STATUS"
}

func (d *tabbyDriver) paymentStatus(ctx context.Context) (string, error) {
	p, err := d.w.env.Control.Payment(ctx, d.w.paymentID)
	if err != nil {
		return "", err
	}
	return p.Status, nil
}

// tabbyPayments are the paths of a payment's operations; Tabby serves them
// under v1 and v2.
var tabbyPayments = regexp.MustCompile(`^/api/v[12]/payments/([^/]+)(/captures|/refunds|/close)?$`)

func (d *tabbyDriver) operation(e simctl.JournalEntry) (op, paymentID string) {
	if e.Method == http.MethodPost && e.Path == "/api/v2/checkout" {
		return "checkout", ""
	}
	m := tabbyPayments.FindStringSubmatch(e.Path)
	if m == nil {
		return "", ""
	}
	switch {
	case e.Method == http.MethodGet && m[2] == "":
		op = "retrieve"
	case e.Method == http.MethodPost && m[2] != "":
		op = strings.TrimSuffix(m[2][1:], "s") // captures → capture, refunds → refund, close
	default:
		return "", ""
	}
	return op, m[1]
}

// webhook builds Tabby's webhook body (tabby-api.md §6.3) for the payment
// and sends it to the endpoint registered under the payment's merchant
// code, with the registered header, or a forged value of it.
func (d *tabbyDriver) webhook(ctx context.Context, status string, forged bool) (*http.Request, *sentWebhook, error) {
	w := d.w
	p, err := w.env.Control.Payment(ctx, w.paymentID)
	if err != nil {
		return nil, nil, err
	}
	hooks, err := d.api().ListWebhooks(ctx, p.MerchantCode)
	if err != nil {
		return nil, nil, err
	}
	if len(hooks) == 0 {
		return nil, nil, broke("R-WEBHOOK-REGISTERED", "register a webhook for the merchant code",
			"no webhook is registered for merchant code %s", p.MerchantCode)
	}
	hook := hooks[0]
	body, _ := json.Marshal(map[string]any{
		"id": p.ID, "status": status, "amount": gjson.GetBytes(p.Raw, "amount").String(), "currency": p.Currency,
		"created_at": gjson.GetBytes(p.Raw, "created_at").String(), "expires_at": gjson.GetBytes(p.Raw, "expires_at").String(),
		"is_test": true, "is_expired": false, "closed_at": nil,
		"order": map[string]string{"reference_id": p.OrderReference}, "captures": []any{}, "refunds": []any{},
		"meta": map[string]any{"order_id": nil, "customer": nil}, "token": nil,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, strings.NewReader(string(body)))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	sent := &sentWebhook{claimed: status, paymentStatus: p.Status, authentic: true}
	if h := hook.Header; h != nil {
		sent.auth = "the " + h.Title + " header registered with Tabby"
		value := h.Value
		if forged {
			value = "forged-by-the-harness"
		}
		req.Header.Set(h.Title, value)
		sent.authentic = value == h.Value
	} else {
		sent.unprotected = broke("R-WEBHOOK-AUTH", "register the webhook with an auth header",
			"the webhook is registered without one, so a forged webhook cannot be told from Tabby's")
	}
	return req, sent, nil
}
