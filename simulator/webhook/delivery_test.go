package webhook_test

import (
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator/store/storetest"
	"github.com/tabbysim/tabbysim/simulator/webhook"
)

// The memory store keeps deliveries decoded: a copy of one shares nothing
// with it and is what its JSON decodes to.
func TestDelivery_CopyValue(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	next := at.Add(time.Minute)
	storetest.CheckValue(t, &webhook.Delivery{
		ID: "dlv_1_1", Merchant: "m1", Provider: "tabby", PaymentID: "p1", Event: "authorized",
		URL: "https://shop.example/hook", Headers: map[string]string{"X-Key": "v"}, AuthHeader: "X-Key",
		Body: `{"id":"p1"}`, AckToken: "t1", CreatedAt: at, Status: webhook.Pending,
		Chaos: []string{"delay"}, DuplicateOf: "dlv_1_0", ResendOf: "dlv_0_9", NextAttempt: &next,
		Attempts: []webhook.Attempt{{N: 1, At: at, URL: "https://shop.example/hook",
			RequestHeaders: map[string]string{"X-Key": "v"}, Status: 500, ResponseBody: "no",
			LatencyMS: 1.5, Error: "refused", Accepted: true, NextAttempt: &next}},
		Then: []string{"dlv_1_2"},
	})
}
