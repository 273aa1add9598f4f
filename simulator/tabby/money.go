package tabby

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// Amount is a sum of money in a currency's minor units (fils, halalas,
// fils of a dinar), so arithmetic is exact.
type Amount int64

// ParseAmount reads a decimal string such as "100", "100.5" or "100.50" in
// currency's major units. It allows as many decimals as the currency has (2
// for AED and SAR, 3 for KWD) and no sign, exponent or spaces.
func ParseAmount(s, currency string) (Amount, error) {
	exp, ok := tenant.CurrencyExponent(currency)
	if !ok {
		return 0, fmt.Errorf("unknown currency %q", currency)
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || (hasDot && (frac == "" || !allDigits(frac))) {
		return 0, fmt.Errorf("%q is not a decimal amount such as \"100.00\"", s)
	}
	if len(frac) > exp {
		return 0, fmt.Errorf("%q has more than %d decimals, the most %s allows", s, exp, currency)
	}
	if len(whole) > 12 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	frac += strings.Repeat("0", exp-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a decimal amount", s)
	}
	return Amount(n), nil
}

// Format writes the amount with the currency's full number of decimals.
func (a Amount) Format(currency string) string {
	exp, _ := tenant.CurrencyExponent(currency)
	neg := a < 0
	if neg {
		a = -a
	}
	s := strconv.FormatInt(int64(a), 10)
	if exp > 0 {
		if len(s) <= exp {
			s = strings.Repeat("0", exp-len(s)+1) + s
		}
		s = s[:len(s)-exp] + "." + s[len(s)-exp:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
