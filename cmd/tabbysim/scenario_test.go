package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/simulator"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const slowReads = `{"name": "slow-reads", "description": "Payment reads fail.",
  "faults": [{"name": "reads", "match": {"operation": "tabby.get_payment"}, "action": {"kind": "status", "status": 503}}]}`

// TestScenarioValidate: a good file is reported valid; a bad one is refused
// with the file, the field and what is wrong, exit 1; every shipped
// scenario is valid.
func TestScenarioValidate(t *testing.T) {
	good := writeFile(t, "good.json", slowReads)
	bad := writeFile(t, "bad.json", strings.Replace(slowReads, `"status": 503`, `"status": 42`, 1))
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"scenario", "validate", good}, &out, &errOut); code != 0 ||
		out.String() != good+": scenario slow-reads is valid (1 fault rules)\n" {
		t.Fatalf("a good file: exit %d, %q %q", code, out.String(), errOut.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"scenario", "validate", good, bad}, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), bad+": faults[0].action.status: 42: give an HTTP status from 200 to 599") {
		t.Fatalf("a bad file: exit %d, %q", code, errOut.String())
	}
	shipped, err := filepath.Glob("../../scenarios/*.json")
	if err != nil || len(shipped) == 0 {
		t.Fatal(shipped, err)
	}
	errOut.Reset()
	if code := run(context.Background(), append([]string{"scenario", "validate"}, shipped...), io.Discard, &errOut); code != 0 {
		t.Fatalf("the shipped scenarios: exit %d, %s", code, errOut.String())
	}
	if code := run(context.Background(), []string{"scenario", "validate"}, io.Discard, &errOut); code != 2 {
		t.Fatalf("validate without a file: exit %d, want 2", code)
	}
}

// TestServe_Scenarios: --scenario applies named and file scenarios to the
// default merchant before the server says it is ready; a restart on the
// same data file applies them again without doubling their rules.
func TestServe_Scenarios(t *testing.T) {
	data := filepath.Join(t.TempDir(), "state.db")
	file := writeFile(t, "slow-reads.json", slowReads)
	for range 2 {
		base, stop := startServe(t, "--clock", "manual", "--data", data, "--scenario", "rate-limiting", "--scenario", file)
		resp, err := http.Get(base + "/_sim/v1/faults?merchant=" + simulator.DefaultMerchantID)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var scenarios []string
		for _, r := range gjson.GetBytes(b, "faults").Array() {
			scenarios = append(scenarios, r.Get("scenario").String()+"/"+r.Get("name").String())
		}
		if strings.Join(scenarios, " ") != "rate-limiting/checkout-429 slow-reads/reads" {
			t.Fatalf("the default merchant's rules: %v", scenarios)
		}
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v2/checkout", strings.NewReader(`{}`))
		req.Header.Set("Authorization", "Bearer "+simulator.DefaultSecretKey)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("the first checkout: %d, want 429", res.StatusCode)
		}
		stop()
	}
}

// TestServe_BadScenario: serve refuses an unknown scenario or a bad file
// before it listens, with exit 2 and the file, the field and what is wrong.
func TestServe_BadScenario(t *testing.T) {
	bad := writeFile(t, "bad.json", strings.Replace(slowReads, `"faults"`, `"fautls"`, 1))
	for arg, want := range map[string]string{
		"nope": `no scenario "nope"`,
		bad:    bad + ": fautls: unknown field",
	} {
		var out, errOut syncBuffer
		code := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0", "--scenario", arg}, &out, &errOut)
		if code != 2 || !strings.Contains(errOut.String(), want) || strings.Contains(out.String(), "listening") {
			t.Errorf("--scenario %s: exit %d, stdout %q, stderr %q; want 2 and %q", arg, code, out.String(), errOut.String(), want)
		}
	}
}
