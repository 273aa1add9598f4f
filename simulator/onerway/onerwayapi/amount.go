package onerwayapi

import "github.com/tabbysim/tabbysim/client/money"

// The one place this package reaches the money package: amounts are exact
// integer minor units.

// Currencies are the order currencies Tabby takes through Onerway (seed
// 001; onerway-api.md §4.4). Both have two decimals.
var Currencies = []string{"SAR", "AED"}

// Limit bounds orderAmount in one currency, as decimal strings in major
// units such as "0.10".
type Limit struct {
	Min string
	Max string
}

// DefaultLimit is Onerway's Tabby limit, 0.1 to 10000 SAR (seed 001); the
// simulator applies the same numbers to AED, whose limit is not public.
var DefaultLimit = Limit{Min: "0.10", Max: "10000.00"}

// supported reports whether Tabby takes currency.
func supported(currency string) bool {
	for _, c := range Currencies {
		if c == currency {
			return true
		}
	}
	return false
}

// parseAmount reads a decimal string in currency's major units into minor
// units.
func parseAmount(s, currency string) (money.Amount, error) { return money.Parse(s, currency) }

// formatAmount writes minor units with the currency's two decimals, as
// Onerway echoes amounts ("200" is answered "200.00").
func formatAmount(v money.Amount, currency string) string { return v.Format(currency) }
