package money

import (
	"slices"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in, currency string
		want         Amount
		ok           bool
	}{
		{"100", "AED", 10000, true},
		{"100.5", "AED", 10050, true},
		{"100.50", "SAR", 10050, true},
		{"0.01", "AED", 1, true},
		{"1.234", "KWD", 1234, true},
		{"0.001", "KWD", 1, true},
		{"1.2", "KWD", 1200, true},
		{"1.2345", "KWD", 0, false},
		{"1.234", "AED", 0, false},
		{"1.001", "SAR", 0, false},
		{"-1", "AED", 0, false},
		{"1e3", "AED", 0, false},
		{" 1", "AED", 0, false},
		{"1.", "AED", 0, false},
		{".5", "AED", 0, false},
		{"", "AED", 0, false},
		{"abc", "AED", 0, false},
		{"1,000", "AED", 0, false},
		{"10", "USD", 0, false},
		{"10", "aed", 0, false},
		{"9999999999999", "AED", 0, false},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in, tt.currency)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("Parse(%q, %s) = %d, %v; want %d, ok=%v", tt.in, tt.currency, got, err, tt.want, tt.ok)
		}
	}
}

func TestAmount_Format(t *testing.T) {
	tests := []struct {
		a        Amount
		currency string
		want     string
	}{
		{10000, "AED", "100.00"},
		{10050, "SAR", "100.50"},
		{5, "SAR", "0.05"},
		{1234, "KWD", "1.234"},
		{7, "KWD", "0.007"},
		{1250, "KWD", "1.250"},
		{0, "AED", "0.00"},
		{-150, "AED", "-1.50"},
	}
	for _, tt := range tests {
		if got := tt.a.Format(tt.currency); got != tt.want {
			t.Errorf("%d %s formats as %q, want %q", tt.a, tt.currency, got, tt.want)
		}
	}
}

// TestCurrencies_RoundTrip: every currency's amounts read back as written,
// with as many decimals as its exponent.
func TestCurrencies_RoundTrip(t *testing.T) {
	if got := Currencies(); !slices.Equal(got, []string{"AED", "SAR", "KWD"}) {
		t.Fatalf("Currencies() = %q", got)
	}
	want := map[string]string{"AED": "12.34", "SAR": "12.34", "KWD": "1.234"}
	for _, cur := range Currencies() {
		exp, ok := Exponent(cur)
		if !ok {
			t.Fatalf("Exponent(%s) unknown", cur)
		}
		a, err := Parse(want[cur], cur)
		if err != nil || a != 1234 {
			t.Errorf("Parse(%q, %s) = %d, %v; want 1234 (%d decimals)", want[cur], cur, a, err, exp)
		}
		if got := a.Format(cur); got != want[cur] {
			t.Errorf("%s: 1234 formats as %q, want %q", cur, got, want[cur])
		}
	}
	if _, ok := Exponent("USD"); ok {
		t.Error("USD has an exponent")
	}
}
