package merchant

// End-to-end tests of the Onerway mode: the shop on loopback against the
// shared simulator's gateway, a fresh simulator merchant per test.

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/client/onerway"
)

// owShop is a reference merchant in the Onerway mode, served on loopback
// against tenant tn's Onerway account.
type owShop struct {
	*shop
	cfg OnerwayConfig
}

// newOnerwayShop serves a merchant in the Onerway mode with defect.
func newOnerwayShop(t *testing.T, defect string) *owShop {
	t.Helper()
	tn := newTenant(t)
	var m struct {
		Onerway struct {
			MerchantNo string `json:"merchant_no"`
			SecretKey  string `json:"secret_key"`
			AppID      string `json:"app_id"`
		} `json:"onerway"`
	}
	decode(t, tn.control(http.MethodGet, "/merchants/"+tn.id, nil), &m)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := OnerwayConfig{URL: shared.url, MerchantNo: m.Onerway.MerchantNo, SecretKey: m.Onerway.SecretKey, AppID: m.Onerway.AppID}
	mer, err := New(Config{Provider: ProviderOnerway, Onerway: cfg, PublicURL: "http://" + ln.Addr().String(), Defect: defect})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(mer.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	if err := mer.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &owShop{shop: &shop{t: t, tn: tn, m: mer, url: "http://" + ln.Addr().String()}, cfg: cfg}
}

// owCart is a cart of one item of goods, by Tabby's approved test buyer.
func owCart(goods onerway.GoodsType) OnerwayCheckoutRequest {
	return OnerwayCheckoutRequest{
		Amount: "250.00", Currency: "SAR",
		Buyer:    CheckoutBuyer{Name: "Sara Customer", Email: "otp.success@tabby.ai", Phone: "+966500000001"},
		Items:    []OnerwayItem{{Title: "Abaya", Quantity: 1, UnitPrice: "250.00", Type: goods}},
		Shipping: &ShippingAddress{Country: "SA", City: "Riyadh", Address: "King Fahd Road", PostalCode: "12345"},
	}
}

func (s *owShop) checkout(req OnerwayCheckoutRequest) OnerwayCheckoutResponse {
	s.t.Helper()
	status, body := call(s.t, http.MethodPost, s.url+"/checkout", req, nil)
	if status != http.StatusOK {
		s.t.Fatalf("POST /checkout: %d %s", status, body)
	}
	var res OnerwayCheckoutResponse
	decode(s.t, body, &res)
	if res.OrderID == "" || res.TransactionID == "" {
		s.t.Fatalf("POST /checkout answered no order or transaction id: %s", body)
	}
	return res
}

func (s *owShop) order(id string) OnerwayOrderJSON {
	s.t.Helper()
	status, body := call(s.t, http.MethodGet, s.url+"/orders/"+id, nil, nil)
	if status != http.StatusOK {
		s.t.Fatalf("GET /orders/%s: %d %s", id, status, body)
	}
	var o OnerwayOrderJSON
	decode(s.t, body, &o)
	return o
}

func (s *owShop) want(orderID, status string) OnerwayOrderJSON {
	s.t.Helper()
	o := s.order(orderID)
	if o.Status != status {
		s.t.Fatalf("order %s is %s, want %s (%+v)", orderID, o.Status, status, o)
	}
	return o
}

// paid runs a checkout to a paid order: the customer approves, the
// notifications are delivered.
func (s *owShop) paid(goods onerway.GoodsType) OnerwayCheckoutResponse {
	s.t.Helper()
	res := s.checkout(owCart(goods))
	s.tn.act(res.TransactionID, "approve")
	s.tn.settle(res.TransactionID)
	s.want(res.OrderID, StatusPaid)
	return res
}

// throughGateway follows the customer's browser from the gateway's return
// handler to the merchant's returnUrl, and returns that URL.
func (s *owShop) throughGateway(u string) string {
	s.t.Helper()
	resp, err := shared.client.Get(u)
	if err != nil {
		s.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("the gateway's return %s answered %d", u, resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

// notification makes a notification of the shop's transaction signed with key.
func (s *owShop) notification(transactionID, merchantTxnID string, status onerway.Status, key string) []byte {
	body, err := onerway.SignWebhook(map[string]string{
		"notifyType": "TXN", "txnType": "SALE", "transactionId": transactionID, "merchantTxnId": merchantTxnID,
		"merchantNo": s.cfg.MerchantNo, "status": string(status), "orderAmount": "250.00", "orderCurrency": "SAR",
		"reason": `{"respCode":"20000","respMsg":"Success"}`, "txnTimeZone": "+08:00",
	}, key)
	if err != nil {
		s.t.Fatal(err)
	}
	return body
}

func (s *owShop) notify(body []byte) (int, string) {
	s.t.Helper()
	resp, err := http.Post(s.url+NotifyPath, "application/json", strings.NewReader(string(body)))
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestOnerway_NotificationMarksPaidAndIsAcknowledged(t *testing.T) {
	t.Parallel()
	s := newOnerwayShop(t, "")
	res := s.checkout(owCart(onerway.GoodsVirtual))
	if !strings.Contains(res.RedirectURL, "/onerway/cashier/"+res.TransactionID) {
		t.Fatalf("redirect_url %q is not the transaction's cashier page", res.RedirectURL)
	}
	s.want(res.OrderID, StatusPending)
	s.tn.act(res.TransactionID, "approve")
	ds := s.tn.settle(res.TransactionID)
	if len(ds) != 1 || ds[0].Status != "delivered" || len(ds[0].Attempts) != 1 {
		t.Fatalf("the notification was not received at the first try: %+v", ds)
	}
	o := s.want(res.OrderID, StatusPaid)
	if o.Goods != "virtual" || o.Logistics != "" {
		t.Errorf("a virtual order %+v", o)
	}
	// The request on the wire: Tabby through Onerway, the shop's own URLs.
	reqs := s.tn.requests(http.MethodPost, onerway.PathDoTransaction)
	if len(reqs) != 1 {
		t.Fatalf("%d doTransaction requests", len(reqs))
	}
	f, err := onerway.ParseFields([]byte(reqs[0].RequestBody))
	if err != nil || onerway.VerifyRequest([]byte(reqs[0].RequestBody), s.cfg.SecretKey) != nil {
		t.Fatalf("the request does not verify: %v %s", err, reqs[0].RequestBody)
	}
	var msg string
	_ = json.Unmarshal(f["txnOrderMsg"], &msg)
	if !strings.Contains(gjson.Get(msg, "returnUrl").String(), OnerwayReturnPath+"?order="+res.OrderID) ||
		gjson.Get(msg, "notifyUrl").String() != s.url+NotifyPath || gjson.Get(msg, "customerPlatform").String() != "127.0.0.1" {
		t.Errorf("txnOrderMsg %s", msg)
	}
}

// TestOnerway_ReturnQueriesTheList: the returnUrl's status proves
// nothing; the shop asks /v1/txn/list, which finds the payment when every
// notification is lost, and leaves the order pending when the customer
// has not paid whatever the parameters say.
func TestOnerway_ReturnQueriesTheList(t *testing.T) {
	t.Parallel()
	s := newOnerwayShop(t, "")
	s.tn.control(http.MethodPatch, "/merchants/"+s.tn.id, map[string]any{"settings": map[string]any{"webhooks": map[string]any{"drop_rate": 1}}})

	res := s.checkout(owCart(onerway.GoodsVirtual))
	forged := s.url + OnerwayReturnPath + "?order=" + res.OrderID + "&transactionId=" + res.TransactionID + "&status=S"
	if status, page := s.browse(forged); status != http.StatusOK || !strings.Contains(page, `data-status="pending"`) {
		t.Fatalf("a returnUrl saying S before payment: %d %s", status, page)
	}
	s.want(res.OrderID, StatusPending)

	back := s.throughGateway(s.tn.act(res.TransactionID, "approve"))
	s.tn.settle(res.TransactionID)
	s.want(res.OrderID, StatusPending) // the notification was lost
	if !strings.Contains(back, "status=S") {
		t.Fatalf("the gateway's return %s does not say S", back)
	}
	if status, page := s.browse(back); status != http.StatusOK || !strings.Contains(page, `data-status="paid"`) {
		t.Fatalf("the return after payment: %d %s", status, page)
	}
	if n := len(s.tn.requests(http.MethodPost, onerway.PathList)); n < 2 {
		t.Errorf("%d list requests, want one per return", n)
	}
}

func TestOnerway_PollFindsThePaymentWithoutNotification(t *testing.T) {
	t.Parallel()
	s := newOnerwayShop(t, "")
	s.tn.control(http.MethodPatch, "/merchants/"+s.tn.id, map[string]any{"settings": map[string]any{"webhooks": map[string]any{"drop_rate": 1}}})
	res := s.checkout(owCart(onerway.GoodsVirtual))
	s.tn.act(res.TransactionID, "approve_without_redirect")
	s.tn.settle(res.TransactionID)
	if err := s.m.PollOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.want(res.OrderID, StatusPaid)
}

func TestOnerway_NotificationSignAndIdempotence(t *testing.T) {
	t.Parallel()
	s := newOnerwayShop(t, "")
	res := s.checkout(owCart(onerway.GoodsVirtual))
	merchantTxnID := s.order(res.OrderID).MerchantTxnID

	for name, body := range map[string][]byte{
		"signed with another key": s.notification(res.TransactionID, merchantTxnID, onerway.StatusSuccess, "forger"),
		"sign removed":            []byte(strings.Replace(string(s.notification(res.TransactionID, merchantTxnID, onerway.StatusSuccess, s.cfg.SecretKey)), `"sign":"`, `"sig":"`, 1)),
	} {
		if status, ack := s.notify(body); status != http.StatusUnauthorized || strings.Contains(ack, res.TransactionID) {
			t.Errorf("%s: answered %d %s, want 401 without the transactionId", name, status, ack)
		}
	}
	s.want(res.OrderID, StatusPending)

	// An authentic failure, then a late success of the same transaction:
	// the first final status stays; each is acknowledged.
	for _, status := range []onerway.Status{onerway.StatusFailed, onerway.StatusFailed, onerway.StatusSuccess} {
		if code, ack := s.notify(s.notification(res.TransactionID, merchantTxnID, status, s.cfg.SecretKey)); code != http.StatusOK || ack != res.TransactionID {
			t.Fatalf("notification %s answered %d %q, want 200 with the transactionId", status, code, ack)
		}
	}
	s.want(res.OrderID, StatusFailed)
}

func TestOnerway_DeclinedAtPrescoring(t *testing.T) {
	t.Parallel()
	s := newOnerwayShop(t, "")
	req := owCart(onerway.GoodsVirtual)
	req.Buyer.Phone = "+966500000002"
	res := s.checkout(req)
	if res.Status != StatusFailed || res.RedirectURL != "" || res.RejectionReason == "" {
		t.Fatalf("a declined payment answered %+v", res)
	}
	s.want(res.OrderID, StatusFailed)
}

// TestOnerway_GatewayRefusal: a request the gateway refuses fails the
// order with the gateway's code, and the customer goes nowhere.
func TestOnerway_GatewayRefusal(t *testing.T) {
	t.Parallel()
	s := newOnerwayShop(t, "")
	req := owCart(onerway.GoodsVirtual)
	req.Amount, req.Items[0].UnitPrice = "20000.00", "20000.00"
	status, body := s.post("/checkout", req, nil)
	if status != http.StatusBadGateway || !strings.Contains(string(body), "40005") {
		t.Fatalf("an amount over the limit: %d %s", status, body)
	}
	s.want(gjson.GetBytes(body, "order_id").String(), StatusFailed)
}

func TestOnerway_CheckoutBadInput(t *testing.T) {
	t.Parallel()
	s := newOnerwayShop(t, "")
	for name, edit := range map[string]func(*OnerwayCheckoutRequest){
		"a currency Onerway does not take": func(r *OnerwayCheckoutRequest) { r.Currency = "KWD" },
		"no type":                          func(r *OnerwayCheckoutRequest) { r.Items[0].Type = "" },
		"physical without shipping":        func(r *OnerwayCheckoutRequest) { r.Shipping = nil },
		"physical without a phone":         func(r *OnerwayCheckoutRequest) { r.Buyer.Phone = "" },
		"no item":                          func(r *OnerwayCheckoutRequest) { r.Items = nil },
	} {
		req := owCart(onerway.GoodsPhysical)
		edit(&req)
		if status, body := s.post("/checkout", req, nil); status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, status, body)
		}
	}
	if n := len(s.tn.requests(http.MethodPost, onerway.PathDoTransaction)); n != 0 {
		t.Errorf("%d doTransaction requests for bad carts", n)
	}
}

// delivered reports the order's delivery at t and returns the answer.
func (s *owShop) delivered(orderID string, at time.Time) (int, []byte) {
	s.t.Helper()
	return s.post("/orders/"+orderID+"/delivered", DeliveredRequest{Carrier: "aramex", TrackingNo: "TRK-1", DeliveredAt: at.Format(time.RFC3339)}, nil)
}

// simNow is the tenant's clock.
func (s *owShop) simNow() time.Time {
	var c struct {
		Now time.Time `json:"now"`
	}
	decode(s.t, s.tn.control(http.MethodGet, "/merchants/"+s.tn.id+"/clock", nil), &c)
	return c.Now
}

func TestOnerway_LogisticsAfterDeliveryAndSuccess(t *testing.T) {
	t.Parallel()
	t.Run("paid, then delivered", func(t *testing.T) {
		t.Parallel()
		s := newOnerwayShop(t, "")
		res := s.paid(onerway.GoodsPhysical)
		if o := s.order(res.OrderID); o.Logistics != "awaiting_delivery" {
			t.Fatalf("logistics %q before delivery", o.Logistics)
		}
		if status, body := s.delivered(res.OrderID, s.simNow()); status != http.StatusOK {
			t.Fatalf("delivered: %d %s", status, body)
		}
		ups := s.tn.requests(http.MethodPost, onerway.PathLogisticsUpload)
		if len(ups) != 1 || gjson.Get(ups[0].RequestBody, "transactionId").String() != res.TransactionID ||
			gjson.Get(ups[0].RequestBody, "trackingNo").String() != "TRK-1" {
			t.Fatalf("uploads %+v", ups)
		}
		if o := s.order(res.OrderID); o.Logistics != "uploaded" {
			t.Errorf("logistics %q", o.Logistics)
		}
	})
	t.Run("delivered, then paid", func(t *testing.T) {
		t.Parallel()
		s := newOnerwayShop(t, "")
		res := s.checkout(owCart(onerway.GoodsPhysical))
		if status, body := s.delivered(res.OrderID, s.simNow()); status != http.StatusOK {
			t.Fatalf("delivered: %d %s", status, body)
		}
		if n := len(s.tn.requests(http.MethodPost, onerway.PathLogisticsUpload)); n != 0 {
			t.Fatalf("%d uploads before the payment succeeded", n)
		}
		s.tn.act(res.TransactionID, "approve")
		s.tn.settle(res.TransactionID)
		if n := len(s.tn.requests(http.MethodPost, onerway.PathLogisticsUpload)); n != 1 {
			t.Fatalf("%d uploads after the payment succeeded", n)
		}
	})
	t.Run("virtual goods have no delivery", func(t *testing.T) {
		t.Parallel()
		s := newOnerwayShop(t, "")
		res := s.paid(onerway.GoodsVirtual)
		if status, body := s.delivered(res.OrderID, s.simNow()); status != http.StatusConflict {
			t.Fatalf("delivered: %d %s", status, body)
		}
	})
}

func TestOnerwayConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no gateway URL":    {Provider: ProviderOnerway, Onerway: OnerwayConfig{MerchantNo: "1", SecretKey: "k"}},
		"no merchantNo":     {Provider: ProviderOnerway, Onerway: OnerwayConfig{URL: "http://x", SecretKey: "k"}},
		"no secret key":     {Provider: ProviderOnerway, Onerway: OnerwayConfig{URL: "http://x", MerchantNo: "1"}},
		"unknown provider":  {Provider: "paypal"},
		"negative interval": {Provider: ProviderOnerway, Onerway: OnerwayConfig{URL: "http://x", MerchantNo: "1", SecretKey: "k"}, PollInterval: -1},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestOnerway_Defects runs, for every defect of the Onerway mode, a
// scenario that shows the mistake as the gateway sees it: the clean
// merchant behaves, the defective one misbehaves.
func TestOnerway_Defects(t *testing.T) {
	t.Parallel()
	uploads := func(s *owShop) int { return len(s.tn.requests(http.MethodPost, onerway.PathLogisticsUpload)) }
	rows := map[string]func(t *testing.T, s *owShop) bool{
		DefectSkipsWebhookSign: func(t *testing.T, s *owShop) bool {
			res := s.checkout(owCart(onerway.GoodsVirtual))
			s.notify(s.notification(res.TransactionID, s.order(res.OrderID).MerchantTxnID, onerway.StatusSuccess, "forger"))
			return s.order(res.OrderID).Status == StatusPaid
		},
		DefectAcksWithoutTransactionID: func(t *testing.T, s *owShop) bool {
			res := s.checkout(owCart(onerway.GoodsVirtual))
			s.tn.act(res.TransactionID, "approve")
			ds := s.tn.settle(res.TransactionID)
			return len(ds) != 1 || ds[0].Status != "delivered"
		},
		DefectTrustsReturnURL: func(t *testing.T, s *owShop) bool {
			res := s.checkout(owCart(onerway.GoodsVirtual))
			s.browse(s.url + OnerwayReturnPath + "?order=" + res.OrderID + "&status=S")
			return s.order(res.OrderID).Status == StatusPaid
		},
		DefectNeverUploadsLogistics: func(t *testing.T, s *owShop) bool {
			res := s.paid(onerway.GoodsPhysical)
			s.delivered(res.OrderID, s.simNow())
			return uploads(s) == 0
		},
		DefectUploadsBeforeSuccess: func(t *testing.T, s *owShop) bool {
			res := s.checkout(owCart(onerway.GoodsPhysical))
			s.delivered(res.OrderID, s.simNow())
			return uploads(s) > 0
		},
		DefectVirtualAsPhysical: func(t *testing.T, s *owShop) bool {
			s.checkout(owCart(onerway.GoodsVirtual))
			return strings.Contains(s.tn.requests(http.MethodPost, onerway.PathDoTransaction)[0].RequestBody, `\\\"type\\\":\\\"physical\\\"`)
		},
		DefectSignsReserialisedJSON: func(t *testing.T, s *owShop) bool {
			status, body := s.post("/checkout", owCart(onerway.GoodsVirtual), nil)
			return status == http.StatusBadGateway && strings.Contains(string(body), "40001")
		},
		DefectReusesMerchantTxnID: func(t *testing.T, s *owShop) bool {
			first := s.checkout(owCart(onerway.GoodsVirtual))
			s.tn.act(first.TransactionID, "cancel")
			status, body := s.post("/checkout", owCart(onerway.GoodsVirtual), nil)
			return status == http.StatusBadGateway && strings.Contains(string(body), "40006")
		},
		DefectTrustsHTTP200: func(t *testing.T, s *owShop) bool {
			// A refund answered HTTP 200 with 11001 System exception.
			res := s.paid(onerway.GoodsVirtual)
			s.tn.fault("onerway.online_refund", map[string]any{"kind": "status", "status": 200, "code": "11001"})
			s.refund(res.OrderID, "30.00")
			return s.order(res.OrderID).Status != StatusPaid
		},
		DefectNewMerchantTxnIDOnRetry: func(t *testing.T, s *owShop) bool {
			// A refund applied for, then its answer lost.
			res := s.paid(onerway.GoodsVirtual)
			s.tn.fault("onerway.online_refund", map[string]any{"kind": "after", "then": "reset"})
			s.refund(res.OrderID, "30.00")
			return len(s.tn.requests(http.MethodPost, onerway.PathRefund)) != 1
		},
	}
	onerwayDefects := 0
	for _, d := range Defects {
		if d.Provider() != ProviderOnerway {
			continue
		}
		onerwayDefects++
		misbehaves, ok := rows[d.Name]
		if !ok {
			t.Errorf("no scenario for defect %s", d.Name)
			continue
		}
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			for _, defect := range []string{"", d.Name} {
				if got := misbehaves(t, newOnerwayShop(t, defect)); got != (defect != "") {
					t.Errorf("with defect %q the scenario reports misbehaviour %v, want %v", defect, got, defect != "")
				}
			}
		})
	}
	if len(rows) != onerwayDefects {
		t.Errorf("%d scenarios for %d defects", len(rows), onerwayDefects)
	}
}

// TestOnerway_NewOrderAfterCancellation: a customer who cancelled pays for
// the same cart in a new order, with a merchantTxnId of its own.
func TestOnerway_NewOrderAfterCancellation(t *testing.T) {
	t.Parallel()
	s := newOnerwayShop(t, "")
	first := s.checkout(owCart(onerway.GoodsVirtual))
	s.tn.act(first.TransactionID, "cancel")
	s.tn.settle(first.TransactionID)
	s.want(first.OrderID, StatusFailed)
	second := s.paid(onerway.GoodsVirtual)
	if s.order(first.OrderID).MerchantTxnID == s.order(second.OrderID).MerchantTxnID {
		t.Fatal("the new order reused the merchantTxnId")
	}
}

func (s *owShop) refund(orderID, amount string) (int, []byte) {
	s.t.Helper()
	return s.post("/orders/"+orderID+"/refund", map[string]string{"amount": amount}, nil)
}

// TestOnerway_RefundsAfterAudit: a refund counts once Onerway's audit
// passed it; one the audit rejects refunds nothing; what is under audit is
// not refundable again.
func TestOnerway_RefundsAfterAudit(t *testing.T) {
	t.Parallel()
	s := newOnerwayShop(t, "")
	res := s.paid(onerway.GoodsVirtual)
	if status, body := s.refund(res.OrderID, "100.00"); status != http.StatusOK {
		t.Fatalf("refund: %d %s", status, body)
	}
	if o := s.want(res.OrderID, StatusPaid); o.RefundPending != "100.00" || o.Refunded != "0.00" {
		t.Fatalf("under audit: %+v", o)
	}
	if status, body := s.refund(res.OrderID, "150.01"); status != http.StatusUnprocessableEntity {
		t.Fatalf("a refund beyond what is left: %d %s", status, body)
	}
	s.tn.advance("1h")
	s.tn.settle(res.TransactionID)
	if o := s.want(res.OrderID, StatusPartiallyRefunded); o.Refunded != "100.00" || o.RefundPending != "0.00" {
		t.Fatalf("after the audit: %+v", o)
	}
	// An amount ending in .13 fails the simulator's audit.
	s.refund(res.OrderID, "10.13")
	s.tn.advance("1h")
	if o := s.want(res.OrderID, StatusPartiallyRefunded); o.Refunded != "100.00" || o.RefundPending != "0.00" {
		t.Fatalf("after a rejected audit: %+v", o)
	}
	s.refund(res.OrderID, "150.00")
	s.tn.advance("1h")
	s.want(res.OrderID, StatusRefunded)
	for _, c := range s.tn.requests(http.MethodPost, onerway.PathRefund) {
		if gjson.Get(c.RequestBody, "originTransactionId").String() != res.TransactionID || gjson.Get(c.RequestBody, "refundType").String() != "0" {
			t.Errorf("refund request %s", c.RequestBody)
		}
	}
}

func TestOnerway_PollFindsRefund(t *testing.T) {
	t.Parallel()
	s := newOnerwayShop(t, "")
	res := s.paid(onerway.GoodsVirtual)
	s.tn.control(http.MethodPatch, "/merchants/"+s.tn.id, map[string]any{"settings": map[string]any{"webhooks": map[string]any{"drop_rate": 1}}})
	s.refund(res.OrderID, "250.00")
	s.tn.advance("1h")
	s.want(res.OrderID, StatusPaid) // the notification was lost
	if err := s.m.PollOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.want(res.OrderID, StatusRefunded)
}

// TestOnerway_LateDeliveryIsRefused: a delivery reported more than 30 days
// after it is refused by the gateway, and the shop shows the refusal.
func TestOnerway_LateDeliveryIsRefused(t *testing.T) {
	t.Parallel()
	s := newOnerwayShop(t, "")
	res := s.paid(onerway.GoodsPhysical)
	s.tn.advance("32d")
	status, body := s.delivered(res.OrderID, s.simNow().Add(-31*24*time.Hour))
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(body), "40017") {
		t.Fatalf("a late delivery: %d %s", status, body)
	}
	if o := s.order(res.OrderID); o.Logistics != "refused" || !strings.Contains(o.LogisticsRefusal, "40017") {
		t.Fatalf("order %+v", o)
	}
}
