package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
)

// shared is the simulator every test uses, each with merchants of its own;
// its background loop runs, as under tabbysim serve, so webhooks go out
// without a test advancing a clock.
var shared *e2e.Env

func TestMain(m *testing.M) {
	e, stop, err := e2e.Listen(simulator.Config{Seed: 12, ClockMode: clock.Manual})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	shared = e
	ctx, cancel := context.WithCancel(context.Background())
	running := make(chan struct{})
	go func() { defer close(running); e.Sim.Run(ctx) }()
	code := m.Run()
	browser.Close()
	cancel()
	<-running
	stop()
	os.Exit(code)
}

func get(t *testing.T, url string) *e2e.Resp {
	t.Helper()
	return shared.Do(t, e2e.Req{Method: http.MethodGet, Path: strings.TrimPrefix(url, shared.URL)})
}

func TestPage_ServedWithAStrictPolicy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		path, contentType string
	}{
		{"/_sim/", "text/html; charset=utf-8"},
		{"/_sim/app.js", "text/javascript; charset=utf-8"},
		{"/_sim/app.css", "text/css; charset=utf-8"},
	} {
		r := get(t, tc.path)
		e2e.WantStatus(t, r, http.StatusOK)
		h := r.Header
		if got := h.Get("Content-Type"); got != tc.contentType {
			t.Errorf("%s: Content-Type %q, want %q", tc.path, got, tc.contentType)
		}
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
			"frame-ancestors 'none'", "require-trusted-types-for 'script'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: Content-Security-Policy %q lacks %q", tc.path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe") || strings.Contains(csp, "http") {
			t.Errorf("%s: Content-Security-Policy %q allows unsafe or outside sources", tc.path, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no X-Content-Type-Options: nosniff", tc.path)
		}
	}
	// The page loads nothing but its own script and style sheet, and has
	// no inline script or style.
	page := get(t, "/_sim/").Text()
	for _, re := range []string{`(?i)<script(?:\s[^>]*)?>`, `(?i)\bstyle=`, `(?i)<style`, `(?i)\bon[a-z]+=`, `(?i)(src|href)="(https?:)?//`} {
		for _, m := range regexp.MustCompile(re).FindAllString(page, -1) {
			if m == `<script src="app.js" defer>` || m == `<script id="text" type="application/json">` {
				continue
			}
			t.Errorf("the page has %q", m)
		}
	}
	r := get(t, "/_sim")
	if r.Status != http.StatusMovedPermanently || r.Header.Get("Location") != "/_sim/" {
		t.Errorf("/_sim: %d to %q, want 301 to /_sim/", r.Status, r.Header.Get("Location"))
	}
	if r := shared.Do(t, e2e.Req{Method: http.MethodPost, Path: "/_sim/"}); r.Status != http.StatusMethodNotAllowed {
		t.Errorf("POST /_sim/: %s, want 405", r)
	}
}

// TestPage_Languages: English by default, Arabic right to left with
// ?lang=ar, each with the strings of its own language for the script.
func TestPage_Languages(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ query, lang, dir, title string }{
		{"", "en", "ltr", "tabbysim dashboard"},
		{"?lang=fr", "en", "ltr", "tabbysim dashboard"},
		{"?lang=ar", "ar", "rtl", "لوحة tabbysim"},
	} {
		page := get(t, "/_sim/"+tc.query).Text()
		if want := `<html lang="` + tc.lang + `" dir="` + tc.dir + `">`; !strings.Contains(page, want) {
			t.Errorf("%q: page lacks %s", tc.query, want)
		}
		m := regexp.MustCompile(`(?s)<script id="text" type="application/json">(.*?)</script>`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("%q: no strings for the script", tc.query)
		}
		var text map[string]string
		if err := json.Unmarshal([]byte(m[1]), &text); err != nil {
			t.Fatalf("%q: the strings are not JSON: %v", tc.query, err)
		}
		if text["Title"] != tc.title {
			t.Errorf("%q: title %q, want %q", tc.query, text["Title"], tc.title)
		}
	}
}

// TestPage_LivesWithTheControlAPI: with the control API on its own
// address, the dashboard is there and not on the public one.
func TestPage_LivesWithTheControlAPI(t *testing.T) {
	t.Parallel()
	sim, err := simulator.New(simulator.Config{PublicURL: "http://127.0.0.1:1", Seed: 3, ClockMode: clock.Manual, SeparateControl: true})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	for _, tc := range []struct {
		h    http.Handler
		want int
	}{{sim.Handler(), http.StatusNotFound}, {sim.ControlHandler(), http.StatusOK}} {
		for _, path := range []string{"/_sim/", "/_sim/app.js"} {
			req, _ := http.NewRequest(http.MethodGet, path, nil)
			rec := httptest.NewRecorder()
			tc.h.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Errorf("%s: %d, want %d", path, rec.Code, tc.want)
			}
		}
	}
}
