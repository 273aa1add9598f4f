package journal

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/tabbysim/tabbysim/simulator/internal/surface"
)

// lockedBuffer collects log lines written by the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// lines are the JSON log lines written so far.
func (l *lockedBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, s := range strings.Split(strings.TrimSpace(l.b.String()), "\n") {
		if s == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatalf("log line %q: %v", s, err)
		}
		out = append(out, m)
	}
	return out
}

// serveLogged serves h behind a RequestLog writing JSON lines at debug
// level, and the request id header the simulator sets first.
func serveLogged(t *testing.T, h http.Handler) (string, *lockedBuffer) {
	t.Helper()
	buf := &lockedBuffer{}
	rl := &RequestLog{Log: slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	logged := rl.Middleware(h)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req_"+strings.TrimPrefix(r.URL.Path, "/"))
		logged.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, buf
}

func get(t *testing.T, url, body string) {
	t.Helper()
	res, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return // an aborted request
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
}

// TestRequestLog_JournalledRequest: a journalled request is logged with
// what its entry carries (the hint its handler gave included) but never
// its bodies or query, and at warning level for a 4xx.
func TestRequestLog_JournalledRequest(t *testing.T) {
	j := New(10)
	h := surface.Identify(byQuery{})(j.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		Hint(r.Context(), "known merchant codes: ae, sa")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"answer":"secret-in-answer"}`)
	})))
	url, buf := serveLogged(t, h)
	get(t, url+"/one?m=shop&token=secret-in-query", `{"key":"secret-in-body"}`)

	lines := buf.lines(t)
	if len(lines) != 1 {
		t.Fatalf("want one line, got %v", lines)
	}
	l := lines[0]
	for k, want := range map[string]any{
		"level": "WARN", "msg": "request", "method": "POST", "path": "/one", "status": float64(401),
		"request_id": "req_one", "provider": "tabby", "operation": "tabby.capture", "merchant": "shop",
		"hint": "known merchant codes: ae, sa",
	} {
		if l[k] != want {
			t.Errorf("%s = %v, want %v", k, l[k], want)
		}
	}
	if _, ok := l["latency_ms"]; !ok {
		t.Errorf("no latency_ms in %v", l)
	}
	raw, _ := json.Marshal(l)
	for _, secret := range []string{"secret-in-answer", "secret-in-query", "secret-in-body"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the line carries %q: %s", secret, raw)
		}
	}
	if e := j.Recent("", 1)[0]; e.Hint != "known merchant codes: ae, sa" {
		t.Errorf("journal entry hint %q", e.Hint)
	}
}

// TestRequestLog_Levels: requests outside the journal are logged too, with
// a level by status; a quiet route logs at debug level, a request cut off
// at error level.
func TestRequestLog_Levels(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/broken", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	mux.Handle("/health", Quiet(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})))
	mux.HandleFunc("/cut", func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) })
	url, buf := serveLogged(t, mux)
	for _, p := range []string{"/ok", "/broken", "/health", "/cut"} {
		get(t, url+p, "")
	}
	want := map[string]string{"/ok": "INFO", "/broken": "ERROR", "/health": "DEBUG", "/cut": "ERROR"}
	lines := buf.lines(t)
	if len(lines) != len(want) {
		t.Fatalf("want %d lines, got %v", len(want), lines)
	}
	for _, l := range lines {
		p, _ := l["path"].(string)
		if l["level"] != want[p] || l["request_id"] != "req_"+p[1:] || l["provider"] != nil {
			t.Errorf("%s: %v", p, l)
		}
		if (p == "/cut") != (l["aborted"] == true) {
			t.Errorf("%s: aborted %v", p, l["aborted"])
		}
	}
}

// TestLogAttrs_AnyField: every field a struct carries is logged under its
// JSON name, after the first ones, lists as JSON, zero values and fields
// tagged log:"-" left out.
func TestLogAttrs_AnyField(t *testing.T) {
	type warning struct {
		Rule string `json:"rule"`
	}
	v := struct {
		Body    string    `json:"body" log:"-"`
		Lint    []warning `json:"lint,omitempty"`
		Fault   string    `json:"fault,omitempty"`
		Empty   string    `json:"empty,omitempty"`
		Status  int       `json:"status"`
		Method  string    `json:"method"`
		private string
	}{Body: "secret", Lint: []warning{{"amount-as-number"}}, Fault: "rule-1", Status: 200, Method: "GET", private: "x"}
	var keys []string
	for _, a := range logAttrs(&v) {
		keys = append(keys, a.Key)
	}
	if got, want := strings.Join(keys, " "), "method status lint fault"; got != want {
		t.Errorf("attrs %q, want %q", got, want)
	}
	var text bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).LogAttrs(t.Context(), slog.LevelInfo, "request", logAttrs(&v)...)
	if !strings.Contains(text.String(), `lint="[{\"rule\":\"amount-as-number\"}]"`) {
		t.Errorf("text line %s", text.String())
	}
	var js bytes.Buffer
	slog.New(slog.NewJSONHandler(&js, nil)).LogAttrs(t.Context(), slog.LevelInfo, "request", logAttrs(&v)...)
	if !strings.Contains(js.String(), `"lint":[{"rule":"amount-as-number"}]`) {
		t.Errorf("JSON line %s", js.String())
	}
}
