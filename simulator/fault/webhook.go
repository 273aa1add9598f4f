package fault

import (
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tenant"
	"github.com/tabbysim/tabbysim/simulator/webhook"
)

// Inject implements webhook.Injector: a delivery gets the failure
// injection its merchant's settings ask for (webhook.SettingsInjector),
// and the action of every webhook rule that matches it and fires, each
// noted in the delivery's chaos with the rule's id. It counts the matches
// in tx, the transaction that stores the delivery.
func (e *Engine) Inject(tx store.Tx, m *tenant.Merchant, d *webhook.Delivery) (webhook.Decision, error) {
	dec, err := webhook.SettingsInjector{}.Inject(tx, m, d)
	if err != nil {
		return dec, err
	}
	rules, err := e.list(tx, "")
	if err != nil {
		return dec, err
	}
	now := e.now(m.ID)
	for _, r := range rules {
		if (r.Merchant != "" && r.Merchant != m.ID) || !r.Match.webhook(d) {
			continue
		}
		rule, fires, err := e.count(tx, r.ID, now)
		if err != nil {
			return dec, err
		}
		if fires {
			rule.Action.Action.(WebhookAction).Decide(&dec)
			d.Chaos = append(d.Chaos, "fault rule "+rule.ID+": "+rule.Action.Kind())
			e.Metrics.FaultFired(d.Provider, rule.Action.Kind())
		}
	}
	return dec, nil
}
