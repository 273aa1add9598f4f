package onerway

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"time"

	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/webhook"
)

// webhookProvider names Onerway's deliveries and their policy.
const webhookProvider = "onerway"

// WebhookPolicy is how Onerway delivers notifications: 3 tries, 30 minutes
// apart, with a 30 s timeout, a delivery counting as received only when the
// answer is 200 and its body carries the transactionId, as the plain value
// or inside JSON (seed 001, onerway-api.md §5). A forged notification
// carries a wrong sign, or none.
var WebhookPolicy = webhook.Policy{
	Provider: webhookProvider,
	Attempts: 3,
	Backoff:  []time.Duration{30 * time.Minute, 30 * time.Minute},
	Timeout:  30 * time.Second,
	Accepts: func(status int, body []byte, d *webhook.Delivery) bool {
		return status == 200 && acksTransaction(body, d.AckToken)
	},
	Forge: forgeSign,
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

// forgerKey signs forged notifications: a key no merchant is given, so the
// sign has the right form and does not verify.
const forgerKey = "tabbysim-forger"

// forgeSign gives a notification a wrong sign ("wrong") or none
// ("missing"), every other field left as it was sent.
func forgeSign(d *webhook.Delivery, how string) {
	sign, note := "", "forged: sent without a sign"
	if how != "missing" {
		f, err := ow.ParseFields([]byte(d.Body))
		if err != nil {
			d.Chaos = append(d.Chaos, notForged)
			return
		}
		sign, note = f.Sign(ow.KindWebhook, forgerKey), "forged: sent with a wrong sign"
	}
	body, err := withSign(d.Body, sign)
	if err != nil {
		d.Chaos = append(d.Chaos, notForged)
		return
	}
	d.Body = body
	d.Chaos = append(d.Chaos, note)
}

const notForged = "forge: the body is not a JSON object, so no sign was forged"

var errNotObject = errors.New("not a JSON object")

// withSign is body, a JSON object, with its sign member set to sign, or
// taken out when sign is "". The other members keep their place and their
// text; a sign the body lacked goes last.
func withSign(body, sign string) (string, error) {
	dec := json.NewDecoder(strings.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", errNotObject
	}
	var b strings.Builder
	member := func(name string, value []byte) {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		n, _ := json.Marshal(name) // a string always encodes
		b.Write(n)
		b.WriteByte(':')
		b.Write(value)
	}
	quoted, _ := json.Marshal(sign)
	signed := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", errNotObject
		}
		name, _ := tok.(string) // inside an object, the decoder yields names here
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return "", errNotObject
		}
		if name == "sign" {
			if signed = true; sign == "" {
				continue
			}
			v = quoted
		}
		member(name, v)
	}
	if _, err := dec.Token(); err != nil {
		return "", errNotObject
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", errNotObject
	}
	if !signed && sign != "" {
		member("sign", quoted)
	}
	return "{" + b.String() + "}", nil
}
