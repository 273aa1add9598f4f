package tabby

import (
	"time"

	"github.com/tabbysim/tabbysim/simulator/ids"
	"github.com/tabbysim/tabbysim/simulator/webhook"
)

// webhookProvider names Tabby's deliveries and their policy.
const webhookProvider = "tabby"

// WebhookPolicy is how Tabby delivers webhooks: 4 more tries, 1, 2, 4 and 4
// minutes apart, after 60 s without an answer or any answer but 200
// (tabby-api.md §6.2). A forged delivery carries a wrong registered header,
// its value drawn from ids, or none.
func WebhookPolicy(ids *ids.Source) webhook.Policy {
	return webhook.Policy{
		Provider: webhookProvider,
		Attempts: 5,
		Backoff:  []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 4 * time.Minute},
		Timeout:  60 * time.Second,
		Accepts:  func(status int, _ []byte, _ *webhook.Delivery) bool { return status == 200 },
		Forge:    func(d *webhook.Delivery, how string) { forgeHeader(d, how, ids) },
	}
}

// forgeHeader replaces ("wrong") or removes ("missing") the header the
// merchant registered to authenticate Tabby's webhooks.
func forgeHeader(d *webhook.Delivery, how string, ids *ids.Source) {
	switch {
	case d.AuthHeader == "":
		d.Chaos = append(d.Chaos, "forge: no authentication header is registered, so none was forged")
	case how == "missing":
		delete(d.Headers, d.AuthHeader)
		d.Chaos = append(d.Chaos, "forged: sent without the "+d.AuthHeader+" header")
	default:
		d.Headers[d.AuthHeader] = "forged-" + ids.Hex(8)
		d.Chaos = append(d.Chaos, "forged: sent with a wrong "+d.AuthHeader+" header")
	}
}
