package onerway_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tabbysim/tabbysim/client/onerway"
)

// stringField is f[name] decoded as a JSON string.
func stringField(t *testing.T, f onerway.Fields, name string) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(f[name], &s); err != nil {
		t.Fatalf("field %s = %s: %v", name, f[name], err)
	}
	return s
}

func quoteJSON(t *testing.T, s string) []byte {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestConcat(t *testing.T) {
	cases := []struct {
		name string
		kind onerway.Kind
		body string
		want string
	}{
		{"zero is kept, empty and null are not", onerway.KindRequest,
			`{"b":"0","c":"","d":null,"a":"x"}`, "x0"},
		{"sign is never signed", onerway.KindRequest,
			`{"sign":"abc","a":"x"}`, "x"},
		{"names sort in ASCII order", onerway.KindRequest,
			`{"b":"5","aa":"4","a":"3","_":"2","B":"1"}`, "12345"},
		{"values are concatenated without separators", onerway.KindRequest,
			`{"merchantNo":"800209","current":"1"}`, "1800209"},
		{"a whitespace value is a value", onerway.KindRequest,
			`{"a":" ","b":"x"}`, " x"},
		{"numbers keep their text", onerway.KindRequest,
			`{"id":1992838164129386496,"amount":10.50,"e":1E3,"n":-0}`, "10.501E31992838164129386496-0"},
		{"booleans are signed as written", onerway.KindRequest,
			`{"a":true,"b":false}`, "truefalse"},
		{"a nested JSON string is signed as sent, escapes decoded", onerway.KindRequest,
			`{"txnOrderMsg":"{\"returnUrl\":\"https://s.example/r?a=1&b=2\", \"products\":\"[{\\\"num\\\":\\\"1\\\"}]\"}"}`,
			`{"returnUrl":"https://s.example/r?a=1&b=2", "products":"[{\"num\":\"1\"}]"}`},
		{"unicode escapes are decoded to UTF-8", onerway.KindRequest,
			`{"name":"caf\u00e9 \u0645"}`, "café م"},
		{"an object sent where a string belongs is signed as its text", onerway.KindRequest,
			`{"lpmsInfo":{"lpmsType": "tabby"}}`, `{"lpmsType": "tabby"}`},
		{"a request signs originTransactionId", onerway.KindRequest,
			`{"originTransactionId":"1","refundType":"0"}`, "10"},

		{"response: actionType is not signed", onerway.KindResponse,
			`{"actionType":"RedirectURL","status":"R","sign":"x"}`, "R"},
		{"response: object-valued fields are not signed", onerway.KindResponse,
			`{"codeForm":{"codeType":"QR"},"list":[1],"status":"R"}`, "R"},
		{"response: null and empty are not signed", onerway.KindResponse,
			`{"txnAmount":null,"contractId":"","orderAmount":"0.50"}`, "0.50"},

		{"webhook: the nine unsigned fields are left out", onerway.KindWebhook,
			`{"originTransactionId":"1","originMerchantTxnId":"2","customsDeclarationAmount":"3",
			  "customsDeclarationCurrency":"4","paymentMethod":"5","walletTypeName":"6","periodValue":"7",
			  "tokenExpireTime":"8","sign":"9","status":"S"}`, "S"},
		{"webhook: fields added later are signed", onerway.KindWebhook,
			`{"channelRequestId":"8002091","scenarios":"SUBSCRIPTION_INITIAL","status":"S","zNew":"z"}`,
			"8002091SUBSCRIPTION_INITIALSz"},
		{"webhook: reason is signed as its JSON string", onerway.KindWebhook,
			`{"reason":"{\"respCode\":\"20000\",\"respMsg\":\"Success\"}","status":"F"}`,
			`{"respCode":"20000","respMsg":"Success"}F`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := onerway.ParseFields([]byte(c.body))
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Concat(c.kind); got != c.want {
				t.Errorf("Concat = %q, want %q", got, c.want)
			}
		})
	}
}

// TestSign_AppendsTheSecret checks the digest itself: SHA-256 of the values
// followed by the secret, lower-case hex (echo -n 1800209secret | sha256sum).
func TestSign_AppendsTheSecret(t *testing.T) {
	f, _ := onerway.ParseFields([]byte(`{"merchantNo":"800209","current":"1"}`))
	if got := f.Sign(onerway.KindRequest, "secret"); got != "75970639b576b9e5dd7868c68c0b32effe5c093b0af535854140dc20cbff5542" {
		t.Errorf("sign %s", got)
	}
}

func TestVerify_Errors(t *testing.T) {
	const secret = "k"
	good := string(onerway.SignedWebhook(map[string]string{"transactionId": "1", "status": "S", "paymentMethod": "tabby"}, secret))
	cases := []struct {
		name   string
		body   string
		secret string
		want   error
	}{
		{"signed", good, secret, nil},
		{"an unsigned field changed", strings.Replace(good, `"tabby"`, `"VISA"`, 1), secret, nil},
		{"a signed field changed", strings.Replace(good, `"S"`, `"F"`, 1), secret, onerway.ErrInvalidSignature},
		{"a field added", strings.Replace(good, `{`, `{"settleRate":"1",`, 1), secret, onerway.ErrInvalidSignature},
		{"another secret", good, "other", onerway.ErrInvalidSignature},
		{"upper-case hex", upperSign(t, good), secret, onerway.ErrInvalidSignature},
		{"no sign", `{"transactionId":"1"}`, secret, onerway.ErrNoSignature},
		{"null sign", `{"transactionId":"1","sign":null}`, secret, onerway.ErrNoSignature},
		{"empty sign", `{"transactionId":"1","sign":""}`, secret, onerway.ErrNoSignature},
		{"numeric sign", `{"transactionId":"1","sign":12}`, secret, onerway.ErrInvalidSignature},
		{"no secret", good, "", onerway.ErrNoSecret},
		{"not JSON", `transactionId=1`, secret, onerway.ErrMalformed},
		{"an array", `[{"sign":"x"}]`, secret, onerway.ErrMalformed},
		{"a field twice", `{"status":"F","status":"S","sign":"x"}`, secret, onerway.ErrMalformed},
		{"data after the object", good + `{}`, secret, onerway.ErrMalformed},
		{"truncated", good[:len(good)-1], secret, onerway.ErrMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := onerway.VerifyWebhook([]byte(c.body), c.secret); !errors.Is(err, c.want) {
				t.Errorf("VerifyWebhook(%s) = %v, want %v", c.body, err, c.want)
			}
		})
	}
}

func upperSign(t *testing.T, body string) string {
	t.Helper()
	f, err := onerway.ParseFields([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	s := stringField(t, f, "sign")
	return strings.Replace(body, s, strings.ToUpper(s), 1)
}

// TestVerifyRequest_NestedStringIsOpaque: re-serialising a nested object
// (another key order, other spacing) changes what is signed, so a sign made
// over the re-serialised text does not verify the text that was sent.
func TestVerifyRequest_NestedStringIsOpaque(t *testing.T) {
	body := readVector(t, "d24-token-request.json")
	f := fieldsOf(t, body, false)
	var msg map[string]any
	if err := json.Unmarshal([]byte(stringField(t, f, "txnOrderMsg")), &msg); err != nil {
		t.Fatal(err)
	}
	reserialised, _ := json.Marshal(msg) // sorted keys, products unchanged
	f["txnOrderMsg"] = quoteJSON(t, string(reserialised))
	if f.Sign(onerway.KindRequest, docsSiteKey) == stringField(t, f, "sign") {
		t.Fatal("re-serialising txnOrderMsg did not change the sign")
	}
	tampered, _ := json.Marshal(f)
	if err := onerway.VerifyRequest(tampered, docsSiteKey); !errors.Is(err, onerway.ErrInvalidSignature) {
		t.Errorf("verify after re-serialising txnOrderMsg: %v", err)
	}
}

type product struct {
	Name     string `json:"name"`
	Price    string `json:"price"`
	Num      string `json:"num"`
	Currency string `json:"currency"`
	Type     string `json:"type"`
}

type orderMsg struct {
	ReturnURL string    `json:"returnUrl"`
	NotifyURL string    `json:"notifyUrl"`
	Products  []product `json:"products"`
}

type paymentRequest struct {
	MerchantNo    string      `json:"merchantNo"`
	MerchantTxnID json.Number `json:"merchantTxnId"`
	OrderAmount   string      `json:"orderAmount"`
	TxnOrderMsg   orderMsg    `json:"txnOrderMsg"`
	LpmsInfo      any         `json:"lpmsInfo"`
	MerchantTxnTZ string      `json:"merchantTxnTimeZone"`
	Sign          string      `json:"sign"`
}

func TestSignRequest(t *testing.T) {
	req := paymentRequest{
		MerchantNo:    "800209",
		MerchantTxnID: "1992838164129386496123",
		OrderAmount:   "250.00",
		TxnOrderMsg: orderMsg{
			ReturnURL: "https://shop.example/return?order=1&lang=ar",
			NotifyURL: "https://shop.example/notify",
			Products:  []product{{"<iPhone>", "250.00", "1", "SAR", "physical"}},
		},
		LpmsInfo: json.RawMessage(`{"lpmsType": "tabby"}`),
		Sign:     "stale",
	}
	body, err := onerway.SignRequest(req, "k")
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"merchantNo":"800209","merchantTxnId":1992838164129386496123,"orderAmount":"250.00",` +
		`"txnOrderMsg":"{\"returnUrl\":\"https://shop.example/return?order=1&lang=ar\",\"notifyUrl\":\"https://shop.example/notify\",` +
		`\"products\":\"[{\\\"name\\\":\\\"<iPhone>\\\",\\\"price\\\":\\\"250.00\\\",\\\"num\\\":\\\"1\\\",\\\"currency\\\":\\\"SAR\\\",\\\"type\\\":\\\"physical\\\"}]\"}",` +
		`"lpmsInfo":"{\"lpmsType\":\"tabby\"}","merchantTxnTimeZone":"","sign":"`
	if !strings.HasPrefix(string(body), want) {
		t.Fatalf("body\n %s\nwant it to start with\n %s", body, want)
	}
	if err := onerway.VerifyRequest(body, "k"); err != nil {
		t.Errorf("verify own body: %v", err)
	}
	// What was signed is what a reader of the body finds.
	f := fieldsOf(t, body, false)
	wantConcat := stringField(t, f, "lpmsInfo") + "800209" + "1992838164129386496123" + "250.00" + stringField(t, f, "txnOrderMsg")
	if got := f.Concat(onerway.KindRequest); got != wantConcat {
		t.Errorf("concatenation\n %s\nwant\n %s", got, wantConcat)
	}
}

func TestSignRequest_RefusesWhatIsNotAnObject(t *testing.T) {
	for _, v := range []any{"text", []string{"a"}, nil, 12} {
		if _, err := onerway.SignRequest(v, "k"); !errors.Is(err, onerway.ErrMalformed) {
			t.Errorf("SignRequest(%#v) = %v, want ErrMalformed", v, err)
		}
	}
	if _, err := onerway.SignRequest(map[string]any{"f": func() {}}, "k"); err == nil {
		t.Error("SignRequest of a function value succeeded")
	}
}

func TestSignResponseData(t *testing.T) {
	data := map[string]any{
		"transactionId": "1992838164129386496",
		"status":        "R",
		"actionType":    "RedirectURL",
		"redirectUrl":   "http://127.0.0.1:4600/onerway/cashier/1992838164129386496?lang=en&x=1",
		"codeForm":      map[string]string{"codeType": "QR"},
		"txnAmount":     nil,
	}
	raw, err := onerway.SignResponseData(data, "k")
	if err != nil {
		t.Fatal(err)
	}
	f := fieldsOf(t, raw, false)
	if string(f["codeForm"]) != `{"codeType":"QR"}` {
		t.Errorf("codeForm sent as %s, want the object", f["codeForm"])
	}
	if !strings.Contains(string(raw), "?lang=en&x=1") {
		t.Errorf("redirectUrl escaped: %s", raw)
	}
	if got := f.Concat(onerway.KindResponse); got != "http://127.0.0.1:4600/onerway/cashier/1992838164129386496?lang=en&x=1R1992838164129386496" {
		t.Errorf("concatenation %s", got)
	}
	envelope := []byte(`{"respCode":"20000","respMsg":"Success","data":` + string(raw) + `}`)
	if err := onerway.VerifyResponse(envelope, "k"); err != nil {
		t.Errorf("verify: %v", err)
	}
	// respCode and respMsg are outside the signed data.
	relabelled := []byte(strings.Replace(string(envelope), `"Success"`, `"Anything"`, 1))
	if err := onerway.VerifyResponse(relabelled, "k"); err != nil {
		t.Errorf("verify with another respMsg: %v", err)
	}
	moved := []byte(strings.Replace(string(envelope), `"status":"R"`, `"status":"S"`, 1))
	if err := onerway.VerifyResponse(moved, "k"); !errors.Is(err, onerway.ErrInvalidSignature) {
		t.Errorf("verify with another status: %v", err)
	}
}

func TestVerifyResponse_UnsignedData(t *testing.T) {
	for _, body := range []string{
		`{"respCode":"20000","respMsg":"Success","data":"1473906993397141504"}`,
		`{"respCode":"12004","respMsg":"merchant does not exist","data":null}`,
		`{"respCode":"12004","respMsg":"merchant does not exist"}`,
		`{"respCode":"20000","respMsg":"Success","data":{"status":"I"}}`,
	} {
		if err := onerway.VerifyResponse([]byte(body), "k"); !errors.Is(err, onerway.ErrNoSignature) {
			t.Errorf("VerifyResponse(%s) = %v, want ErrNoSignature", body, err)
		}
	}
}
