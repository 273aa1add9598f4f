package onerwayapi_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/tabbysim/tabbysim/client/onerway"
	gateway "github.com/tabbysim/tabbysim/simulator/onerway"
	"github.com/tabbysim/tabbysim/simulator/onerway/onerwayapi"
)

// FuzzDecodeTransaction feeds arbitrary bodies to the doTransaction
// decoder. A body that is a JSON object is signed first, so the fuzzer
// reaches the field checks behind the sign. Whatever comes, the answer is
// a respCode of the table and never a panic; an accepted request is one
// Tabby takes. The corpus is seed 001's examples; under go test it runs
// as a normal test.
func FuzzDecodeTransaction(f *testing.F) {
	files, _ := filepath.Glob("testdata/seed001-*.json")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"merchantNo":"800209","txnOrderMsg":"{\"products\":\"[{}]\"}"}`))
	f.Add([]byte(`{"merchantNo":800209,"lpmsInfo":{"lpmsType":"tabby"}}`))
	f.Add([]byte(`{"merchantNo":"800209","billingInformation":"{\"number\":10,\"email\":[]}"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{`))
	known := map[onerwayapi.Code]bool{}
	for _, c := range onerwayapi.Codes() {
		known[c] = true
	}
	m := onerwayapi.Merchant{SecretKey: secretKey}
	f.Fuzz(func(t *testing.T, body []byte) {
		if fields, err := onerway.ParseFields(body); err == nil {
			body = signed(fields, secretKey)
		}
		req, err := onerwayapi.ParseRequest(body)
		if err == nil {
			var tx *gateway.Sale
			tx, err = onerwayapi.DecodeTransaction(req, m)
			if err == nil && (tx.Amount < 10 || tx.Amount > 1000000 || len(tx.Products) == 0 ||
				tx.Billing.Email == "" || (tx.Goods == onerway.GoodsPhysical && tx.Shipping.PostalCode == "")) {
				t.Fatalf("accepted %+v", tx)
			}
		}
		a := onerwayapi.Failure(err)
		if err != nil && (a.RespCode == onerwayapi.CodeSystemError || !known[a.RespCode]) {
			t.Fatalf("%v answered %s", err, a.RespCode)
		}
		if _, err := json.Marshal(a); err != nil {
			t.Fatal(err)
		}
	})
}
