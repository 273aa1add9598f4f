package simulator_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/store/sqlite"
)

// unknownKey is Tabby's answer for a key no merchant has.
const unknownKey = `{"status":"error","errorType":"not_authorized","error":"auth: provided key doesn't exist"}`

// TestReset_UnderTraffic resets the simulator again and again while clients
// keep using the merchants each reset removes, through the Tabby API, the
// hosted page and the control API. Every answer is one its surface gives:
// a success, or the merchant is gone (Tabby's 401 for an unknown key, the
// control API's 404, the hosted page's not-found page); never a 500 or an
// empty answer.
func TestReset_UnderTraffic(t *testing.T) {
	for _, tc := range []struct {
		name  string
		store func(t *testing.T) store.Store
	}{
		{"memory", func(*testing.T) store.Store { return store.NewMemory() }},
		{"sqlite", func(t *testing.T) store.Store {
			st, err := sqlite.Open(filepath.Join(t.TempDir(), "sim.db"))
			if err != nil {
				t.Fatal(err)
			}
			return st
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sim, err := simulator.Listen("127.0.0.1:0", simulator.Config{Seed: 21, ClockMode: clock.Manual, Store: tc.store(t)})
			if err != nil {
				t.Fatal(err)
			}
			defer sim.Close()
			c := &raceClient{url: sim.URL, progress: make(chan struct{}, 1), http: &http.Client{
				Timeout:       30 * time.Second,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			}}

			const workers, resets = 6, 40
			var wg sync.WaitGroup
			stop := make(chan struct{})
			for i := 0; i < workers; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						select {
						case <-stop:
							return
						default:
						}
						c.round()
					}
				}()
			}
			for i := 0; i < resets; i++ {
				// Let the clients get well into their rounds between resets.
				for n := 0; n < 40; n++ {
					<-c.progress
				}
				// A few at once: resets race each other too.
				var together sync.WaitGroup
				for j := 0; j < 4; j++ {
					together.Add(1)
					go func() {
						defer together.Done()
						c.call(http.MethodPost, "/_sim/v1/reset", "", nil, 200)
					}()
				}
				together.Wait()
			}
			close(stop)
			wg.Wait()
			for _, f := range c.failures() {
				t.Error(f)
			}
			if c.answers.Load() == 0 {
				t.Fatal("no request was answered")
			}
		})
	}
}

// raceClient plays merchants and customers and records every answer that
// is not one its surface may give.
type raceClient struct {
	url     string
	http    *http.Client
	answers atomic.Int64
	// progress hears of answers, for the resets to wait on.
	progress chan struct{}

	mu   sync.Mutex
	errs []string
}

func (c *raceClient) fail(format string, a ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.errs) < 20 {
		c.errs = append(c.errs, fmt.Sprintf(format, a...))
	}
}

func (c *raceClient) failures() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.errs...)
}

// call sends a request and checks the answer is one of ok or, as its
// merchant may be gone, the surface's answer for that.
func (c *raceClient) call(method, path, key string, body any, ok ...int) gjson.Result {
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case string: // a form
		rd, ctype = strings.NewReader(b), "application/x-www-form-urlencoded"
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, c.url+path, rd)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("X-Merchant-Code", "ae")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.fail("%s %s: %v", method, path, err)
		return gjson.Result{}
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	c.answers.Add(1)
	select {
	case c.progress <- struct{}{}:
	default:
	}
	got := fmt.Sprintf("%s %s → %d %.300s", method, path, res.StatusCode, bytes.TrimSpace(b))
	gone := false
	switch {
	case strings.HasPrefix(path, "/api/"):
		gone = res.StatusCode == http.StatusUnauthorized
		if gone && string(bytes.TrimSpace(b)) != unknownKey {
			c.fail("%s: want Tabby's unknown-key answer %s", got, unknownKey)
		}
	case strings.HasPrefix(path, "/_sim/"):
		gone = res.StatusCode == http.StatusNotFound
		if gone && gjson.GetBytes(b, "error").String() == "" {
			c.fail("%s: want the control API's error shape", got)
		}
	case strings.HasPrefix(path, "/hpp/"):
		gone = res.StatusCode == http.StatusNotFound
	}
	if !gone && !contains(ok, res.StatusCode) {
		c.fail("%s: want one of %v, or the answer for a merchant that is gone", got, ok)
	}
	if res.StatusCode == http.StatusOK && !strings.HasPrefix(path, "/hpp/") && !gjson.ValidBytes(b) {
		c.fail("%s: a 200 without a JSON body", got)
	}
	if bytes.Contains(b, []byte(`"0001-01-01T00:00:00Z"`)) {
		c.fail("%s: the reading of a clock that is gone", got)
	}
	if res.StatusCode != http.StatusOK && res.StatusCode != http.StatusCreated {
		return gjson.Result{}
	}
	return gjson.ParseBytes(b)
}

func contains(list []int, n int) bool {
	for _, v := range list {
		if v == n {
			return true
		}
	}
	return false
}

// round is one merchant's life: created, a checkout paid on the hosted
// page or through the control API, captured, refunded, its clock moved;
// and the default merchant's checkout alongside.
func (c *raceClient) round() {
	for _, sk := range []string{simulator.DefaultSecretKey, ""} {
		id := simulator.DefaultMerchantID
		if sk == "" {
			m := c.call(http.MethodPost, "/_sim/v1/merchants", "", map[string]any{"clock": "manual"}, 201)
			if !m.Exists() {
				continue
			}
			id, sk = m.Get("id").String(), m.Get("tabby.secret_key").String()
			// One registration per merchant: Tabby allows four.
			c.call(http.MethodPost, "/api/v1/webhooks", sk, map[string]any{"url": "http://127.0.0.1:1/hook"}, 200)
		}
		c.call(http.MethodGet, "/_sim/v1/merchants/"+id, "", nil, 200)
		c.call(http.MethodGet, "/_sim/v1/merchants", "", nil, 200)
		c.call(http.MethodGet, "/api/v1/webhooks", sk, nil, 200)
		s := c.call(http.MethodPost, "/api/v2/checkout", sk, e2e.CheckoutBody(), 200)
		pid, sid := s.Get("payment.id").String(), s.Get("id").String()
		if pid == "" {
			continue
		}
		c.call(http.MethodGet, "/api/v2/checkout/"+sid, sk, nil, 200, 404)
		c.call(http.MethodGet, "/hpp/"+sid, "", nil, 200)
		c.call(http.MethodPost, "/hpp/"+sid+"/phone", "", "phone=500000001", 200, 409)
		c.call(http.MethodPost, "/hpp/"+sid+"/otp", "", "code=8888", 200, 409)
		c.call(http.MethodPost, "/hpp/"+sid+"/pay", "", "", 303, 409)
		c.call(http.MethodPost, "/_sim/v1/payments/"+pid+"/customer", "", map[string]any{"action": "approve"}, 200, 409)
		c.call(http.MethodGet, "/_sim/v1/payments/"+pid, "", nil, 200)
		c.call(http.MethodGet, "/_sim/v1/payments?merchant="+id, "", nil, 200)
		c.call(http.MethodGet, "/api/v2/payments/"+pid, sk, nil, 200, 404)
		c.call(http.MethodGet, "/api/v2/payments", sk, nil, 200)
		c.call(http.MethodPost, "/api/v2/payments/"+pid+"/captures", sk, map[string]any{"amount": "100.00", "reference_id": "c1"}, 200, 400, 404)
		c.call(http.MethodPost, "/api/v2/payments/"+pid+"/refunds", sk, map[string]any{"amount": "10.00", "reference_id": "r1"}, 200, 400, 404)
		c.call(http.MethodPost, "/_sim/v1/payments/"+pid+"/webhooks", "", map[string]any{"event": "authorize"}, 202)
		c.call(http.MethodPost, "/_sim/v1/merchants/"+id+"/clock/advance", "", map[string]any{"by": "1m"}, 200)
		c.call(http.MethodGet, "/_sim/v1/merchants/"+id+"/clock", "", nil, 200)
		c.call(http.MethodPatch, "/_sim/v1/merchants/"+id, "", map[string]any{"settings": map[string]any{"strict": false}}, 200)
	}
}

// After a reset, the keys of the merchants it removed are unknown, even to
// a new merchant of the same id, and the default merchant's settings are
// as new: no request is answered from a merchant as it was before.
func TestReset_ForgetsMerchantsAndTheirKeys(t *testing.T) {
	e := e2e.Start(t, simulator.Config{Seed: 5, ClockMode: clock.Manual})
	old := e.NewMerchant(t, map[string]any{"id": "shop", "clock": "manual"})
	old.Session()
	def := e.DefaultMerchant(t)
	def.Settings(map[string]any{"tabby": map[string]any{"limits": map[string]any{"AED": map[string]any{"min": "1.00", "max": "50.00"}}}})
	if r := def.Checkout(); r.Str("status") != "rejected" {
		t.Fatalf("a 100.00 session above the default merchant's max: %s", r)
	}

	if r := e.Ctl(t, http.MethodPost, "/reset", nil); r.Status != http.StatusOK {
		t.Fatalf("reset: %s", r)
	}
	for _, key := range []string{old.SecretKey, old.PublicKey} {
		r := e.Do(t, e2e.Req{Method: http.MethodPost, Path: "/api/v2/checkout", Key: key, Body: e2e.CheckoutBody()})
		e2e.WantError(t, r, http.StatusUnauthorized, "not_authorized", "auth: provided key doesn't exist")
	}
	if r := def.Checkout(); r.Str("status") != "created" {
		t.Errorf("a 100.00 session for the default merchant after the reset: %s, want created", r)
	}
	again := e.NewMerchant(t, map[string]any{"id": "shop", "clock": "manual"})
	if again.SecretKey == old.SecretKey {
		t.Fatalf("the new merchant got the old one's key %s", old.SecretKey)
	}
	again.Session()
	r := e.Do(t, e2e.Req{Method: http.MethodGet, Path: "/api/v2/payments?status=created", Key: old.SecretKey})
	e2e.WantError(t, r, http.StatusUnauthorized, "not_authorized", "auth: provided key doesn't exist")
	e2e.WantField(t, again.Get("/api/v2/payments?status=created"), "pagination.total_count", "1")
}
