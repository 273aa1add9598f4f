// Package money reads and writes the providers' decimal amounts exactly, as
// integer minor units of their currency. The simulator, the clients and the
// conformance harness all use it, so both sides of an integration agree on
// every amount to the last fils.
package money

import (
	"fmt"
	"strconv"
	"strings"
)

// currencies are the currencies the providers take, with the number of
// decimals their amounts may have.
var currencies = []struct {
	code     string
	exponent int
}{{"AED", 2}, {"SAR", 2}, {"KWD", 3}}

// Currencies lists the currencies the providers take: AED, SAR, KWD.
func Currencies() []string {
	out := make([]string, len(currencies))
	for i, c := range currencies {
		out[i] = c.code
	}
	return out
}

// Exponent is the number of decimals a currency's amounts may have; ok is
// false for a currency the providers do not take.
func Exponent(currency string) (exp int, ok bool) {
	for _, c := range currencies {
		if c.code == currency {
			return c.exponent, true
		}
	}
	return 0, false
}

// Amount is a sum of money in its currency's minor units (fils, halalas,
// fils of a dinar), so arithmetic is exact. An Amount does not carry its
// currency: whoever holds one knows it.
type Amount int64

// Parse reads a decimal string such as "100", "100.5" or "100.50" in the
// currency's major units into minor units. It allows as many decimals as
// the currency has and no sign, exponent or spaces.
func Parse(s, currency string) (Amount, error) {
	exp, ok := Exponent(currency)
	if !ok {
		return 0, fmt.Errorf("unknown currency %q (%s)", currency, strings.Join(Currencies(), ", "))
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

// Format writes the amount with the currency's full number of decimals,
// such as "100.00" or "1.250".
func (a Amount) Format(currency string) string {
	exp, _ := Exponent(currency)
	v := int64(a)
	neg := v < 0
	if neg {
		v = -v
	}
	s := strconv.FormatInt(v, 10)
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
