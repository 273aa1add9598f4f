package simctl

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"
)

// FaultRule is a fault rule as the control API answers it. Match, Action
// and Scope are as the rule format writes them (README, "Failure
// injection").
type FaultRule struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Merchant string         `json:"merchant"`
	Match    map[string]any `json:"match"`
	Action   map[string]any `json:"action"`
	Scope    map[string]any `json:"scope"`
	// Scenario names the scenario that added the rule, if one did.
	Scenario string        `json:"scenario"`
	Switches []FaultSwitch `json:"switches"`
	// Matched counts the requests or webhooks the rule matched while
	// active, Fired those it failed.
	Matched int `json:"matched"`
	Fired   int `json:"fired"`
}

// FaultSwitch turns a rule on or off at a time on its merchant's clock.
type FaultSwitch struct {
	At time.Time `json:"at"`
	On bool      `json:"on"`
}

// AddFault adds a rule, written in the rule format, such as
// {"merchant": "m_1", "match": {"operation": "tabby.capture"}, "action":
// {"kind": "status", "status": 503}, "scope": {"first": 1}}.
func (c *Client) AddFault(ctx context.Context, rule any) (*FaultRule, error) {
	var r FaultRule
	if err := c.do(ctx, http.MethodPost, "/faults", nil, rule, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Faults lists the rules of a merchant ("" for every rule), oldest first.
func (c *Client) Faults(ctx context.Context, merchantID string) ([]FaultRule, error) {
	var out struct {
		Faults []FaultRule `json:"faults"`
	}
	if err := c.do(ctx, http.MethodGet, "/faults", merchantQuery(merchantID), nil, &out); err != nil {
		return nil, err
	}
	return out.Faults, nil
}

// Fault returns one rule, with its counts.
func (c *Client) Fault(ctx context.Context, id string) (*FaultRule, error) {
	var r FaultRule
	if err := c.do(ctx, http.MethodGet, "/faults/"+url.PathEscape(id), nil, nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// RemoveFault removes one rule.
func (c *Client) RemoveFault(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/faults/"+url.PathEscape(id), nil, nil, nil)
}

// RemoveFaults removes the rules of a merchant ("" for every rule) and
// returns how many there were.
func (c *Client) RemoveFaults(ctx context.Context, merchantID string) (int, error) {
	var out struct {
		Removed int `json:"removed"`
	}
	err := c.do(ctx, http.MethodDelete, "/faults", merchantQuery(merchantID), nil, &out)
	return out.Removed, err
}

// ApplyScenario applies the scenario called name (see `tabbysim scenario
// list`) to a merchant.
func (c *Client) ApplyScenario(ctx context.Context, merchantID, name string) (*Merchant, error) {
	return c.applyScenario(ctx, merchantID, map[string]any{"name": name})
}

// ApplyScenarioJSON applies a scenario given whole, in the scenario file
// format, to a merchant.
func (c *Client) ApplyScenarioJSON(ctx context.Context, merchantID string, scenario json.RawMessage) (*Merchant, error) {
	return c.applyScenario(ctx, merchantID, map[string]any{"scenario": scenario})
}

func (c *Client) applyScenario(ctx context.Context, merchantID string, body any) (*Merchant, error) {
	var m Merchant
	if err := c.do(ctx, http.MethodPost, merchantPath(merchantID)+"/scenario", nil, body, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

func merchantQuery(merchantID string) url.Values {
	if merchantID == "" {
		return nil
	}
	return url.Values{"merchant": {merchantID}}
}
