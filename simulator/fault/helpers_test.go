package fault_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/client/simctl"
	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/clock"
)

// env is a simulator on a loopback port with a merchant of the test's own
// on a manual clock.
type env struct {
	t        *testing.T
	sim      *simulator.Server
	url      string
	ctl      *simctl.Client
	merchant *simctl.Merchant
	// http sends every request on a new connection, so net/http never
	// sends one again by itself after a fault dropped its connection.
	http *http.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, simulator.Config{Seed: 7})
}

func newEnvWith(t *testing.T, cfg simulator.Config) *env {
	t.Helper()
	cfg.ClockMode = clock.Manual
	sim, err := simulator.Listen("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	e := &env{t: t, sim: sim, url: sim.URL, ctl: simctl.New(sim.URL),
		http: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}}
	if e.merchant, err = e.ctl.CreateMerchant(context.Background(), simctl.CreateMerchantRequest{Clock: "manual"}); err != nil {
		t.Fatal(err)
	}
	return e
}

// reply is what a request got: an answer, or the error of a connection
// that ended without one.
type reply struct {
	status int
	header http.Header
	body   []byte
	err    error
}

func (r *reply) str(path string) string { return gjson.GetBytes(r.body, path).String() }

// call sends a Tabby API request with the merchant's secret key, and the
// X-Sim-Fault header when fault is not "".
func (e *env) call(method, path string, body any, fault string) *reply {
	e.t.Helper()
	return e.send(method, path, e.merchant.Tabby.SecretKey, body, http.Header{"X-Sim-Fault": nonEmpty(fault)})
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func (e *env) send(method, path, key string, body any, header http.Header) *reply {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := e.http.Do(req)
	if err != nil {
		return &reply{err: err}
	}
	defer resp.Body.Close()
	out := &reply{status: resp.StatusCode, header: resp.Header}
	out.body, out.err = io.ReadAll(resp.Body)
	return out
}

func checkoutBody(reference string) map[string]any {
	return map[string]any{
		"merchant_code": "ae", "lang": "en",
		"merchant_urls": map[string]any{"success": "https://shop.example/ok", "cancel": "https://shop.example/c", "failure": "https://shop.example/f"},
		"payment": map[string]any{
			"amount": "100.00", "currency": "AED",
			"buyer": map[string]any{"name": "Sara", "email": "otp.success@tabby.ai", "phone": "500000001"},
			"order": map[string]any{"reference_id": reference},
		},
	}
}

// authorized creates a payment the customer approved and returns its id.
func (e *env) authorized() string {
	e.t.Helper()
	r := e.call(http.MethodPost, "/api/v2/checkout", checkoutBody("order-1"), "")
	if r.err != nil || r.status != http.StatusOK {
		e.t.Fatalf("creating a session: %d %s %v", r.status, r.body, r.err)
	}
	id := r.str("payment.id")
	if _, err := e.ctl.Customer(context.Background(), id, "approve"); err != nil {
		e.t.Fatal(err)
	}
	return id
}

func captureBody(ref string) map[string]any {
	return map[string]any{"amount": "100.00", "reference_id": ref}
}

func (e *env) payment(id string) *simctl.PaymentInfo {
	e.t.Helper()
	p, err := e.ctl.Payment(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

// addRule adds a rule for the test's merchant.
func (e *env) addRule(rule map[string]any) *simctl.FaultRule {
	e.t.Helper()
	rule["merchant"] = e.merchant.ID
	r, err := e.ctl.AddFault(context.Background(), rule)
	if err != nil {
		e.t.Fatalf("adding %v: %v", rule, err)
	}
	return r
}

func (e *env) rule(id string) *simctl.FaultRule {
	e.t.Helper()
	r, err := e.ctl.Fault(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

// seq is the sequence number of the journal's newest entry.
func (e *env) seq() uint64 {
	e.t.Helper()
	entries, err := e.ctl.Journal(context.Background(), "", 1)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(entries) == 0 {
		return 0
	}
	return entries[0].Seq
}

// entryAfter waits for the merchant's first journal entry after seq: a
// request whose connection was dropped is journalled once its handler
// returns, which may be after the client saw the connection end.
func (e *env) entryAfter(seq uint64) simctl.JournalEntry {
	e.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		entries, err := e.ctl.Journal(context.Background(), e.merchant.ID, 0)
		if err != nil {
			e.t.Fatal(err)
		}
		for i := len(entries) - 1; i >= 0; i-- {
			if entries[i].Seq > seq {
				return entries[i]
			}
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("no journal entry after %d", seq)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (e *env) advance(d time.Duration) {
	e.t.Helper()
	if _, err := e.ctl.Advance(context.Background(), e.merchant.ID, d); err != nil {
		e.t.Fatal(err)
	}
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }

func readAll(resp *http.Response) []byte {
	b, _ := io.ReadAll(resp.Body)
	return b
}

// owSend sends a request to the Onerway gateway as merchant m, signed with
// its secret key, with the X-Sim-Fault header when fault is not "".
func (e *env) owSend(m *simctl.Merchant, path string, req any, fault string) *reply {
	e.t.Helper()
	body, err := onerway.SignRequest(req, m.Onerway.SecretKey)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.send(http.MethodPost, path, "", json.RawMessage(body),
		http.Header{"Content-Type": {"application/json"}, "X-Sim-Fault": nonEmpty(fault)})
}

// owCall sends a request to the Onerway gateway as the test's merchant.
func (e *env) owCall(path string, req any, fault string) *reply {
	e.t.Helper()
	return e.owSend(e.merchant, path, req, fault)
}

// owPayment is a doTransaction of the test's merchant: a Tabby payment of
// 10 SAR for a virtual order.
func (e *env) owPayment(merchantTxnID string) onerway.PaymentRequest {
	return onerway.PaymentRequest{
		MerchantNo: e.merchant.Onerway.MerchantNo, MerchantTxnID: merchantTxnID, MerchantCustID: "cust-1",
		ProductType: onerway.ProductLPMS, SubProductType: onerway.SubProductDirect, TxnType: onerway.TxnSale,
		OrderAmount: "10", OrderCurrency: "SAR", LpmsInfo: &onerway.LpmsInfo{LpmsType: onerway.LpmsTabby},
		TxnOrderMsg: onerway.TxnOrderMsg{ReturnURL: "https://shop.example/return", NotifyURL: "https://shop.example/notify",
			CustomerPlatform: "shop.example", Products: []onerway.Product{{Name: "Card", Price: "10.00", Num: "1", Currency: "SAR",
				Type: onerway.GoodsVirtual, ProductAvatarURL: "https://cdn.shop.example/card.png"}}},
		BillingInformation: onerway.Address{FirstName: "Sara", LastName: "Ali", Email: "otp.success@tabby.ai"},
	}
}

// owRefund is an onlineRefund of 4 SAR of transaction origin.
func (e *env) owRefund(merchantTxnID, origin string) onerway.RefundRequest {
	return onerway.RefundRequest{MerchantNo: e.merchant.Onerway.MerchantNo, RefundType: onerway.RefundApply,
		MerchantTxnID: merchantTxnID, OriginTransactionID: origin, RefundAmount: "4"}
}

// owPaid makes a doTransaction the customer approves and returns its
// transactionId, S.
func (e *env) owPaid(merchantTxnID string) string {
	e.t.Helper()
	r := e.owCall(onerway.PathDoTransaction, e.owPayment(merchantTxnID), "")
	id := r.str("data.transactionId")
	if r.status != http.StatusOK || r.str("respCode") != onerway.RespSuccess || id == "" {
		e.t.Fatalf("doTransaction: %d %s %v", r.status, r.body, r.err)
	}
	if res, err := e.ctl.Customer(context.Background(), id, "approve"); err != nil || res.TransactionStatus != "S" {
		e.t.Fatalf("approving %s: %+v %v", id, res, err)
	}
	return id
}

// owMade counts the test merchant's Onerway transactions, payments and
// refunds, with the merchantTxnId.
func (e *env) owMade(merchantTxnID string) int {
	e.t.Helper()
	txns, err := e.ctl.OnerwayTransactions(context.Background(), e.merchant.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, t := range txns {
		if t.MerchantTxnID == merchantTxnID {
			n++
		}
	}
	return n
}
