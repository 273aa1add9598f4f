package e2e

import (
	"strings"
	"testing"
	"time"
)

// WantStatus fails the test unless r has the status, and returns r.
func WantStatus(t testing.TB, r *Resp, status int) *Resp {
	t.Helper()
	if r.Status != status {
		t.Fatalf("want HTTP %d, got %s", status, r)
	}
	return r
}

// WantError checks Tabby's error envelope exactly.
func WantError(t testing.TB, r *Resp, status int, errorType, msg string) {
	t.Helper()
	if r.Status != status || r.Str("status") != "error" || r.Str("errorType") != errorType || r.Str("error") != msg {
		t.Fatalf("want HTTP %d {status:error, errorType:%s, error:%q}, got %s", status, errorType, msg, r)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("error Content-Type = %q, want application/json", ct)
	}
}

// WantErrorContains checks Tabby's error envelope with a message holding
// every part.
func WantErrorContains(t testing.TB, r *Resp, status int, errorType string, parts ...string) {
	t.Helper()
	if r.Status != status || r.Str("status") != "error" || r.Str("errorType") != errorType {
		t.Fatalf("want HTTP %d errorType %s, got %s", status, errorType, r)
	}
	wantMentions(t, r.Str("error"), parts)
}

// WantCtlError checks the control API's {"error": "..."} shape, with a
// message holding every part.
func WantCtlError(t testing.TB, r *Resp, status int, parts ...string) {
	t.Helper()
	if r.Status != status || r.Str("error") == "" {
		t.Fatalf("want HTTP %d with an error, got %s", status, r)
	}
	wantMentions(t, r.Str("error"), parts)
}

func wantMentions(t testing.TB, msg string, parts []string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(msg, p) {
			t.Errorf("error %q does not mention %q", msg, p)
		}
	}
}

// WantField checks one field of a JSON answer.
func WantField(t testing.TB, r *Resp, path, want string) {
	t.Helper()
	got := r.JSON.Get(path)
	if !got.Exists() {
		t.Errorf("%s: missing in %s", path, r)
		return
	}
	if got.String() != want {
		t.Errorf("%s = %q, want %q", path, got.String(), want)
	}
}

// WantArrayLen checks that path is a JSON array (never null) of n items.
func WantArrayLen(t testing.TB, r *Resp, path string, n int) {
	t.Helper()
	got := r.JSON.Get(path)
	if !got.IsArray() {
		t.Errorf("%s = %s, want an array", path, got.Raw)
		return
	}
	if l := len(got.Array()); l != n {
		t.Errorf("len(%s) = %d, want %d: %s", path, l, n, got.Raw)
	}
}

// MustTime parses an RFC 3339 time, fractional seconds or not.
func MustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return v
}
