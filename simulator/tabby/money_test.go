package tabby

import "testing"

func TestParseAmount(t *testing.T) {
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
		{"1.2345", "KWD", 0, false},
		{"1.234", "AED", 0, false},
		{"-1", "AED", 0, false},
		{"1e3", "AED", 0, false},
		{" 1", "AED", 0, false},
		{"1.", "AED", 0, false},
		{".5", "AED", 0, false},
		{"", "AED", 0, false},
		{"1,000", "AED", 0, false},
		{"10", "USD", 0, false},
		{"9999999999999", "AED", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseAmount(tt.in, tt.currency)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseAmount(%q, %s) = %d, %v; want %d, ok=%v", tt.in, tt.currency, got, err, tt.want, tt.ok)
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
		{5, "SAR", "0.05"},
		{1234, "KWD", "1.234"},
		{7, "KWD", "0.007"},
		{0, "AED", "0.00"},
	}
	for _, tt := range tests {
		if got := tt.a.Format(tt.currency); got != tt.want {
			t.Errorf("%d %s formats as %q, want %q", tt.a, tt.currency, got, tt.want)
		}
	}
}

func TestNationalNumber_PrescoringPhonesInEveryFormat(t *testing.T) {
	for _, phone := range []string{"500000002", "0500000002", "+971500000002", "971500000002", "+966500000002", "+96590000002", "00971 50 000 0002"} {
		if !prescoringRejects(&Buyer{Phone: phone}) {
			t.Errorf("%q should be rejected at pre-scoring", phone)
		}
	}
	for _, phone := range []string{"500000001", "+971500000001", "+966500000001", "0500000012", "+971512345678"} {
		if prescoringRejects(&Buyer{Phone: phone}) {
			t.Errorf("%q should pass pre-scoring", phone)
		}
	}
}
