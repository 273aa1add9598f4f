package tabby_test

// The lifecycle's observers as a gateway built on Tabby uses them: a
// simulator with observers added before it serves, payments changed through
// its HTTP APIs, and what the observers wrote read back from the store.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tabby"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

const kindSeen = "test.seen"

// recorder writes every event it observes into the transaction it is
// given, as a gateway writes its own record of the payment.
type recorder struct {
	name string
	fail atomic.Bool
	n    atomic.Int64
}

type seen struct {
	Event  tabby.Event  `json:"event"`
	Status tabby.Status `json:"status"`
}

func (r *recorder) Observe(ctx context.Context, tx store.Tx, m *tenant.Merchant, p *tabby.Payment, e tabby.Event) error {
	if r.fail.Load() {
		return fmt.Errorf("%s refuses %s", r.name, e)
	}
	d := store.Doc{Kind: kindSeen, ID: fmt.Sprintf("%s-%d", r.name, r.n.Add(1)), Merchant: m.ID,
		Index: map[string]string{"observer": r.name, "payment": p.ID}}
	return store.CreateJSON(tx, d, seen{Event: e, Status: p.Status})
}

// observerEnv is a simulator whose Tabby lifecycle has two recorders after
// its own webhook sender.
type observerEnv struct {
	t      *testing.T
	sim    *simulator.Simulator
	url    string
	first  *recorder
	second *recorder
}

func newObserverEnv(t *testing.T) *observerEnv {
	t.Helper()
	sim, err := simulator.New(simulator.Config{Seed: 11, ClockMode: clock.Manual})
	if err != nil {
		t.Fatal(err)
	}
	e := &observerEnv{t: t, sim: sim, first: &recorder{name: "first"}, second: &recorder{name: "second"}}
	sim.Tabby.Observers = append(sim.Tabby.Observers, e.first, e.second)
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(func() { srv.Close(); sim.Close() })
	e.url = srv.URL
	// Every payment of merchant code ae has a webhook to deliver to.
	e.want(http.StatusOK, http.MethodPost, "/api/v1/webhooks", map[string]any{"url": "http://127.0.0.1:1/hook"})
	return e
}

// do calls the simulator as the default merchant (Tabby API) or as an
// operator (control API) and checks the status.
func (e *observerEnv) want(status int, method, path string, body any) gjson.Result {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.url+path, rd)
	req.Header.Set("Authorization", "Bearer "+simulator.DefaultSecretKey)
	req.Header.Set("X-Merchant-Code", "ae")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != status {
		e.t.Fatalf("%s %s: HTTP %d %s, want %d", method, path, res.StatusCode, b, status)
	}
	return gjson.ParseBytes(b)
}

func (e *observerEnv) checkout(amount string) string {
	e.t.Helper()
	return e.want(http.StatusOK, http.MethodPost, "/api/v2/checkout", map[string]any{
		"merchant_code": "ae",
		"payment": map[string]any{"amount": amount, "currency": "AED",
			"buyer": map[string]any{"name": "Sara", "email": "otp.success@tabby.ai", "phone": "500000001"}},
	}).Get("payment.id").String()
}

// seenBy is what observer r wrote about payment id, oldest first.
func (e *observerEnv) seenBy(r *recorder, id string) []seen {
	e.t.Helper()
	var out []seen
	err := e.sim.Store.View(context.Background(), func(tx store.Tx) error {
		docs, _, err := tx.List(kindSeen, store.Query{Index: map[string]string{"observer": r.name, "payment": id}})
		for _, d := range docs {
			var s seen
			if err := json.Unmarshal(d.Data, &s); err != nil {
				return err
			}
			out = append(out, s)
		}
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	slices.Reverse(out)
	return out
}

// deliveries are the events of the webhooks Tabby queued for payment id,
// oldest first.
func (e *observerEnv) deliveries(id string) []string {
	e.t.Helper()
	var out []string
	for _, d := range e.want(http.StatusOK, http.MethodGet, "/_sim/v1/deliveries?payment="+id, nil).Get("deliveries").Array() {
		out = append(out, d.Get("event").String())
	}
	slices.Reverse(out)
	return out
}

func TestObservers_EachSeesEveryEventInTheChange(t *testing.T) {
	e := newObserverEnv(t)
	id := e.checkout("100.00")
	e.want(http.StatusOK, http.MethodPost, "/_sim/v1/payments/"+id+"/customer", map[string]any{"action": "approve"})
	e.want(http.StatusOK, http.MethodPost, "/api/v2/payments/"+id+"/captures", map[string]any{"amount": "100.00", "reference_id": "c1"})

	want := []seen{{tabby.EventAuthorize, tabby.Authorized}, {tabby.EventCapture, tabby.Authorized}, {tabby.EventClose, tabby.Closed}}
	for _, r := range []*recorder{e.first, e.second} {
		if got := e.seenBy(r, id); !slices.Equal(got, want) {
			t.Errorf("%s observer saw %v, want %v", r.name, got, want)
		}
	}
	if got, want := e.deliveries(id), []string{"authorize", "capture", "close"}; !slices.Equal(got, want) {
		t.Errorf("Tabby webhooks %v, want %v", got, want)
	}
}

// TestObservers_ErrorUndoesTheChange: when an observer fails, the payment
// is as it was, and nothing any observer wrote, Tabby's webhook included,
// was stored.
func TestObservers_ErrorUndoesTheChange(t *testing.T) {
	e := newObserverEnv(t)
	id := e.checkout("100.00")
	e.second.fail.Store(true)
	e.want(http.StatusInternalServerError, http.MethodPost, "/_sim/v1/payments/"+id+"/customer", map[string]any{"action": "approve"})

	if status := e.want(http.StatusOK, http.MethodGet, "/api/v2/payments/"+id, nil).Get("status").String(); status != "CREATED" {
		t.Errorf("status %s after a refused change, want CREATED", status)
	}
	if got := e.seenBy(e.first, id); len(got) != 0 {
		t.Errorf("the first observer's writes were kept: %v", got)
	}
	if got := e.deliveries(id); len(got) != 0 {
		t.Errorf("Tabby webhooks %v for a refused change", got)
	}
	if n := len(e.sim.Clocks.Pending(simulator.DefaultMerchantID)); n != 1 {
		t.Errorf("%d timers pending, want only the session's expiry", n)
	}

	e.second.fail.Store(false)
	e.want(http.StatusOK, http.MethodPost, "/_sim/v1/payments/"+id+"/customer", map[string]any{"action": "approve"})
	for _, r := range []*recorder{e.first, e.second} {
		if got := e.seenBy(r, id); !slices.Equal(got, []seen{{tabby.EventAuthorize, tabby.Authorized}}) {
			t.Errorf("%s observer saw %v once the change went through", r.name, got)
		}
	}
	if got := e.deliveries(id); !slices.Equal(got, []string{"authorize"}) {
		t.Errorf("Tabby webhooks %v once the change went through", got)
	}
}

// TestObservers_ExpiryAndOnDemand: observers hear of every expiry, though
// Tabby sends its "expire" webhook only to merchants who ask for it; a
// webhook sent on demand changes nothing, so only Tabby's sender hears of
// it.
func TestObservers_ExpiryAndOnDemand(t *testing.T) {
	e := newObserverEnv(t)
	id := e.checkout("100.00")
	e.want(http.StatusOK, http.MethodPost, "/_sim/v1/merchants/default/clock/advance", map[string]any{"by": "26m"})
	for _, r := range []*recorder{e.first, e.second} {
		if got := e.seenBy(r, id); !slices.Equal(got, []seen{{tabby.EventExpire, tabby.Expired}}) {
			t.Errorf("%s observer saw %v, want the expiry", r.name, got)
		}
	}
	if got := e.deliveries(id); len(got) != 0 {
		t.Errorf("Tabby webhooks %v for an expiry nobody asked webhooks for", got)
	}

	e.want(http.StatusAccepted, http.MethodPost, "/_sim/v1/payments/"+id+"/webhooks", map[string]any{"event": "expire"})
	e.want(http.StatusAccepted, http.MethodPost, "/_sim/v1/payments/"+id+"/webhooks", map[string]any{"event": "authorize"})
	if got := e.deliveries(id); !slices.Equal(got, []string{"expire", "authorize"}) {
		t.Errorf("Tabby webhooks on demand %v, want expire and authorize", got)
	}
	if got := e.seenBy(e.first, id); len(got) != 1 {
		t.Errorf("an observer heard of webhooks sent on demand: %v", got)
	}

	// With "expire" webhooks asked for, Tabby sends them too.
	e.want(http.StatusOK, http.MethodPatch, "/_sim/v1/merchants/default", map[string]any{"settings": map[string]any{"tabby": map[string]any{"expire_webhooks": true}}})
	id = e.checkout("100.00")
	e.want(http.StatusOK, http.MethodPost, "/_sim/v1/merchants/default/clock/advance", map[string]any{"by": "26m"})
	if got := e.deliveries(id); !slices.Equal(got, []string{"expire"}) {
		t.Errorf("Tabby webhooks %v, want the expiry the merchant asked for", got)
	}
}
