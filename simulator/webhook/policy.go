// Package webhook delivers webhooks for any provider: a durable outbox
// written in the same step as the change that caused each event, attempts
// on the merchant's clock, a log of every attempt, and failure injection
// (duplicates, reordering, drops, delays and forgeries). It knows no
// provider: the provider that enqueues a delivery gives its body, and the
// Policy registered under its name says how it is acknowledged, retried
// and forged.
package webhook

import (
	"fmt"
	"time"
)

// Policy is how one provider delivers: how often it tries, how long it
// waits for an answer and between tries, what answer counts as received,
// and what a forged delivery looks like. Each provider defines its own; the
// wiring registers it with the engine.
type Policy struct {
	// Provider names the policy; a Delivery's Provider picks it.
	Provider string
	// Attempts is the number of tries in all, the first one included.
	Attempts int
	// Backoff[i] is the wait before try i+2; the last wait repeats.
	Backoff []time.Duration
	// Timeout bounds one try unless the merchant's settings override it.
	Timeout time.Duration
	// Accepts reports whether the receiver's answer acknowledges d.
	Accepts func(status int, body []byte, d *Delivery) bool
	// Forge makes d a forgery in the provider's terms, as failure
	// injection asks ("wrong" or "missing" authentication), and notes in
	// d.Chaos what it did. It is called only when a forgery is asked for,
	// once, before d is stored.
	Forge func(d *Delivery, how string)
}

// wait is how long after try n (1-based) the next try comes.
func (p Policy) wait(n int) time.Duration {
	if n-1 < len(p.Backoff) {
		return p.Backoff[n-1]
	}
	return p.Backoff[len(p.Backoff)-1]
}

// check reports what makes p unusable.
func (p Policy) check() error {
	switch {
	case p.Provider == "":
		return fmt.Errorf("webhook: a policy needs a provider name")
	case p.Attempts < 1:
		return fmt.Errorf("webhook: %s policy: attempts must be at least 1", p.Provider)
	case p.Attempts > 1 && len(p.Backoff) == 0:
		return fmt.Errorf("webhook: %s policy: retries need a backoff", p.Provider)
	case p.Timeout <= 0:
		return fmt.Errorf("webhook: %s policy: timeout must be positive", p.Provider)
	case p.Accepts == nil || p.Forge == nil:
		return fmt.Errorf("webhook: %s policy: Accepts and Forge must be set", p.Provider)
	}
	return nil
}

// Register makes p the policy of every delivery whose Provider is
// p.Provider. Providers are registered by the wiring, before Start; a
// policy that cannot work, or a second one for the same provider, is a
// programming error and panics.
func (e *Engine) Register(p Policy) {
	if err := p.check(); err != nil {
		panic(err)
	}
	if _, dup := e.policies[p.Provider]; dup {
		panic(fmt.Sprintf("webhook: a policy for %s is registered already", p.Provider))
	}
	if e.policies == nil {
		e.policies = map[string]Policy{}
	}
	e.policies[p.Provider] = p
}
