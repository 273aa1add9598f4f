package onerway_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tabbysim/tabbysim/client/onerway"
)

const (
	merchantNo = "800209"
	secretKey  = "0123456789abcdef0123456789abcdef"
)

var ctx = context.Background()

// gateway is a loopback stand-in for Onerway: it checks every request's
// content type and sign with this package, as the real gateway would, and
// answers with what the test sets per path.
type gateway struct {
	*httptest.Server
	mu       sync.Mutex
	received map[string]onerway.Fields
	answers  map[string]string
}

func startGateway(t *testing.T) *gateway {
	t.Helper()
	g := &gateway{received: map[string]onerway.Fields{}, answers: map[string]string{}}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "want a POST of application/json", http.StatusBadRequest)
			return
		}
		if err := onerway.VerifyRequest(body, secretKey); err != nil {
			io.WriteString(w, `{"respCode":"40001","respMsg":"sign: `+err.Error()+`","data":null}`)
			return
		}
		f, _ := onerway.ParseFields(body)
		g.mu.Lock()
		g.received[r.URL.Path] = f
		answer, ok := g.answers[r.URL.Path]
		g.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, answer)
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *gateway) answer(path, body string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.answers[path] = body
}

func (g *gateway) request(t *testing.T, path string) onerway.Fields {
	t.Helper()
	g.mu.Lock()
	defer g.mu.Unlock()
	f, ok := g.received[path]
	if !ok {
		t.Fatalf("no request reached %s", path)
	}
	return f
}

// signedAnswer is a success envelope around data signed with secret.
func signedAnswer(t *testing.T, data any, secret string) string {
	t.Helper()
	raw, err := onerway.SignResponseData(data, secret)
	if err != nil {
		t.Fatal(err)
	}
	return `{"respCode":"20000","respMsg":"Success","data":` + string(raw) + `}`
}

func tabbyPayment() onerway.PaymentRequest {
	return onerway.PaymentRequest{
		MerchantTxnID:  "order-1001",
		MerchantCustID: "cust-7",
		ProductType:    onerway.ProductLPMS,
		SubProductType: onerway.SubProductDirect,
		TxnType:        onerway.TxnSale,
		OrderAmount:    "250.00",
		OrderCurrency:  "SAR",
		LpmsInfo:       &onerway.LpmsInfo{LpmsType: onerway.LpmsTabby},
		TxnOrderMsg: onerway.TxnOrderMsg{
			ReturnURL:        "http://127.0.0.1:9/return?order=1001&x=1",
			NotifyURL:        "http://127.0.0.1:9/notify",
			CustomerPlatform: "shop.example",
			Products: []onerway.Product{{Name: "iPhone 15", Price: "250.00", Num: "1", Currency: "SAR",
				Type: onerway.GoodsPhysical, ProductAvatarURL: "https://cdn.shop.example/iphone.jpg"}},
		},
		BillingInformation:  onerway.Address{FirstName: "Ahmad", LastName: "Al-Salem", Email: "otp.success@tabby.ai", Phone: "966500000001"},
		ShippingInformation: &onerway.Address{FirstName: "Ahmad", LastName: "Al-Salem", Phone: "966500000001", Country: "SA", City: "Riyadh", Address: "King Fahd Road", PostalCode: "12345"},
	}
}

func redirectPayment() onerway.Payment {
	return onerway.Payment{
		TransactionID: "1992838164129386496", ResponseTime: "2025-11-24 14:10:18", TxnTime: "2025-11-24 14:10:18",
		TxnTimeZone: "+03:00", OrderAmount: "250.00", OrderCurrency: "SAR", Status: onerway.StatusRedirect,
		RedirectURL: "http://127.0.0.1:9/onerway/cashier/1992838164129386496", ActionType: onerway.ActionRedirect,
	}
}

// unquote decodes a field that must be a JSON string holding JSON.
func unquote(t *testing.T, raw json.RawMessage, into any) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("%s is not a JSON string: %v", raw, err)
	}
	if into != nil {
		if err := json.Unmarshal([]byte(s), into); err != nil {
			t.Fatalf("%s does not hold JSON: %v", s, err)
		}
	}
	return s
}

func TestClient_DoTransaction(t *testing.T) {
	g := startGateway(t)
	g.answer(onerway.PathDoTransaction, signedAnswer(t, redirectPayment(), secretKey))
	c := onerway.New(merchantNo, secretKey, onerway.WithBaseURL(g.URL))

	p, err := c.DoTransaction(ctx, tabbyPayment())
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != onerway.StatusRedirect || p.ActionType != onerway.ActionRedirect ||
		p.RedirectURL != redirectPayment().RedirectURL || p.TransactionID != "1992838164129386496" {
		t.Errorf("payment %+v", p)
	}

	// On the wire: merchantNo filled in, nested objects as JSON strings,
	// products a string inside the string txnOrderMsg.
	f := g.request(t, onerway.PathDoTransaction)
	if unquote(t, f["merchantNo"], nil) != merchantNo {
		t.Errorf("merchantNo %s", f["merchantNo"])
	}
	if got := unquote(t, f["lpmsInfo"], nil); got != `{"lpmsType":"tabby"}` {
		t.Errorf("lpmsInfo %s", got)
	}
	var msg map[string]json.RawMessage
	unquote(t, f["txnOrderMsg"], &msg)
	if unquote(t, msg["returnUrl"], nil) != "http://127.0.0.1:9/return?order=1001&x=1" {
		t.Errorf("returnUrl %s", msg["returnUrl"])
	}
	var products []onerway.Product
	unquote(t, msg["products"], &products)
	if len(products) != 1 || products[0].Type != onerway.GoodsPhysical || products[0].ProductAvatarURL == "" {
		t.Errorf("products %+v", products)
	}
	var shipping onerway.Address
	unquote(t, f["shippingInformation"], &shipping)
	if shipping.City != "Riyadh" {
		t.Errorf("shipping %+v", shipping)
	}
}

// TestClient_VerifiesTheAnswer: a payment answer whose data.sign does not
// verify is an error, never a payment.
func TestClient_VerifiesTheAnswer(t *testing.T) {
	good := signedAnswer(t, redirectPayment(), secretKey)
	unsigned, _ := json.Marshal(map[string]any{"respCode": "20000", "respMsg": "Success", "data": redirectPayment()})
	cases := []struct {
		name, answer string
		want         error
	}{
		{"signed", good, nil},
		{"signed with another key", signedAnswer(t, redirectPayment(), "another key"), onerway.ErrInvalidSignature},
		{"redirect changed", strings.Replace(good, "/onerway/cashier/", "/evil/", 1), onerway.ErrInvalidSignature},
		{"no sign", string(unsigned), onerway.ErrNoSignature},
		{"data not an object", `{"respCode":"20000","respMsg":"Success","data":"1992838164129386496"}`, onerway.ErrNoSignature},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := startGateway(t)
			g.answer(onerway.PathDoTransaction, tc.answer)
			p, err := onerway.New(merchantNo, secretKey, onerway.WithBaseURL(g.URL)).DoTransaction(ctx, tabbyPayment())
			if !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			if err != nil && p != nil {
				t.Errorf("a payment came with the error: %+v", p)
			}
		})
	}
}

func TestClient_Errors(t *testing.T) {
	declined := `{"respCode":"70002","respMsg":"Unknown decline","data":{"transactionId":"1","status":"F"}}`
	cases := []struct {
		name, answer   string
		secret         string
		code           string
		status         int
		dataHasTxnInfo bool
	}{
		{"unknown merchant", `{"respCode":"12004","respMsg":"merchant account disabled or non-existent","data":null}`, secretKey, "12004", 200, false},
		{"declined, with its transaction", declined, secretKey, "70002", 200, true},
		{"the gateway refuses our sign", "", "not the merchant's key", "40001", 200, false},
		{"a proxy's HTML page", "<html>502 Bad Gateway</html>", secretKey, "", 200, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := startGateway(t)
			g.answer(onerway.PathDoTransaction, tc.answer)
			_, err := onerway.New(merchantNo, tc.secret, onerway.WithBaseURL(g.URL)).DoTransaction(ctx, tabbyPayment())
			var e *onerway.Error
			if !errors.As(err, &e) {
				t.Fatalf("err %v (%T), want *onerway.Error", err, err)
			}
			if e.RespCode != tc.code || e.HTTPStatus != tc.status {
				t.Errorf("error %+v", e)
			}
			if tc.dataHasTxnInfo != strings.Contains(string(e.Data), `"status":"F"`) {
				t.Errorf("data %s", e.Data)
			}
		})
	}

	g := startGateway(t) // no answer set: 404 text
	_, err := onerway.New(merchantNo, secretKey, onerway.WithBaseURL(g.URL)).DoTransaction(ctx, tabbyPayment())
	var e *onerway.Error
	if !errors.As(err, &e) || e.HTTPStatus != http.StatusNotFound || e.RespCode != "" {
		t.Errorf("404: %v", err)
	}
}

func TestClient_ListTransactions(t *testing.T) {
	g := startGateway(t)
	// The page object as the docs print it: current a string, counts numbers.
	g.answer(onerway.PathList, `{"respCode":"20000","respMsg":"Success","data":{"content":[
		{"transactionId":"1815621472153370624","merchantTxnId":"order-1001","txnType":"SALE","status":"S",
		 "productType":"LPMS","orderAmount":"250.00","orderCurrency":"SAR","paymentMethod":"tabby","reason":null}],
		"current":"1","size":10,"totalPages":1,"totalElements":1}}`)
	c := onerway.New(merchantNo, secretKey, onerway.WithBaseURL(g.URL))

	page, err := c.ListTransactions(ctx, onerway.ListRequest{TransactionIDs: []string{"1815627803950186496", "1815621472153370624"}})
	if err != nil {
		t.Fatal(err)
	}
	if page.Current != 1 || page.Size != 10 || page.TotalElements != 1 || len(page.Content) != 1 ||
		page.Content[0].Status != onerway.StatusSuccess || page.Content[0].MerchantTxnID != "order-1001" {
		t.Errorf("page %+v", page)
	}
	f := g.request(t, onerway.PathList)
	if got := f.Concat(onerway.KindRequest); got != "1"+merchantNo+"1815627803950186496,1815621472153370624" {
		t.Errorf("signed %q", got)
	}
}

func TestClient_RefundCancelLogistics(t *testing.T) {
	g := startGateway(t)
	g.answer(onerway.PathRefund, `{"respCode":"20000","respMsg":"Success","data":"1473906993397141504"}`)
	g.answer(onerway.PathCancel, `{"respCode":"20000","respMsg":"Success","data":{"transactionId":"1484409612279672832","status":"I"}}`)
	g.answer(onerway.PathLogisticsUpload, `{"respCode":"20000","respMsg":"Success","data":null}`)
	c := onerway.New(merchantNo, secretKey, onerway.WithBaseURL(g.URL))

	id, err := c.Refund(ctx, onerway.RefundRequest{RefundType: onerway.RefundApply, MerchantTxnID: "refund-1",
		OriginTransactionID: "1992838164129386496", RefundAmount: "100.00"})
	if err != nil || id != "1473906993397141504" {
		t.Fatalf("refund %q, %v", id, err)
	}
	if f := g.request(t, onerway.PathRefund); unquote(t, f["refundType"], nil) != "0" || unquote(t, f["merchantNo"], nil) != merchantNo {
		t.Errorf("refund request %v", f)
	}
	if _, err := c.Refund(ctx, onerway.RefundRequest{MerchantTxnID: "r"}); err == nil {
		t.Error("a refund without a type was sent")
	}

	cancel, err := c.CancelTransaction(ctx, "1484408335541923840")
	if err != nil || cancel.Status != onerway.StatusPendingAudit || cancel.TransactionID != "1484409612279672832" {
		t.Fatalf("cancel %+v, %v", cancel, err)
	}
	if f := g.request(t, onerway.PathCancel); unquote(t, f["originTransactionId"], nil) != "1484408335541923840" {
		t.Errorf("cancel request %v", f)
	}

	err = c.UploadLogistics(ctx, onerway.LogisticsRequest{TransactionID: "1992838164129386496", CarrierNo: "aramex",
		TrackingNo: "AX123", DeliveryTime: "2025-11-26 10:00:00"})
	if err != nil {
		t.Fatal(err)
	}
	if f := g.request(t, onerway.PathLogisticsUpload); f.Concat(onerway.KindRequest) != "aramex2025-11-26 10:00:00"+merchantNo+"AX1231992838164129386496" {
		t.Errorf("logistics signed %q", f.Concat(onerway.KindRequest))
	}
}

func TestClient_ParseWebhook(t *testing.T) {
	c := onerway.New(merchantNo, secretKey)
	body := onerway.SignedWebhook(map[string]string{"notifyType": "TXN", "txnType": "REFUND", "status": "S",
		"transactionId": "1473906993397141504", "originTransactionId": "1992838164129386496"}, secretKey)
	w, err := c.ParseWebhook(body)
	if err != nil {
		t.Fatal(err)
	}
	if w.NotifyType != onerway.NotifyTxn || w.TxnType != onerway.TxnRefund || w.OriginTransactionID != "1992838164129386496" {
		t.Errorf("webhook %+v", w)
	}
	if _, err := onerway.New(merchantNo, "other").ParseWebhook(body); !errors.Is(err, onerway.ErrInvalidSignature) {
		t.Errorf("with another key: %v", err)
	}
}
