package conformance

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
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

// TestFeatures runs the whole suite against the clean reference merchant
// and against each of its correct variants, built differently (working in
// the background, answering with other statuses), with the default
// settling window: every scenario must pass.
func TestFeatures(t *testing.T) {
	targets := []*Reference{{}}
	for _, v := range merchant.Variants {
		targets = append(targets, &Reference{Variant: v.Name})
	}
	for _, target := range targets {
		t.Run(target.Name(), func(t *testing.T) {
			t.Parallel()
			o := Options{Target: target, TestingT: t, Concurrency: 16}
			if target.Variant != "" {
				o.Tags = "@tabby" // the variants are built differently in the Tabby mode only
			}
			res, err := Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("seed %d", res.Seed)
			if !res.Passed {
				t.Fatalf("the %s failed the conformance suite", target.Name())
			}
		})
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
	"trusts-redirect-payment-id":    "A success redirect naming another order's payment is not trusted",
	"trusts-cancel-redirect":        "The cancel page opened after paying changes nothing",
	"redirect-expects-authorized":   "A redirect that arrives after the webhook's capture",
	"error-page-on-late-redirect":   "A redirect that arrives after the webhook's capture",
	"cancel-without-close":          "A merchant cancel of an order paid unseen",
	"polls-once":                    "Polling continues until the payment is final",
	"reuses-refund-reference":       "Two partial refunds in AED are two exact operations",
	"float-amounts":                 "Two partial refunds in AED are two exact operations",
	"wrong-order-reference":         "A successful checkout is captured once",

	// The defects in taking Tabby's failures (faults.feature).
	"new-reference-on-retry": "A capture that failed after it was made is retried under the same reference_id",
	"no-retry-on-5xx":        "A capture that failed after it was made is retried under the same reference_id",
	"trusts-non-json":        "A firewall page on the checkout neither crashes the merchant nor loses the order",
	"ignores-retry-after":    "A rate-limited request is sent again after Retry-After, not before",

	// The Onerway mode's (onerway*.feature).
	"skips-webhook-sign":           "Notifications with a wrong sign are refused",
	"acks-without-transaction-id":  "A notification acknowledged with its transactionId is not sent again",
	"trusts-return-url":            "A returnUrl saying success before payment is not trusted",
	"never-uploads-logistics":      "The delivery of paid physical goods is uploaded",
	"uploads-before-success":       "Logistics wait for the payment's success",
	"virtual-as-physical":          "Virtual goods are paid through the cashier",
	"signs-reserialised-json":      "Virtual goods are paid through the cashier",
	"reuses-merchant-txn-id":       "A new order after a cancelled payment has a merchantTxnId of its own",
	"trusts-http-200":              "A system error on the payment request is not taken for success",
	"new-merchant-txn-id-on-retry": "A refund whose answer was lost is applied for once",
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
			o := Options{Target: &Reference{Defect: d.Name}, Output: &out, Concurrency: 16, Settle: syncSettle, Tags: "@" + d.Provider()}
			if !caughtOnlyBy[d.Name] {
				o.Features = featureOf(t, caughtBy[d.Name])
			}
			res, err := Run(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			if res.Passed {
				t.Fatalf("defect %s (%s) was not caught by any scenario (seed %d)", d.Name, d.Description, res.Seed)
			}
			report := out.String()
			if !strings.Contains(report, "  broke    R-") || !strings.Contains(report, "  instead  ") {
				t.Fatalf("the report does not say which rule was broken and what the merchant did:\n%s", report)
			}
			if m := internalNames.FindString(report); m != "" {
				t.Fatalf("the report names %q, which a merchant cannot read:\n%s", m, report)
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

// featureOf is the feature file that holds scenario (an outline's row
// named by its values), alone: the run that proves a defect fails the
// scenario written for it needs no other, unless it proves that no other
// fails (caughtOnlyBy).
func featureOf(t *testing.T, scenario string) fs.FS {
	t.Helper()
	fts, err := godog.TestSuite{Options: &godog.Options{Paths: []string{"."}, FS: features.FS}}.RetrieveFeatures()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fts {
		for _, p := range f.Pickles {
			if p.Name == scenario {
				b, err := fs.ReadFile(features.FS, f.Uri)
				if err != nil {
					t.Fatal(err)
				}
				return fstest.MapFS{f.Uri: {Data: b}}
			}
		}
	}
	t.Fatalf("no feature has the scenario %q", scenario)
	return nil
}

// internalNames are what a report must not show a merchant: the files the
// features were written from and Go source locations.
var internalNames = regexp.MustCompile(`seed 00\d|tabby-api\.md|onerway-api\.md|\.go:\d+|§`)

// failedScenario is the line of a failed scenario in the report: its
// feature, then its name, then an outline row's values in brackets.
var failedScenario = regexp.MustCompile(`(?m)^FAIL  .+? › (.+?)(?: \[.*\])?$`)

// failures lists the scenarios (outlines by their own name) a report marks
// as failed.
func failures(report string) []string {
	var out []string
	for _, m := range failedScenario.FindAllStringSubmatch(report, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
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
	{"auto-capture due after a cancel", "the clock advances 22 days", "the clock advances 1 day", "Tabby's auto-capture of the payment fell due"},

	// The faults the simulator injects (faults.feature): calm injects none.
	{"capture made, then 500", `scenario "flaky-captures"`, `scenario "calm"`, "the simulator failed the merchant's capture request on purpose"},
	{"capture made, answer lost", `scenario "lost-capture-answers"`, `scenario "calm"`, "the simulator failed the merchant's capture request on purpose"},
	{"refund made, answer lost", `scenario "lost-refund-answers"`, `scenario "calm"`, "the simulator failed the merchant's refund request on purpose"},
	{"rate limits", `scenario "rate-limiting"`, `scenario "calm"`, "the simulator failed the merchant's checkout request on purpose"},
	{"firewall page", `scenario "firewall-pages"`, `scenario "calm"`, "the simulator failed the merchant's checkout request on purpose"},
	{"gateway timeout", `scenario "checkout-timeouts"`, `scenario "calm"`, "the simulator failed the merchant's checkout request on purpose"},
	{"Onerway system errors", `scenario "onerway-system-errors"`, `scenario "calm"`, "the simulator failed the merchant's"},
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
			res, err := Run(context.Background(), Options{Features: changed, Output: &out, Concurrency: 16, Settle: syncSettle})
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

// failedStep is the line of a failed step under its scenario's.
var failedStep = regexp.MustCompile(`^        (?:Given|When|Then|And|But|\*) (.+)$`)

// failedSteps maps each scenario (an outline by its own name) a report
// marks as failed to the steps it failed at (one per failed row of an
// outline).
func failedSteps(report string) map[string][]string {
	out := map[string][]string{}
	scenario := ""
	for _, line := range strings.Split(report, "\n") {
		if m := failedScenario.FindStringSubmatch(line); m != nil {
			scenario = m[1]
			continue
		}
		if !strings.HasPrefix(line, " ") {
			scenario = ""
		}
		if m := failedStep.FindStringSubmatch(line); m != nil && scenario != "" {
			out[scenario] = append(out[scenario], m[1])
		}
	}
	return out
}

// TestExternalAdapter runs the suite through the example adapter the
// README shows (examples/reference-adapter.json): the reference merchant
// started as a separate process by the adapter's command, on a port the
// harness picked, against a simulator on a free port; first with the
// README's own command, as written, from the repository's root; then in
// process, and with the command as a shell line reading the environment.
func TestExternalAdapter(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Setenv("PATH", buildTabbysim(t)+string(os.PathListSeparator)+os.Getenv("PATH"))
	example, err := os.ReadFile("examples/reference-adapter.json")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("README", func(t *testing.T) {
		readme, err := os.ReadFile("../README.md")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(readme, []byte("```json\n"+string(example)+"```\n")) {
			t.Fatal("the README does not show examples/reference-adapter.json as it is")
		}
		var commands []string
		for _, block := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(string(readme), -1) {
			for _, line := range strings.Split(block[1], "\n") {
				if strings.HasPrefix(line, "tabbysim conform ") && strings.Contains(line, "examples/reference-adapter.json") {
					commands = append(commands, line)
				}
			}
		}
		if len(commands) != 1 {
			t.Fatalf("the README has %d commands running the example adapter, want 1: %q", len(commands), commands)
		}
		cmd := exec.Command("sh", "-c", commands[0])
		cmd.Dir = ".."
		out, err := cmd.CombinedOutput()
		if err != nil || !regexp.MustCompile(`(?m)^\d+ scenarios: [1-9]\d* passed, 0 failed`).Match(out) || !bytes.Contains(out, []byte("PASS: every scenario passed")) {
			t.Fatalf("%s: %v\n%s", commands[0], err, out)
		}
	})
	shell := regexp.MustCompile(`(?s)"command": \[.*?\],`).ReplaceAllLiteral(example, []byte(`"command": "exec tabbysim merchant --addr 127.0.0.1:{{.Port}} --tabby-url \"$TABBYSIM_URL\" --secret-key \"$TABBY_SECRET_KEY\" --merchant-codes \"$SHOP_CODES\"",
  "env": {"SHOP_CODES": "{{.MerchantCodes}}"},`))
	for _, tc := range []struct {
		name    string
		adapter []byte
		tags    string
	}{{"in process", example, "@tabby and @capture"}, {"shell line", shell, "@tabby and @refund"}} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseAdapter(tc.adapter)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			res, err := Run(context.Background(), Options{Target: &External{Adapter: a}, Output: &out, Tags: tc.tags})
			if err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			if !res.Passed {
				t.Fatalf("the reference merchant as a process failed through the adapter:\n%s", out.String())
			}
			if !regexp.MustCompile(`(?m)^\d+ scenarios?: [1-9]\d* passed`).MatchString(out.String()) {
				t.Fatalf("no scenario ran:\n%s", out.String())
			}
		})
	}
}

// buildTabbysim builds the binary into a directory of its own and returns
// the directory.
func buildTabbysim(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	// Built as the image and the process tests build it, so they share one
	// compilation in the build cache.
	build := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(dir, "tabbysim"), "../cmd/tabbysim")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building tabbysim: %v\n%s", err, out)
	}
	return dir
}

func TestAdapter_Validate(t *testing.T) {
	tests := map[string]string{
		"no base_url":       `{"checkout": {"path": "/c", "redirect_url": "u", "order_ref": "o"}}`,
		"no checkout paths": `{"base_url": "http://x", "checkout": {"path": "/c"}}`,
		"bad template":      `{"base_url": "http://x", "checkout": {"path": "/c/{{.Nope", "redirect_url": "u", "order_ref": "o"}}`,
		"unknown action":    `{"base_url": "http://x", "checkout": {"path": "/c", "redirect_url": "u", "order_ref": "o"}, "actions": {"ship": {"path": "/s"}}}`,
		"unknown state":     `{"base_url": "http://x", "checkout": {"path": "/c", "redirect_url": "u", "order_ref": "o"}, "order_status": {"path": "/o", "status": "s", "values": {"done": ["x"]}}}`,
		"unknown field":     `{"base_url": "http://x", "checkout": {"path": "/c", "redirect_url": "u", "order_ref": "o"}, "extra": 1}`,
		"unknown data":      `{"base_url": "http://x", "checkout": {"path": "/c", "body": "{{.Amonut}}", "redirect_url": "u", "order_ref": "o"}}`,
		"unknown launch":    `{"base_url": "http://127.0.0.1:{{.Prot}}", "checkout": {"path": "/c", "redirect_url": "u", "order_ref": "o"}}`,
		"command a number":  `{"base_url": "http://x", "command": 5, "checkout": {"path": "/c", "redirect_url": "u", "order_ref": "o"}}`,
		"env a list":        `{"base_url": "http://x", "env": ["A=1"], "checkout": {"path": "/c", "redirect_url": "u", "order_ref": "o"}}`,
	}
	for name, doc := range tests {
		if _, err := ParseAdapter([]byte(doc)); err == nil {
			t.Errorf("%s: the adapter was accepted", name)
		}
	}
	if a := ReferenceAdapter("http://127.0.0.1:1"); a.OrderStatus == nil || len(a.Actions) != 3 || !a.Command.IsZero() {
		t.Fatalf("the built-in adapter lost parts: %+v", a)
	}
	for doc, want := range map[string]Command{
		`"./shop --port {{.Port}}"`:         {Shell: "./shop --port {{.Port}}"},
		`["./shop", "--port", "{{.Port}}"]`: {Args: []string{"./shop", "--port", "{{.Port}}"}},
	} {
		a, err := ParseAdapter([]byte(`{"base_url": "http://x", "command": ` + doc + `, "checkout": {"path": "/c", "redirect_url": "u", "order_ref": "o"}}`))
		if err != nil || a.Command.Shell != want.Shell || !slices.Equal(a.Command.Args, want.Args) {
			t.Errorf("command %s: %+v, %v", doc, a, err)
		}
	}
}

// TestAdapter_CallsAsDocumented: order_status without a method is a GET,
// the other calls POST, and .MerchantCode is the code of the scenario's
// currency, as a shop sees them over HTTP.
func TestAdapter_CallsAsDocumented(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, r.Method+" "+r.URL.Path+" "+string(b))
	}))
	defer srv.Close()
	a, err := ParseAdapter([]byte(`{"base_url": "` + srv.URL + `",
		"checkout": {"path": "/checkout", "body": "{\"merchant_code\": \"{{.MerchantCode}}\"}", "redirect_url": "u", "order_ref": "o"},
		"order_status": {"path": "/orders/{{.OrderRef}}", "status": "s", "values": {"paid": ["paid"]}},
		"actions": {"reconcile": {"path": "/reconcile"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	a = a.forMerchant(map[string]string{"AED": "ae", "SAR": "sa", "KWD": "kw"})
	ctx := context.Background()
	for _, c := range []struct {
		call Call
		data CallData
	}{
		{a.Checkout.Call, CallData{Currency: "SAR"}},
		{a.Checkout.Call, CallData{Currency: "KWD"}},
		{a.OrderStatus.Call, CallData{OrderRef: "o1"}},
		{a.Actions["reconcile"], CallData{}},
	} {
		if _, err := a.do(ctx, srv.Client(), c.call, c.data); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{`POST /checkout {"merchant_code": "sa"}`, `POST /checkout {"merchant_code": "kw"}`, `GET /orders/o1 `, `POST /reconcile `}
	if !slices.Equal(got, want) {
		t.Fatalf("the shop received %q, want %q", got, want)
	}
}
