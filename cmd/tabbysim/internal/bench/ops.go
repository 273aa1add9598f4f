package bench

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/tabby"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// The bodies of "Checkout" and "Capture a payment" in Tabby's Postman
// collection ("Tabby Pay in 4 API collection", docs.tabby.ai/custom-api.json),
// as printed there; its variables are set as the collection's defaults
// suggest: merchant code ae, currency AED.
var (
	//go:embed postman-checkout.json
	postmanCheckout string
	//go:embed postman-capture.json
	postmanCapture string

	checkoutBody = []byte(strings.NewReplacer("{{currency}}", "AED", "{{merchant_code}}", "ae").Replace(postmanCheckout))
	captureBody  = []byte(postmanCapture)
	approveBody  = []byte(`{"action":"approve"}`)
)

// The paths each case sends to; {id} is a payment id.
const (
	pathCheckout = "/api/v2/checkout"
	pathPayment  = "/api/v2/payments/{id}"
	pathList     = "/api/v2/payments"
	pathCapture  = "/api/v2/payments/{id}/captures"
	pathCustomer = "/_sim/v1/payments/{id}/customer"
	listQuery    = "?limit=20"
)

func withID(path, id string) string { return strings.Replace(path, "{id}", id, 1) }

// tabbyHeader is what a merchant sends with key.
func tabbyHeader(key string) http.Header {
	return http.Header{"Authorization": {"Bearer " + key}, "Content-Type": {"application/json"}}
}

var jsonHeader = http.Header{"Content-Type": {"application/json"}}

func createOp(base, key string) Op {
	h := tabbyHeader(key)
	return func(ctx context.Context, w *Worker) error {
		_, err := w.Do(ctx, http.MethodPost, base+pathCheckout, h, checkoutBody, http.StatusOK)
		return err
	}
}

// retrieveOp reads the payments of ids in turn.
func retrieveOp(base, key string, ids []string) Op {
	h := tabbyHeader(key)
	return func(ctx context.Context, w *Worker) error {
		id := ids[(w.ID+w.N*7919)%len(ids)]
		_, err := w.Do(ctx, http.MethodGet, base+withID(pathPayment, id), h, nil, http.StatusOK)
		return err
	}
}

func listOp(base, key string) Op {
	h := tabbyHeader(key)
	return func(ctx context.Context, w *Worker) error {
		_, err := w.Do(ctx, http.MethodGet, base+pathList+listQuery, h, nil, http.StatusOK)
		return err
	}
}

// captureOp captures the payment next gives, each once.
func captureOp(base, key string, next func() (string, bool)) Op {
	h := tabbyHeader(key)
	return func(ctx context.Context, w *Worker) error {
		id, ok := next()
		if !ok {
			return errExhausted
		}
		_, err := w.Do(ctx, http.MethodPost, base+withID(pathCapture, id), h, captureBody, http.StatusOK)
		return err
	}
}

// always gives id every time: stand-ins answer any id.
func always(id string) func() (string, bool) { return func() (string, bool) { return id, true } }

// pool hands out prepared payment ids, each once.
type pool struct {
	ids  []string
	next atomic.Int64
}

func (p *pool) take() (string, bool) {
	i := p.next.Add(1) - 1
	if i >= int64(len(p.ids)) {
		return "", false
	}
	return p.ids[i], true
}

// onerwayOp creates a Tabby payment through the Onerway gateway, signed by
// client/onerway with the merchant's credentials.
func onerwayOp(base string, cred onerwayCredentials, notify string) Op {
	var seq atomic.Int64
	return func(ctx context.Context, w *Worker) error {
		c := onerway.New(cred.MerchantNo, cred.SecretKey, onerway.WithBaseURL(base), onerway.WithHTTPClient(w.http))
		_, err := c.DoTransaction(ctx, onerwayPayment(fmt.Sprintf("bench-%d", seq.Add(1)), notify))
		return err
	}
}

// onerwayPayment is a Tabby payment through the gateway as seed 001 shows
// one: LPMS, DIRECT, SALE, lpmsType tabby, physical goods.
func onerwayPayment(txnID, notify string) onerway.PaymentRequest {
	return onerway.PaymentRequest{
		MerchantTxnID:  txnID,
		MerchantCustID: "cust-7",
		ProductType:    onerway.ProductLPMS,
		SubProductType: onerway.SubProductDirect,
		TxnType:        onerway.TxnSale,
		OrderAmount:    "250.00",
		OrderCurrency:  "SAR",
		LpmsInfo:       &onerway.LpmsInfo{LpmsType: onerway.LpmsTabby},
		TxnOrderMsg: onerway.TxnOrderMsg{
			ReturnURL: notify + "/return", NotifyURL: notify, CustomerPlatform: "shop.example",
			Products: []onerway.Product{{Name: "iPhone 15", Price: "250.00", Num: "1", Currency: "SAR",
				Type: onerway.GoodsPhysical, ProductAvatarURL: "https://cdn.shop.example/iphone.jpg"}},
		},
		BillingInformation: onerway.Address{FirstName: "Ahmad", LastName: "Al-Salem", Email: tabby.EmailSuccess, Phone: "966500000001"},
		ShippingInformation: &onerway.Address{FirstName: "Ahmad", LastName: "Al-Salem", Phone: "966500000001",
			Country: "SA", City: "Riyadh", Address: "King Fahd Road", PostalCode: "12345"},
	}
}

// webhookWait bounds how long a whole payment waits for its last webhook.
const webhookWait = 30 * time.Second

// paymentOp is a whole payment: create the session, approve it as the
// customer through the control API, capture it in full, and wait until the
// receiver has acknowledged the payment's closed webhook.
func paymentOp(base, key string, recv *receiver) Op {
	h := tabbyHeader(key)
	return func(ctx context.Context, w *Worker) error {
		body, err := w.Do(ctx, http.MethodPost, base+pathCheckout, h, checkoutBody, http.StatusOK)
		if err != nil {
			return err
		}
		id := gjson.GetBytes(body, "payment.id").String()
		if id == "" {
			return fmt.Errorf("POST %s: no payment.id in %s", pathCheckout, excerpt(body))
		}
		if _, err := w.Do(ctx, http.MethodPost, base+withID(pathCustomer, id), jsonHeader, approveBody, http.StatusOK); err != nil {
			return err
		}
		if _, err := w.Do(ctx, http.MethodPost, base+withID(pathCapture, id), h, captureBody, http.StatusOK); err != nil {
			return err
		}
		return recv.waitClosed(ctx, id, webhookWait)
	}
}

// prepare creates n sessions with the Postman body for the default merchant
// through the Tabby service in-process (the code the API calls, without
// HTTP) and, with approve, authorizes each as the customer would.
func prepare(ctx context.Context, sim *simulator.Server, n int, approve bool) ([]string, error) {
	m, err := sim.DefaultMerchant(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, n)
	return ids, parallel(ctx, n, func(i int) (err error) {
		ids[i], err = prepareOne(ctx, sim, m, approve)
		return err
	})
}

func prepareOne(ctx context.Context, sim *simulator.Server, m *tenant.Merchant, approve bool) (string, error) {
	var req tabby.CheckoutRequest
	if err := json.Unmarshal(checkoutBody, &req); err != nil {
		return "", err
	}
	p, err := sim.Tabby.CreateSession(ctx, m, &req, true)
	if err != nil {
		return "", err
	}
	if approve {
		if _, _, err := sim.Tabby.Act(ctx, p.ID, tabby.Approve); err != nil {
			return "", err
		}
	}
	return p.ID, nil
}
