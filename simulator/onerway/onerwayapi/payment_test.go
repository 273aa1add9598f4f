package onerwayapi_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/tabbysim/tabbysim/client/onerway"
	gateway "github.com/tabbysim/tabbysim/simulator/onerway"
	"github.com/tabbysim/tabbysim/simulator/onerway/onerwayapi"
)

// seedRequest is seed 001's Tabby request example as printed (testdata,
// with the documentation's "// …" annotations removed). Its printed sign
// verifies under no known key (client/onerway's TestSeedRequestExample),
// so tests sign it with the test merchant's key.
func seedRequest(t testing.TB) onerway.Fields { return readFields(t, "seed001-request.json") }

// edit changes a request before it is signed.
type edit func(f onerway.Fields)

// set sets a top-level field to v (a string, or raw JSON); nil deletes it.
func set(field string, v any) edit {
	return func(f onerway.Fields) {
		if v == nil {
			delete(f, field)
			return
		}
		f[field] = raw(v)
	}
}

// setIn sets member of the nested object field, a JSON string, to v; nil
// deletes it.
func setIn(field, member string, v any) edit {
	return func(f onerway.Fields) {
		var s string
		if err := json.Unmarshal(f[field], &s); err != nil {
			panic(err)
		}
		obj, err := onerway.ParseFields([]byte(s))
		if err != nil {
			panic(err)
		}
		set(member, v)(obj)
		f[field] = raw(string(raw(obj)))
	}
}

// setProduct sets member of txnOrderMsg.products[i], a string inside the
// string txnOrderMsg.
func setProduct(i int, member string, v any) edit {
	return func(f onerway.Fields) {
		var msg string
		if err := json.Unmarshal(f["txnOrderMsg"], &msg); err != nil {
			panic(err)
		}
		obj, err := onerway.ParseFields([]byte(msg))
		if err != nil {
			panic(err)
		}
		var list string
		var products []onerway.Fields
		if json.Unmarshal(obj["products"], &list) != nil || json.Unmarshal([]byte(list), &products) != nil {
			panic("products")
		}
		for len(products) <= i {
			products = append(products, clone(products[0]))
		}
		set(member, v)(products[i])
		obj["products"] = raw(string(raw(products)))
		f["txnOrderMsg"] = raw(string(raw(obj)))
	}
}

func edits(es ...edit) edit {
	return func(f onerway.Fields) {
		for _, e := range es {
			e(f)
		}
	}
}

// virtual makes the seed's order one of virtual goods, shipped nowhere.
var virtual = edits(setProduct(0, "type", "virtual"), set("shippingInformation", nil), setIn("billingInformation", "phone", nil))

// answer is one doTransaction case: the seed request changed by edit (or
// body, sent as is), and the respCode it must get, with a respMsg naming
// field.
type answer struct {
	name  string
	edit  edit
	body  []byte
	code  onerwayapi.Code
	field string
}

func doTransactionCases(t testing.TB) []answer {
	seed := seedRequest(t)
	withKey := func(secret string) []byte { return signed(seed, secret) }
	unsigned := clone(seed)
	delete(unsigned, "sign")
	printed, _ := json.Marshal(seed)
	ok := onerwayapi.CodeSuccess
	return []answer{
		{name: "the seed's request as printed, signed with the merchant's key", code: ok},
		{name: "lpmsType in another case", edit: setIn("lpmsInfo", "lpmsType", "Tabby"), code: ok},
		{name: "AED", edit: set("orderCurrency", "AED"), code: ok},
		{name: "the smallest amount", edit: set("orderAmount", "0.1"), code: ok},
		{name: "the largest amount", edit: set("orderAmount", "10000"), code: ok},
		{name: "virtual goods without shipping or phone", edit: virtual, code: ok},
		{name: "plain http URLs (sandbox)", edit: setIn("txnOrderMsg", "notifyUrl", "http://127.0.0.1:8080/notify"), code: ok},
		{name: "a number for a string field", edit: set("merchantCustId", json.RawMessage(`1763964617000`)), code: ok},
		{name: "a physical and a virtual product", edit: setProduct(1, "type", "virtual"), code: ok},

		{name: "merchantTxnId used before", edit: set("merchantTxnId", "used-before"), code: onerwayapi.CodeDuplicate, field: "merchantTxnId"},
		{name: "a merchant without a secret key", edit: set("merchantNo", keylessNo), code: onerwayapi.CodeSystemError},

		{name: "sign under another key", body: withKey("another key"), code: onerwayapi.CodeBadSign, field: "sign"},
		{name: "the seed's printed sign", body: printed, code: onerwayapi.CodeBadSign, field: "sign"},
		{name: "no sign", body: raw(unsigned), code: onerwayapi.CodeBadSign, field: "sign"},
		{name: "sign over the nested JSON re-serialised", body: resigned(seed), code: onerwayapi.CodeBadSign, field: "sign"},

		{name: "not JSON", body: []byte(`merchantNo=800209`), code: onerwayapi.CodeUnreadable},
		{name: "a JSON array", body: []byte(`[{"merchantNo":"800209"}]`), code: onerwayapi.CodeUnreadable},
		{name: "a field twice", body: []byte(`{"merchantNo":"800209","merchantNo":"800210"}`), code: onerwayapi.CodeUnreadable, field: "merchantNo"},
		{name: "empty", body: []byte{}, code: onerwayapi.CodeUnreadable},
		{name: "merchantNo missing", edit: set("merchantNo", nil), code: onerwayapi.CodeMissing, field: "merchantNo"},
		{name: "merchantNo an object", edit: set("merchantNo", json.RawMessage(`{"no":"800209"}`)), code: onerwayapi.CodeUnreadable, field: "merchantNo"},
		{name: "merchantNo unknown", edit: set("merchantNo", "999999"), code: onerwayapi.CodeUnknownMerchant, field: "merchantNo"},

		{name: "merchantTxnId missing", edit: set("merchantTxnId", ""), code: onerwayapi.CodeMissing, field: "merchantTxnId"},
		{name: "merchantTxnId too long", edit: set("merchantTxnId", strings.Repeat("x", 65)), code: onerwayapi.CodeInvalid, field: "merchantTxnId"},
		{name: "merchantCustId missing", edit: set("merchantCustId", nil), code: onerwayapi.CodeMissing, field: "merchantCustId"},
		{name: "merchantCustId a boolean", edit: set("merchantCustId", json.RawMessage(`true`)), code: onerwayapi.CodeUnreadable, field: "merchantCustId"},
		{name: "merchantTxnTime malformed", edit: set("merchantTxnTime", "2025-11-24T14:10:17Z"), code: onerwayapi.CodeInvalid, field: "merchantTxnTime"},
		{name: "productType missing", edit: set("productType", nil), code: onerwayapi.CodeMissing, field: "productType"},
		{name: "productType CARD", edit: set("productType", "CARD"), code: onerwayapi.CodeUnsupported, field: "productType"},
		{name: "subProductType SUBSCRIBE", edit: set("subProductType", "SUBSCRIBE"), code: onerwayapi.CodeUnsupported, field: "subProductType"},
		{name: "txnType AUTH", edit: set("txnType", "AUTH"), code: onerwayapi.CodeUnsupported, field: "txnType"},
		{name: "txnType missing", edit: set("txnType", nil), code: onerwayapi.CodeMissing, field: "txnType"},

		{name: "lpmsInfo missing", edit: set("lpmsInfo", nil), code: onerwayapi.CodeMissing, field: "lpmsInfo"},
		{name: "lpmsInfo an object, not a string", edit: set("lpmsInfo", json.RawMessage(`{"lpmsType":"tabby"}`)), code: onerwayapi.CodeUnreadable, field: "lpmsInfo"},
		{name: "lpmsInfo not JSON", edit: set("lpmsInfo", "tabby"), code: onerwayapi.CodeUnreadable, field: "lpmsInfo"},
		{name: "lpmsType missing", edit: setIn("lpmsInfo", "lpmsType", nil), code: onerwayapi.CodeMissing, field: "lpmsInfo.lpmsType"},
		{name: "lpmsType tamara", edit: setIn("lpmsInfo", "lpmsType", "tamara"), code: onerwayapi.CodeUnsupported, field: "lpmsInfo.lpmsType"},

		{name: "orderCurrency missing", edit: set("orderCurrency", nil), code: onerwayapi.CodeMissing, field: "orderCurrency"},
		{name: "orderCurrency USD", edit: set("orderCurrency", "USD"), code: onerwayapi.CodeCurrency, field: "orderCurrency"},
		{name: "orderCurrency in lower case", edit: set("orderCurrency", "sar"), code: onerwayapi.CodeCurrency, field: "orderCurrency"},
		{name: "orderAmount missing", edit: set("orderAmount", nil), code: onerwayapi.CodeMissing, field: "orderAmount"},
		{name: "orderAmount not a number", edit: set("orderAmount", "250,00"), code: onerwayapi.CodeInvalid, field: "orderAmount"},
		{name: "orderAmount with three decimals", edit: set("orderAmount", "250.001"), code: onerwayapi.CodeInvalid, field: "orderAmount"},
		{name: "orderAmount negative", edit: set("orderAmount", "-1.00"), code: onerwayapi.CodeInvalid, field: "orderAmount"},
		{name: "orderAmount below 0.10", edit: set("orderAmount", "0.09"), code: onerwayapi.CodeAmountRange, field: "orderAmount"},
		{name: "orderAmount zero", edit: set("orderAmount", "0.00"), code: onerwayapi.CodeAmountRange, field: "orderAmount"},
		{name: "orderAmount above 10000", edit: set("orderAmount", "10000.01"), code: onerwayapi.CodeAmountRange, field: "orderAmount"},

		{name: "txnOrderMsg missing", edit: set("txnOrderMsg", nil), code: onerwayapi.CodeMissing, field: "txnOrderMsg"},
		{name: "txnOrderMsg an object", edit: set("txnOrderMsg", json.RawMessage(`{"returnUrl":"https://m.example/r"}`)), code: onerwayapi.CodeUnreadable, field: "txnOrderMsg"},
		{name: "txnOrderMsg holding an array", edit: set("txnOrderMsg", `[]`), code: onerwayapi.CodeUnreadable, field: "txnOrderMsg"},
		{name: "txnOrderMsg cut short", edit: set("txnOrderMsg", `{"returnUrl":"https://m.example/r"`), code: onerwayapi.CodeUnreadable, field: "txnOrderMsg"},
		{name: "returnUrl missing", edit: setIn("txnOrderMsg", "returnUrl", nil), code: onerwayapi.CodeMissing, field: "txnOrderMsg.returnUrl"},
		{name: "returnUrl relative", edit: setIn("txnOrderMsg", "returnUrl", "/return"), code: onerwayapi.CodeInvalid, field: "txnOrderMsg.returnUrl"},
		{name: "returnUrl javascript:", edit: setIn("txnOrderMsg", "returnUrl", "javascript:alert(1)"), code: onerwayapi.CodeInvalid, field: "txnOrderMsg.returnUrl"},
		{name: "returnUrl too long", edit: setIn("txnOrderMsg", "returnUrl", "https://m.example/"+strings.Repeat("r", 250)), code: onerwayapi.CodeInvalid, field: "txnOrderMsg.returnUrl"},
		{name: "notifyUrl missing", edit: setIn("txnOrderMsg", "notifyUrl", ""), code: onerwayapi.CodeMissing, field: "txnOrderMsg.notifyUrl"},
		{name: "notifyUrl ftp", edit: setIn("txnOrderMsg", "notifyUrl", "ftp://m.example/n"), code: onerwayapi.CodeInvalid, field: "txnOrderMsg.notifyUrl"},
		{name: "customerPlatform missing", edit: setIn("txnOrderMsg", "customerPlatform", nil), code: onerwayapi.CodeMissing, field: "txnOrderMsg.customerPlatform"},
		{name: "appId an object", edit: setIn("txnOrderMsg", "appId", json.RawMessage(`{}`)), code: onerwayapi.CodeUnreadable, field: "txnOrderMsg.appId"},
		{name: "products missing", edit: setIn("txnOrderMsg", "products", nil), code: onerwayapi.CodeMissing, field: "txnOrderMsg.products"},
		{name: "products an array, not a string", edit: setIn("txnOrderMsg", "products", json.RawMessage(`[{"type":"physical","productAvatarUrl":"https://c.example/p.jpg"}]`)), code: onerwayapi.CodeUnreadable, field: "txnOrderMsg.products"},
		{name: "products not JSON", edit: setIn("txnOrderMsg", "products", "iPhone 15"), code: onerwayapi.CodeUnreadable, field: "txnOrderMsg.products"},
		{name: "products an object", edit: setIn("txnOrderMsg", "products", `{"type":"physical"}`), code: onerwayapi.CodeUnreadable, field: "txnOrderMsg.products"},
		{name: "products empty", edit: setIn("txnOrderMsg", "products", `[]`), code: onerwayapi.CodeInvalid, field: "txnOrderMsg.products"},
		{name: "a product not an object", edit: setIn("txnOrderMsg", "products", `["iPhone 15"]`), code: onerwayapi.CodeUnreadable, field: "txnOrderMsg.products[0]"},
		{name: "product type missing", edit: setProduct(0, "type", nil), code: onerwayapi.CodeMissing, field: "txnOrderMsg.products[0].type"},
		{name: "product type digital", edit: setProduct(0, "type", "digital"), code: onerwayapi.CodeInvalid, field: "txnOrderMsg.products[0].type"},
		{name: "second product's type missing", edit: setProduct(1, "type", nil), code: onerwayapi.CodeMissing, field: "txnOrderMsg.products[1].type"},
		{name: "productAvatarUrl missing", edit: setProduct(0, "productAvatarUrl", nil), code: onerwayapi.CodeMissing, field: "txnOrderMsg.products[0].productAvatarUrl"},
		{name: "productAvatarUrl plain http", edit: setProduct(0, "productAvatarUrl", "http://cdn.merchant.com/iphone15.jpg"), code: onerwayapi.CodeInvalid, field: "txnOrderMsg.products[0].productAvatarUrl"},
		{name: "product price an object", edit: setProduct(0, "price", json.RawMessage(`{"amount":"250.00"}`)), code: onerwayapi.CodeUnreadable, field: "txnOrderMsg.products[0].price"},

		{name: "billingInformation missing", edit: set("billingInformation", nil), code: onerwayapi.CodeMissing, field: "billingInformation"},
		{name: "billingInformation an object", edit: set("billingInformation", json.RawMessage(`{"firstName":"Ahmad"}`)), code: onerwayapi.CodeUnreadable, field: "billingInformation"},
		{name: "billing firstName missing", edit: setIn("billingInformation", "firstName", nil), code: onerwayapi.CodeMissing, field: "billingInformation.firstName"},
		{name: "billing lastName missing", edit: setIn("billingInformation", "lastName", ""), code: onerwayapi.CodeMissing, field: "billingInformation.lastName"},
		{name: "billing email missing", edit: setIn("billingInformation", "email", nil), code: onerwayapi.CodeMissing, field: "billingInformation.email"},
		{name: "billing email malformed", edit: setIn("billingInformation", "email", "abel.wang at onerway.com"), code: onerwayapi.CodeInvalid, field: "billingInformation.email"},
		{name: "billing phone missing for physical goods", edit: setIn("billingInformation", "phone", nil), code: onerwayapi.CodeMissing, field: "billingInformation.phone"},
		{name: "billing street an array", edit: setIn("billingInformation", "street", json.RawMessage(`["Amsterdam Ave"]`)), code: onerwayapi.CodeUnreadable, field: "billingInformation.street"},
		{name: "virtual goods, billing email missing", edit: edits(virtual, setIn("billingInformation", "email", nil)), code: onerwayapi.CodeMissing, field: "billingInformation.email"},

		{name: "shippingInformation missing for physical goods", edit: set("shippingInformation", nil), code: onerwayapi.CodeMissing, field: "shippingInformation"},
		{name: "shippingInformation not JSON", edit: set("shippingInformation", "Riyadh"), code: onerwayapi.CodeUnreadable, field: "shippingInformation"},
		{name: "virtual goods, shippingInformation an object", edit: edits(virtual, set("shippingInformation", json.RawMessage(`{}`))), code: onerwayapi.CodeUnreadable, field: "shippingInformation"},
		{name: "shipping country not a code", edit: setIn("shippingInformation", "country", "Saudi Arabia"), code: onerwayapi.CodeInvalid, field: "shippingInformation.country"},
		shippingMissing("firstName"), shippingMissing("lastName"), shippingMissing("phone"), shippingMissing("country"),
		shippingMissing("city"), shippingMissing("address"), shippingMissing("postalCode"),
	}
}

func shippingMissing(member string) answer {
	return answer{
		name: "shipping " + member + " missing for physical goods", edit: setIn("shippingInformation", member, nil),
		code: onerwayapi.CodeMissing, field: "shippingInformation." + member,
	}
}

// resigned is the defect of signing nested objects after re-serialising
// them: the sign covers txnOrderMsg with its members reordered, while the
// body carries it as it was.
func resigned(seed onerway.Fields) []byte {
	reordered := clone(seed)
	setIn("txnOrderMsg", "returnUrl", "https://merchant.com/return")(reordered) // re-encodes txnOrderMsg, members sorted
	f := clone(seed)
	f["sign"] = raw(reordered.Sign(onerway.KindRequest, secretKey))
	return raw(f)
}

// TestDoTransaction_Answers sends every case over HTTP: each is answered
// in Onerway's envelope with its respCode and a respMsg naming the field,
// and together they reach every respCode of the table a request's fields
// can lead to.
func TestDoTransaction_Answers(t *testing.T) {
	g := startGateway(t)
	used := seedRequest(t)
	used["merchantTxnId"] = raw("used-before")
	first := g.post(t, onerway.PathDoTransaction, signed(used, secretKey))
	if first.RespCode != onerwayapi.CodeSuccess {
		t.Fatalf("first use of the merchantTxnId: %s", first.body)
	}
	reached := map[onerwayapi.Code]bool{}
	for i, c := range doTransactionCases(t) {
		t.Run(c.name, func(t *testing.T) {
			body := c.body
			if body == nil {
				f := seedRequest(t)
				f["merchantTxnId"] = raw(fmt.Sprintf("case-%d", i))
				if c.edit != nil {
					c.edit(f)
				}
				body = signed(f, secretKey)
			}
			r := g.post(t, onerway.PathDoTransaction, body)
			reached[r.RespCode] = true
			if r.RespCode != c.code {
				t.Fatalf("respCode %s, want %s: %s", r.RespCode, c.code, r.body)
			}
			if !strings.HasPrefix(r.RespMsg, c.code.Title()) {
				t.Errorf("respMsg %q does not start with the code's title %q", r.RespMsg, c.code.Title())
			}
			if c.field != "" && !strings.Contains(r.RespMsg, c.field) {
				t.Errorf("respMsg %q does not name %s", r.RespMsg, c.field)
			}
			if c.code == onerwayapi.CodeSuccess {
				if err := onerway.VerifyResponse(r.body, secretKey); err != nil {
					t.Errorf("the answer's data does not verify: %v\n%s", err, r.body)
				}
			}
		})
	}
	// A wrong path, the outcomes of payments and the refusals of refunds,
	// cancellations and logistics uploads need the gateway itself: the
	// simulator's tests (api_test.go, aftersale_test.go) reach them.
	elsewhere := map[onerwayapi.Code]bool{onerwayapi.CodeNoEndpoint: true}
	for _, code := range []onerwayapi.Code{
		onerwayapi.CodeUnknownTransaction, onerwayapi.CodeNotSuccessful, onerwayapi.CodeRefundExceeds,
		onerwayapi.CodeNotPendingAudit, onerwayapi.CodeNotProcessing, onerwayapi.CodeCancelWindow,
		onerwayapi.CodeNotPhysical, onerwayapi.CodeDeliveryInFuture, onerwayapi.CodeDeliveryBeforePayment,
		onerwayapi.CodeUploadTooLate, onerwayapi.CodeSettled,
	} {
		elsewhere[code] = true
	}
	for _, o := range gateway.Outcomes()[1:] {
		elsewhere[onerwayapi.Code(o.Code)] = true
	}
	for _, code := range onerwayapi.Codes() {
		if !reached[code] && !elsewhere[code] {
			t.Errorf("no case reached respCode %s (%s)", code, code.Title())
		}
	}
}

// TestDoTransaction_SeedRequest: the seed's request, as printed but signed
// with the merchant's key, decodes to what it says, "number": 10 in the
// addresses included.
func TestDoTransaction_SeedRequest(t *testing.T) {
	g := startGateway(t)
	r := g.post(t, onerway.PathDoTransaction, signed(seedRequest(t), secretKey))
	if r.RespCode != onerwayapi.CodeSuccess {
		t.Fatalf("%s", r.body)
	}
	if w := g.lastWarnings(); len(w) != 0 {
		t.Errorf("warnings %+v", w)
	}
	got := g.lastDecoded().(*gateway.Sale)
	want := gateway.Sale{MerchantTxnID: "1763964617000", Currency: "SAR", Amount: 25000, Order: gateway.Order{
		MerchantCustID: "1763964617000", MerchantTxnTime: "2025-11-24 14:10:17", LpmsType: "tabby",
		ReturnURL: "https://merchant.com/return", NotifyURL: "https://www.merchant-store-website.com/",
		CustomerPlatform: "merchant.example.com", AppID: "1727880846378401792",
		Products: []onerway.Product{{Name: "iPhone 15", Price: "250.00", Num: "1", Currency: "SAR",
			Type: onerway.GoodsPhysical, ProductAvatarURL: "https://cdn.merchant.com/iphone15.jpg"}},
		Goods: onerway.GoodsPhysical,
	}}
	address := onerway.Address{FirstName: "xxx", LastName: "xxx", Phone: "966501234567", Email: "abel.wang@onerway.com",
		PostalCode: "35802", Address: "test", Country: "SA", Province: "AS", City: "city", Street: "Amsterdam Ave", Number: "10"}
	want.Billing, want.Shipping = address, address
	if a, b := fmt.Sprintf("%+v", *got), fmt.Sprintf("%+v", want); a != b {
		t.Errorf("decoded\n %s\nwant\n %s", a, b)
	}
}

// TestDoTransaction_SeedScenarios: seed 001's "Different Scenarios" show
// only the fields Tabby adds to a standard LPMS request. Laid over the
// seed's full request (top-level fields replaced, txnOrderMsg's members
// added to its returnUrl and notifyUrl), each is accepted as printed, as
// physical and as virtual goods.
func TestDoTransaction_SeedScenarios(t *testing.T) {
	g := startGateway(t)
	for file, goods := range map[string]onerway.GoodsType{
		"seed001-physical.json": onerway.GoodsPhysical,
		"seed001-virtual.json":  onerway.GoodsVirtual,
	} {
		t.Run(file, func(t *testing.T) {
			f := overlay(t, seedRequest(t), readFields(t, file))
			f["merchantTxnId"] = raw(file)
			r := g.post(t, onerway.PathDoTransaction, signed(f, secretKey))
			if r.RespCode != onerwayapi.CodeSuccess {
				t.Fatalf("%s", r.body)
			}
			got := g.lastDecoded().(*gateway.Sale)
			if got.Goods != goods || got.MerchantCustID != "customer_12345" || got.Billing.FirstName != "Ahmad" ||
				got.Products[0].ProductAvatarURL != "https://cdn.example.com/product.jpg" {
				t.Errorf("decoded %+v", got)
			}
			if goods == onerway.GoodsPhysical && got.Shipping.City != "Riyadh" {
				t.Errorf("shipping %+v", got.Shipping)
			}
		})
	}
}

// overlay lays a fragment's fields over a request; txnOrderMsg's members
// are merged, each other field replaced.
func overlay(t *testing.T, base, fragment onerway.Fields) onerway.Fields {
	t.Helper()
	out := clone(base)
	for name, v := range fragment {
		if name != "txnOrderMsg" {
			out[name] = v
			continue
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			t.Fatal(err)
		}
		members, err := onerway.ParseFields([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		for m, mv := range members {
			setIn("txnOrderMsg", m, mv)(out)
		}
	}
	return out
}

// TestDoTransaction_Warnings: what the sandbox accepts and production
// would not is answered 20000 with a warning naming it.
func TestDoTransaction_Warnings(t *testing.T) {
	g := startGateway(t)
	cases := []struct {
		name, contentType, rule string
		edit                    edit
	}{
		{"plain http returnUrl", "application/json", "https-urls", setIn("txnOrderMsg", "returnUrl", "http://127.0.0.1:9/return")},
		{"plain http notifyUrl", "application/json", "https-urls", setIn("txnOrderMsg", "notifyUrl", "http://localhost/notify")},
		{"a charset in Content-Type", "application/json; charset=UTF-8", "content-type", nil},
		{"no JSON Content-Type", "text/plain", "content-type", nil},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := seedRequest(t)
			f["merchantTxnId"] = raw(fmt.Sprintf("warn-%d", i))
			if c.edit != nil {
				c.edit(f)
			}
			r := g.postAs(t, onerway.PathDoTransaction, c.contentType, signed(f, secretKey))
			if r.RespCode != onerwayapi.CodeSuccess {
				t.Fatalf("%s", r.body)
			}
			w := g.lastWarnings()
			if len(w) != 1 || w[0].Rule != c.rule || w[0].Source == "" {
				t.Fatalf("warnings %+v, want one %s", w, c.rule)
			}
			if c.rule == "https-urls" && !strings.Contains(w[0].Message, "HTTPS") {
				t.Errorf("warning %q does not say production needs HTTPS", w[0].Message)
			}
		})
	}
}

// TestDoTransaction_Limits: the merchant's own limits replace the default
// for their currency.
func TestDoTransaction_Limits(t *testing.T) {
	m := onerwayapi.Merchant{SecretKey: secretKey, Limits: map[string]onerwayapi.Limit{"AED": {Min: "5.00", Max: "50.00"}}}
	cases := []struct {
		currency, amount string
		code             onerwayapi.Code
	}{
		{"AED", "4.99", onerwayapi.CodeAmountRange},
		{"AED", "5", onerwayapi.CodeSuccess},
		{"AED", "50.00", onerwayapi.CodeSuccess},
		{"AED", "50.01", onerwayapi.CodeAmountRange},
		{"SAR", "0.10", onerwayapi.CodeSuccess},
		{"SAR", "9999.99", onerwayapi.CodeSuccess},
	}
	for _, c := range cases {
		f := seedRequest(t)
		edits(set("orderCurrency", c.currency), set("orderAmount", c.amount))(f)
		req, err := onerwayapi.ParseRequest(signed(f, secretKey))
		if err != nil {
			t.Fatal(err)
		}
		_, err = onerwayapi.DecodeTransaction(req, m)
		if got := code(err); got != c.code {
			t.Errorf("%s %s: %s (%v), want %s", c.amount, c.currency, got, err, c.code)
		}
	}
	broken := onerwayapi.Merchant{SecretKey: secretKey, Limits: map[string]onerwayapi.Limit{"SAR": {Min: "none"}}}
	req, err := onerwayapi.ParseRequest(signed(seedRequest(t), secretKey))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := onerwayapi.DecodeTransaction(req, broken); code(err) != onerwayapi.CodeSystemError {
		t.Errorf("a limit that does not parse: %v, want a system exception", err)
	}
}

// code is the respCode err is answered with, 20000 for none.
func code(err error) onerwayapi.Code {
	if err == nil {
		return onerwayapi.CodeSuccess
	}
	return onerwayapi.ErrorCode(err)
}
