// Package money reads and writes the providers' decimal amounts exactly,
// as integer minor units of their currency.
package money

import (
	"fmt"
	"strconv"
	"strings"
)

// Exponent is the number of decimals a currency's amounts may have.
func Exponent(currency string) (int, bool) {
	switch currency {
	case "AED", "SAR":
		return 2, true
	case "KWD":
		return 3, true
	}
	return 0, false
}

// Parse reads a decimal string such as "100", "100.5" or "100.50" in the
// currency's major units into minor units. It allows as many decimals as
// the currency has and no sign, exponent or spaces.
func Parse(s, currency string) (int64, error) {
	exp, ok := Exponent(currency)
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
	return n, nil
}

// Format writes minor units with the currency's full number of decimals.
func Format(v int64, currency string) string {
	exp, _ := Exponent(currency)
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
