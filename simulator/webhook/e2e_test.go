package webhook_test

// End-to-end: a simulator on loopback with merchants on manual clocks sends
// Tabby's webhooks to a real receiver on loopback. Nothing sleeps: what is
// due goes out when the test advances the merchant's clock.

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
	"github.com/tabbysim/tabbysim/simulator/webhook"
	"github.com/tabbysim/tabbysim/simulator/webhook/webhooktest"
)

// setup prepares a merchant registered with a receiver; every webhook the
// setup caused has been delivered and is forgotten by the test.
type scenario struct {
	*merchant
	recv *webhooktest.Receiver
}

func newScenario(t *testing.T, e *e2e.Env) *scenario {
	t.Helper()
	m := newMerchant(t, e, "manual")
	recv := webhooktest.NewReceiver(t)
	m.register(recv.URL, "s3cret")
	return &scenario{merchant: m, recv: recv}
}

// event is what one webhook must say.
type event struct {
	status   string
	captures []string // amounts, in order
	refunds  []string
	check    func(t *testing.T, body map[string]any)
}

// TestWebhook_TabbyEvents sends each of Tabby's events through the whole
// simulator and checks what reaches the merchant (tabby-api.md §6.3 table).
func TestWebhook_TabbyEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t, clock.Manual)
	closedAt := func(t *testing.T, b map[string]any) {
		if s, ok := str(b, "closed_at"); !ok || s == "" {
			t.Errorf("closed_at = %v, want a time", b["closed_at"])
		}
	}
	notClosed := func(t *testing.T, b map[string]any) {
		if v, ok := b["closed_at"]; ok && v != nil {
			t.Errorf("closed_at = %v, want null", v)
		}
	}
	tests := []struct {
		name string
		// settings are patched before anything else.
		settings map[string]any
		// setup runs before the test starts counting webhooks.
		setup func(s *scenario) string
		// act causes the events under test.
		act  func(s *scenario, id string)
		want []event
	}{
		{
			name: "authorize",
			setup: func(s *scenario) string {
				return s.session("100.00")
			},
			act:  func(s *scenario, id string) { s.customer(id, "approve") },
			want: []event{{status: "authorized", check: notClosed}},
		},
		{
			name:  "partial capture",
			setup: func(s *scenario) string { return s.Authorized("100.00") },
			act:   func(s *scenario, id string) { s.capture(id, "40.00", "cap-1") },
			want:  []event{{status: "authorized", captures: []string{"40.00"}, check: notClosed}},
		},
		{
			name:  "full capture sends capture then close",
			setup: func(s *scenario) string { return s.Authorized("100.00") },
			act:   func(s *scenario, id string) { s.capture(id, "100.00", "cap-1") },
			want: []event{
				{status: "authorized", captures: []string{"100.00"}, check: notClosed},
				{status: "closed", captures: []string{"100.00"}, check: closedAt},
			},
		},
		{
			name:  "close",
			setup: func(s *scenario) string { return s.Authorized("100.00") },
			act:   func(s *scenario, id string) { s.close(id) },
			want:  []event{{status: "closed", check: closedAt}},
		},
		{
			name:  "reject on the hosted page",
			setup: func(s *scenario) string { return s.session("100.00") },
			act:   func(s *scenario, id string) { s.customer(id, "reject") },
			want:  []event{{status: "rejected", check: notClosed}},
		},
		{
			name:  "pre-scoring rejection sends nothing",
			setup: func(s *scenario) string { return "" },
			act: func(s *scenario, _ string) {
				id, status := s.checkout("100.00", "500000002")
				if status != "rejected" {
					s.T.Fatalf("checkout with phone 500000002: status %q, want rejected", status)
				}
				s.Advance("30m")
				if ds := s.deliveries("payment=" + id); len(ds) != 0 {
					s.T.Errorf("pre-scoring rejection made deliveries: %+v", ds)
				}
			},
		},
		{
			name: "refund",
			setup: func(s *scenario) string {
				id := s.Authorized("100.00")
				s.capture(id, "100.00", "cap-1")
				return id
			},
			act:  func(s *scenario, id string) { s.refund(id, "30.00", "ref-1") },
			want: []event{{status: "closed", captures: []string{"100.00"}, refunds: []string{"30.00"}, check: closedAt}},
		},
		{
			name:  "update reference",
			setup: func(s *scenario) string { return s.Authorized("100.00") },
			act: func(s *scenario, id string) {
				s.api(http.MethodPut, "/api/v2/payments/"+id, map[string]any{"order": map[string]any{"reference_id": "order-2002"}})
			},
			want: []event{{status: "authorized", check: func(t *testing.T, b map[string]any) {
				if ref, _ := str(b, "order.reference_id"); ref != "order-2002" {
					t.Errorf("order.reference_id = %q, want the new order-2002", ref)
				}
			}}},
		},
		{
			name:     "expire with expire webhooks on",
			settings: map[string]any{"tabby": map[string]any{"expire_webhooks": true}},
			setup:    func(s *scenario) string { return s.session("100.00") },
			act:      func(s *scenario, id string) { s.Advance("26m") },
			want: []event{{status: "expired", check: func(t *testing.T, b map[string]any) {
				if s, ok := str(b, "expired_at"); !ok || s == "" {
					t.Errorf("expired_at = %v, want a time", b["expired_at"])
				}
				if b["is_expired"] != true {
					t.Errorf("is_expired = %v, want true", b["is_expired"])
				}
			}}},
		},
		{
			name:     "cancel on the hosted page with expire webhooks on",
			settings: map[string]any{"tabby": map[string]any{"expire_webhooks": true}},
			setup:    func(s *scenario) string { return s.session("100.00") },
			act:      func(s *scenario, id string) { s.customer(id, "cancel") },
			want: []event{{status: "expired", check: func(t *testing.T, b map[string]any) {
				if b["is_expired"] != true {
					t.Errorf("is_expired = %v, want true", b["is_expired"])
				}
			}}},
		},
		{
			name:     "immediate auto-capture sends authorize, capture and close in order",
			settings: map[string]any{"tabby": map[string]any{"auto_capture": "immediate"}},
			setup:    func(s *scenario) string { return s.session("100.00") },
			act:      func(s *scenario, id string) { s.customer(id, "approve") },
			want: []event{
				{status: "authorized", check: notClosed},
				{status: "authorized", captures: []string{"100.00"}, check: notClosed},
				{status: "closed", captures: []string{"100.00"}, check: closedAt},
			},
		},
		{
			name:  "expire sends nothing with expire webhooks off",
			setup: func(s *scenario) string { return s.session("100.00") },
			act:   func(s *scenario, id string) { s.Advance("26m") },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newScenario(t, e)
			if tc.settings != nil {
				s.Settings(tc.settings)
			}
			id := tc.setup(s)
			s.Advance("0s")
			mark := s.recv.Count()
			tc.act(s, id)
			s.Advance("0s")
			// Nothing else is due later either.
			s.Advance("1h")
			got := s.recv.Since(mark)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d webhooks, want %d:\n%s", len(got), len(tc.want), bodies(got))
			}
			for i, w := range tc.want {
				b := checkTabbyWebhook(t, got[i], id, "s3cret")
				if st, _ := str(b, "status"); st != w.status {
					t.Errorf("webhook %d: status %q, want %q", i, st, w.status)
				}
				checkAmounts(t, b, "captures", w.captures)
				checkAmounts(t, b, "refunds", w.refunds)
				if w.check != nil {
					w.check(t, b)
				}
			}
		})
	}
}

func bodies(hs []webhooktest.Hit) string {
	var b strings.Builder
	for _, h := range hs {
		b.Write(h.Body)
		b.WriteByte('\n')
	}
	return b.String()
}

// checkTabbyWebhook checks what every Tabby webhook carries and returns the
// decoded body.
func checkTabbyWebhook(t *testing.T, h webhooktest.Hit, paymentID, auth string) map[string]any {
	t.Helper()
	b := h.JSON(t)
	if got := h.Header.Get("X-Auth"); got != auth {
		t.Errorf("X-Auth = %q, want %q", got, auth)
	}
	if ct := h.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	if paymentID != "" {
		if id, _ := str(b, "id"); id != paymentID {
			t.Errorf("id = %q, want %q", id, paymentID)
		}
	}
	if _, ok := str(b, "order.reference_id"); !ok {
		t.Errorf("order.reference_id missing: %s", h.Body)
	}
	st, _ := str(b, "status")
	if st == "" || st != strings.ToLower(st) {
		t.Errorf("status %q is not lower case", st)
	}
	if a, ok := str(b, "amount"); !ok || a != "100.00" {
		t.Errorf("amount = %#v, want the string \"100.00\"", b["amount"])
	}
	if c, _ := str(b, "currency"); c != "AED" {
		t.Errorf("currency = %q, want AED", c)
	}
	for _, k := range []string{"captures", "refunds"} {
		for _, item := range arr(t, b, k) {
			if _, ok := item["amount"].(string); !ok {
				t.Errorf("%s amount = %#v, want a string", k, item["amount"])
			}
		}
	}
	return b
}

func checkAmounts(t *testing.T, b map[string]any, key string, want []string) {
	t.Helper()
	items := arr(t, b, key)
	if len(items) != len(want) {
		t.Errorf("%s has %d entries, want %d", key, len(items), len(want))
		return
	}
	for i, it := range items {
		if it["amount"] != want[i] {
			t.Errorf("%s[%d].amount = %#v, want %q", key, i, it["amount"], want[i])
		}
	}
}

// TestWebhook_EveryEndpointGetsTheEvent: each registered URL gets its own
// delivery with its own header.
func TestWebhook_EveryEndpointGetsTheEvent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, clock.Manual)
	m := newMerchant(t, e, "manual")
	a, b := webhooktest.NewReceiver(t), webhooktest.NewReceiver(t)
	m.register(a.URL, "s3cret")
	m.register(b.URL, "other")
	id := m.Authorized("100.00")
	m.Advance("0s")
	for _, c := range []struct {
		r    *webhooktest.Receiver
		auth string
	}{{a, "s3cret"}, {b, "other"}} {
		hs := c.r.All()
		if len(hs) != 1 {
			t.Fatalf("receiver %s got %d webhooks, want 1", c.r.URL, len(hs))
		}
		if st, _ := str(checkTabbyWebhook(t, hs[0], id, c.auth), "status"); st != "authorized" {
			t.Errorf("status %q, want authorized", st)
		}
	}
	ds := m.deliveries("payment=" + id)
	if len(ds) != 2 || ds[0].URL == ds[1].URL {
		t.Fatalf("want one delivery per URL, got %+v", ds)
	}
}

// TestWebhook_Retries: Tabby accepts only 200 and tries 5 times in all, at
// +0, +1m, +3m, +7m and +11m (tabby-api.md §6.2), recording every try.
func TestWebhook_Retries(t *testing.T) {
	t.Parallel()
	e := newEnv(t, clock.Manual)
	tests := []struct {
		name    string
		answer  webhooktest.Answer
		timeout string
		wantErr string
	}{
		{name: "500", answer: webhooktest.Answer{Status: 500, Body: "boom"}},
		{name: "204", answer: webhooktest.Answer{Status: 204}},
		{name: "201", answer: webhooktest.Answer{Status: 201, Body: `{"ok":true}`}},
		{name: "timeout", answer: webhooktest.Answer{Delay: 5 * time.Second}, timeout: "200ms", wantErr: "no answer within 200ms"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := newMerchant(t, e, "manual")
			recv := webhooktest.NewReceiver(t)
			recv.Default = tc.answer
			m.register(recv.URL, "s3cret")
			if tc.timeout != "" {
				m.Settings(map[string]any{"webhooks": map[string]any{"timeout": tc.timeout}})
			}
			id := m.Authorized("100.00")
			t0 := m.Now()
			m.Advance("0s")
			// Each step: advance so far, then want so many tries in all.
			steps := []struct {
				by   string
				want int
			}{
				{"59s", 1}, {"1s", 2},
				{"1m59s", 2}, {"1s", 3},
				{"3m59s", 3}, {"1s", 4},
				{"3m59s", 4}, {"1s", 5},
				{"1h", 5},
			}
			if got := recv.Count(); got != 1 {
				t.Fatalf("after the event: %d tries, want 1", got)
			}
			for _, s := range steps {
				m.Advance(s.by)
				if got := recv.Count(); got != s.want {
					t.Fatalf("after advancing %s more: %d tries, want %d", s.by, got, s.want)
				}
			}
			for _, h := range recv.All() {
				checkTabbyWebhook(t, h, id, "s3cret")
			}
			d, raw := m.delivery(m.only(id).ID)
			if d.Status != webhook.Failed || d.NextAttempt != nil {
				t.Errorf("status %q next %v, want failed with no next try", d.Status, d.NextAttempt)
			}
			offsets := []time.Duration{0, time.Minute, 3 * time.Minute, 7 * time.Minute, 11 * time.Minute}
			if len(d.Attempts) != len(offsets) {
				t.Fatalf("%d attempts recorded, want %d", len(d.Attempts), len(offsets))
			}
			for i, a := range d.Attempts {
				if a.N != i+1 {
					t.Errorf("attempt %d: n = %d", i, a.N)
				}
				if want := t0.Add(offsets[i]); !a.At.Equal(want) {
					t.Errorf("attempt %d at %s, want %s (t0%+v)", a.N, a.At, want, offsets[i])
				}
				if a.URL != recv.URL || a.RequestHeaders["X-Auth"] != "s3cret" || a.Accepted {
					t.Errorf("attempt %d: url %q headers %v accepted %v", a.N, a.URL, a.RequestHeaders, a.Accepted)
				}
				if a.LatencyMS <= 0 {
					t.Errorf("attempt %d: latency_ms %v, want > 0", a.N, a.LatencyMS)
				}
				if tc.wantErr != "" {
					if a.Error != tc.wantErr || a.Status != 0 {
						t.Errorf("attempt %d: error %q status %d, want error %q and no status", a.N, a.Error, a.Status, tc.wantErr)
					}
				} else if a.Status != tc.answer.Status || a.ResponseBody != tc.answer.Body || a.Error != "" {
					t.Errorf("attempt %d: status %d body %q error %q, want %d %q", a.N, a.Status, a.ResponseBody, a.Error, tc.answer.Status, tc.answer.Body)
				}
				switch {
				case i+1 < len(offsets):
					if want := t0.Add(offsets[i+1]); a.NextAttempt == nil || !a.NextAttempt.Equal(want) {
						t.Errorf("attempt %d: next_attempt_at %v, want %s", a.N, a.NextAttempt, want)
					}
				case a.NextAttempt != nil:
					t.Errorf("last attempt: next_attempt_at %v, want none", a.NextAttempt)
				}
			}
			// The wire names of an attempt.
			first := raw["attempts"].([]any)[0].(map[string]any)
			for _, k := range []string{"n", "at", "url", "request_headers", "latency_ms", "next_attempt_at"} {
				if _, ok := first[k]; !ok {
					t.Errorf("attempt JSON lacks %q: %v", k, first)
				}
			}
			if tc.wantErr != "" {
				if _, ok := first["error"]; !ok {
					t.Errorf("attempt JSON lacks error: %v", first)
				}
			} else if _, ok := first["status"]; !ok {
				t.Errorf("attempt JSON lacks status: %v", first)
			}
			if got := m.deliveries("status=failed"); len(got) != 1 {
				t.Errorf("status=failed lists %d deliveries, want 1", len(got))
			}
		})
	}
}

// TestWebhook_DeliveredOnThirdTry: two failures, then 200: delivered, with
// three attempts and nothing after.
func TestWebhook_DeliveredOnThirdTry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, clock.Manual)
	m := newMerchant(t, e, "manual")
	recv := webhooktest.NewReceiver(t, webhooktest.Answer{Status: 500}, webhooktest.Answer{Status: 503, Body: "busy"}, webhooktest.Answer{Status: 200, Body: "thanks"})
	m.register(recv.URL, "s3cret")
	id := m.Authorized("100.00")
	m.Advance("0s")
	m.Advance("1m")
	m.Advance("2m")
	m.Advance("1h")
	if got := recv.Count(); got != 3 {
		t.Fatalf("%d tries, want 3", got)
	}
	for _, h := range recv.All() {
		checkTabbyWebhook(t, h, id, "s3cret")
	}
	d, _ := m.delivery(m.only(id).ID)
	if d.Status != webhook.Delivered || len(d.Attempts) != 3 || d.NextAttempt != nil {
		t.Fatalf("status %q with %d attempts (next %v), want delivered with 3", d.Status, len(d.Attempts), d.NextAttempt)
	}
	last := d.Attempts[2]
	if !last.Accepted || last.Status != 200 || last.ResponseBody != "thanks" || last.NextAttempt != nil {
		t.Errorf("last attempt %+v, want accepted 200 \"thanks\"", last)
	}
	if d.Attempts[0].Accepted || d.Attempts[1].Status != 503 || d.Attempts[1].ResponseBody != "busy" {
		t.Errorf("failed attempts recorded wrong: %+v", d.Attempts[:2])
	}
}

// TestWebhook_Chaos: each kind of failure injection, set through the
// merchant's settings, does what it says and is noted on the delivery.
func TestWebhook_Chaos(t *testing.T) {
	t.Parallel()
	e := newEnv(t, clock.Manual)

	t.Run("duplicate", func(t *testing.T) {
		t.Parallel()
		s := newScenario(t, e)
		s.Settings(map[string]any{"webhooks": map[string]any{"duplicate": 2}})
		id := s.Authorized("100.00")
		s.Advance("0s")
		s.Advance("1h")
		hs := s.recv.All()
		if len(hs) != 3 {
			t.Fatalf("got %d webhooks, want the event 3 times", len(hs))
		}
		for _, h := range hs {
			checkTabbyWebhook(t, h, id, "s3cret")
			if string(h.Body) != string(hs[0].Body) {
				t.Errorf("copies differ:\n%s\n%s", h.Body, hs[0].Body)
			}
		}
		ds := s.deliveries("payment=" + id)
		if len(ds) != 3 {
			t.Fatalf("%d deliveries, want 3", len(ds))
		}
		var orig string
		for _, d := range ds {
			if d.DuplicateOf == "" {
				orig = d.ID
			}
		}
		copies := 0
		for _, d := range ds {
			if d.Status != webhook.Delivered {
				t.Errorf("delivery %s is %s, want delivered", d.ID, d.Status)
			}
			if d.DuplicateOf != "" {
				copies++
				if d.DuplicateOf != orig || !hasChaos(d, "duplicate of "+orig) {
					t.Errorf("copy %s: duplicate_of %q chaos %v", d.ID, d.DuplicateOf, d.Chaos)
				}
			}
		}
		if copies != 2 {
			t.Errorf("%d copies, want 2", copies)
		}
	})

	t.Run("reorder", func(t *testing.T) {
		t.Parallel()
		s := newScenario(t, e)
		s.Settings(map[string]any{"webhooks": map[string]any{"reorder": true}})
		id := s.Authorized("100.00")
		s.Advance("0s")
		if n := s.recv.Count(); n != 0 {
			t.Fatalf("the authorize event went out at once (%d webhooks); want it held", n)
		}
		held := s.deliveries("status=held")
		if len(held) != 1 || held[0].Event != "authorize" || !hasChaos(held[0], "held back") {
			t.Fatalf("want the authorize delivery held, got %+v", held)
		}
		s.capture(id, "40.00", "cap-1")
		s.Advance("0s")
		hs := s.recv.All()
		if len(hs) != 2 {
			t.Fatalf("got %d webhooks, want 2", len(hs))
		}
		first, second := checkTabbyWebhook(t, hs[0], id, "s3cret"), checkTabbyWebhook(t, hs[1], id, "s3cret")
		if len(arr(t, first, "captures")) != 1 || len(arr(t, second, "captures")) != 0 {
			t.Errorf("want the capture event first, then the authorize event:\n%s", bodies(hs))
		}
		s.Advance("1h")
		if n := s.recv.Count(); n != 2 {
			t.Errorf("%d webhooks after the hold, want still 2", n)
		}
		for _, d := range s.deliveries("payment=" + id) {
			if d.Status != webhook.Delivered || len(d.Attempts) != 1 {
				t.Errorf("delivery %s (%s): %s with %d attempts, want delivered once", d.ID, d.Event, d.Status, len(d.Attempts))
			}
		}
	})

	t.Run("reorder lets a lone event go after the hold", func(t *testing.T) {
		t.Parallel()
		s := newScenario(t, e)
		s.Settings(map[string]any{"webhooks": map[string]any{"reorder": true}})
		id := s.Authorized("100.00")
		s.Advance("0s")
		s.Advance((webhook.ReorderHold - time.Second).String())
		if n := s.recv.Count(); n != 0 {
			t.Fatalf("%d webhooks before the hold ended, want 0", n)
		}
		s.Advance("1s")
		hs := s.recv.All()
		if len(hs) != 1 {
			t.Fatalf("%d webhooks after the hold, want 1", len(hs))
		}
		checkTabbyWebhook(t, hs[0], id, "s3cret")
		if d := s.only(id); d.Status != webhook.Delivered {
			t.Errorf("delivery is %s, want delivered", d.Status)
		}
	})

	t.Run("drop", func(t *testing.T) {
		t.Parallel()
		s := newScenario(t, e)
		s.Settings(map[string]any{"webhooks": map[string]any{"drop_rate": 1}})
		id := s.Authorized("100.00")
		s.capture(id, "100.00", "cap-1")
		s.Advance("0s")
		s.Advance("1h")
		if n := s.recv.Count(); n != 0 {
			t.Fatalf("receiver got %d webhooks, want none", n)
		}
		ds := s.deliveries("status=dropped")
		if len(ds) != 3 { // authorize, capture, close
			t.Fatalf("%d dropped deliveries listed, want 3: %+v", len(ds), ds)
		}
		for _, d := range ds {
			if len(d.Attempts) != 0 || !hasChaos(d, "dropped") {
				t.Errorf("dropped delivery %s: attempts %d chaos %v", d.ID, len(d.Attempts), d.Chaos)
			}
		}
	})

	t.Run("delay", func(t *testing.T) {
		t.Parallel()
		s := newScenario(t, e)
		s.Settings(map[string]any{"webhooks": map[string]any{"delay": "5m"}})
		id := s.Authorized("100.00")
		t0 := s.Now()
		s.Advance("0s")
		s.Advance("4m59s")
		if n := s.recv.Count(); n != 0 {
			t.Fatalf("%d webhooks before the delay passed, want 0", n)
		}
		s.Advance("1s")
		hs := s.recv.All()
		if len(hs) != 1 {
			t.Fatalf("%d webhooks after 5m, want 1", len(hs))
		}
		checkTabbyWebhook(t, hs[0], id, "s3cret")
		d := s.only(id)
		if !hasChaos(d, "delayed by 5m") || len(d.Attempts) != 1 || !d.Attempts[0].At.Equal(t0.Add(5*time.Minute)) {
			t.Errorf("delivery: chaos %v attempts %+v", d.Chaos, d.Attempts)
		}
	})

	for _, tc := range []struct {
		forge string
		check func(t *testing.T, h http.Header)
	}{
		{"wrong", func(t *testing.T, h http.Header) {
			if v := h.Values("X-Auth"); len(v) != 1 || v[0] == "s3cret" || v[0] == "" {
				t.Errorf("X-Auth = %q, want one wrong value", v)
			}
		}},
		{"missing", func(t *testing.T, h http.Header) {
			if v := h.Values("X-Auth"); len(v) != 0 {
				t.Errorf("X-Auth = %q, want no such header", v)
			}
		}},
	} {
		t.Run("forge "+tc.forge, func(t *testing.T) {
			t.Parallel()
			s := newScenario(t, e)
			s.Settings(map[string]any{"webhooks": map[string]any{"forge": tc.forge}})
			id := s.Authorized("100.00")
			s.Advance("0s")
			hs := s.recv.All()
			if len(hs) != 1 {
				t.Fatalf("%d webhooks, want 1", len(hs))
			}
			tc.check(t, hs[0].Header)
			if d := s.only(id); !hasChaos(d, "forged") || d.Status != webhook.Delivered {
				t.Errorf("delivery %s chaos %v", d.Status, d.Chaos)
			}
		})
	}
}

// TestWebhook_Resend: a resend is a new delivery of the same body and
// headers, with tries of its own; the original keeps its own.
func TestWebhook_Resend(t *testing.T) {
	t.Parallel()
	e := newEnv(t, clock.Manual)
	s := newScenario(t, e)
	id := s.Authorized("100.00")
	s.Advance("0s")
	orig := s.only(id)
	var re webhook.Delivery
	ctl(t, e, http.StatusCreated, http.MethodPost, "/deliveries/"+orig.ID+"/resend", nil).Decode(t, &re)
	if re.ID == orig.ID || re.ResendOf != orig.ID || re.Status != webhook.Pending || len(re.Attempts) != 0 {
		t.Fatalf("resend answered %+v", re)
	}
	s.Advance("0s")
	hs := s.recv.All()
	if len(hs) != 2 {
		t.Fatalf("%d webhooks, want the original and the resend", len(hs))
	}
	if string(hs[0].Body) != string(hs[1].Body) {
		t.Errorf("resend body differs:\n%s\n%s", hs[0].Body, hs[1].Body)
	}
	for _, k := range []string{"X-Auth", "Content-Type", "User-Agent"} {
		if hs[0].Header.Get(k) != hs[1].Header.Get(k) {
			t.Errorf("%s: original %q, resend %q", k, hs[0].Header.Get(k), hs[1].Header.Get(k))
		}
	}
	got, _ := s.delivery(re.ID)
	if got.Status != webhook.Delivered || len(got.Attempts) != 1 || got.ResendOf != orig.ID {
		t.Errorf("resend delivery: %s with %d attempts, resend_of %q", got.Status, len(got.Attempts), got.ResendOf)
	}
	if o, _ := s.delivery(orig.ID); len(o.Attempts) != 1 {
		t.Errorf("the original has %d attempts, want still 1", len(o.Attempts))
	}
	ctl(t, e, http.StatusNotFound, http.MethodPost, "/deliveries/dlv_nope/resend", nil)
}

// TestWebhook_Trigger: the control API sends a payment's current state as
// the named event.
func TestWebhook_Trigger(t *testing.T) {
	t.Parallel()
	e := newEnv(t, clock.Manual)
	s := newScenario(t, e)
	id := s.Authorized("100.00")
	s.capture(id, "40.00", "cap-1")
	s.Advance("0s")
	mark := s.recv.Count()
	var out struct {
		Deliveries []webhook.Delivery `json:"deliveries"`
	}
	ctl(t, e, http.StatusAccepted, http.MethodPost, "/payments/"+id+"/webhooks", map[string]any{"event": "authorize"}).Decode(t, &out)
	if len(out.Deliveries) == 0 || out.Deliveries[0].Event != "authorize" {
		t.Fatalf("trigger answered %+v", out.Deliveries)
	}
	s.Advance("0s")
	hs := s.recv.Since(mark)
	if len(hs) != 1 {
		t.Fatalf("%d webhooks, want 1", len(hs))
	}
	b := checkTabbyWebhook(t, hs[0], id, "s3cret")
	if st, _ := str(b, "status"); st != "authorized" {
		t.Errorf("status %q, want authorized", st)
	}
	checkAmounts(t, b, "captures", []string{"40.00"})
	ctl(t, e, http.StatusBadRequest, http.MethodPost, "/payments/"+id+"/webhooks", map[string]any{"event": "explode"})
}

// TestWebhook_MerchantIsolation: a receiver that hangs for merchant A does
// not hold back merchant B's webhooks, with the simulator firing due events
// by itself on wall clocks.
func TestWebhook_MerchantIsolation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, clock.Wall)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go e.Sim.Run(ctx)

	a, b := newMerchant(t, e, "wall"), newMerchant(t, e, "wall")
	hang := webhooktest.NewReceiver(t)
	hang.Default = webhooktest.Answer{Delay: 10 * time.Second}
	fast := webhooktest.NewReceiver(t)
	a.register(hang.URL, "s3cret")
	b.register(fast.URL, "s3cret")
	a.Settings(map[string]any{"webhooks": map[string]any{"timeout": "5s"}})

	// A's payments: several deliveries hang at once.
	var aIDs []string
	for i := 0; i < 3; i++ {
		aIDs = append(aIDs, a.Authorized("100.00"))
	}
	hang.WaitFor(t, 3, 5*time.Second)

	id := b.Authorized("100.00")
	fast.WaitFor(t, 1, 3*time.Second)
	poll(t, 3*time.Second, "B's delivery recorded as delivered", func() bool {
		return b.only(id).Status == webhook.Delivered
	})
	// A's tries are still waiting for their answers.
	for _, p := range aIDs {
		if d := a.only(p); len(d.Attempts) != 0 {
			t.Errorf("A's delivery %s already has %d attempts; the test did not overlap", d.ID, len(d.Attempts))
		}
	}
	checkTabbyWebhook(t, fast.All()[0], id, "s3cret")
}

// TestWebhook_HeaderArrivesAsRegistered: every header value registration
// accepts reaches the endpoint byte for byte, spaces, tabs and UTF-8
// included.
func TestWebhook_HeaderArrivesAsRegistered(t *testing.T) {
	t.Parallel()
	e := newEnv(t, clock.Manual)
	m := newMerchant(t, e, "manual")
	r := webhooktest.NewReceiver(t)
	const value = "Bearer a b\tc سر"
	m.register(r.URL, value)
	id := m.Authorized("100.00")
	m.Advance("0s")
	hs := r.All()
	if len(hs) != 1 {
		t.Fatalf("receiver got %d webhooks, want 1", len(hs))
	}
	checkTabbyWebhook(t, hs[0], id, value)
}
