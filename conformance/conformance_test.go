package conformance

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/tabbysim/tabbysim/client/merchant"
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
}

// TestDefectsAreCaught proves the suite can fail: each of the reference
// merchant's named defects makes the scenario written for it fail, and the
// failure says which rule was broken and what the merchant did instead.
func TestDefectsAreCaught(t *testing.T) {
	if len(merchant.Defects) != len(caughtBy) {
		t.Fatalf("the reference merchant has %d defects and %d are mapped to scenarios", len(merchant.Defects), len(caughtBy))
	}
	for _, d := range merchant.Defects {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			res, err := Run(context.Background(), Options{Target: &Reference{Defect: d.Name}, Output: &out, Concurrency: 4})
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

// TestExternalAdapter runs the reference merchant as a separate process,
// started by the adapter's command, and drives it through the adapter.
func TestExternalAdapter(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "tabbysim")
	build := exec.Command("go", "build", "-o", bin, "../cmd/tabbysim")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building tabbysim: %v\n%s", err, out)
	}
	merchantAddr, simAddr := freeAddr(t), freeAddr(t)
	adapter := strings.ReplaceAll(referenceAdapterJSON, "{{base_url}}", "http://"+merchantAddr)
	adapter = strings.Replace(adapter, `"name": "reference merchant",`, fmt.Sprintf(`"name": "reference merchant as a process",
  "ready_path": "/healthz",
  "command": ["sh", "-c", "exec %s merchant --addr %s --tabby-url \"$TABBYSIM_URL\" --secret-key \"$TABBY_SECRET_KEY\" --merchant-code \"$TABBY_MERCHANT_CODE\""],`, bin, merchantAddr), 1)
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
		Tags: "@redirect && ~@poll"})
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
