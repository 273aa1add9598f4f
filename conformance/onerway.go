package conformance

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/client/merchant"
	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/client/simctl"
	gateway "github.com/tabbysim/tabbysim/simulator/onerway"
)

// onerwayDriver speaks to Tabby through the Onerway gateway (@onerway): the
// gateway's cashier page, which leads to Tabby's hosted page underneath;
// its /v1/txn paths; its notifications, signed with the merchant's secret
// key and acknowledged with the transactionId. The scenario's payment is
// the gateway's transaction, by its transactionId.
type onerwayDriver struct {
	w *World
}

func newOnerwayDriver(w *World) driver { return &onerwayDriver{w: w} }

func (d *onerwayDriver) name() string { return "Onerway" }

// customer is Tabby's approved test customer: the gateway's payments are
// Tabby payments.
func (d *onerwayDriver) customer(currency string) CallBuyer {
	return (&tabbyDriver{w: d.w}).customer(currency)
}

var cashierPage = regexp.MustCompile(`/onerway/cashier/(\d+)`)

// findPayment is the transaction of the cashier page the customer was sent
// to, else the one the scenario's latest doTransaction created (a payment
// declined at once has no cashier page).
func (d *onerwayDriver) findPayment(ctx context.Context) (string, error) {
	if m := cashierPage.FindStringSubmatch(d.w.redirect); m != nil {
		return m[1], nil
	}
	calls, err := d.w.apiCalls(ctx, "checkout")
	if err != nil || len(calls) == 0 {
		return "", err
	}
	return gjson.Get(calls[len(calls)-1].ResponseBody, "data.transactionId").String(), nil
}

func (d *onerwayDriver) transaction(ctx context.Context) (*simctl.OnerwayTransaction, error) {
	return d.w.env.Control.OnerwayTransaction(ctx, d.w.paymentID)
}

// hostedPage opens the cashier page, goes on to Tabby's page underneath
// and does action there; Tabby's page sends the customer back to the
// gateway, whose answer, the redirect to the merchant's returnUrl, is
// returned.
func (d *onerwayDriver) hostedPage(ctx context.Context, action string) (*http.Response, error) {
	if resp, err := d.get(ctx, d.w.redirect); err != nil || resp.StatusCode != http.StatusOK {
		return nil, hppFailed("cashier", resp, err)
	}
	t, err := d.transaction(ctx)
	if err != nil {
		return nil, err
	}
	tabbyPage := &tabbyDriver{w: d.w, page: d.w.env.SimURL + "/hpp/" + url.PathEscape(t.TabbySessionID)}
	resp, err := tabbyPage.hostedPage(ctx, action)
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		return resp, err
	}
	return d.get(ctx, resp.Header.Get("Location"))
}

// get opens u as the customer's browser does, without following a
// redirect.
func (d *onerwayDriver) get(ctx context.Context, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
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

// returnURL is the merchant's returnUrl as the gateway sends a customer
// to it for transaction paymentID: with its transactionId, merchantTxnId
// and status, S for kind "success" and F for "cancel" and "failure" (the
// gateway has one returnUrl, and a cancel fails the transaction).
func (d *onerwayDriver) returnURL(ctx context.Context, kind, paymentID string) (string, error) {
	t, err := d.transaction(ctx)
	if err != nil {
		return "", err
	}
	if t.Order == nil || t.Order.ReturnURL == "" {
		return "", broke("R-OW-MERCHANT-URLS", "send txnOrderMsg.returnUrl with the payment", "the transaction has no returnUrl")
	}
	named := t
	if paymentID != t.TransactionID {
		if named, err = d.w.env.Control.OnerwayTransaction(ctx, paymentID); err != nil {
			return "", err
		}
	}
	u, err := url.Parse(t.Order.ReturnURL)
	if err != nil {
		return "", err
	}
	status := ow.StatusFailed
	if kind == "success" {
		status = ow.StatusSuccess
	}
	q := url.Values{"transactionId": {named.TransactionID}, "status": {string(status)}, "merchantTxnId": {named.MerchantTxnID}}.Encode()
	if u.RawQuery != "" {
		q = u.RawQuery + "&" + q
	}
	u.RawQuery = q
	return u.String(), nil
}

// operation names the merchant's requests to the gateway: doTransaction
// is "checkout", /v1/txn/list "retrieve", onlineRefund "refund", cancelTxn
// "cancel" and the logistics upload "logistics"; the payment is the
// transaction the request names ("" for the first two).
func (d *onerwayDriver) operation(e simctl.JournalEntry) (op, paymentID string) {
	if e.Method != http.MethodPost {
		return "", ""
	}
	switch e.Path {
	case ow.PathDoTransaction:
		return "checkout", ""
	case ow.PathList:
		return "retrieve", ""
	case ow.PathRefund:
		return "refund", gjson.Get(e.RequestBody, "originTransactionId").String()
	case ow.PathCancel:
		return "cancel", gjson.Get(e.RequestBody, "originTransactionId").String()
	case ow.PathLogisticsUpload:
		return "logistics", gjson.Get(e.RequestBody, "transactionId").String()
	}
	return "", ""
}

// webhook builds the transaction's TXN notification as the gateway sends
// it (seed 001), announcing status, to its notifyUrl; signed with the
// merchant's secret key, or, forged, with another.
func (d *onerwayDriver) webhook(ctx context.Context, status string, forged bool) (*http.Request, *sentWebhook, error) {
	t, err := d.transaction(ctx)
	if err != nil {
		return nil, nil, err
	}
	if t.Order == nil || t.Order.NotifyURL == "" {
		return nil, nil, broke("R-OW-MERCHANT-URLS", "send txnOrderMsg.notifyUrl with the payment", "the transaction has no notifyUrl")
	}
	reason := gateway.Succeeded.Reason("")
	if status != string(ow.StatusSuccess) {
		reason = gateway.Declined.Reason("")
	}
	n := gateway.Notification{
		NotifyType: ow.NotifyTxn, TransactionID: t.TransactionID, TxnType: ow.TxnSale, MerchantNo: t.MerchantNo,
		MerchantTxnID: t.MerchantTxnID, ResponseTime: gateway.FormatTime(t.UpdatedAt), TxnTime: gateway.FormatTime(t.CreatedAt),
		TxnTimeZone: gateway.TxnTimeZone, OrderAmount: t.Amount, OrderCurrency: t.Currency, Status: ow.Status(status),
		Reason: reason.JSON(), PaymentMethod: gateway.PaymentMethod, WalletTypeName: gateway.PaymentMethod,
		ChannelRequestID: t.ChannelRequestID,
	}
	key := d.w.merchant.Onerway.SecretKey
	if forged {
		key = "forged-by-the-harness"
	}
	body, err := ow.SignWebhook(n, key)
	if err != nil {
		return nil, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.Order.NotifyURL, strings.NewReader(string(body)))
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	return req, &sentWebhook{
		claimed: status, paymentStatus: t.Status, auth: "the sign made with the merchant's Onerway secret key",
		authentic: !forged,
	}, nil
}

func (d *onerwayDriver) tabbyPayment(ctx context.Context) (string, error) {
	t, err := d.transaction(ctx)
	if err != nil {
		return "", err
	}
	if t.TabbyPaymentID == "" {
		return "", fmt.Errorf("Onerway transaction %s has no Tabby payment underneath", t.TransactionID)
	}
	return t.TabbyPaymentID, nil
}

// orderRule: an order still pending shows the returnUrl proved nothing;
// any other state, that the order follows the transaction's status.
func (d *onerwayDriver) orderRule(state string) string {
	if state == "pending" {
		return "R-OW-POLL"
	}
	return "R-ORDER-STATUS"
}

func (d *onerwayDriver) paymentStatus(ctx context.Context) (string, error) {
	t, err := d.transaction(ctx)
	if err != nil {
		return "", err
	}
	return t.Status, nil
}

// openReference runs the reference merchant in its Onerway mode on a
// fresh simulator merchant, with the Onerway credentials it was given.
func (d *onerwayDriver) openReference(ctx context.Context, r *Reference, env *Env) (*simctl.Merchant, *Adapter, func(), error) {
	m, err := env.Control.CreateMerchant(ctx, simctl.CreateMerchantRequest{Clock: "manual"})
	if err != nil {
		return nil, nil, nil, err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	url, stop, err := merchant.Serve(runCtx, merchant.Config{
		Provider: merchant.ProviderOnerway, Defect: r.Defect,
		Onerway: merchant.OnerwayConfig{URL: env.SimURL, MerchantNo: m.Onerway.MerchantNo, SecretKey: m.Onerway.SecretKey, AppID: m.Onerway.AppID},
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, "127.0.0.1:0")
	if err != nil {
		cancel()
		return nil, nil, nil, err
	}
	return m, OnerwayReferenceAdapter(url), func() { stop(); cancel() }, nil
}

// OnerwayReferenceAdapter is the adapter of the reference merchant served
// at url in its Onerway mode.
func OnerwayReferenceAdapter(url string) *Adapter {
	a, err := ParseAdapter([]byte(strings.ReplaceAll(onerwayReferenceAdapterJSON, "{{base_url}}", url)))
	if err != nil {
		panic(err) // the built-in adapter is tested
	}
	return a
}

// onerwayReferenceAdapterJSON ships physical goods to the country of the
// order's currency.
const onerwayReferenceAdapterJSON = `{
  "name": "reference merchant, Onerway mode",
  "base_url": "{{base_url}}",
  "checkout": {
    "method": "POST",
    "path": "/checkout",
    "body": "{\"amount\": \"{{.Amount}}\", \"currency\": \"{{.Currency}}\", \"buyer\": {{json .Buyer}}, \"items\": {{json .Items}}, \"shipping\": {{if eq .Currency \"AED\"}}{\"country\": \"AE\", \"city\": \"Dubai\", \"address\": \"Sheikh Zayed Road 1\", \"postal_code\": \"00000\"}{{else}}{\"country\": \"SA\", \"city\": \"Riyadh\", \"address\": \"King Fahd Road 1\", \"postal_code\": \"12345\"}{{end}}}",
    "redirect_url": "redirect_url",
    "order_ref": "order_id",
    "rejection_reason": "rejection_reason"
  },
  "order_status": {
    "method": "GET",
    "path": "/orders/{{.OrderRef}}",
    "status": "status",
    "values": {
      "pending": ["pending"], "paid": ["paid"], "cancelled": ["cancelled"], "failed": ["failed"],
      "refunded": ["refunded"], "partially_refunded": ["partially_refunded"]
    }
  },
  "actions": {
    "reconcile": {"method": "POST", "path": "/admin/reconcile"},
    "refund": {"method": "POST", "path": "/orders/{{.OrderRef}}/refund", "body": "{\"amount\": \"{{.Amount}}\"}"},
    "deliver": {"method": "POST", "path": "/orders/{{.OrderRef}}/delivered", "body": "{\"carrier\": \"aramex\", \"tracking_no\": \"TRK-{{.OrderRef}}\", \"delivered_at\": \"{{.DeliveredAt}}\"}"}
  }
}`
