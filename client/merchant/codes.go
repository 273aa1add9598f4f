package merchant

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/client/tabby"
)

// registerWebhook registers the merchant's webhook under a merchant code
// and returns its id. A webhook already at the merchant's URL (left by an
// earlier run that did not stop cleanly) is taken over: its header is set
// to this run's, which is the one the merchant checks.
func (m *Merchant) registerWebhook(ctx context.Context, code string) (string, error) {
	if m.cfg.PublicURL == "" {
		return "", errors.New("merchant: PublicURL is required to register the webhook")
	}
	url := m.cfg.PublicURL + WebhookPath
	hooks, err := m.tabby.ListWebhooks(ctx, code)
	if err != nil {
		return "", fmt.Errorf("merchant: listing the webhooks of merchant code %s: %w", code, err)
	}
	header := m.cfg.WebhookHeader
	for _, h := range hooks {
		if h.URL != url {
			continue
		}
		if h.Header == nil || *h.Header != header {
			if _, err := m.tabby.UpdateWebhook(ctx, code, h.ID, url, &header); err != nil {
				return "", fmt.Errorf("merchant: updating the webhook's header for merchant code %s: %w", code, err)
			}
			m.log.Info("webhook header updated", "url", url, "merchant_code", code)
		}
		return h.ID, nil
	}
	h, err := m.tabby.RegisterWebhook(ctx, code, url, &header)
	if err != nil {
		return "", fmt.Errorf("merchant: registering the webhook for merchant code %s: %w", code, err)
	}
	m.log.Info("webhook registered", "url", url, "merchant_code", code)
	return h.ID, nil
}

// RemoveWebhook deletes the webhooks Start registered, so a merchant that
// comes and goes never uses up Tabby's four webhooks per merchant code. It
// does nothing when there are none; one Tabby no longer knows counts as
// removed.
func (m *Merchant) RemoveWebhook(ctx context.Context) error {
	m.startMu.Lock()
	defer m.startMu.Unlock()
	if len(m.webhookIDs) == 0 {
		return nil
	}
	for code, id := range m.webhookIDs {
		if err := m.tabby.DeleteWebhook(ctx, code, id); err != nil && !tabby.IsNotFound(err) {
			return fmt.Errorf("merchant: removing the webhook of merchant code %s: %w", code, err)
		}
		delete(m.webhookIDs, code)
	}
	m.webhookIDs = nil
	m.log.Info("webhooks removed", "url", m.cfg.PublicURL+WebhookPath)
	return nil
}

// codes are the merchant's distinct merchant codes, sorted.
func (m *Merchant) codes() []string {
	var out []string
	for _, code := range m.cfg.MerchantCodes {
		out = append(out, code)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// currencies are the currencies the shop sells in, in the order of
// money.Currencies.
func (m *Merchant) currencies() []string {
	return slices.DeleteFunc(money.Currencies(), func(cur string) bool { return m.cfg.MerchantCodes[cur] == "" })
}

// DefaultMerchantCodes are the merchant codes of each currency on a
// simulator merchant that names none of its own.
func DefaultMerchantCodes() map[string]string {
	return map[string]string{"AED": "ae", "SAR": "sa", "KWD": "kw"}
}

// ParseMerchantCodes reads merchant codes written as
// "AED=ae,SAR=sa,KWD=kw", as the --merchant-codes flag and the
// TABBY_MERCHANT_CODES variable give them.
func ParseMerchantCodes(s string) (map[string]string, error) {
	codes := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		cur, code, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if _, known := money.Exponent(cur); !ok || !known || code == "" {
			return nil, fmt.Errorf("merchant codes %q: write them as CURRENCY=code pairs such as AED=ae,SAR=sa,KWD=kw (currencies: %s)",
				s, strings.Join(money.Currencies(), ", "))
		}
		codes[cur] = code
	}
	return codes, nil
}

// FormatMerchantCodes writes merchant codes as ParseMerchantCodes reads
// them, in the order of money.Currencies.
func FormatMerchantCodes(codes map[string]string) string {
	var pairs []string
	for _, cur := range money.Currencies() {
		if code, ok := codes[cur]; ok {
			pairs = append(pairs, cur+"="+code)
		}
	}
	return strings.Join(pairs, ",")
}
