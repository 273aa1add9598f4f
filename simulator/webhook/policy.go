// Package webhook delivers the providers' webhooks: a durable outbox written
// in the same step as the change that caused each event, attempts on the
// merchant's clock with each provider's retry policy, a log of every
// attempt, and failure injection (duplicates, reordering, drops, delays and
// forged headers).
package webhook

import (
	"bytes"
	"encoding/json"
	"time"
)

// Policy is how one provider delivers: how often it tries, how long it
// waits for an answer and between tries, and what answer counts as
// received.
type Policy struct {
	Provider string
	// Attempts is the number of tries in all, the first one included.
	Attempts int
	// Backoff[i] is the wait before try i+2.
	Backoff []time.Duration
	// Timeout bounds one try.
	Timeout time.Duration
	// Accepts reports whether the receiver's answer acknowledges d.
	Accepts func(status int, body []byte, d *Delivery) bool
}

// Tabby retries a webhook 4 more times, 1, 2, 4 and 4 minutes apart, after
// 60 s without an answer or any answer but 200 (tabby-api.md §6.2).
var Tabby = Policy{
	Provider: "tabby",
	Attempts: 5,
	Backoff:  []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 4 * time.Minute},
	Timeout:  60 * time.Second,
	Accepts:  func(status int, _ []byte, _ *Delivery) bool { return status == 200 },
}

// Onerway tries 3 times, 30 minutes apart, with a 30 s timeout, and counts a
// delivery received only when the answer is 200 and its body carries the
// transactionId, as the plain value or inside JSON (seed 001, onerway-api.md
// §5).
var Onerway = Policy{
	Provider: "onerway",
	Attempts: 3,
	Backoff:  []time.Duration{30 * time.Minute, 30 * time.Minute},
	Timeout:  30 * time.Second,
	Accepts: func(status int, body []byte, d *Delivery) bool {
		return status == 200 && acksTransaction(body, d.AckToken)
	},
}

// acksTransaction reports whether body acknowledges transaction id: the body
// is the id itself, unquoted (onerway-api.md §5), or a JSON object whose
// transactionId is the id (seed 001). Merely containing the id is not
// enough: "tx1234" or "unknown transaction tx123" do not acknowledge tx123.
func acksTransaction(body []byte, id string) bool {
	if id == "" {
		return false
	}
	b := bytes.TrimSpace(body)
	if string(b) == id {
		return true
	}
	if len(b) == 0 || b[0] != '{' {
		return false
	}
	var ack map[string]json.RawMessage // exact key: encoding/json would also match "TransactionID"
	if json.Unmarshal(b, &ack) != nil {
		return false
	}
	v, ok := ack["transactionId"]
	if !ok {
		return false
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s == id
	}
	// A numeric id, compared digit for digit (ids exceed float64 precision).
	return string(v) == id
}

// wait is how long after try n (1-based) the next try comes.
func (p Policy) wait(n int) time.Duration {
	if n-1 < len(p.Backoff) {
		return p.Backoff[n-1]
	}
	return p.Backoff[len(p.Backoff)-1]
}
