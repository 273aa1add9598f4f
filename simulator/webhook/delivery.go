package webhook

import (
	"maps"
	"slices"
	"time"

	"github.com/tabbysim/tabbysim/simulator/store"
)

// Status is where a delivery stands.
type Status string

// Delivery statuses.
const (
	// Pending awaits its next try.
	Pending Status = "pending"
	// Held is kept back by failure injection until the next event of the
	// same payment has gone out, so the two arrive out of order.
	Held Status = "held"
	// Delivered was acknowledged by the receiver.
	Delivered Status = "delivered"
	// Failed got no acknowledgement in all the tries the policy allows.
	Failed Status = "failed"
	// Dropped was lost on the way by failure injection: the receiver never
	// saw it.
	Dropped Status = "dropped"
)

// Delivery is one webhook on its way to one endpoint.
type Delivery struct {
	ID        string `json:"id"`
	Merchant  string `json:"merchant"`
	Provider  string `json:"provider"`
	PaymentID string `json:"payment_id"`
	// Event names what happened, in the provider's terms.
	Event string `json:"event"`
	URL   string `json:"url"`
	// Headers go with every try.
	Headers map[string]string `json:"headers"`
	// AuthHeader names the header that authenticates the sender, for a
	// provider that authenticates with a header (Tabby's registered
	// header): its policy's Forge replaces or removes it.
	AuthHeader string `json:"auth_header,omitempty"`
	Body       string `json:"body"`
	// AckToken is what the answer must carry, for a policy that asks for
	// one (Onerway's transactionId).
	AckToken  string    `json:"ack_token,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Status    Status    `json:"status"`
	// Chaos lists what failure injection did to this delivery.
	Chaos       []string   `json:"chaos,omitempty"`
	DuplicateOf string     `json:"duplicate_of,omitempty"`
	ResendOf    string     `json:"resend_of,omitempty"`
	NextAttempt *time.Time `json:"next_attempt_at,omitempty"`
	Attempts    []Attempt  `json:"attempts"`
	// Then are deliveries whose first try comes right after this one's, so
	// a payment's events reach an endpoint in the order they happened.
	Then []string `json:"then,omitempty"`
}

// Attempt is one try.
type Attempt struct {
	N              int               `json:"n"`
	At             time.Time         `json:"at"`
	URL            string            `json:"url"`
	RequestHeaders map[string]string `json:"request_headers"`
	Status         int               `json:"status,omitempty"`
	ResponseBody   string            `json:"response_body,omitempty"`
	LatencyMS      float64           `json:"latency_ms"`
	Error          string            `json:"error,omitempty"`
	Accepted       bool              `json:"accepted"`
	NextAttempt    *time.Time        `json:"next_attempt_at,omitempty"`
}

// CopyValue implements store.Value: the memory store keeps deliveries
// decoded, so that an enqueue and a try, written under the store's lock,
// encode and decode nothing there.
func (d *Delivery) CopyValue() store.Value {
	c := *d
	c.Headers = maps.Clone(d.Headers)
	c.Chaos = slices.Clone(d.Chaos)
	c.NextAttempt = copyTime(d.NextAttempt)
	c.Then = slices.Clone(d.Then)
	if d.Attempts != nil {
		c.Attempts = make([]Attempt, len(d.Attempts))
		for i, a := range d.Attempts {
			a.RequestHeaders = maps.Clone(a.RequestHeaders)
			a.NextAttempt = copyTime(a.NextAttempt)
			c.Attempts[i] = a
		}
	}
	return &c
}

func copyTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

// ResponseLimit bounds how much of an answer an attempt keeps.
const ResponseLimit = 2048
