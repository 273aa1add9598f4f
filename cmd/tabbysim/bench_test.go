package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestBench_QuickWritesEveryCase runs `tabbysim bench --quick` and checks
// that the table it writes has every case at every number of connections
// and every other measure. It checks no timing: those are noise here.
func TestBench_QuickWritesEveryCase(t *testing.T) {
	bin := buildTabbysim(t)
	out := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	// What a person wrote beside the generated part stays.
	if err := os.WriteFile(out, []byte("# Benchmarks\n\n## Findings\n\nwritten by hand\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"bench", "--quick", "--binary", bin, "--out", out}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("bench --quick: exit %d\n%s\n%s", code, stderr.String(), stdout.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	if !strings.Contains(md, "## Findings\n\nwritten by hand\n") {
		t.Errorf("the hand-written part was not kept:\n%s", md)
	}
	for _, want := range []string{
		"- Machine: ", " cores, ", "go1.", "- Load average over the minute before the run: ", "Command: `tabbysim bench --quick", "in-process Go generator",
		"| live heap per stored payment", "| start-up of `tabbysim serve`", "| whole conformance suite",
		"### Targets", "### Unexpected answers from the simulator\n\nNone.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the report lacks %q:\n%s", want, md)
		}
	}
	for _, title := range []string{
		"create checkout session (Postman body)", "retrieve payment", "list payments, 100 stored (limit 20)",
		"list payments, 300 stored (limit 20)", "capture (a fresh authorized payment each)",
		"whole payment: create, approve, capture, webhook",
	} {
		for _, conns := range []string{"1", "16", "64"} {
			row := regexp.MustCompile(`(?m)^\| ` + regexp.QuoteMeta(title) + ` \| ` + conns + ` \| .*\| (not measured \(no jar\)|not measured \(static stubs send no webhooks\)) \|`)
			if !row.MatchString(md) {
				t.Errorf("no row for %q at %s connections, with WireMock not measured:\n%s", title, conns, md)
			}
		}
	}
	if !regexp.MustCompile(`(?m)^\| Onerway signed doTransaction \(Tabby\) \| `).MatchString(md) {
		t.Errorf("no row for the Onerway doTransaction:\n%s", md)
	}
	for _, title := range []string{"create checkout session (Postman body)", "retrieve payment"} {
		if n := strings.Count(md, "| "+title+" |"); n != 6 {
			t.Errorf("%q has %d rows, want 3 under throughput and 3 under --data", title, n)
		}
	}
	if !strings.Contains(stdout.String(), "## Results") {
		t.Errorf("the table was not printed:\n%s", stdout.String())
	}
}
