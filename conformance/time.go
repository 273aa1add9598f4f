package conformance

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// Time steps: the scenario's clock, and the merchant's jobs that run with
// time.

// clockAdvances moves the merchant's clock by a span such as "26 minutes";
// every event due by then happens.
func (w *World) clockAdvances(ctx context.Context, span string) error {
	d, err := parseSpan(span)
	if err != nil {
		return err
	}
	_, err = w.env.Control.Advance(ctx, w.merchant.ID, d)
	w.acted()
	return err
}

// reconciles runs the merchant's job that retrieves the payments still
// open.
func (w *World) reconciles(ctx context.Context) error {
	a, err := w.action(ctx, "reconcile")
	if err == nil && a.Status >= 300 {
		err = fmt.Errorf("the merchant's reconcile action answered HTTP %d: %s", a.Status, cut(a.Body))
	}
	return err
}

// retrievedWhile checks the merchant retrieved the payment while it was
// status: CREATED at a first poll, AUTHORIZED at a later one, since
// polling goes on until the payment is final.
func (w *World) retrievedWhile(ctx context.Context, status string) error {
	if err := w.needPayment(); err != nil {
		return err
	}
	return w.eventually(ctx, func(ctx context.Context) error {
		calls, err := w.apiCalls(ctx, "retrieve")
		if err != nil {
			return err
		}
		var found []string
		for _, c := range calls {
			if c.Status != http.StatusOK {
				continue
			}
			got := gjson.Get(c.ResponseBody, "status").String()
			if got == status {
				return nil
			}
			found = append(found, got)
		}
		return broke("R-POLL-UNTIL-TERMINAL", "poll open payments until AUTHORIZED, REJECTED or EXPIRED",
			"the merchant retrieved the payment %d time(s), never while it was %s (found: %s)", len(found), status, strings.Join(found, ", "))
	})
}

var spanRe = regexp.MustCompile(`^(\d+) (second|minute|hour|day)s?$`)

// parseSpan reads "26 minutes", "2 hours" or "21 days".
func parseSpan(s string) (time.Duration, error) {
	m := spanRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("cannot read the duration %q: write it like \"26 minutes\" or \"21 days\"", s)
	}
	n, _ := strconv.Atoi(m[1])
	unit := map[string]time.Duration{"second": time.Second, "minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}[m[2]]
	return time.Duration(n) * unit, nil
}
