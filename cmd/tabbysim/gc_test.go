package main

import (
	"io"
	"net/http"
	"os"
	"regexp"
	"testing"
)

// TestServe_GCPercent: serve runs the collector at gcPercent unless GOGC
// says otherwise, as /metrics reports it.
func TestServe_GCPercent(t *testing.T) {
	bin := buildTabbysim(t)
	for _, tc := range []struct{ gogc, want string }{{"", "200"}, {"50", "50"}} {
		t.Setenv("GOGC", tc.gogc)
		if tc.gogc == "" {
			os.Unsetenv("GOGC")
		}
		p := startProcess(t, bin)
		res, err := http.Get(p.url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := regexp.MustCompile(`(?m)^go_gc_gogc_percent (\d+)$`).FindSubmatch(body)
		if m == nil || string(m[1]) != tc.want {
			t.Errorf("GOGC=%q: go_gc_gogc_percent %q, want %s", tc.gogc, m, tc.want)
		}
		p.kill9()
	}
}
