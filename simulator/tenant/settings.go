package tenant

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tabbysim/tabbysim/client/money"
)

// Settings are what a merchant can tune. The defaults follow the seed
// documents and Tabby's public material; see the README's timing table.
type Settings struct {
	// SessionTTL is how long the hosted page accepts the customer.
	SessionTTL Duration `json:"session_ttl"`
	// ExpireAfterSession is how long after the session expires an
	// unfinished payment turns EXPIRED (20 + 5 minutes by default).
	ExpireAfterSession Duration `json:"expire_after_session"`
	// AutoCapture is "after_delay" (capture in full AutoCaptureAfter after
	// authorization, as Tabby does after 21 days), "immediate" or "off".
	AutoCapture      string   `json:"auto_capture"`
	AutoCaptureAfter Duration `json:"auto_capture_after"`
	// RefundWindow is how long after creation refunds are accepted.
	RefundWindow Duration `json:"refund_window"`
	// Limits are the smallest and largest order amounts per currency;
	// outside them pre-scoring rejects the session.
	Limits map[string]Limit `json:"limits"`
	// ExpireWebhooks sends "expired" webhooks (off at Tabby unless asked for).
	ExpireWebhooks bool `json:"expire_webhooks"`
	// Strict makes create-session require every field Tabby's OpenAPI
	// marks as required, and webhook URLs be public https.
	Strict bool `json:"strict"`
	// Webhooks tunes delivery and its failure injection.
	Webhooks WebhookSettings `json:"webhooks"`
}

// Limit bounds an order amount, as decimal strings in major units.
type Limit struct {
	Min string `json:"min"`
	Max string `json:"max"`
}

// WebhookSettings tune how webhooks reach this merchant.
type WebhookSettings struct {
	// Timeout overrides the provider's delivery timeout when set.
	Timeout Duration `json:"timeout"`
	// Duplicate delivers every event this many extra times.
	Duplicate int `json:"duplicate"`
	// Reorder holds each event back until the next event of the same
	// payment was sent, so the two arrive out of order.
	Reorder bool `json:"reorder"`
	// DropRate is the share of deliveries lost on the way (0 to 1), decided
	// by the seeded random source; Drop loses every one.
	DropRate float64 `json:"drop_rate"`
	// Delay holds every delivery back by this long on the merchant's clock.
	Delay Duration `json:"delay"`
	// Forge sends deliveries with a wrong ("wrong") or no ("missing")
	// authentication header; "" sends the registered one.
	Forge string `json:"forge"`
}

// DefaultSettings are the settings of a new merchant.
func DefaultSettings() Settings {
	return Settings{
		SessionTTL:         Duration(20 * time.Minute),
		ExpireAfterSession: Duration(5 * time.Minute),
		AutoCapture:        "after_delay",
		AutoCaptureAfter:   Duration(21 * 24 * time.Hour),
		RefundWindow:       Duration(180 * 24 * time.Hour),
		Limits: map[string]Limit{
			"AED": {Min: "10.00", Max: "25000.00"},
			"SAR": {Min: "10.00", Max: "25000.00"},
			"KWD": {Min: "1.000", Max: "2500.000"},
		},
	}
}

// Validate checks the settings are usable.
func (s Settings) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: settings: %s", ErrInvalid, fmt.Sprintf(format, a...))
	}
	switch {
	case s.SessionTTL <= 0:
		return bad("session_ttl must be positive")
	case s.ExpireAfterSession < 0:
		return bad("expire_after_session must not be negative")
	case s.AutoCaptureAfter < 0:
		return bad("auto_capture_after must not be negative")
	case s.RefundWindow <= 0:
		return bad("refund_window must be positive")
	case s.Webhooks.Duplicate < 0 || s.Webhooks.Duplicate > 10:
		return bad("webhooks.duplicate must be between 0 and 10")
	case s.Webhooks.DropRate < 0 || s.Webhooks.DropRate > 1:
		return bad("webhooks.drop_rate must be between 0 and 1")
	case s.Webhooks.Delay < 0 || s.Webhooks.Timeout < 0:
		return bad("webhooks.delay and webhooks.timeout must not be negative")
	}
	switch s.AutoCapture {
	case "after_delay", "immediate", "off":
	default:
		return bad(`auto_capture must be "after_delay", "immediate" or "off", got %q`, s.AutoCapture)
	}
	switch s.Webhooks.Forge {
	case "", "wrong", "missing":
	default:
		return bad(`webhooks.forge must be "", "wrong" or "missing", got %q`, s.Webhooks.Forge)
	}
	for cur, l := range s.Limits {
		if _, ok := money.Exponent(cur); !ok {
			return bad("limits: unknown currency %q", cur)
		}
		min, err := money.Parse(l.Min, cur)
		if err != nil {
			return bad("limits.%s.min: %v", cur, err)
		}
		max, err := money.Parse(l.Max, cur)
		if err != nil {
			return bad("limits.%s.max: %v", cur, err)
		}
		if min > max {
			return bad("limits.%s: min %s is above max %s", cur, l.Min, l.Max)
		}
	}
	return nil
}

// Duration is a time.Duration written in JSON as a string such as "20m",
// "1h30m" or "21d".
type Duration time.Duration

// D returns the duration as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// maxDays keeps day counts far from time.Duration's limit (about 292
// years).
const maxDays = 36500

// ParseDuration reads Go durations and whole days ("21d").
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > maxDays {
			return 0, fmt.Errorf("invalid duration %q: use whole days from 0 to %d", s, maxDays)
		}
		return Duration(time.Duration(n) * 24 * time.Hour), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q: use forms like 90s, 26m, 2h or 21d", s)
	}
	return Duration(d), nil
}

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) {
	return json.Marshal(d.String())
}

func (d Duration) String() string {
	td := time.Duration(d)
	if td != 0 && td%(24*time.Hour) == 0 {
		return strconv.Itoa(int(td/(24*time.Hour))) + "d"
	}
	s := td.String()
	// time.Duration prints "20m0s" and "2h0m0s"; users write "20m" and "2h".
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("durations are strings such as \"26m\" or \"21d\"")
	}
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
