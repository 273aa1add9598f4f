package onerwayapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/client/onerway"
	gateway "github.com/tabbysim/tabbysim/simulator/onerway"
	"github.com/tabbysim/tabbysim/simulator/onerway/onerwayapi"
)

// TestRedirectAnswer_ReproducesTheSeed: given the values of seed 001's
// Tabby answer and the key it was signed with, RedirectAnswer writes that
// answer byte for byte: members in the seed's order, null where the seed
// has null, the same sign.
func TestRedirectAnswer_ReproducesTheSeed(t *testing.T) {
	seed, err := os.ReadFile("testdata/seed001-response.json")
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := json.Compact(&want, seed); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 11, 24, 6, 10, 18, 0, time.UTC) // 14:10:18 at +08:00
	a, err := onerwayapi.RedirectAnswer(onerwayapi.Redirect{
		TransactionID: "1992838164129386496", TxnTime: at, ResponseTime: at, OrderAmount: 25000, OrderCurrency: "SAR",
		RedirectURL: "https://cashier-dev.gccpay.cn/en-US/order/ORD251124091018581291044",
	}, docsSiteKey)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("answer\n %s\nwant the seed's\n %s", got, want.Bytes())
	}
}

// TestRedirectAnswer_Client: client/onerway accepts the answer, whose sign
// it verifies, with a redirectUrl carrying a query string.
func TestRedirectAnswer_Client(t *testing.T) {
	g := startGateway(t)
	c := onerway.New(merchantNo, secretKey, onerway.WithBaseURL(g.URL))
	p, err := c.DoTransaction(context.Background(), onerway.PaymentRequest{
		MerchantTxnID: "order-1001", MerchantCustID: "cust-7",
		ProductType: onerway.ProductLPMS, SubProductType: onerway.SubProductDirect, TxnType: onerway.TxnSale,
		OrderAmount: "250", OrderCurrency: "AED", LpmsInfo: &onerway.LpmsInfo{LpmsType: onerway.LpmsTabby},
		TxnOrderMsg: onerway.TxnOrderMsg{
			ReturnURL: "http://127.0.0.1:9/return?order=1001&x=1", NotifyURL: "http://127.0.0.1:9/notify", CustomerPlatform: "shop.example",
			Products: []onerway.Product{{Name: "Gift card", Price: "250.00", Num: "1", Currency: "AED",
				Type: onerway.GoodsVirtual, ProductAvatarURL: "https://cdn.shop.example/card.png?size=2&v=1"}},
		},
		BillingInformation: onerway.Address{FirstName: "Ahmad", LastName: "Al-Salem", Email: "otp.success@tabby.ai"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := onerway.Payment{
		TransactionID: "1992838164129386496", ResponseTime: "2025-11-24 14:10:19", TxnTime: "2025-11-24 14:10:18",
		TxnTimeZone: "+08:00", OrderAmount: "250.00", OrderCurrency: "AED", Status: onerway.StatusRedirect,
		RedirectURL: g.URL + "/onerway/cashier/1992838164129386496?lang=en&x=1", ActionType: onerway.ActionRedirect,
		CodeForm: json.RawMessage("null"),
	}
	want.Sign = p.Sign
	if string(p.CodeForm) != "null" || p.Sign == "" {
		t.Errorf("codeForm %s, sign %q", p.CodeForm, p.Sign)
	}
	p.CodeForm = want.CodeForm
	if a, b := jsonOf(p), jsonOf(want); a != b {
		t.Errorf("payment\n %s\nwant\n %s", a, b)
	}
	tx := g.lastDecoded().(*gateway.Sale)
	if tx.ReturnURL != "http://127.0.0.1:9/return?order=1001&x=1" || tx.Goods != onerway.GoodsVirtual || tx.Amount != 25000 {
		t.Errorf("decoded %+v", tx)
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestFailure: an *Error is answered with its code and message, anything
// else as a system exception that says nothing of the cause.
func TestFailure(t *testing.T) {
	a := onerwayapi.Failure(onerwayapi.DuplicateMerchantTxnID("order-1"))
	if a.RespCode != onerwayapi.CodeDuplicate || a.RespMsg != `Duplicate merchantTxnId: merchantTxnId "order-1" was used before; each transaction needs its own` || a.Data != nil {
		t.Errorf("duplicate: %+v", a)
	}
	a = onerwayapi.Failure(errors.New("database is locked"))
	if a.RespCode != onerwayapi.CodeSystemError || a.RespMsg != "System exception" {
		t.Errorf("an unexpected error: %+v", a)
	}
}

// TestWrite: an answer whose data cannot be sent is replaced by a system
// exception in the envelope, never a bare 500.
func TestWrite(t *testing.T) {
	for _, c := range []struct {
		answer onerwayapi.Answer
		want   string
	}{
		{onerwayapi.RefundAnswer("1992838164129386499"), `{"respCode":"20000","respMsg":"Success","data":"1992838164129386499"}`},
		{onerwayapi.Success(nil), `{"respCode":"20000","respMsg":"Success","data":null}`},
		{onerwayapi.Success(json.RawMessage(`{"cut":`)), `{"respCode":"11001","respMsg":"System exception","data":null}`},
	} {
		w := httptest.NewRecorder()
		onerwayapi.Write(w, c.answer)
		if got := string(bytes.TrimSpace(w.Body.Bytes())); w.Code != 200 || got != c.want || w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("HTTP %d %s %s, want %s", w.Code, w.Header().Get("Content-Type"), got, c.want)
		}
	}
}
