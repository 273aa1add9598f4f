package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/tabbysim/tabbysim/client/merchant"
	"github.com/tabbysim/tabbysim/client/simctl"
)

// validateJUnit checks a JUnit file against the common JUnit schema with
// xmllint (skipped where it is missing, except in CI) and that its counts
// add up; it returns the report.
func validateJUnit(t *testing.T, path string) junitSuites {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("xmllint is missing (apt-get install libxml2-utils)")
		}
		t.Log("xmllint is missing (apt-get install libxml2-utils): the schema is not checked")
	} else if out, err := exec.Command("xmllint", "--noout", "--schema", "testdata/junit-10.xsd", path).CombinedOutput(); err != nil {
		b, _ := os.ReadFile(path)
		t.Fatalf("the JUnit report does not validate against junit-10.xsd: %v\n%s\n%s", err, out, b)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r junitSuites
	if err := xml.Unmarshal(b, &r); err != nil {
		t.Fatalf("the JUnit report does not parse: %v\n%s", err, b)
	}
	var tests, fails, errs int
	for _, s := range r.Suites {
		var f, e, sk int
		for _, c := range s.Cases {
			if c.Classname == "" {
				t.Errorf("test case %q has no classname", c.Name)
			}
			n := 0
			for _, p := range []*junitProblem{c.Failure, c.Error, c.Skipped} {
				if p != nil {
					n++
				}
			}
			if n > 1 {
				t.Errorf("test case %q is more than one of failed, errored and skipped", c.Name)
			}
			if c.Failure != nil {
				f++
			}
			if c.Error != nil {
				e++
			}
			if c.Skipped != nil {
				sk++
			}
		}
		if s.Tests != len(s.Cases) || s.Fails != f || s.Errors != e || s.Skipped != sk {
			t.Errorf("suite %q counts tests=%d failures=%d errors=%d skipped=%d; its cases are %d, %d, %d, %d",
				s.Name, s.Tests, s.Fails, s.Errors, s.Skipped, len(s.Cases), f, e, sk)
		}
		tests, fails, errs = tests+s.Tests, fails+s.Fails, errs+s.Errors
	}
	if r.Tests != tests || r.Fails != fails || r.Errors != errs {
		t.Errorf("testsuites counts tests=%d failures=%d errors=%d; its suites add up to %d, %d, %d", r.Tests, r.Fails, r.Errors, tests, fails, errs)
	}
	if bytes.Contains(b, []byte(` status=`)) {
		t.Errorf("the report carries a status attribute, which the schema does not have:\n%s", b)
	}
	return r
}

// TestJUnit_EveryOutcome: passed, failed (a rule broken), errored (no rule
// named), skipped, and passed with lint warnings each give a test case the
// schema accepts, and the counts add up.
func TestJUnit_EveryOutcome(t *testing.T) {
	capture, _ := ruleByID("R-CAPTURE-ONCE")
	amount, _ := ruleByID("R-AMOUNT-STRING")
	results := []ScenarioResult{
		{Feature: "Checkout", Name: "passes", Status: Passed, Steps: []StepResult{{Keyword: "Given ", Text: "a", Status: Passed}}},
		{Feature: "Checkout", Name: "breaks a rule", Status: Failed, Duration: 1500 * time.Millisecond, Steps: []StepResult{
			{Keyword: "Then ", Text: "the merchant captured 100.00 exactly once", Status: Failed, Finding: &Finding{Rule: capture, Instead: "two captures <&>"}},
			{Keyword: "And ", Text: "the order is paid", Status: Skipped}}},
		{Feature: "Capture", Name: "errs", Status: Failed, Steps: []StepResult{
			{Keyword: "Given ", Text: "nonsense", Status: Undefined, Finding: &Finding{Instead: "no step reads it"}}}},
		{Feature: "Capture", Name: "is skipped", Status: Skipped, Steps: []StepResult{
			{Keyword: "Then ", Text: "the order is paid", Status: Skipped, Finding: &Finding{Instead: "the adapter cannot read orders"}}}},
		{Feature: "Capture", Name: "passes with lint", Status: Passed, Lint: []LintFinding{{Rule: amount, Request: "POST /api/v2/checkout", Message: "a number"}}},
	}
	path := filepath.Join(t.TempDir(), "junit.xml")
	if err := writeJUnit(path, results, nil); err != nil {
		t.Fatal(err)
	}
	r := validateJUnit(t, path)
	if r.Tests != 5 || r.Fails != 1 || r.Errors != 1 || len(r.Suites) != 2 || r.Suites[1].Skipped != 1 {
		t.Fatalf("report %+v", r)
	}
	if f := r.Suites[0].Cases[1].Failure; f == nil || f.Type != "R-CAPTURE-ONCE" || !strings.Contains(f.Message, "instead two captures <&>") {
		t.Fatalf("the failure does not name the rule and what the merchant did: %+v", f)
	}
	if out := r.Suites[1].Cases[2].SystemOut; !strings.Contains(out, "R-AMOUNT-STRING") {
		t.Fatalf("the lint warning is not in system-out: %q", out)
	}
}

// TestJUnit_RunAgainstADefect: a real run's report validates, each failed
// scenario naming the rule it broke.
func TestJUnit_RunAgainstADefect(t *testing.T) {
	path := filepath.Join(t.TempDir(), "junit.xml")
	res, err := Run(context.Background(), Options{Target: &Reference{Defect: "captures-twice"}, Tags: "@capture", JUnit: path, Concurrency: 16})
	if err != nil || res.Passed {
		t.Fatalf("passed %v, err %v", res.Passed, err)
	}
	r := validateJUnit(t, path)
	if r.Fails == 0 || r.Tests != len(res.Scenarios) {
		t.Fatalf("%d tests, %d failures for %d scenarios", r.Tests, r.Fails, len(res.Scenarios))
	}
}

// TestJUnit_TargetNeverCameUp: a target whose service never answers still
// leaves a JUnit file, with one errored test case saying why, and a
// readiness report saying the same.
func TestJUnit_TargetNeverCameUp(t *testing.T) {
	a, err := ParseAdapter([]byte(`{"base_url": "http://127.0.0.1:{{.Port}}", "command": "exit 3",
		"checkout": {"path": "/c", "redirect_url": "u", "order_ref": "o"}}`))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	junit, report := filepath.Join(dir, "junit.xml"), filepath.Join(dir, "readiness.md")
	_, err = Run(context.Background(), Options{Target: &External{Adapter: a}, JUnit: junit, Report: report})
	if err == nil || !strings.Contains(err.Error(), "exited before") {
		t.Fatalf("err %v, want the command's exit", err)
	}
	r := validateJUnit(t, junit)
	if r.Tests != 1 || r.Errors != 1 || !strings.Contains(r.Suites[0].Cases[0].Error.Message, "exited before") {
		t.Fatalf("report %+v", r)
	}
	b, _ := os.ReadFile(report)
	if !strings.Contains(string(b), "The run could not check anything:") {
		t.Fatalf("the readiness report does not say the run failed:\n%s", b)
	}
}

// checklistItems counts the items of the checklists the report covers:
// Onerway's Technical Integration Checklist (30 items, Testing Validation
// among them) and Tabby's 8 steps.
func TestReadiness_EveryItemHasAStatus(t *testing.T) {
	n := 0
	for _, c := range checklists {
		for _, s := range c.sections {
			n += len(s.items)
			for _, it := range s.items {
				for _, id := range it.rules {
					if _, ok := ruleByID(id); !ok {
						t.Errorf("item %q needs %s, which RULES.md does not have", it.says, id)
					}
				}
				if (it.unobservable == "") == (len(it.rules)+len(it.tags)+len(it.steps) == 0) {
					t.Errorf("item %q must either be verifiable by scenarios or say why a harness cannot observe it", it.says)
				}
			}
		}
	}
	if n != 30+8 {
		t.Fatalf("the checklists have %d items, want 38", n)
	}
	dir := t.TempDir()
	md, html := filepath.Join(dir, "readiness.md"), filepath.Join(dir, "readiness.html")
	res, err := Run(context.Background(), Options{Target: &Reference{Defect: "captures-twice"}, Report: md, Concurrency: 16})
	if err != nil || res.Passed {
		t.Fatalf("passed %v, err %v", res.Passed, err)
	}
	if err := writeReadiness(html, Options{Target: &Reference{Defect: "captures-twice"}}, res, nil); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(md)
	if err != nil {
		t.Fatal(err)
	}
	report := string(b)
	row := func(item string) (status, evidence string) {
		t.Helper()
		m := regexp.MustCompile(`(?m)^\| ` + regexp.QuoteMeta(mdCell(item)) + ` \| ([^|]+) \| (.*) \|$`).FindStringSubmatch(report)
		if m == nil {
			t.Fatalf("no row for %q in the report:\n%s", item, report)
		}
		return m[1], m[2]
	}
	for _, c := range checklists {
		for _, s := range c.sections {
			for _, it := range s.items {
				status, evidence := row(it.says)
				switch status {
				case statusVerified, statusFailed, statusNotRun, statusNotObservable:
				default:
					t.Errorf("%q: status %q", it.says, status)
				}
				if evidence == "" {
					t.Errorf("%q (%s) says nothing of why", it.says, status)
				}
			}
		}
	}
	for item, want := range map[string]string{
		"Successful payment scenario tested":             statusFailed,
		"Request signature generation working correctly": statusVerified,
		"TLS 1.2 or higher enabled":                      statusNotObservable,
		"Webhook delivery tested":                        statusFailed,
		"Timeout scenario tested":                        statusVerified,
		"Failed payment scenario tested":                 statusVerified,
	} {
		if status, evidence := row(item); status != want {
			t.Errorf("%q is %s (%s), want %s", item, status, evidence, want)
		}
	}
	if _, evidence := row("Successful payment scenario tested"); !strings.Contains(evidence, "R-CAPTURE-ONCE") || !strings.Contains(evidence, "https://docs.tabby.ai/") {
		t.Errorf("the failed item does not name the rule and its page: %s", evidence)
	}
	if m := internalNames.FindString(report); m != "" {
		t.Errorf("the report names %q, which a merchant cannot read", m)
	}
	h, _ := os.ReadFile(html)
	if !bytes.Contains(h, []byte(`<td class="failed">failed</td>`)) || !bytes.Contains(h, []byte("Successful payment scenario tested")) {
		t.Errorf("the HTML report lacks the failed item:\n%s", h)
	}
}

// numericAmounts is a reference merchant whose calls to Tabby pass through
// a proxy that sends the session's amount as a JSON number, as Tabby's
// Android SDK does.
type numericAmounts struct{ Reference }

func (n *numericAmounts) Open(ctx context.Context, env *Env) (*simctl.Merchant, *Adapter, func(), error) {
	m, err := env.Control.CreateMerchant(ctx, simctl.CreateMerchantRequest{Clock: "manual"})
	if err != nil {
		return nil, nil, nil, err
	}
	sim, _ := url.Parse(env.SimURL)
	proxy := httputil.NewSingleHostReverseProxy(sim)
	proxy.Director = func(r *http.Request) {
		r.URL.Scheme, r.URL.Host, r.Host = sim.Scheme, sim.Host, sim.Host
		if r.Method != http.MethodPost || r.URL.Path != "/api/v2/checkout" {
			return
		}
		var body map[string]any
		b, _ := io.ReadAll(r.Body)
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if dec.Decode(&body) == nil {
			if p, ok := body["payment"].(map[string]any); ok {
				p["amount"] = json.Number(p["amount"].(string))
			}
			b, _ = json.Marshal(body)
		}
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	}
	srv := httptest.NewServer(proxy)
	runCtx, cancel := context.WithCancel(context.Background())
	u, stop, err := merchant.Serve(runCtx, merchant.Config{TabbyURL: srv.URL, SecretKey: m.Tabby.SecretKey, MerchantCodes: shopCodes(m)}, "127.0.0.1:0")
	if err != nil {
		cancel()
		srv.Close()
		return nil, nil, nil, err
	}
	return m, ReferenceAdapter(u).forMerchant(shopCodes(m)), func() { stop(); cancel(); srv.Close() }, nil
}

// TestLint_FailsConformUnlessLenient: a request Tabby accepts although its
// contract does not allow it fails the scenario with the rule it broke;
// --lenient reports it as a warning and the scenario passes.
func TestLint_FailsConformUnlessLenient(t *testing.T) {
	features := fstest.MapFS{"one.feature": {Data: []byte(`@tabby
Feature: One checkout
  Scenario: A checkout
    Given the customer checks out 100.00 AED
    When the customer pays on the hosted page
    And webhooks are delivered
    Then the merchant captured 100.00 exactly once
`)}}
	for _, lenient := range []bool{false, true} {
		var out bytes.Buffer
		junit := filepath.Join(t.TempDir(), "junit.xml")
		res, err := Run(context.Background(), Options{Target: &numericAmounts{}, Features: features, Output: &out, Lenient: lenient, JUnit: junit})
		if err != nil {
			t.Fatal(err)
		}
		report := out.String()
		if !strings.Contains(report, "R-AMOUNT-STRING: send amounts as JSON strings") || !strings.Contains(report, "request POST /api/v2/checkout") ||
			!strings.Contains(report, "payment.amount was sent as the JSON number 100.00") {
			t.Fatalf("lenient %v: the report does not name the lint rule and the request:\n%s", lenient, report)
		}
		switch {
		case !lenient && (res.Passed || !strings.Contains(report, "FAIL  One checkout › A checkout") || !strings.Contains(report, "  broke    R-AMOUNT-STRING")):
			t.Fatalf("strict: the scenario did not fail with the lint rule:\n%s", report)
		case lenient && (!res.Passed || !strings.Contains(report, "(1 lint warning)") || !strings.Contains(report, "  warning  R-AMOUNT-STRING")):
			t.Fatalf("lenient: the scenario did not pass with a warning:\n%s", report)
		}
		validateJUnit(t, junit)
	}
}

// TestOwnFeatures: a merchant's own feature file runs with the shipped
// steps, and a step the vocabulary does not have fails, naming
// --list-steps.
func TestOwnFeatures(t *testing.T) {
	features := fstest.MapFS{"shop/refunds.feature": {Data: []byte(`@tabby
Feature: Our refunds
  Scenario: A customer returns one of two items
    Given the customer checks out 200.00 SAR
    And the customer pays on the hosted page
    And webhooks are delivered
    When the merchant refunds 50.00
    Then the payment has refunds totalling 50.00
    And the order is partially_refunded

  Scenario: A step we invented
    Given the customer checks out 100.00 AED
    Then the moon is full
`)}}
	var out bytes.Buffer
	res, err := Run(context.Background(), Options{Features: features, Output: &out})
	if err != nil {
		t.Fatal(err)
	}
	report := out.String()
	if !strings.Contains(report, "ok    Our refunds › A customer returns one of two items\n") ||
		!strings.Contains(report, "FAIL  Our refunds › A step we invented\n        Then the moon is full\n") ||
		!strings.Contains(report, "--list-steps") || res.Passed {
		t.Fatalf("report:\n%s", report)
	}
}
