package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/simulator"
)

// These tests run the real binary on a real data file and stop it with
// SIGKILL, as a crash or `kill -9` would, with nothing closed cleanly.

// buildTabbysim builds this command into a temporary directory.
func buildTabbysim(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "tabbysim")
	// Built as the image builds it (cmd/tabbysim-image), so the two share
	// one compilation in the build cache.
	build := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// process is a running `tabbysim serve`.
type process struct {
	t      *testing.T
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer
	exited chan struct{}
}

// startProcess runs `bin serve --addr 127.0.0.1:0 args...` until it prints
// where it listens; the process is killed when the test ends.
func startProcess(t *testing.T, bin string, args ...string) *process {
	t.Helper()
	var stdout syncBuffer
	p := &process{t: t, stderr: &syncBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	p.cmd.Stdout, p.cmd.Stderr = &stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(p.kill9)
	waitFor(t, "the listening line", 20*time.Second, func() bool {
		select {
		case <-p.exited:
			t.Fatalf("serve exited: %s", p.stderr.String())
		default:
		}
		if m := listening.FindStringSubmatch(stdout.String()); m != nil {
			p.url = m[1]
		}
		return p.url != ""
	})
	return p
}

// kill9 kills the process with SIGKILL and waits for it to be gone.
func (p *process) kill9() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// do sends a JSON request, with the merchant code header the webhook
// endpoints want.
func (p *process) do(method, path, key, body string) (int, gjson.Result) {
	p.t.Helper()
	req, err := http.NewRequest(method, p.url+path, strings.NewReader(body))
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Merchant-Code", "ae")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		p.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, gjson.ParseBytes(b)
}

// call is do, failing the test unless the answer has wantStatus.
func (p *process) call(wantStatus int, method, path, key, body string) gjson.Result {
	p.t.Helper()
	status, res := p.do(method, path, key, body)
	if status != wantStatus {
		p.t.Fatalf("%s %s = %d %s, want %d; stderr:\n%s", method, path, status, res.Raw, wantStatus, p.stderr.String())
	}
	return res
}

const checkoutJSON = `{"merchant_code":"ae","lang":"en",
	"merchant_urls":{"success":"https://shop.example/ok","cancel":"https://shop.example/c","failure":"https://shop.example/f"},
	"payment":{"amount":"100.00","currency":"AED","buyer":{"email":"otp.success@tabby.ai","phone":"500000001"}}}`

// TestServe_KeptDataFileNeverReusesIDs restarts `serve --seed 42` on the
// file a killed run wrote and does the same things again: each gets an id
// of its own, and what the first run stored is still there as it was. A new
// file with the same seed repeats the first run's ids.
func TestServe_KeptDataFileNeverReusesIDs(t *testing.T) {
	bin := buildTabbysim(t)
	receiver := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer receiver.Close()
	sk := simulator.DefaultSecretKey

	type ids struct {
		merchant, merchantKey, webhook, session, payment string
		deliveries                                       []string
	}
	// use registers a webhook, makes a payment that is approved and
	// captured with capture, creates a merchant through the control API, and
	// returns their ids and those of the payment's webhook deliveries.
	use := func(p *process, capture string) ids {
		var got ids
		got.webhook = p.call(http.StatusOK, http.MethodPost, "/api/v1/webhooks", sk, `{"url":"`+receiver.URL+`"}`).Get("id").String()
		s := p.call(http.StatusOK, http.MethodPost, "/api/v2/checkout", sk, checkoutJSON)
		got.session, got.payment = s.Get("id").String(), s.Get("payment.id").String()
		p.call(http.StatusOK, http.MethodPost, "/_sim/v1/payments/"+got.payment+"/customer", "", `{"action":"approve"}`)
		p.call(http.StatusOK, http.MethodPost, "/api/v2/payments/"+got.payment+"/captures", sk, capture)
		for _, d := range p.call(http.StatusOK, http.MethodGet, "/_sim/v1/deliveries?payment="+got.payment, "", "").Get("deliveries.#.id").Array() {
			got.deliveries = append(got.deliveries, d.String())
		}
		status, m := p.do(http.MethodPost, "/_sim/v1/merchants", "", `{}`)
		if status != http.StatusCreated {
			t.Errorf("creating a merchant = %d %s, want 201", status, m.Raw)
		}
		got.merchant, got.merchantKey = m.Get("id").String(), m.Get("tabby.secret_key").String()
		return got
	}
	args := func(data string) []string { return []string{"--data", data, "--seed", "42", "--clock", "manual"} }

	data := filepath.Join(t.TempDir(), "state.db")
	p := startProcess(t, bin, args(data)...)
	first := use(p, `{"amount":"100.00","reference_id":"first"}`)
	firstPayment := p.call(http.StatusOK, http.MethodGet, "/api/v2/payments/"+first.payment, sk, "").Raw
	p.kill9()

	p = startProcess(t, bin, args(data)...)
	second := use(p, `{"amount":"40.00","reference_id":"second"}`)
	seen := map[string]string{}
	for what, id := range map[string]string{"merchant": first.merchant, "merchant key": first.merchantKey,
		"webhook": first.webhook, "session": first.session, "payment": first.payment} {
		seen[id] = what
	}
	for _, id := range first.deliveries {
		seen[id] = "delivery"
	}
	for _, id := range append([]string{second.merchant, second.merchantKey, second.webhook, second.session, second.payment}, second.deliveries...) {
		if what, ok := seen[id]; ok {
			t.Errorf("after the restart a new document got the id %s of the first run's %s", id, what)
		}
	}
	if got := p.call(http.StatusOK, http.MethodGet, "/api/v2/payments/"+first.payment, sk, "").Raw; got != firstPayment {
		t.Errorf("the first run's payment changed:\n got %s\nwant %s", got, firstPayment)
	}
	if hooks := p.call(http.StatusOK, http.MethodGet, "/api/v1/webhooks", sk, "").Get("#.id").String(); hooks != fmt.Sprintf(`["%s","%s"]`, first.webhook, second.webhook) {
		t.Errorf("webhooks = %s, want the first run's and the second's", hooks)
	}
	if key := p.call(http.StatusOK, http.MethodGet, "/_sim/v1/merchants/"+first.merchant, "", "").Get("tabby.secret_key").String(); key != first.merchantKey {
		t.Errorf("the first run's merchant has the key %s, want %s", key, first.merchantKey)
	}
	var kept []string
	for _, d := range p.call(http.StatusOK, http.MethodGet, "/_sim/v1/deliveries?payment="+first.payment, "", "").Get("deliveries.#.id").Array() {
		kept = append(kept, d.String())
	}
	if fmt.Sprint(kept) != fmt.Sprint(first.deliveries) {
		t.Errorf("the first payment's deliveries are %v, want %v", kept, first.deliveries)
	}
	p.kill9()

	again := use(startProcess(t, bin, args(filepath.Join(t.TempDir(), "new.db"))...), `{"amount":"100.00","reference_id":"first"}`)
	if fmt.Sprint(again) != fmt.Sprint(first) {
		t.Errorf("a new file with the same seed gave other ids:\n got %+v\nwant %+v", again, first)
	}
}

// TestServe_KilledDuringAdvanceKeepsTheClock kills `serve` while an advance
// of 22 days is under way, after it auto-captured every payment but before
// it returned (their webhooks hang): after the restart the clock reads no
// earlier than those captures, and the advance can be finished.
func TestServe_KilledDuringAdvanceKeepsTheClock(t *testing.T) {
	bin := buildTabbysim(t)
	var hang atomic.Bool
	hang.Store(true)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if hang.Load() && gjson.GetBytes(body, "captures.#").Int() > 0 {
			<-r.Context().Done() // until the simulator is killed
		}
	}))
	defer receiver.Close()
	sk := simulator.DefaultSecretKey
	data := filepath.Join(t.TempDir(), "state.db")
	args := []string{"--data", data, "--seed", "42", "--clock", "manual"}
	clockNow := func(p *process) time.Time {
		t.Helper()
		now, err := time.Parse(time.RFC3339Nano, p.call(http.StatusOK, http.MethodGet, "/_sim/v1/merchants/default/clock", "", "").Get("now").String())
		if err != nil {
			t.Fatal(err)
		}
		return now
	}

	p := startProcess(t, bin, args...)
	p.call(http.StatusOK, http.MethodPost, "/api/v1/webhooks", sk, `{"url":"`+receiver.URL+`"}`)
	var payments []string
	for i := 0; i < 50; i++ {
		id := p.call(http.StatusOK, http.MethodPost, "/api/v2/checkout", sk, checkoutJSON).Get("payment.id").String()
		p.call(http.StatusOK, http.MethodPost, "/_sim/v1/payments/"+id+"/customer", "", `{"action":"approve"}`)
		payments = append(payments, id)
	}
	start := clockNow(p)

	advanced := make(chan struct{})
	go func() {
		defer close(advanced)
		req, _ := http.NewRequest(http.MethodPost, p.url+"/_sim/v1/merchants/default/clock/advance", strings.NewReader(`{"by":"22d"}`))
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	}()
	waitFor(t, "every payment to be auto-captured", 60*time.Second, func() bool {
		for _, id := range payments {
			if p.call(http.StatusOK, http.MethodGet, "/api/v2/payments/"+id, sk, "").Get("status").String() != "CLOSED" {
				return false
			}
		}
		return true
	})
	select {
	case <-advanced:
		t.Fatal("the advance returned before the kill; the test did not kill it mid-way")
	default:
	}
	p.kill9()
	<-advanced
	hang.Store(false)

	p = startProcess(t, bin, args...)
	now := clockNow(p)
	for _, id := range payments {
		pay := p.call(http.StatusOK, http.MethodGet, "/api/v2/payments/"+id, sk, "")
		captured, err := time.Parse(time.RFC3339Nano, pay.Get("captures.0.created_at").String())
		if err != nil {
			t.Fatalf("payment %s after the restart: %v; %s", id, err, pay.Raw)
		}
		if now.Before(captured) {
			t.Fatalf("after the restart the clock reads %s, behind payment %s's auto-capture at %s", now, id, captured)
		}
	}
	want := start.Add(22 * 24 * time.Hour)
	p.call(http.StatusOK, http.MethodPost, "/_sim/v1/merchants/default/clock/advance", "", `{"to":"`+want.Format(time.RFC3339Nano)+`"}`)
	if got := clockNow(p); !got.Equal(want) {
		t.Errorf("after finishing the advance the clock reads %s, want %s", got, want)
	}
}
