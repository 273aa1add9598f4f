package onerway_test

// Onerway's delivery policy, run by the webhook engine on its own
// (webhooktest) against a receiver on loopback.

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/onerway"
	"github.com/tabbysim/tabbysim/simulator/tenant"
	"github.com/tabbysim/tabbysim/simulator/webhook"
	"github.com/tabbysim/tabbysim/simulator/webhook/webhooktest"
)

// notification is an Onerway notification of transaction tx123 as an
// Onerway delivery.
func notification(url, body string) webhook.Delivery {
	return webhook.Delivery{Provider: onerway.WebhookPolicy.Provider, PaymentID: "p1", Event: "TXN", URL: url,
		Body: body, AckToken: "tx123", Headers: map[string]string{"Content-Type": "application/json"}}
}

// TestWebhooks_Acknowledgement: Onerway counts a webhook received only on
// HTTP 200 whose body is the transactionId, plain or as the transactionId
// of a JSON object (seed 001; onerway-api.md §5). It tries 3 times, 30
// minutes apart.
func TestWebhooks_Acknowledgement(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		answer    webhooktest.Answer
		delivered bool
	}{
		{"plain id", webhooktest.Answer{Status: 200, Body: "tx123"}, true},
		{"plain id with a newline", webhooktest.Answer{Status: 200, Body: "tx123\n"}, true},
		{"JSON transactionId", webhooktest.Answer{Status: 200, Body: `{"transactionId":"tx123"}`}, true},
		{"JSON transactionId among other fields", webhooktest.Answer{Status: 200, Body: `{"ok":true, "transactionId": "tx123"}`}, true},
		{"200 without the id", webhooktest.Answer{Status: 200, Body: `{"ok":true}`}, false},
		{"200 with an empty body", webhooktest.Answer{Status: 200}, false},
		{"200 with another id that contains it", webhooktest.Answer{Status: 200, Body: "tx1234"}, false},
		{"200 with another transactionId that contains it", webhooktest.Answer{Status: 200, Body: `{"transactionId":"tx1234"}`}, false},
		{"200 naming the id in an error", webhooktest.Answer{Status: 200, Body: `{"error":"unknown transaction tx123"}`}, false},
		{"500 with the id", webhooktest.Answer{Status: 500, Body: "tx123"}, false},
		{"201 with the id", webhooktest.Answer{Status: 201, Body: "tx123"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			x := webhooktest.New(t, 0, onerway.WebhookPolicy)
			m := x.Merchant(t, "m1", tenant.WebhookSettings{})
			recv := webhooktest.NewReceiver(t)
			recv.Default = tc.answer
			x.Enqueue(t, m, notification(recv.URL, `{"notifyType":"TXN","transactionId":"tx123","status":"S"}`))
			x.Advance(t, m, 0)
			if tc.delivered {
				x.Advance(t, m, 24*time.Hour)
				d := x.Only(t, m, "p1")
				if d.Status != webhook.Delivered || len(d.Attempts) != 1 || !d.Attempts[0].Accepted || recv.Count() != 1 {
					t.Fatalf("status %s, %d attempts, %d requests: want delivered on the first try", d.Status, len(d.Attempts), recv.Count())
				}
				return
			}
			steps := []struct {
				by   time.Duration
				want int
			}{{29*time.Minute + 59*time.Second, 1}, {time.Second, 2}, {29*time.Minute + 59*time.Second, 2}, {time.Second, 3}, {24 * time.Hour, 3}}
			for _, s := range steps {
				x.Advance(t, m, s.by)
				if got := recv.Count(); got != s.want {
					t.Fatalf("after advancing %s more: %d tries, want %d", s.by, got, s.want)
				}
			}
			d := x.Only(t, m, "p1")
			if d.Status != webhook.Failed || len(d.Attempts) != 3 {
				t.Fatalf("status %s with %d attempts, want failed after 3", d.Status, len(d.Attempts))
			}
			for i, a := range d.Attempts {
				if want := webhooktest.T0.Add(time.Duration(i) * 30 * time.Minute); !a.At.Equal(want) || a.Accepted {
					t.Errorf("attempt %d at %s accepted %v, want at %s not accepted", a.N, a.At, a.Accepted, want)
				}
			}
		})
	}
}

// members lists a JSON object's member names in order, with their values.
func members(t *testing.T, body []byte) ([]string, map[string]json.RawMessage) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(body)))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %s", body)
	}
	var names []string
	vals := map[string]json.RawMessage{}
	for dec.More() {
		tok, _ := dec.Token()
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		names = append(names, tok.(string))
		vals[tok.(string)] = v
	}
	return names, vals
}

// TestWebhooks_Forged: a forged Onerway notification carries a sign that
// does not verify under the merchant's key ("wrong"), or no sign at all
// ("missing"); every other field arrives as the gateway sent it, in its
// place, and the headers are untouched (onerway-api.md §2.3).
func TestWebhooks_Forged(t *testing.T) {
	t.Parallel()
	const secret = "merchant-secret"
	body := string(ow.SignedWebhook(map[string]string{
		"notifyType": "TXN", "txnType": "SALE", "transactionId": "tx123", "merchantTxnId": "order-1",
		"orderAmount": "100.00", "orderCurrency": "SAR", "status": "S",
		"reason": `{"respCode":"20000","respMsg":"Success"}`, "paymentMethod": "TABBY",
	}, secret))
	if err := ow.VerifyWebhook([]byte(body), secret); err != nil {
		t.Fatalf("the authentic notification does not verify: %v", err)
	}
	sentNames, sentVals := members(t, []byte(body))
	tests := []struct {
		forge, chaos string
		err          error
	}{
		{"wrong", "forged: sent with a wrong sign", ow.ErrInvalidSignature},
		{"missing", "forged: sent without a sign", ow.ErrNoSignature},
	}
	for _, tc := range tests {
		t.Run(tc.forge, func(t *testing.T) {
			t.Parallel()
			x := webhooktest.New(t, 0, onerway.WebhookPolicy)
			m := x.Merchant(t, "m1", tenant.WebhookSettings{Forge: tc.forge})
			recv := webhooktest.NewReceiver(t, webhooktest.Answer{Status: 200, Body: "tx123"})
			x.Enqueue(t, m, notification(recv.URL, body))
			x.Advance(t, m, 0)
			hs := recv.All()
			if len(hs) != 1 {
				t.Fatalf("%d requests, want 1", len(hs))
			}
			if err := ow.VerifyWebhook(hs[0].Body, secret); !errors.Is(err, tc.err) {
				t.Errorf("verifying the forged notification: %v, want %v\n%s", err, tc.err, hs[0].Body)
			}
			names, vals := members(t, hs[0].Body)
			var want []string
			for _, n := range sentNames {
				if n != "sign" || tc.forge == "wrong" {
					want = append(want, n)
				}
			}
			if strings.Join(names, ",") != strings.Join(want, ",") {
				t.Errorf("fields %v, want %v", names, want)
			}
			for _, n := range names {
				if n != "sign" && string(vals[n]) != string(sentVals[n]) {
					t.Errorf("%s = %s, sent as %s", n, vals[n], sentVals[n])
				}
			}
			if ct := hs[0].Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			d := x.Only(t, m, "p1")
			if len(d.Chaos) != 1 || d.Chaos[0] != tc.chaos || d.Status != webhook.Delivered {
				t.Errorf("delivery %s with chaos %q, want delivered with %q", d.Status, d.Chaos, tc.chaos)
			}
		})
	}
}

// TestWebhooks_ForgedWithoutAJSONBody: a body that is not a JSON object
// has no sign to forge; it goes as it is, and the delivery says why.
func TestWebhooks_ForgedWithoutAJSONBody(t *testing.T) {
	t.Parallel()
	x := webhooktest.New(t, 0, onerway.WebhookPolicy)
	m := x.Merchant(t, "m1", tenant.WebhookSettings{Forge: "wrong"})
	recv := webhooktest.NewReceiver(t)
	x.Enqueue(t, m, notification(recv.URL, "transactionId=tx123"))
	x.Advance(t, m, 0)
	if hs := recv.All(); len(hs) != 1 || string(hs[0].Body) != "transactionId=tx123" {
		t.Fatalf("requests %v, want the body as it was", hs)
	}
	if d := x.Only(t, m, "p1"); len(d.Chaos) != 1 || !strings.HasPrefix(d.Chaos[0], "forge: the body is not a JSON object") {
		t.Errorf("chaos %q", d.Chaos)
	}
}
