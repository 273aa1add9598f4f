package onerway_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/tabbysim/tabbysim/client/onerway"
)

// A merchant signs a Tabby payment request. Nested values are Go values;
// SignRequest sends them as the JSON strings Onerway expects and signs
// those strings as they appear in the body.
func Example() {
	const secret = "3b5e10b65bff4172a5b9ca2d2ec00a6e" // the example key of Onerway's signature docs

	body, err := onerway.SignRequest(map[string]any{
		"merchantNo":     "800209",
		"merchantTxnId":  "order-1001",
		"orderAmount":    "250.00",
		"orderCurrency":  "SAR",
		"productType":    "LPMS",
		"subProductType": "DIRECT",
		"txnType":        "SALE",
		"lpmsInfo":       map[string]string{"lpmsType": "tabby"},
	}, secret)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(body))

	// The gateway checks the body it received.
	fmt.Println(onerway.VerifyRequest(body, secret))
	// Output:
	// {"lpmsInfo":"{\"lpmsType\":\"tabby\"}","merchantNo":"800209","merchantTxnId":"order-1001","orderAmount":"250.00","orderCurrency":"SAR","productType":"LPMS","subProductType":"DIRECT","txnType":"SALE","sign":"5bbfa0187831beb953fec2f3a643e3e53b6d4f2da55384064ba4db5bc1732fbf"}
	// <nil>
}

// The worked example of Onerway's signature documentation: "0" is a value,
// "" and null are not.
func ExampleFields_Concat() {
	f, err := onerway.ParseFields([]byte(`{"test3":"test3value","test1":"0","test5":"","test4":"test4value","test6":null}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Concat(onerway.KindRequest))
	fmt.Println(f.Sign(onerway.KindRequest, "3b5e10b65bff4172a5b9ca2d2ec00a6e"))
	// Output:
	// 0test3valuetest4value
	// 836831ae68fce5e61d4a64363bb72c636efe6e94b62ecaa8d1c95fc58cc9cbed
}

// A webhook handler verifies the raw body before trusting it, and
// acknowledges with the transactionId alone; SignedWebhook makes the signed
// bodies its tests send.
func ExampleParseWebhook() {
	const secret = "merchant-secret"
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "unreadable", http.StatusBadRequest)
			return
		}
		n, err := onerway.ParseWebhook(body, secret)
		if errors.Is(err, onerway.ErrInvalidSignature) || errors.Is(err, onerway.ErrNoSignature) {
			http.Error(w, "bad sign", http.StatusUnauthorized)
			return
		}
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		// Record n.Status for n.MerchantTxnID once per n.TransactionID here.
		io.WriteString(w, n.TransactionID)
	})

	for _, key := range []string{secret, "forger"} {
		body := onerway.SignedWebhook(map[string]string{
			"notifyType": "TXN", "txnType": "SALE", "status": "S",
			"transactionId": "1992838164129386496", "merchantTxnId": "order-1001",
			"orderAmount": "250.00", "orderCurrency": "SAR", "paymentMethod": "tabby",
		}, key)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/onerway/notify", strings.NewReader(string(body))))
		fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	// Output:
	// 200 1992838164129386496
	// 401 bad sign
}
