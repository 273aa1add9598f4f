package conformance

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/client/simctl"
)

func TestOnerwayDriver_Operation(t *testing.T) {
	d := &onerwayDriver{}
	for _, c := range []struct{ method, path, body, op, payment string }{
		{http.MethodPost, ow.PathDoTransaction, `{"merchantTxnId":"o1"}`, "checkout", ""},
		{http.MethodPost, ow.PathList, `{"merchantTxnIds":"o1"}`, "retrieve", ""},
		{http.MethodPost, ow.PathRefund, `{"originTransactionId":"1001","refundType":"0"}`, "refund", "1001"},
		{http.MethodPost, ow.PathCancel, `{"originTransactionId":"1001"}`, "cancel", "1001"},
		{http.MethodPost, ow.PathLogisticsUpload, `{"transactionId":"1001"}`, "logistics", "1001"},
		{http.MethodGet, ow.PathList, "", "", ""},
		{http.MethodPost, "/v1/txn/queryPayments", `{}`, "", ""},
		{http.MethodPost, "/api/v2/checkout", `{}`, "", ""},
		{http.MethodGet, "/onerway/cashier/1001", "", "", ""},
	} {
		op, id := d.operation(simctl.JournalEntry{Method: c.method, Path: c.path, RequestBody: c.body})
		if op != c.op || id != c.payment {
			t.Errorf("%s %s is (%q, %q), want (%q, %q)", c.method, c.path, op, id, c.op, c.payment)
		}
	}
}

// TestOnerwayReferenceAdapter: the built-in adapter of the Onerway mode
// parses, with every action the Onerway scenarios ask for, and ships to
// the country of the order's currency.
func TestOnerwayReferenceAdapter(t *testing.T) {
	a := OnerwayReferenceAdapter("http://127.0.0.1:1")
	for _, name := range []string{"reconcile", "refund", "deliver"} {
		if _, ok := a.Actions[name]; !ok {
			t.Errorf("no %s action", name)
		}
	}
	for currency, country := range map[string]string{"AED": "AE", "SAR": "SA"} {
		body, err := render(a.Checkout.Body, CallData{Amount: "1.00", Currency: currency, Items: []CallItem{{Title: "x", Type: "physical"}}})
		if err != nil {
			t.Fatal(err)
		}
		if got := (Answer{Body: []byte(body)}).Get("shipping.country").String(); got != country {
			t.Errorf("%s ships to %q, want %s: %s", currency, got, country, body)
		}
		if (Answer{Body: []byte(body)}).Get("items.0.type").String() != "physical" {
			t.Errorf("the items' type is not sent: %s", body)
		}
	}
}

// TestExternalAdapter_Onerway runs the reference merchant in its Onerway
// mode as a separate process, given the simulator merchant's Onerway
// credentials by the environment of the adapter's command, and drives it
// through the adapter.
func TestExternalAdapter_Onerway(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Setenv("PATH", buildTabbysim(t)+string(os.PathListSeparator)+os.Getenv("PATH"))
	adapter := strings.ReplaceAll(onerwayReferenceAdapterJSON, "{{base_url}}", "http://127.0.0.1:{{.Port}}")
	adapter = strings.Replace(adapter, `"name": "reference merchant, Onerway mode",`, `"name": "reference merchant in its Onerway mode as a process",
  "ready_path": "/healthz",
  "command": ["tabbysim", "merchant", "--addr", "127.0.0.1:{{.Port}}", "--provider", "onerway", "--onerway-url", "{{.SimURL}}",
    "--merchant-no", "{{.OnerwayMerchantNo}}", "--onerway-secret-key", "{{.OnerwaySecretKey}}", "--app-id", "{{.OnerwayAppID}}"],`, 1)
	a, err := ParseAdapter([]byte(adapter))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res, err := Run(context.Background(), Options{Target: &External{Adapter: a}, Output: &out,
		Tags: "@onerway && @redirect && ~@poll"})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !res.Passed || !regexp.MustCompile(`(?m)^\d+ scenarios?: [1-9]\d* passed`).MatchString(out.String()) {
		t.Fatalf("the reference merchant in its Onerway mode as a process failed through its adapter:\n%s", out.String())
	}
}

// TestAdapter_OnerwayCredentials: templates see the simulator merchant's
// Onerway credentials.
func TestAdapter_OnerwayCredentials(t *testing.T) {
	got, err := render(`{{.OnerwayMerchantNo}} {{.OnerwaySecretKey}} {{.OnerwayAppID}}`,
		CallData{OnerwayMerchantNo: "800209", OnerwaySecretKey: "k", OnerwayAppID: "1727880846378401792"})
	if err != nil || got != "800209 k 1727880846378401792" {
		t.Fatalf("render = %q, %v", got, err)
	}
}
