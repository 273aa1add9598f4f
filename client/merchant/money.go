package merchant

import (
	"fmt"
	"strconv"
	"strings"
)

// exponents are the decimals of the currencies Tabby takes.
var exponents = map[string]int{"AED": 2, "SAR": 2, "KWD": 3}

// parseAmount reads a decimal string such as "100", "100.5" or "100.50" in
// currency's minor units, so that all arithmetic is exact.
func parseAmount(s, currency string) (int64, error) {
	exp, ok := exponents[currency]
	if !ok {
		return 0, fmt.Errorf("unknown currency %q (AED, SAR or KWD)", currency)
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || !digits(whole) || (hasDot && (frac == "" || !digits(frac))) {
		return 0, fmt.Errorf("%q is not a decimal amount such as \"100.00\"", s)
	}
	if len(frac) > exp {
		return 0, fmt.Errorf("%q has more than %d decimals, the most %s has", s, exp, currency)
	}
	if len(whole) > 12 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	n, err := strconv.ParseInt(whole+frac+strings.Repeat("0", exp-len(frac)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a decimal amount", s)
	}
	return n, nil
}

// formatAmount writes minor units with the currency's full decimals.
func formatAmount(n int64, currency string) string {
	exp := exponents[currency]
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	s := strconv.FormatInt(n, 10)
	if exp == 0 {
		return sign + s
	}
	if len(s) <= exp {
		s = strings.Repeat("0", exp-len(s)+1) + s
	}
	return sign + s[:len(s)-exp] + "." + s[len(s)-exp:]
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
