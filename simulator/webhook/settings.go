package webhook

import (
	"time"

	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// This file is all the engine reads from a merchant's settings.

// deliverySettings are merchant m's webhook settings.
func deliverySettings(m *tenant.Merchant) tenant.WebhookSettings { return m.Settings.Webhooks }

// tryTimeout bounds one try of a delivery for m: m's own timeout when set,
// else the policy's.
func tryTimeout(m *tenant.Merchant, pol Policy) time.Duration {
	if t := deliverySettings(m).Timeout; t > 0 {
		return t.D()
	}
	return pol.Timeout
}

// SettingsInjector is the default Injector: every delivery of a merchant
// gets the failure injection its settings ask for (duplicate, reorder,
// drop_rate, delay, forge).
type SettingsInjector struct{}

// Inject implements Injector; it never fails.
func (SettingsInjector) Inject(_ store.Tx, m *tenant.Merchant, _ *Delivery) (Decision, error) {
	ws := deliverySettings(m)
	return Decision{Forge: ws.Forge, DropRate: ws.DropRate, Delay: ws.Delay.D(), Duplicate: ws.Duplicate, Reorder: ws.Reorder}, nil
}
