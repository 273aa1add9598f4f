package onerwayapi_test

// A loopback gateway built from the package's pieces, as the gateway
// service will be: ReadRequest, the merchant looked up by merchantNo, the
// endpoint's Decode function, an answer builder, Write. Tests talk to it
// over real HTTP and read Onerway's envelope back.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/client/onerway"
	gateway "github.com/tabbysim/tabbysim/simulator/onerway"
	"github.com/tabbysim/tabbysim/simulator/onerway/onerwayapi"
)

const (
	merchantNo = "800209"
	secretKey  = "0123456789abcdef0123456789abcdef"
	// keylessNo is a merchant whose configuration lacks a secret key: a
	// fault of the gateway's, answered as a system exception.
	keylessNo = "800001"
)

// docsSiteKey is public test data, not a credential of this project: the
// sandbox key of merchant 800209 that Onerway's documentation site signs
// its examples with, and with it seed 001's Tabby answer. It is published
// as the exported `secret` of docs/util/utils.js in
// github.com/zhihaoabel/api-docs (commit c2262c9); client/onerway's
// vectors_test.go uses it too.
const docsSiteKey = "59c5b49a58c74340b28ecc68004e815a"

// created is the time the test gateway gives every payment it accepts.
var created = time.Date(2025, 11, 24, 14, 10, 18, 0, gateway.Zone)

// standIn is the loopback stand-in for the gateway service.
type standIn struct {
	*httptest.Server
	merchants map[string]onerwayapi.Merchant
	// listed is what /v1/txn/list matches: everything, or the
	// merchantTxnIds asked for.
	listed []onerway.Transaction

	mu       sync.Mutex
	used     map[string]bool // merchantTxnIds of accepted payments
	warnings []onerwayapi.Warning
	decoded  any // the last request decoded
}

func startGateway(t *testing.T) *standIn {
	t.Helper()
	g := &standIn{
		merchants: map[string]onerwayapi.Merchant{
			merchantNo: {SecretKey: secretKey},
			keylessNo:  {},
		},
		used: map[string]bool{},
	}
	for i := range 23 {
		g.listed = append(g.listed, onerway.Transaction{
			TransactionID: fmt.Sprintf("19928381641293864%02d", i), MerchantTxnID: fmt.Sprintf("order-%d", i),
			TxnTime: gateway.FormatTime(created), ProductType: onerway.ProductLPMS, SubProductType: onerway.SubProductDirect,
			TxnType: onerway.TxnSale, Status: onerway.StatusSuccess, OrderAmount: "250.00", OrderCurrency: "SAR",
			PaymentMethod: "tabby", WalletTypeName: "tabby",
		})
	}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		onerwayapi.Write(w, g.answer(r))
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *standIn) answer(r *http.Request) onerwayapi.Answer {
	req, err := onerwayapi.ReadRequest(r)
	if err != nil {
		return onerwayapi.Failure(err)
	}
	defer func() {
		g.mu.Lock()
		g.warnings = req.Warnings
		g.mu.Unlock()
	}()
	m, ok := g.merchants[req.MerchantNo]
	if !ok {
		return onerwayapi.Failure(onerwayapi.UnknownMerchant(req.MerchantNo))
	}
	answer, decoded, err := g.serve(r.URL.Path, req, m)
	if err != nil {
		return onerwayapi.Failure(err)
	}
	g.mu.Lock()
	g.decoded = decoded
	g.mu.Unlock()
	return answer
}

func (g *standIn) serve(path string, req *onerwayapi.Request, m onerwayapi.Merchant) (onerwayapi.Answer, any, error) {
	switch path {
	case onerway.PathDoTransaction:
		t, err := onerwayapi.DecodeTransaction(req, m)
		if err != nil {
			return onerwayapi.Answer{}, nil, err
		}
		g.mu.Lock()
		dup := g.used[t.MerchantTxnID]
		g.used[t.MerchantTxnID] = true
		g.mu.Unlock()
		if dup {
			return onerwayapi.Answer{}, nil, onerwayapi.DuplicateMerchantTxnID(t.MerchantTxnID)
		}
		a, err := onerwayapi.RedirectAnswer(onerwayapi.Redirect{
			TransactionID: "1992838164129386496", TxnTime: created, ResponseTime: created.Add(time.Second),
			OrderAmount: t.Amount, OrderCurrency: t.Currency,
			RedirectURL: g.URL + "/onerway/cashier/1992838164129386496?lang=en&x=1",
		}, m.SecretKey)
		return a, t, err
	case onerway.PathList:
		q, err := onerwayapi.DecodeList(req, m)
		if err != nil {
			return onerwayapi.Answer{}, nil, err
		}
		matched := g.listed
		if q.MerchantTxnIDs != nil {
			matched = nil
			for _, tx := range g.listed {
				for _, id := range q.MerchantTxnIDs {
					if tx.MerchantTxnID == id {
						matched = append(matched, tx)
					}
				}
			}
		}
		a, err := onerwayapi.PageAnswer(matched, q.Page)
		return a, q, err
	case onerway.PathRefund:
		ref, err := onerwayapi.DecodeRefund(req, m)
		if err != nil {
			return onerwayapi.Answer{}, nil, err
		}
		if ref.Type == onerway.RefundCancel {
			return onerwayapi.RefundAnswer(""), ref, nil
		}
		return onerwayapi.RefundAnswer("1992838164129386499"), ref, nil
	case onerway.PathCancel:
		id, err := onerwayapi.DecodeCancel(req, m)
		if err != nil {
			return onerwayapi.Answer{}, nil, err
		}
		return onerwayapi.CancelAnswer(onerway.Cancellation{TransactionID: id, Status: onerway.StatusPendingAudit}), id, nil
	case onerway.PathLogisticsUpload:
		l, err := onerwayapi.DecodeLogistics(req, m)
		return onerwayapi.Success(nil), l, err
	}
	return onerwayapi.Answer{}, nil, fmt.Errorf("no route for %s", path)
}

// lastWarnings are the warnings of the last request the gateway read.
func (g *standIn) lastWarnings() []onerwayapi.Warning {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.warnings
}

// lastDecoded is what the last accepted request decoded to.
func (g *standIn) lastDecoded() any {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.decoded
}

// reply is an answer as it came over HTTP.
type reply struct {
	onerwayapi.Answer
	body []byte
}

// post sends body to path as application/json and checks the answer is
// Onerway's envelope on HTTP 200, with exactly its three members.
func (g *standIn) post(t *testing.T, path string, body []byte) reply {
	t.Helper()
	return g.postAs(t, path, "application/json", body)
}

func (g *standIn) postAs(t *testing.T, path, contentType string, body []byte) reply {
	t.Helper()
	resp, err := http.Post(g.URL+path, contentType, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("HTTP %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil || len(members) != 3 {
		t.Fatalf("not Onerway's envelope: %s", raw)
	}
	var r reply
	if err := json.Unmarshal(raw, &r.Answer); err != nil {
		t.Fatal(err)
	}
	r.body = raw
	if r.RespCode != onerwayapi.CodeSuccess && string(r.Data) != "null" {
		t.Errorf("a refusal with data: %s", raw)
	}
	return r
}

// readFields reads a testdata file, a JSON object.
func readFields(t testing.TB, file string) onerway.Fields {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	f, err := onerway.ParseFields(b)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return f
}

// signed is the body of f with the sign secret gives it, any sign f had
// replaced. Values are sent exactly as they are in f, so a test can send
// what no well-behaved client would (objects where strings belong).
func signed(f onerway.Fields, secret string) []byte {
	g := clone(f)
	delete(g, "sign")
	g["sign"] = raw(g.Sign(onerway.KindRequest, secret))
	return raw(g)
}

func clone(f onerway.Fields) onerway.Fields {
	g := make(onerway.Fields, len(f))
	for k, v := range f {
		g[k] = v
	}
	return g
}

// raw is v as a JSON value; strings become JSON strings.
func raw(v any) json.RawMessage {
	if r, ok := v.(json.RawMessage); ok {
		return r
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// call is a request to one of the simple endpoints, made of its fields
// (merchantNo and sign added unless given), and the respCode it must get
// with a respMsg naming field.
type call struct {
	name   string
	fields map[string]any
	code   onerwayapi.Code
	field  string
}

// body is the call's signed body; a nil value leaves its field out. A
// call that gives its own sign is sent with it.
func (c call) body() []byte {
	f := onerway.Fields{"merchantNo": raw(merchantNo)}
	for k, v := range c.fields {
		if v == nil {
			delete(f, k)
			continue
		}
		f[k] = raw(v)
	}
	if _, own := c.fields["sign"]; own {
		return raw(f)
	}
	return signed(f, secretKey)
}

// expect posts every call to path over HTTP and checks each answer.
func (g *standIn) expect(t *testing.T, path string, calls []call) {
	t.Helper()
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			r := g.post(t, path, c.body())
			if r.RespCode != c.code {
				t.Fatalf("respCode %s, want %s: %s", r.RespCode, c.code, r.body)
			}
			if c.field != "" && !strings.Contains(r.RespMsg, c.field) {
				t.Errorf("respMsg %q does not name %s", r.RespMsg, c.field)
			}
		})
	}
}
