package tenant

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
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
	patch := `{"tabby": {"session_ttl": "10m", "limits": {"AED": {"min": "1.00", "max": "50.00"}}},
		"onerway": {"limits": {"SAR": {"min": "1.00", "max": "20.00"}}}, "webhooks": {"duplicate": 2}}`
	if err := ApplyPatch(json.RawMessage(patch), &s); err != nil {
		t.Fatal(err)
	}
	want := DefaultSettings()
	want.Tabby.SessionTTL = Duration(10 * time.Minute)
	want.Tabby.Limits["AED"] = Limit{Min: "1.00", Max: "50.00"}
	want.Onerway.Limits["SAR"] = Limit{Min: "1.00", Max: "20.00"}
	want.Webhooks.Duplicate = 2
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("patched settings:\n%+v\nwant the named fields changed and the rest kept:\n%+v", s, want)
	}
	for name, tc := range map[string]struct{ patch, field string }{
		"unknown field":     {`{"tabby": {"sesion_ttl": "10m"}}`, "settings.tabby.sesion_ttl"},
		"ungrouped field":   {`{"session_ttl": "10m"}`, "settings.session_ttl"},
		"null":              {`{"tabby": {"limits": null}}`, "settings.tabby.limits"},
		"null group":        {`{"onerway": null}`, "settings.onerway"},
		"bad duration":      {`{"tabby": {"session_ttl": "soon"}}`, "settings.tabby.session_ttl"},
		"not an object":     {`[]`, "settings"},
		"group not object":  {`{"tabby": "fast"}`, "settings.tabby"},
		"wrong type":        {`{"strict": "yes"}`, "settings.strict"},
		"nested unknown":    {`{"webhooks": {"dupes": 1}}`, "settings.webhooks.dupes"},
		"onerway unknown":   {`{"onerway": {"session_ttl": "10m"}}`, "settings.onerway.session_ttl"},
		"limit wrong shape": {`{"onerway": {"limits": {"SAR": "10"}}}`, "settings.onerway.limits"},
	} {
		s := DefaultSettings()
		err := ApplyPatch(json.RawMessage(tc.patch), &s)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: ApplyPatch(%s) = %v, want ErrInvalid naming %s", name, tc.patch, err, tc.field)
		}
	}
}

func TestSettings_Validate(t *testing.T) {
	if err := DefaultSettings().Validate(); err != nil {
		t.Fatalf("the defaults are invalid: %v", err)
	}
	for name, change := range map[string]func(*Settings){
		"tabby.session_ttl":                         func(s *Settings) { s.Tabby.SessionTTL = 0 },
		"tabby.auto_capture":                        func(s *Settings) { s.Tabby.AutoCapture = "sometimes" },
		"webhooks.forge":                            func(s *Settings) { s.Webhooks.Forge = "maybe" },
		"webhooks.drop_rate":                        func(s *Settings) { s.Webhooks.DropRate = 1.5 },
		"webhooks.duplicate":                        func(s *Settings) { s.Webhooks.Duplicate = 11 },
		"tabby.limits.AED.min":                      func(s *Settings) { s.Tabby.Limits["AED"] = Limit{Min: "1.005", Max: "10.00"} },
		"tabby.limits.AED: min":                     func(s *Settings) { s.Tabby.Limits["AED"] = Limit{Min: "20.00", Max: "10.00"} },
		"tabby.limits: unknown":                     func(s *Settings) { s.Tabby.Limits["USD"] = Limit{Min: "1", Max: "2"} },
		"onerway.limits.SAR.max":                    func(s *Settings) { s.Onerway.Limits["SAR"] = Limit{Min: "0.10", Max: "ten"} },
		"onerway.limits.AED: min":                   func(s *Settings) { s.Onerway.Limits["AED"] = Limit{Min: "20.00", Max: "10.00"} },
		"webhooks.delay":                            func(s *Settings) { s.Webhooks.Delay = -1 },
		"tabby.refund_window":                       func(s *Settings) { s.Tabby.RefundWindow = 0 },
		"tabby.expire_after_session":                func(s *Settings) { s.Tabby.ExpireAfterSession = -1 },
		"tabby.auto_capture_after":                  func(s *Settings) { s.Tabby.AutoCaptureAfter = -1 },
		"onerway.refund_audit_after":                func(s *Settings) { s.Onerway.RefundAuditAfter = -1 },
		"onerway.cancel_from":                       func(s *Settings) { s.Onerway.CancelFrom = s.Onerway.CancelUntil + 1 },
		"onerway.logistics_window":                  func(s *Settings) { s.Onerway.LogisticsWindow = 0 },
		"onerway.settle_after":                      func(s *Settings) { s.Onerway.SettleAfter = -1 },
		"onerway.settlement_rate.SAR":               func(s *Settings) { s.Onerway.SettlementRate["SAR"] = "1e-3" },
		"onerway.settlement_rate.AED":               func(s *Settings) { s.Onerway.SettlementRate["AED"] = "0.000" },
		"onerway.settlement_rate: unknown currency": func(s *Settings) { s.Onerway.SettlementRate["USD"] = "1" },
	} {
		s := DefaultSettings()
		change(&s)
		if err := s.Validate(); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), name) {
			t.Errorf("Validate() = %v, want ErrInvalid naming %s", err, name)
		}
	}
}
