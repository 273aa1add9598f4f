package tenant

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tabbysim/tabbysim/client/money"
)

// Settings are what a merchant can tune, grouped by provider. The defaults
// follow the seed documents and the providers' public material; see the
// README's timing table.
type Settings struct {
	Tabby   TabbySettings   `json:"tabby"`
	Onerway OnerwaySettings `json:"onerway"`
	// Webhooks tunes delivery and its failure injection, for every provider.
	Webhooks WebhookSettings `json:"webhooks"`
	// Strict makes create-session require every field Tabby's OpenAPI
	// marks as required, and webhook URLs be public https.
	Strict bool `json:"strict"`
}

// TabbySettings tune the Tabby lifecycle.
type TabbySettings struct {
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
	// Limits bound the payments made with Tabby directly; outside them
	// pre-scoring rejects the session.
	Limits Limits `json:"limits"`
	// ExpireWebhooks sends "expired" webhooks (off at Tabby unless asked for).
	ExpireWebhooks bool `json:"expire_webhooks"`
}

// OnerwaySettings tune the Onerway gateway.
type OnerwaySettings struct {
	// Limits bound the payments made with Tabby through Onerway; outside
	// them pre-scoring rejects the session.
	Limits Limits `json:"limits"`
	// RefundAuditAfter is how long a refund stays I, pending Onerway's
	// audit, before the audit decides it.
	RefundAuditAfter Duration `json:"refund_audit_after"`
	// CancelFrom and CancelUntil bound, after the payment was made, when
	// cancelTxn is accepted (5 to 30 minutes, onerway-api.md §6).
	CancelFrom  Duration `json:"cancel_from"`
	CancelUntil Duration `json:"cancel_until"`
	// LogisticsWindow is how long after delivery a logistics upload is
	// accepted (30 days, seed 001).
	LogisticsWindow Duration `json:"logistics_window"`
	// SettleAfter is how long after settlement is triggered a transaction
	// settles: virtual goods are triggered by success, physical goods by
	// their first valid logistics upload.
	SettleAfter Duration `json:"settle_after"`
	// SettlementRate converts each order currency to USD, the settlement
	// currency (seed 001): USD for one unit of the currency, a decimal
	// string such as "0.2666".
	SettlementRate map[string]string `json:"settlement_rate"`
}

// Limits are the smallest and largest order amounts per currency.
type Limits map[string]Limit

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
		Tabby: TabbySettings{
			SessionTTL:         Duration(20 * time.Minute),
			ExpireAfterSession: Duration(5 * time.Minute),
			AutoCapture:        "after_delay",
			AutoCaptureAfter:   Duration(21 * 24 * time.Hour),
			RefundWindow:       Duration(180 * 24 * time.Hour),
			Limits: Limits{
				"AED": {Min: "10.00", Max: "25000.00"},
				"SAR": {Min: "10.00", Max: "25000.00"},
				"KWD": {Min: "1.000", Max: "2500.000"},
			},
		},
		Onerway: OnerwaySettings{
			// Onerway's Tabby method: 0.1 to 10000 SAR (seed 001,
			// onerway-api.md §4.4). Its AED limits are not public; AED
			// takes the SAR figures.
			Limits: Limits{
				"SAR": {Min: "0.10", Max: "10000.00"},
				"AED": {Min: "0.10", Max: "10000.00"},
			},
			// Onerway publishes no audit, settlement delay or rate; these
			// are the simulator's (see the README).
			RefundAuditAfter: Duration(time.Hour),
			CancelFrom:       Duration(5 * time.Minute),
			CancelUntil:      Duration(30 * time.Minute),
			LogisticsWindow:  Duration(30 * 24 * time.Hour),
			SettleAfter:      Duration(7 * 24 * time.Hour),
			// The riyal and the dirham are pegged to the dollar (3.75 and
			// 3.6725 to one).
			SettlementRate: map[string]string{"SAR": "0.2666", "AED": "0.2722"},
		},
	}
}

// Validate checks the settings are usable.
func (s Settings) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: settings: %s", ErrInvalid, fmt.Sprintf(format, a...))
	}
	t, o, w := s.Tabby, s.Onerway, s.Webhooks
	switch {
	case t.SessionTTL <= 0:
		return bad("tabby.session_ttl must be positive")
	case t.ExpireAfterSession < 0:
		return bad("tabby.expire_after_session must not be negative")
	case t.AutoCaptureAfter < 0:
		return bad("tabby.auto_capture_after must not be negative")
	case t.RefundWindow <= 0:
		return bad("tabby.refund_window must be positive")
	case o.RefundAuditAfter < 0:
		return bad("onerway.refund_audit_after must not be negative")
	case o.CancelFrom < 0 || o.CancelUntil < o.CancelFrom:
		return bad("onerway.cancel_from must not be negative, nor after onerway.cancel_until")
	case o.LogisticsWindow <= 0:
		return bad("onerway.logistics_window must be positive")
	case o.SettleAfter < 0:
		return bad("onerway.settle_after must not be negative")
	case w.Duplicate < 0 || w.Duplicate > 10:
		return bad("webhooks.duplicate must be between 0 and 10")
	case w.DropRate < 0 || w.DropRate > 1:
		return bad("webhooks.drop_rate must be between 0 and 1")
	case w.Delay < 0 || w.Timeout < 0:
		return bad("webhooks.delay and webhooks.timeout must not be negative")
	}
	switch t.AutoCapture {
	case "after_delay", "immediate", "off":
	default:
		return bad(`tabby.auto_capture must be "after_delay", "immediate" or "off", got %q`, t.AutoCapture)
	}
	switch w.Forge {
	case "", "wrong", "missing":
	default:
		return bad(`webhooks.forge must be "", "wrong" or "missing", got %q`, w.Forge)
	}
	if err := t.Limits.validate("tabby.limits"); err != nil {
		return bad("%v", err)
	}
	if err := s.Onerway.Limits.validate("onerway.limits"); err != nil {
		return bad("%v", err)
	}
	for cur, rate := range o.SettlementRate {
		if _, ok := money.Exponent(cur); !ok {
			return bad("onerway.settlement_rate: unknown currency %q", cur)
		}
		if _, err := ParseRate(rate); err != nil {
			return bad("onerway.settlement_rate.%s: %v", cur, err)
		}
	}
	return nil
}

// rateForm is a settlement rate: a decimal with up to 8 decimals.
var rateForm = regexp.MustCompile(`^[0-9]{1,6}(\.[0-9]{1,8})?$`)

// ParseRate reads a settlement rate such as "0.2666": a decimal above zero
// with at most 8 decimals.
func ParseRate(s string) (*big.Rat, error) {
	r, ok := new(big.Rat).SetString(s)
	if !rateForm.MatchString(s) || !ok || r.Sign() <= 0 {
		return nil, fmt.Errorf("%q is not a rate such as \"0.2666\" (a decimal above zero, at most 8 decimals)", s)
	}
	return r, nil
}

// validate checks every limit is a pair of amounts of its currency, the
// smaller first; field names the limits in errors.
func (ls Limits) validate(field string) error {
	for cur, l := range ls {
		if _, ok := money.Exponent(cur); !ok {
			return fmt.Errorf("%s: unknown currency %q", field, cur)
		}
		min, err := money.Parse(l.Min, cur)
		if err != nil {
			return fmt.Errorf("%s.%s.min: %v", field, cur, err)
		}
		max, err := money.Parse(l.Max, cur)
		if err != nil {
			return fmt.Errorf("%s.%s.max: %v", field, cur, err)
		}
		if min > max {
			return fmt.Errorf("%s.%s: min %s is above max %s", field, cur, l.Min, l.Max)
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
