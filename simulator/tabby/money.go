package tabby

import "github.com/tabbysim/tabbysim/simulator/money"

// Amount is a sum of money in a currency's minor units (fils, halalas,
// fils of a dinar), so arithmetic is exact.
type Amount int64

// ParseAmount reads a decimal string in currency's major units; see
// money.Parse.
func ParseAmount(s, currency string) (Amount, error) {
	v, err := money.Parse(s, currency)
	return Amount(v), err
}

// Format writes the amount with the currency's full number of decimals.
func (a Amount) Format(currency string) string { return money.Format(int64(a), currency) }
