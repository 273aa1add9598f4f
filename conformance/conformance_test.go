package conformance

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/cucumber/godog"

	"github.com/tabbysim/tabbysim/client/merchant"
	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/features"
)

// TestFeatures runs the whole suite against the clean reference merchant:
// every scenario must pass.
func TestFeatures(t *testing.T) {
	res, err := Run(context.Background(), Options{TestingT: t, Concurrency: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seed %d", res.Seed)
	if !res.Passed {
		t.Fatal("the clean reference merchant failed the conformance suite")
	}
}

// TestFeatures_EveryCurrency: for every currency the providers take, a
// scenario checks out in it and checks the capture, and one checks a
// refund, so TestFeatures runs the whole money path in each.
func TestFeatures_EveryCurrency(t *testing.T) {
	fts, err := godog.TestSuite{Options: &godog.Options{Paths: []string{"."}, FS: features.FS}}.RetrieveFeatures()
	if err != nil {
		t.Fatal(err)
	}
	checkout := regexp.MustCompile(`^the customer checks out [\d.]+ ([A-Z]{3})$`)
	checked := map[string]map[string]bool{} // currency → "capture", "refund"
	for _, f := range fts {
		for _, p := range f.Pickles {
			var currency string
			for _, s := range p.Steps {
				if m := checkout.FindStringSubmatch(s.Text); m != nil {
					currency = m[1]
				}
				if currency == "" {
					continue
				}
				if checked[currency] == nil {
					checked[currency] = map[string]bool{}
				}
				switch {
				case strings.HasPrefix(s.Text, "the merchant captured "):
					checked[currency]["capture"] = true
				case strings.HasPrefix(s.Text, "the payment has refunds totalling "):
					checked[currency]["refund"] = true
				}
			}
		}
	}
	for _, cur := range money.Currencies() {
		if !checked[cur]["capture"] || !checked[cur]["refund"] {
			t.Errorf("%s: no scenario checks out in it and checks what was captured and refunded (%v)", cur, checked[cur])
		}
	}
}

var failedScenario = regexp.MustCompile(`(?m)^\s*Scenario(?: Outline)?: (.+?)\s+# .*$`)

// caughtBy names, for each defect, the scenario written to catch it (the
// README's table lists them, with the others that fail too).
var caughtBy = map[string]string{
	"ignores-webhooks":              "The customer closes the tab after paying",
	"trusts-redirect":               "A success redirect without a payment is not trusted",
	"skips-webhook-auth":            "A forged webhook is refused",
	"no-reread-on-webhook":          "A webhook that disagrees with the payment is verified first",
	"captures-twice":                "A successful checkout is captured once",
	"captures-before-authorization": "Nothing is captured before authorization",
	"never-polls":                   "The redirect and the webhooks are both lost",
	"never-captures":                "A successful checkout is captured once",
	"ignores-rejection":             "Pre-scoring rejection hides Tabby",
	"webhook-non-200":               "A successful checkout is captured once",
	"loses-order-on-cancel":         "Cancellation on the hosted page",
	"refunds-beyond-captured":       "A refund beyond the captured amount is never requested",
	"rejects-repeated-webhooks":     "Every webhook arrives twice",
	"trusts-webhook-order":          "Webhooks arrive out of order",
	"two-decimals":                  "A checkout in KWD is captured once",
	"skips-webhook-sign":            "Notifications with a wrong sign are refused",
	"acks-without-transaction-id":   "A notification acknowledged with its transactionId is not sent again",
	"trusts-return-url":             "A returnUrl saying success before payment is not trusted",
	"never-uploads-logistics":       "The delivery of paid physical goods is uploaded",
	"uploads-before-success":        "Logistics wait for the payment's success",
	"virtual-as-physical":           "Virtual goods are paid through the cashier",
	"signs-reserialised-json":       "Virtual goods are paid through the cashier",
	"reuses-merchant-txn-id":        "A new order after a cancelled payment has a merchantTxnId of its own",
}

// caughtOnlyBy are the defects that only a scenario's injected fault
// reveals: no other scenario catches them, so a fault that silently did
// not happen would let them through.
var caughtOnlyBy = map[string]bool{"rejects-repeated-webhooks": true, "trusts-webhook-order": true}

// TestDefectsAreCaught proves the suite can fail: each of the reference
// merchant's named defects makes the scenario written for it fail, and the
// failure says which rule was broken and what the merchant did instead. A
// defect changes one mode of the merchant only, so only its provider's
// scenarios run.
func TestDefectsAreCaught(t *testing.T) {
	if len(merchant.Defects) != len(caughtBy) {
		t.Fatalf("the reference merchant has %d defects and %d are mapped to scenarios", len(merchant.Defects), len(caughtBy))
	}
	for _, d := range merchant.Defects {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			res, err := Run(context.Background(), Options{Target: &Reference{Defect: d.Name}, Output: &out, Concurrency: 4, Tags: "@" + d.Provider()})
			if err != nil {
				t.Fatal(err)
			}
			if res.Passed {
				t.Fatalf("defect %s (%s) was not caught by any scenario (seed %d)", d.Name, d.Description, res.Seed)
			}
			report := out.String()
			if !strings.Contains(report, "rule broken (") || !strings.Contains(report, "; instead ") {
				t.Fatalf("the report does not say which rule was broken and what the merchant did:\n%s", report)
			}
			failed := failures(report)
			if !slices.Contains(failed, caughtBy[d.Name]) {
				t.Fatalf("defect %s should fail %q; it failed %q", d.Name, caughtBy[d.Name], failed)
			}
			if caughtOnlyBy[d.Name] && len(failed) != 1 {
				t.Fatalf("defect %s should fail only %q; it failed %q", d.Name, caughtBy[d.Name], failed)
			}
			t.Logf("%s is caught by: %s", d.Name, strings.Join(failed, "; "))
		})
	}
}

// failures lists the scenarios a pretty report marks as failed.
func failures(report string) []string {
	var out []string
	seen := map[string]bool{}
	for _, block := range strings.Split(report, "--- Failed steps:")[1:] {
		for _, m := range failedScenario.FindAllStringSubmatch(block, -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				out = append(out, m[1])
			}
		}
	}
	sort.Strings(out)
	return out
}

// arrangements are the conditions the features set up, each with the step
// that proves it held: the step text that arranges it, what that text
// becomes with the condition left out, and the proof that must then fail.
var arrangements = []struct{ name, text, without, proof string }{
	{"duplicated webhooks", "every webhook is delivered twice", "webhooks are delivered", "the simulator delivered every webhook twice"},
	{"reordered webhooks", "webhooks arrive out of order", "webhooks are delivered", "the simulator delivered a webhook after the payment's next event"},
	{"lost webhooks", "webhooks are lost on the way", "webhooks are delivered", "the simulator lost every webhook on the way"},
	{"expired webhooks", "Tabby sends the optional expired webhooks", "webhooks are delivered", "the simulator delivered the expired webhook"},
	{"resent webhooks", "Tabby resends every webhook of the payment", "webhooks are delivered", "the simulator delivered every webhook again"},
	{"lost redirect", "the customer pays but closes the tab before the redirect", "the customer pays on the hosted page",
		"the simulator recorded that the customer closed the tab before the redirect"},
	{"abandoned checkout", "the customer abandons the checkout", "webhooks are delivered", "the simulator recorded that the customer left the hosted page"},
	{"forged header", "a forged webhook announces the payment as authorized", "an authentic webhook claims the payment is authorized although it is not",
		"the webhook sent was forged"},
	{"authentic header", "an authentic webhook claims the payment is authorized although it is not", "a forged webhook announces the payment as authorized",
		"the webhook sent was authentic but disagreed with the payment"},
	{"pre-scoring rejection", `<amount> AED with the phone "<phone>"`, "100.00 AED", "Tabby rejected the customer at pre-scoring with"},
	{"rejection after the OTP", `100.00 AED as "otp.rejected@tabby.ai"`, "100.00 AED", "the payment is REJECTED"},
	{"item out of stock", "100.00 AED with 40.00 of it out of stock", "100.00 AED", "the merchant captured 60.00 exactly once"},
	{"session expiry", "the clock advances 26 minutes", "the clock advances 1 minute", "the payment is EXPIRED"},
	{"auto-capture", "the clock advances 21 days", "the clock advances 1 day", "Tabby captured the payment in full"},
	{"notifications with a wrong sign", "every notification carries a wrong sign", "webhooks are delivered", "the simulator forged every notification"},
	{"a notification with a wrong sign", "a notification with a wrong sign announces the payment as successful",
		"an authentic notification announces the payment as successful", "the webhook sent was forged"},
	{"notification timeout", "Onerway gives up waiting for the merchant's answers at once", "webhooks are delivered",
		"the simulator tried every notification again after its first try timed out"},
	{"declined at once", `250.00 SAR of virtual goods with the phone "+966500000002"`, "250.00 SAR of virtual goods", "the gateway declined the payment at once"},
	{"amount outside the limits", "the customer tries to check out <amount> SAR", "the customer tries to check out 250.00 SAR",
		"the gateway refused the payment with respCode 40005"},
}

// TestArrangementsAreProven runs, for each condition the features set up,
// the scenarios that set it up with the condition left out: against the
// clean reference merchant each of them must fail, at the step that proves
// the condition held. A scenario whose condition silently did not arise
// (a simulator whose duplication or reordering is switched off) can then
// never pass.
func TestArrangementsAreProven(t *testing.T) {
	files, err := fs.Glob(features.FS, "*.feature")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range arrangements {
		t.Run(a.name, func(t *testing.T) {
			t.Parallel()
			original, changed := fstest.MapFS{}, fstest.MapFS{}
			for _, name := range files {
				b, err := fs.ReadFile(features.FS, name)
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Contains(b, []byte(a.text)) {
					original[name] = &fstest.MapFile{Data: b}
					changed[name] = &fstest.MapFile{Data: bytes.ReplaceAll(b, []byte(a.text), []byte(a.without))}
				}
			}
			arranging := scenariosWith(t, original, a.text)
			if len(arranging) == 0 {
				t.Fatalf("no scenario has a step with %q", a.text)
			}
			var out bytes.Buffer
			res, err := Run(context.Background(), Options{Features: changed, Output: &out, Concurrency: 4})
			if err != nil {
				t.Fatal(err)
			}
			if res.Passed {
				t.Fatalf("without %q every scenario passed (seed %d):\n%s", a.text, res.Seed, out.String())
			}
			failed := failedSteps(out.String())
			for _, name := range arranging {
				steps := failed[name]
				if len(steps) == 0 {
					t.Errorf("without %q, %q passed (seed %d)", a.text, name, res.Seed)
				}
				for _, step := range steps {
					if !strings.HasPrefix(step, a.proof) {
						t.Errorf("without %q, %q failed at %q, not at %q (seed %d)", a.text, name, step, a.proof, res.Seed)
					}
				}
			}
			if t.Failed() {
				t.Log(out.String())
			}
		})
	}
}

// scenariosWith names the scenarios of the features that have a step
// whose text contains text.
func scenariosWith(t *testing.T, fsys fs.FS, text string) []string {
	t.Helper()
	fts, err := godog.TestSuite{Options: &godog.Options{Paths: []string{"."}, FS: fsys}}.RetrieveFeatures()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fts {
		for _, c := range f.Feature.Children {
			if c.Scenario == nil {
				continue
			}
			for _, s := range c.Scenario.Steps {
				if strings.Contains(s.Text, text) {
					out = append(out, c.Scenario.Name)
					break
				}
			}
		}
	}
	return out
}

var failedStep = regexp.MustCompile(`(?m)^\s*Scenario(?: Outline)?: (.+?)\s+# .*\n\s*(?:Given|When|Then|And|But) (.+?)\s+# `)

// failedSteps maps each scenario a pretty report marks as failed to the
// steps it failed at (one per failed row of an outline).
func failedSteps(report string) map[string][]string {
	out := map[string][]string{}
	for _, block := range strings.Split(report, "--- Failed steps:")[1:] {
		for _, m := range failedStep.FindAllStringSubmatch(block, -1) {
			out[m[1]] = append(out[m[1]], m[2])
		}
	}
	return out
}

// TestExternalAdapter runs the reference merchant as a separate process,
// started by the adapter's command, and drives it through the adapter.
func TestExternalAdapter(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildTabbysim(t)
	merchantAddr, simAddr := freeAddr(t), freeAddr(t)
	adapter := strings.ReplaceAll(referenceAdapterJSON, "{{base_url}}", "http://"+merchantAddr)
	adapter = strings.Replace(adapter, `"name": "reference merchant",`, fmt.Sprintf(`"name": "reference merchant as a process",
  "ready_path": "/healthz",
  "command": ["sh", "-c", "exec %s merchant --addr %s --tabby-url \"$TABBYSIM_URL\" --secret-key \"$TABBY_SECRET_KEY\" --merchant-codes \"$TABBY_MERCHANT_CODES\""],`, bin, merchantAddr), 1)
	path := filepath.Join(t.TempDir(), "adapter.json")
	if err := os.WriteFile(path, []byte(adapter), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := LoadAdapter(path)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	res, err := Run(context.Background(), Options{Target: &External{Adapter: a}, SimAddr: simAddr, Output: &out,
		Tags: "@tabby && @redirect && ~@poll"})
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if !res.Passed {
		t.Fatalf("the reference merchant as a process failed through its adapter:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "scenarios (") {
		t.Fatalf("no scenario ran:\n%s", out.String())
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestAdapter_Validate(t *testing.T) {
	tests := map[string]string{
		"no base_url":       `{"checkout": {"path": "/c", "redirect_url": "u", "order_ref": "o"}}`,
		"no checkout paths": `{"base_url": "http://x", "checkout": {"path": "/c"}}`,
		"bad template":      `{"base_url": "http://x", "checkout": {"path": "/c/{{.Nope", "redirect_url": "u", "order_ref": "o"}}`,
		"unknown action":    `{"base_url": "http://x", "checkout": {"path": "/c", "redirect_url": "u", "order_ref": "o"}, "actions": {"ship": {"path": "/s"}}}`,
		"unknown state":     `{"base_url": "http://x", "checkout": {"path": "/c", "redirect_url": "u", "order_ref": "o"}, "order_status": {"path": "/o", "status": "s", "values": {"done": ["x"]}}}`,
		"unknown field":     `{"base_url": "http://x", "checkout": {"path": "/c", "redirect_url": "u", "order_ref": "o"}, "extra": 1}`,
	}
	for name, doc := range tests {
		if _, err := ParseAdapter([]byte(doc)); err == nil {
			t.Errorf("%s: the adapter was accepted", name)
		}
	}
	if a := ReferenceAdapter("http://127.0.0.1:1"); a.OrderStatus == nil || len(a.Actions) != 3 {
		t.Fatalf("the built-in adapter lost parts: %+v", a)
	}
}
