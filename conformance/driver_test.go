package conformance

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tabbysim/tabbysim/client/simctl"
)

// TestRun_ScenarioNeedsOneProviderTag: the provider tag chooses the
// driver; a scenario without one fails, saying which tags there are.
func TestRun_ScenarioNeedsOneProviderTag(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{"untagged.feature": {Data: []byte(`Feature: No provider
  Scenario: A checkout nobody can drive
    Given the customer checks out 100.00 AED
`)}}
	var out bytes.Buffer
	res, err := Run(context.Background(), Options{Features: fsys, Output: &out})
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed || !strings.Contains(out.String(), "exactly one provider tag (@onerway, @tabby)") {
		t.Fatalf("a scenario without a provider tag: passed %v\n%s", res.Passed, out.String())
	}
}

// TestRun_AmountsFollowTheCurrency: a step's amount has at most the
// currency's decimals, three for KWD and two for the others.
func TestRun_AmountsFollowTheCurrency(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{"amounts.feature": {Data: []byte(`@tabby
Feature: Amounts
  Scenario: Three decimals in dinars
    Given the customer checks out 10.125 KWD
    Then the payment is CREATED

  Scenario: Three decimals in riyals
    Given the customer checks out 10.125 SAR
`)}}
	var out bytes.Buffer
	res, err := Run(context.Background(), Options{Features: fsys, Output: &out, Settle: syncSettle})
	if err != nil {
		t.Fatal(err)
	}
	failed := failures(out.String())
	if res.Passed || len(failed) != 1 || failed[0] != "Three decimals in riyals" ||
		!strings.Contains(out.String(), `"10.125" has more than 2 decimals, the most SAR allows`) {
		t.Fatalf("failed %q, want only the riyals, for their third decimal:\n%s", failed, out.String())
	}
}

func TestTabbyDriver_Operation(t *testing.T) {
	d := &tabbyDriver{}
	for _, c := range []struct{ method, path, op, payment string }{
		{http.MethodPost, "/api/v2/checkout", "checkout", ""},
		{http.MethodGet, "/api/v2/payments/p1", "retrieve", "p1"},
		{http.MethodGet, "/api/v1/payments/p1", "retrieve", "p1"},
		{http.MethodPost, "/api/v2/payments/p1/captures", "capture", "p1"},
		{http.MethodPost, "/api/v1/payments/p1/refunds", "refund", "p1"},
		{http.MethodPost, "/api/v2/payments/p1/close", "close", "p1"},
		{http.MethodPut, "/api/v2/payments/p1", "", ""},
		{http.MethodGet, "/api/v2/payments", "", ""},
		{http.MethodGet, "/api/v2/checkout/s1", "", ""},
		{http.MethodPost, "/api/v1/webhooks", "", ""},
		{http.MethodPost, "/hpp/s1/pay", "", ""},
	} {
		op, id := d.operation(simctl.JournalEntry{Method: c.method, Path: c.path})
		if op != c.op || id != c.payment {
			t.Errorf("%s %s is (%q, %q), want (%q, %q)", c.method, c.path, op, id, c.op, c.payment)
		}
	}
}
