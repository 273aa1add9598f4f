package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/client/tabby"
	"github.com/tabbysim/tabbysim/simulator"
)

// syncBuffer is a bytes.Buffer safe to write from run's goroutine while the
// test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls until cond holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

var listening = regexp.MustCompile(`(?m)^tabbysim listening on (http://127\.0\.0\.1:\d+)$`)

func TestServe_StartsAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--seed", "42", "--clock", "manual"}, &stdout, &stderr)
	}()

	var base string
	waitFor(t, "the listening line", 10*time.Second, func() bool {
		select {
		case code := <-done:
			t.Fatalf("run returned %d before listening; stdout %q stderr %q", code, stdout.String(), stderr.String())
		default:
		}
		m := listening.FindStringSubmatch(stdout.String())
		if m != nil {
			base = m[1]
		}
		return m != nil
	})
	if base == "http://127.0.0.1:0" {
		t.Fatalf("printed the requested port, not the real one: %s", base)
	}

	// The banner: seed and default keys. Everything is printed before the
	// line wait returns, or within the same few writes.
	waitFor(t, "the banner", 5*time.Second, func() bool { return strings.Contains(stdout.String(), simulator.DefaultOnerwayAppID) })
	out := stdout.String()
	for _, want := range []string{"seed 42\n", simulator.DefaultSecretKey, simulator.DefaultPublicKey, `default merchant "default"`,
		"Onerway merchantNo  " + simulator.DefaultOnerwayMerchantNo + "\n", "Onerway secret key  " + simulator.DefaultOnerwaySecretKey + "\n",
		"Onerway appId       " + simulator.DefaultOnerwayAppID + "\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}

	client := &http.Client{Timeout: 5 * time.Second}
	res, err := client.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || gjson.GetBytes(body, "status").String() != "ok" {
		t.Errorf("GET /healthz = %d %s", res.StatusCode, body)
	}

	// The clock flag took: the default merchant's clock is manual, and the
	// hosted page link points at the server.
	res, err = client.Get(base + "/_sim/v1/merchants/default/clock")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if gjson.GetBytes(body, "mode").String() != "manual" {
		t.Errorf("default clock: %s", body)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v2/checkout", strings.NewReader(`{"merchant_code":"ae","lang":"en",
		"payment":{"amount":"100.00","currency":"AED","buyer":{"email":"otp.success@tabby.ai","phone":"500000001"}}}`))
	req.Header.Set("Authorization", "Bearer "+simulator.DefaultSecretKey)
	res, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if web := gjson.GetBytes(body, "configuration.available_products.installments.0.web_url").String(); !strings.HasPrefix(web, base+"/hpp/") {
		t.Errorf("web_url %q does not point at %s", web, base)
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("run returned %d after cancel, want 0; stderr %q", code, stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if !strings.Contains(stdout.String(), "tabbysim stopped\n") {
		t.Errorf("stdout lacks \"tabbysim stopped\":\n%s", stdout.String())
	}
	if _, err := client.Get(base + "/healthz"); err == nil {
		t.Errorf("server still answers after run returned")
	}
}

func TestServe_SeparateControlAddr(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--control-addr", "127.0.0.1:0", "--control-token", "tok", "--clock", "manual",
			"--idle-timeout", "200ms"}, &stdout, &stderr)
	}()
	ctlLine := regexp.MustCompile(`(?m)^control API on (http://127\.0\.0\.1:\d+)/_sim/v1$`)
	var base, ctl string
	waitFor(t, "both addresses", 10*time.Second, func() bool {
		select {
		case code := <-done:
			t.Fatalf("run returned %d; stderr %q", code, stderr.String())
		default:
		}
		out := stdout.String()
		m1, m2 := listening.FindStringSubmatch(out), ctlLine.FindStringSubmatch(out)
		if m1 != nil && m2 != nil {
			base, ctl = m1[1], m2[1]
			return true
		}
		return false
	})
	get := func(url, token string) int {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if c := get(base+"/_sim/v1/merchants", "tok"); c != http.StatusNotFound {
		t.Errorf("control API on the public address: %d, want 404", c)
	}
	if c := get(ctl+"/_sim/v1/merchants", ""); c != http.StatusUnauthorized {
		t.Errorf("control API without token: %d, want 401", c)
	}
	if c := get(ctl+"/_sim/v1/merchants", "tok"); c != http.StatusOK {
		t.Errorf("control API with token: %d, want 200", c)
	}
	// The metrics are served beside the control API, behind its token.
	for _, c := range []struct {
		url, token string
		want       int
	}{
		{base + "/metrics", "tok", http.StatusNotFound},
		{ctl + "/metrics", "", http.StatusUnauthorized},
		{ctl + "/metrics", "wrong", http.StatusUnauthorized},
		{ctl + "/metrics", "tok", http.StatusOK},
	} {
		if got := get(c.url, c.token); got != c.want {
			t.Errorf("GET %s with token %q: %d, want %d", c.url, c.token, got, c.want)
		}
	}
	// The dashboard is with the control API; its page asks for the token.
	if m := regexp.MustCompile(`(?m)^dashboard on (\S+)$`).FindStringSubmatch(stdout.String()); m == nil || m[1] != ctl+"/_sim/" {
		t.Errorf("stdout does not say the dashboard is on %s/_sim/:\n%s", ctl, stdout.String())
	}
	if c := get(ctl+"/_sim/", ""); c != http.StatusOK {
		t.Errorf("dashboard on the control address: %d, want 200", c)
	}
	if c := get(base+"/_sim/", ""); c != http.StatusNotFound {
		t.Errorf("dashboard on the public address: %d, want 404", c)
	}
	// Both addresses close a connection left idle past --idle-timeout.
	for _, url := range []string{base + "/healthz", ctl + "/_sim/v1/health"} {
		wantIdleClosed(t, url)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return")
	}
}

// wantIdleClosed sends one GET to url on a kept-alive connection and fails
// the test unless the server closes the connection afterwards.
func wantIdleClosed(t *testing.T, url string) {
	t.Helper()
	u, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, "GET "+u.Path+" HTTP/1.1\r\nHost: "+u.Host+"\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Close {
		t.Fatalf("GET %s: %d, close %v; want 200 on a kept-alive connection", url, res.StatusCode, res.Close)
	}
	const held = 10 * time.Second
	_ = conn.SetReadDeadline(time.Now().Add(held))
	_, err = io.Copy(io.Discard, br)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Errorf("%s: the server still holds an idle connection after %s", u.Host, held)
	}
}

func TestRun_BadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--clock", "sideways"},
		{"serve", "--no-such-flag"},
		{"serve", "--seed", "many"},
		{"serve", "--public-url", "ftp://x"},
		{"serve", "--read-timeout", "0"},
		{"serve", "--write-timeout", "-1s"},
		{"serve", "--idle-timeout", "soon"},
		{"serve", "--log-format", "xml"},
		{"serve", "--log-level", "loud"},
		{"merchant", "--secret-key", "sk"},
		{"merchant", "--tabby-url", "http://x", "--secret-key", "sk", "--defect", "nope"},
		{"merchant", "--no-such-flag"},
		{"merchant", "--tabby-url", "http://x", "--secret-key", "sk", "--merchant-codes", "ae"},
		{"merchant", "--tabby-url", "http://x", "--secret-key", "sk", "--merchant-codes", "USD=us"},
		{"merchant", "--provider", "paypal", "--tabby-url", "http://x", "--secret-key", "sk"},
		{"merchant", "--provider", "onerway", "--onerway-url", "http://x", "--onerway-secret-key", "k"},
		{"merchant", "--provider", "onerway", "--merchant-no", "800209", "--onerway-secret-key", "k"},
		{"merchant", "--provider", "onerway", "--onerway-url", "http://x", "--merchant-no", "800209"},
		{"scenario"},
		{"health", "--url", "ftp://x"},
		{"version", "extra"},
		{"help", "launch"},
		{"launch"},
		{},
	} {
		var stdout, stderr syncBuffer
		code := run(context.Background(), args, &stdout, &stderr)
		if code != 2 {
			t.Errorf("run %q = %d, want 2", args, code)
		}
		if stderr.String() == "" {
			t.Errorf("run %q printed nothing on stderr", args)
		}
		if strings.Contains(stdout.String(), "listening") {
			t.Errorf("run %q started serving", args)
		}
	}
	var stdout, stderr syncBuffer
	run(context.Background(), []string{"serve", "--clock", "sideways"}, &stdout, &stderr)
	if !strings.Contains(stderr.String(), "--clock") || !strings.Contains(stderr.String(), "sideways") {
		t.Errorf("stderr does not name the bad flag: %q", stderr.String())
	}
	// Package flag's own errors, with flags written as the README writes
	// them and a pointer to the help.
	for args, want := range map[string]string{
		"serve --no-such-flag": "--no-such-flag",
		"serve --seed many":    "--seed",
		"conform --tags":       "--tags",
	} {
		var stdout, stderr syncBuffer
		run(context.Background(), strings.Fields(args), &stdout, &stderr)
		cmd := strings.Fields(args)[0]
		if msg := stderr.String(); !strings.Contains(msg, want) || strings.Contains(msg, " -"+want[2:]) ||
			!strings.Contains(msg, "tabbysim "+cmd+" --help") {
			t.Errorf("%s: stderr %q, want %s and a pointer to tabbysim %s --help", args, msg, want, cmd)
		}
	}
}

func TestRun_AddressInUse(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--clock", "manual"}, &stdout, &stderr)
	}()
	var base string
	waitFor(t, "the listening line", 10*time.Second, func() bool {
		m := listening.FindStringSubmatch(stdout.String())
		if m != nil {
			base = m[1]
		}
		return m != nil
	})
	var out2, err2 syncBuffer
	code := run(context.Background(), []string{"serve", "--addr", strings.TrimPrefix(base, "http://"), "--clock", "manual"}, &out2, &err2)
	if code != 1 || !strings.Contains(err2.String(), "address already in use") || !strings.Contains(err2.String(), "--addr 127.0.0.1:0") {
		t.Errorf("second serve on a taken address: exit %d, stderr %q; want 1 suggesting --addr 127.0.0.1:0", code, err2.String())
	}
	cancel()
	<-done
}

func TestRun_VersionAndHelp(t *testing.T) {
	for _, arg := range []string{"version", "--version", "-v"} {
		var stdout, stderr syncBuffer
		if code := run(context.Background(), []string{arg}, &stdout, &stderr); code != 0 {
			t.Errorf("%s: exit %d", arg, code)
		}
		if got := stdout.String(); got != "tabbysim "+simulator.Version+"\n" {
			t.Errorf("%s printed %q", arg, got)
		}
	}
}

// TestRun_Help: tabbysim help lists every command with an example, and
// every command's help goes to stdout, exits 0, writes flags --name and
// shows an example.
func TestRun_Help(t *testing.T) {
	var stdout, stderr syncBuffer
	if code := run(context.Background(), []string{"help"}, &stdout, &stderr); code != 0 || stderr.String() != "" {
		t.Fatalf("help: exit %d, stderr %q", code, stderr.String())
	}
	overview := stdout.String()
	singleDashFlag := regexp.MustCompile(`(^|\s)-[a-z]`)
	for _, c := range commands {
		if !strings.Contains(overview, "\n  "+c.Name+" ") || !strings.Contains(overview, "\n  "+c.Example+"\n") {
			t.Errorf("help does not list %s with its example:\n%s", c.Name, overview)
		}
		for _, args := range [][]string{{c.Name, "--help"}, {c.Name, "-h"}, {"help", c.Name}} {
			if c.Name == "help" && args[0] == "help" {
				continue
			}
			var stdout, stderr syncBuffer
			code := run(context.Background(), args, &stdout, &stderr)
			out := stdout.String()
			if code != 0 || stderr.String() != "" {
				t.Errorf("%q: exit %d, stderr %q; want 0 and the help on stdout", args, code, stderr.String())
			}
			if !strings.HasPrefix(out, "Usage: tabbysim "+c.Usage+"\n") || !strings.HasSuffix(out, "\nExample:\n  "+c.Example+"\n") {
				t.Errorf("%q printed %q, want its usage line and example", args, out)
			}
			if m := singleDashFlag.FindString(out); m != "" {
				t.Errorf("%q writes a flag with one dash (%q):\n%s", args, m, out)
			}
		}
	}
	stdout = syncBuffer{}
	run(context.Background(), []string{"serve", "--help"}, &stdout, &stderr)
	for _, want := range []string{"\n  --addr string\n", `(default "127.0.0.1:4600")`, "\n  --seed int\n", "\n  --data string\n"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("serve --help lacks %q:\n%s", want, stdout.String())
		}
	}
}

func TestScenarioCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"scenario", "list"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "lost-webhooks\t") {
		t.Fatalf("scenario list: exit %d, %q %q", code, out.String(), errOut.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"scenario", "show", "forged-webhooks"}, &out, &errOut); code != 0 || !strings.Contains(out.String(), `"forge": "wrong"`) {
		t.Fatalf("scenario show: exit %d, %q", code, out.String())
	}
	if code := run(context.Background(), []string{"scenario", "show", "nope"}, &out, &errOut); code != 1 {
		t.Fatalf("unknown scenario: exit %d, want 1", code)
	}
	if code := run(context.Background(), []string{"conform", "--defect", "nope"}, &out, &errOut); code != 2 {
		t.Fatalf("conform with an unknown defect: exit %d, want 2", code)
	}
	for _, args := range [][]string{{"conform", "--variant", "nope"}, {"conform", "--variant", "async-webhooks", "--defect", "never-polls"},
		{"merchant", "--tabby-url", "http://x", "--secret-key", "sk", "--variant", "nope"}, {"conform", "--settle", "0s"}} {
		errOut.Reset()
		if code := run(context.Background(), args, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "--"+strings.TrimPrefix(args[len(args)-2], "--")) {
			t.Fatalf("%q: exit %d, stderr %q; want 2 naming the flag", args, code, errOut.String())
		}
	}
	out.Reset()
	if code := run(context.Background(), []string{"conform", "--list-defects"}, &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "ignores-webhooks\t") {
		t.Fatalf("conform --list-defects: exit %d, %q", code, out.String())
	}
}

func TestConformCommand(t *testing.T) {
	junit := t.TempDir() + "/report.xml"
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"conform", "--tags", "@refund", "--seed", "3", "--junit", junit}, &out, &errOut); code != 0 {
		t.Fatalf("conform against the clean reference merchant: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	report, err := os.ReadFile(junit)
	if err != nil || !strings.Contains(string(report), "<testsuites") || !strings.Contains(string(report), "A partial refund") {
		t.Fatalf("JUnit report missing or empty (%v): %s", err, report)
	}
	out.Reset()
	code := run(context.Background(), []string{"conform", "--tags", "@refund", "--defect", "refunds-beyond-captured"}, &out, &errOut)
	if code != 1 || !strings.Contains(out.String(), "never refund beyond the captured amount") {
		t.Fatalf("conform against a defect: exit %d, want 1 with the broken rule\n%s", code, out.String())
	}
}

// TestConform_NoScenarioSelected: a tag expression that selects nothing
// fails the run (exit 2, with a message and an errored JUnit report), never
// passes it; so does a malformed one, whose report replaces a former one.
func TestConform_NoScenarioSelected(t *testing.T) {
	for tags, why := range map[string]string{"@nosuchtag": "matched none of the", "@poll and not @poll": "matched none of the",
		"@poll && ~@poll": "matched none of the", "@capture &&": "a tag is missing after"} {
		junit := t.TempDir() + "/report.xml"
		if err := os.WriteFile(junit, []byte("<testsuites tests=\"0\"/>"), 0o644); err != nil {
			t.Fatal(err)
		}
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"conform", "--tags", tags, "--junit", junit}, &out, &errOut)
		if code != 2 || !strings.Contains(errOut.String(), why) || strings.Contains(out.String(), "PASS") {
			t.Fatalf("--tags %q: exit %d, want 2 with a message\nstdout: %s\nstderr: %s", tags, code, out.String(), errOut.String())
		}
		b, err := os.ReadFile(junit)
		if err != nil {
			t.Fatal(err)
		}
		var report struct {
			Tests  int `xml:"tests,attr"`
			Errors int `xml:"errors,attr"`
			Suites []struct {
				Name   string `xml:"name,attr"`
				Tests  int    `xml:"tests,attr"`
				Errors int    `xml:"errors,attr"`
				Cases  []struct {
					Name  string `xml:"name,attr"`
					Error *struct {
						Message string `xml:"message,attr"`
					} `xml:"error"`
				} `xml:"testcase"`
			} `xml:"testsuite"`
		}
		if err := xml.Unmarshal(b, &report); err != nil {
			t.Fatalf("the JUnit report does not parse: %v\n%s", err, b)
		}
		if report.Tests != 1 || report.Errors != 1 || len(report.Suites) != 1 || report.Suites[0].Errors != 1 ||
			len(report.Suites[0].Cases) != 1 || report.Suites[0].Cases[0].Error == nil ||
			!strings.Contains(report.Suites[0].Cases[0].Error.Message, why) {
			t.Fatalf("--tags %q: the JUnit report does not say the run checked nothing:\n%s", tags, b)
		}
	}
}

// TestConform_TagSyntax: Cucumber's tag expressions select what they say,
// and a malformed one is a one-line usage error, never a panic.
func TestConform_TagSyntax(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"conform", "--tags", "@tabby and @refund and not @capture", "--seed", "3"}, &out, &errOut); code != 0 ||
		!strings.Contains(out.String(), "\n7 scenarios: 7 passed, 0 failed, 0 skipped\n") {
		t.Fatalf("--tags '@tabby and @refund and not @capture': exit %d, want the 7 Tabby refund scenarios to pass\n%s%s", code, out.String(), errOut.String())
	}
	for _, tags := range []string{"@capture &&", "@capture and", "(@capture", "@capture AND @refund"} {
		out.Reset()
		errOut.Reset()
		code := run(context.Background(), []string{"conform", "--tags", tags}, &out, &errOut)
		msg := strings.TrimSuffix(errOut.String(), "\n")
		if code != 2 || strings.Contains(msg, "\n") || !strings.Contains(msg, "not, and, or and parentheses") {
			t.Fatalf("--tags %q: exit %d, want 2 and one line naming the syntax; got %q", tags, code, errOut.String())
		}
	}
}

// startServe runs `tabbysim serve` with args and returns its base URL and
// a function that stops it and checks it exited cleanly.
func startServe(t *testing.T, args ...string) (string, func()) {
	t.Helper()
	base, _, stop := startServeLogged(t, args...)
	return base, stop
}

// startServeLogged is startServe that also returns what serve writes on
// stderr: its log.
func startServeLogged(t *testing.T, args ...string) (string, *syncBuffer, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout syncBuffer
	stderr := &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), &stdout, stderr)
	}()
	var base string
	waitFor(t, "the listening line", 10*time.Second, func() bool {
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, stderr.String())
		default:
		}
		if m := listening.FindStringSubmatch(stdout.String()); m != nil {
			base = m[1]
		}
		return base != ""
	})
	return base, stderr, func() {
		cancel()
		if code := <-done; code != 0 {
			t.Fatalf("serve exited %d: %s", code, stderr.String())
		}
	}
}

// TestServe_DataSurvivesRestart keeps the state in a SQLite file: a payment
// and the merchant's clock are there after a restart.
func TestServe_DataSurvivesRestart(t *testing.T) {
	data := t.TempDir() + "/state.db"
	client := &http.Client{Timeout: 5 * time.Second}
	call := func(method, url, body string) []byte {
		t.Helper()
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+simulator.DefaultSecretKey)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return b
	}
	base, stop := startServe(t, "--clock", "manual", "--data", data)
	created := call(http.MethodPost, base+"/api/v2/checkout", `{"merchant_code":"ae",
		"payment":{"amount":"100.00","currency":"AED","buyer":{"email":"otp.success@tabby.ai","phone":"500000001"}}}`)
	id := gjson.GetBytes(created, "payment.id").String()
	call(http.MethodPost, base+"/_sim/v1/merchants/default/clock/advance", `{"by":"10m"}`)
	before := gjson.GetBytes(call(http.MethodGet, base+"/_sim/v1/merchants/default/clock", ""), "now").String()
	stop()

	base, stop = startServe(t, "--clock", "manual", "--data", data)
	defer stop()
	if now := gjson.GetBytes(call(http.MethodGet, base+"/_sim/v1/merchants/default/clock", ""), "now").String(); now != before {
		t.Fatalf("the clock reads %s after the restart, want %s", now, before)
	}
	if s := gjson.GetBytes(call(http.MethodGet, base+"/api/v2/payments/"+id, ""), "status").String(); s != "CREATED" {
		t.Fatalf("payment %s after the restart: status %q", id, s)
	}
	call(http.MethodPost, base+"/_sim/v1/merchants/default/clock/advance", `{"by":"16m"}`)
	if s := gjson.GetBytes(call(http.MethodGet, base+"/api/v2/payments/"+id, ""), "status").String(); s != "EXPIRED" {
		t.Fatalf("the payment's expiry did not survive the restart: status %q", s)
	}
}

func TestHealth(t *testing.T) {
	base, stop := startServe(t, "--clock", "manual")
	defer stop()
	var stdout, stderr syncBuffer
	if code := run(context.Background(), []string{"health", "--url", base}, &stdout, &stderr); code != 0 {
		t.Fatalf("health of a running simulator: exit %d, stderr %q", code, stderr.String())
	}
	if want := "healthy: GET " + base + "/healthz answered 200 OK (tabbysim " + simulator.Version + ")\n"; stdout.String() != want {
		t.Errorf("health printed %q, want %q", stdout.String(), want)
	}

	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "starting", http.StatusServiceUnavailable)
	}))
	defer failing.Close()
	// A port nothing listens on: taken, then let go.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	for url, want := range map[string]string{
		failing.URL: "answered 503 Service Unavailable: starting",
		closed:      "no answer from " + closed + "/healthz",
	} {
		var stdout, stderr syncBuffer
		if code := run(context.Background(), []string{"health", "--url", url}, &stdout, &stderr); code != 1 {
			t.Errorf("health --url %s: exit %d, want 1", url, code)
		}
		if !strings.HasPrefix(stderr.String(), "tabbysim health: unhealthy: ") || !strings.Contains(stderr.String(), want) {
			t.Errorf("health --url %s: stderr %q, want %q", url, stderr.String(), want)
		}
	}
}

// TestMerchant_RestartsLeaveNoWebhook starts and stops tabbysim merchant
// more times than Tabby allows webhooks: each run removes the webhook it
// registered, so every start succeeds and none is left.
func TestMerchant_RestartsLeaveNoWebhook(t *testing.T) {
	base, stop := startServe(t, "--clock", "manual")
	defer stop()
	api := tabby.New(simulator.DefaultSecretKey, tabby.WithBaseURL(base))
	ready := regexp.MustCompile(`(?m)^reference merchant listening on (http://127\.0\.0\.1:\d+)$`)
	for i := range 5 {
		ctx, cancel := context.WithCancel(context.Background())
		var stdout, stderr syncBuffer
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, []string{"merchant", "--tabby-url", base, "--secret-key", simulator.DefaultSecretKey,
				"--webhook-secret", "s3cret", "--poll-interval", "1m"}, &stdout, &stderr)
		}()
		var url string
		waitFor(t, "the merchant's ready line", 10*time.Second, func() bool {
			select {
			case code := <-done:
				t.Fatalf("start %d: the merchant exited %d: %s", i+1, code, stderr.String())
			default:
			}
			if m := ready.FindStringSubmatch(stdout.String()); m != nil {
				url = m[1]
			}
			return url != ""
		})
		res, err := http.Get(url + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("start %d: the merchant's /healthz answered %d", i+1, res.StatusCode)
		}
		hooks, err := api.ListWebhooks(context.Background(), "ae")
		if err != nil || len(hooks) != 1 || hooks[0].URL != url+"/webhooks/tabby" || hooks[0].Header == nil || hooks[0].Header.Value != "s3cret" {
			t.Fatalf("start %d: webhooks %+v (%v), want the merchant's with the given secret", i+1, hooks, err)
		}
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Fatalf("stop %d: exit %d: %s", i+1, code, stderr.String())
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("stop %d: the merchant did not return", i+1)
		}
	}
	if hooks, err := api.ListWebhooks(context.Background(), "ae"); err != nil || len(hooks) != 0 {
		t.Fatalf("webhooks left after the merchant stopped: %+v (%v)", hooks, err)
	}
}

// TestServe_Strict: serve accepts an amount sent as a JSON number, as
// Tabby's Android SDK sends it, and records a lint warning on the journal
// entry; serve --strict refuses it, as Tabby's OpenAPI file says.
func TestServe_Strict(t *testing.T) {
	const body = `{"merchant_code":"ae","payment":{"amount":100,"currency":"AED","buyer":{"email":"otp.success@tabby.ai","phone":"500000001"}}}`
	client := &http.Client{Timeout: 5 * time.Second}
	checkout := func(base string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v2/checkout", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+simulator.DefaultSecretKey)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, b
	}
	for _, strict := range []bool{false, true} {
		var args []string
		if strict {
			args = append(args, "--strict")
		}
		base, stop := startServe(t, args...)
		status, b := checkout(base)
		res, err := client.Get(base + "/_sim/v1/journal?merchant=default&limit=1")
		if err != nil {
			t.Fatal(err)
		}
		j, _ := io.ReadAll(res.Body)
		res.Body.Close()
		rule := gjson.GetBytes(j, "entries.0.lint.0.rule").String()
		stop()
		switch {
		case !strict && (status != http.StatusOK || rule != "R-AMOUNT-STRING"):
			t.Fatalf("serve: HTTP %d %s, lint %q; want 200 and an R-AMOUNT-STRING warning", status, b, rule)
		case strict && (status != http.StatusBadRequest || !strings.Contains(string(b), "payment.amount: expected a string, got number") || rule != ""):
			t.Fatalf("serve --strict: HTTP %d %s, lint %q; want 400 naming payment.amount", status, b, rule)
		}
	}
}

// TestConform_OwnFeatures: --list-steps prints the vocabulary, and
// --features runs a directory of a merchant's own features with it,
// writing the readiness report --report asks for.
func TestConform_OwnFeatures(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"conform", "--list-steps"}, &out, &errOut); code != 0 ||
		!strings.Contains(out.String(), "\n    Given the customer checks out 100.00 AED\n") {
		t.Fatalf("conform --list-steps: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	dir := t.TempDir()
	feature := "@tabby\nFeature: Our shop\n  Scenario: A customer pays\n    Given the customer checks out 150.00 AED\n" +
		"    When the customer pays on the hosted page\n    And webhooks are delivered\n    Then the merchant captured 150.00 exactly once\n"
	if err := os.WriteFile(dir+"/shop.feature", []byte(feature), 0o644); err != nil {
		t.Fatal(err)
	}
	report := dir + "/readiness.md"
	out.Reset()
	if code := run(context.Background(), []string{"conform", "--features", dir, "--report", report}, &out, &errOut); code != 0 ||
		!strings.Contains(out.String(), "ok    Our shop › A customer pays\n") {
		t.Fatalf("conform --features: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if b, err := os.ReadFile(report); err != nil || !bytes.Contains(b, []byte("| Successful payment scenario tested | verified | by A customer pays |")) {
		t.Fatalf("readiness report (%v):\n%s", err, b)
	}
	if code := run(context.Background(), []string{"conform", "--features", dir + "/none"}, &out, &errOut); code != 2 {
		t.Fatalf("conform --features on a missing directory: exit %d", code)
	}
}
