package tenant

import (
	"encoding/json"
	"errors"
	"testing"
	"time"
)

func TestDuration_ParseAndWrite(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		out  string
	}{
		{"26m", 26 * time.Minute, "26m"},
		{"90s", 90 * time.Second, "1m30s"},
		{"2h", 2 * time.Hour, "2h"},
		{"21d", 21 * 24 * time.Hour, "21d"},
		{"0s", 0, "0s"},
		{"1h30m", 90 * time.Minute, "1h30m"},
	}
	for _, tt := range tests {
		d, err := ParseDuration(tt.in)
		if err != nil || d.D() != tt.want || d.String() != tt.out {
			t.Errorf("ParseDuration(%q) = %v (%q), %v; want %v (%q)", tt.in, d.D(), d.String(), err, tt.want, tt.out)
		}
	}
	for _, bad := range []string{"", "soon", "-1d", "36501d", "1.5d"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) succeeded", bad)
		}
	}
}

func TestApplyPatch(t *testing.T) {
	s := DefaultSettings()
	if err := ApplyPatch(json.RawMessage(`{"session_ttl": "10m", "webhooks": {"duplicate": 2}}`), &s); err != nil {
		t.Fatal(err)
	}
	if s.SessionTTL.D() != 10*time.Minute || s.Webhooks.Duplicate != 2 || s.ExpireAfterSession.D() != 5*time.Minute {
		t.Fatalf("patched settings: %+v", s)
	}
	for name, patch := range map[string]string{
		"unknown field":  `{"sesion_ttl": "10m"}`,
		"null":           `{"limits": null}`,
		"bad duration":   `{"session_ttl": "soon"}`,
		"not an object":  `[]`,
		"wrong type":     `{"strict": "yes"}`,
		"nested unknown": `{"webhooks": {"dupes": 1}}`,
	} {
		s := DefaultSettings()
		if err := ApplyPatch(json.RawMessage(patch), &s); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: ApplyPatch(%s) = %v, want ErrInvalid", name, patch, err)
		}
	}
}

func TestSettings_Validate(t *testing.T) {
	if err := DefaultSettings().Validate(); err != nil {
		t.Fatalf("the defaults are invalid: %v", err)
	}
	for name, change := range map[string]func(*Settings){
		"session_ttl zero":   func(s *Settings) { s.SessionTTL = 0 },
		"auto_capture":       func(s *Settings) { s.AutoCapture = "sometimes" },
		"forge":              func(s *Settings) { s.Webhooks.Forge = "maybe" },
		"drop_rate":          func(s *Settings) { s.Webhooks.DropRate = 1.5 },
		"duplicate":          func(s *Settings) { s.Webhooks.Duplicate = 11 },
		"limit decimals":     func(s *Settings) { s.Limits["AED"] = Limit{Min: "1.005", Max: "10.00"} },
		"limit order":        func(s *Settings) { s.Limits["AED"] = Limit{Min: "20.00", Max: "10.00"} },
		"limit currency":     func(s *Settings) { s.Limits["USD"] = Limit{Min: "1", Max: "2"} },
		"negative delay":     func(s *Settings) { s.Webhooks.Delay = -1 },
		"refund window zero": func(s *Settings) { s.RefundWindow = 0 },
	} {
		s := DefaultSettings()
		change(&s)
		if err := s.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Validate() = %v, want ErrInvalid", name, err)
		}
	}
}
