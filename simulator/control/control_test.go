package control_test

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
)

func TestMerchants_Create(t *testing.T) {
	t.Parallel()
	r := shared.Ctl(t, http.MethodPost, "/merchants", map[string]any{"clock": "manual"})
	e2e.WantStatus(t, r, http.StatusCreated)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Errorf("Content-Type = %q", r.Header.Get("Content-Type"))
	}
	if r.Str("id") == "" {
		t.Errorf("no id: %s", r)
	}
	if sk := r.Str("tabby.secret_key"); !strings.HasPrefix(sk, "sk_test_") || len(sk) != len("sk_test_")+36 {
		t.Errorf("tabby.secret_key = %q, want sk_test_<uuid>", sk)
	}
	if pk := r.Str("tabby.public_key"); !strings.HasPrefix(pk, "pk_test_") || len(pk) != len("pk_test_")+36 {
		t.Errorf("tabby.public_key = %q, want pk_test_<uuid>", pk)
	}
	e2e.WantField(t, r, "tabby.merchant_codes.ae", "AED")
	e2e.WantField(t, r, "tabby.merchant_codes.sa", "SAR")
	e2e.WantField(t, r, "tabby.merchant_codes.kw", "KWD")
	for path, pattern := range map[string]string{
		"onerway.merchant_no": `^[1-9][0-9]{11}$`, "onerway.secret_key": `^[0-9a-f]{32}$`, "onerway.app_id": `^[1-9][0-9]{9}$`,
	} {
		if v := r.Str(path); !regexp.MustCompile(pattern).MatchString(v) {
			t.Errorf("%s = %q, want %s", path, v, pattern)
		}
	}
	for path, want := range map[string]string{
		"settings.tabby.session_ttl":          "20m",
		"settings.tabby.expire_after_session": "5m",
		"settings.tabby.auto_capture":         "after_delay",
		"settings.tabby.auto_capture_after":   "21d",
		"settings.tabby.refund_window":        "180d",
		"settings.tabby.limits.AED.min":       "10.00",
		"settings.tabby.limits.AED.max":       "25000.00",
		"settings.tabby.limits.KWD.min":       "1.000",
		"settings.onerway.limits.SAR.min":     "0.10",
		"settings.onerway.limits.SAR.max":     "10000.00",
		"settings.onerway.limits.AED.min":     "0.10",
		"settings.onerway.limits.AED.max":     "10000.00",
		"settings.webhooks.duplicate":         "0",
		"settings.tabby.expire_webhooks":      "false",
		"settings.strict":                     "false",
		"clock.mode":                          "manual",
	} {
		e2e.WantField(t, r, path, want)
	}
	e2e.MustTime(t, r.Str("clock.now"))

	// Two merchants never share keys.
	r2 := shared.Ctl(t, http.MethodPost, "/merchants", nil)
	e2e.WantStatus(t, r2, http.StatusCreated)
	for _, path := range []string{"id", "tabby.secret_key", "tabby.public_key", "onerway.merchant_no", "onerway.secret_key"} {
		if r2.Str(path) == r.Str(path) {
			t.Errorf("two merchants share their %s: %s / %s", path, r, r2)
		}
	}
}

var idSeq atomic.Int64

func TestMerchants_CreateWithOptions(t *testing.T) {
	t.Parallel()
	// Unique per run, as -count=N reuses the shared simulator.
	id := "shop-" + strconv.FormatInt(idSeq.Add(1), 10) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	r := shared.Ctl(t, http.MethodPost, "/merchants", map[string]any{
		"id": id, "name": "Shop", "clock": "manual", "start": "2025-03-01T10:00:00Z",
		"merchant_codes": map[string]any{"uae": "AED"},
		"settings":       map[string]any{"tabby": map[string]any{"session_ttl": "15m", "auto_capture": "off"}},
	})
	e2e.WantStatus(t, r, http.StatusCreated)
	e2e.WantField(t, r, "id", id)
	e2e.WantField(t, r, "name", "Shop")
	e2e.WantField(t, r, "tabby.merchant_codes.uae", "AED")
	if r.JSON.Get("tabby.merchant_codes.ae").Exists() {
		t.Errorf("own merchant codes replace the defaults: %s", r.JSON.Get("tabby.merchant_codes").Raw)
	}
	e2e.WantField(t, r, "settings.tabby.session_ttl", "15m")
	e2e.WantField(t, r, "settings.tabby.auto_capture", "off")
	e2e.WantField(t, r, "settings.tabby.expire_after_session", "5m") // untouched defaults stay
	if now := e2e.MustTime(t, r.Str("clock.now")); !now.Equal(time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("clock.now = %s, want the start", now)
	}

	// The same id again is refused.
	r = shared.Ctl(t, http.MethodPost, "/merchants", map[string]any{"id": id})
	e2e.WantCtlError(t, r, http.StatusBadRequest, id)
}

func TestMerchants_CreateInvalid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		body any
	}{
		{"bad clock", map[string]any{"clock": "sideways"}},
		{"unknown field", map[string]any{"colour": "red"}},
		{"unknown setting", map[string]any{"settings": map[string]any{"colour": "red"}}},
		{"bad setting", map[string]any{"settings": map[string]any{"tabby": map[string]any{"session_ttl": "-5m"}}}},
		{"bad currency", map[string]any{"merchant_codes": map[string]any{"us": "USD"}}},
		{"not json", "{"},
		{"two JSON values", `{"clock": "manual"} {"clock": "wall"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := shared.Ctl(t, http.MethodPost, "/merchants", tc.body)
			e2e.WantCtlError(t, r, http.StatusBadRequest)
		})
	}
}

func TestMerchants_ListAndGet(t *testing.T) {
	m := newMerchant(t)
	r := m.Ctl(http.MethodGet, "/merchants", nil)
	e2e.WantStatus(t, r, http.StatusOK)
	var ids []string
	for _, x := range r.JSON.Get("merchants").Array() {
		ids = append(ids, x.Get("id").String())
	}
	for _, want := range []string{m.ID, simulator.DefaultMerchantID} {
		if !slices.Contains(ids, want) {
			t.Errorf("merchant list %v lacks %s", ids, want)
		}
	}

	r = m.Ctl(http.MethodGet, "/merchants/"+m.ID, nil)
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "id", m.ID)
	e2e.WantField(t, r, "tabby.secret_key", m.SecretKey)
	e2e.WantField(t, r, "clock.mode", "manual")

	r = m.Ctl(http.MethodGet, "/merchants/"+simulator.DefaultMerchantID, nil)
	e2e.WantField(t, r, "tabby.secret_key", simulator.DefaultSecretKey)
	e2e.WantField(t, r, "tabby.public_key", simulator.DefaultPublicKey)
	e2e.WantField(t, r, "onerway.merchant_no", simulator.DefaultOnerwayMerchantNo)
	e2e.WantField(t, r, "onerway.secret_key", simulator.DefaultOnerwaySecretKey)
	e2e.WantField(t, r, "onerway.app_id", simulator.DefaultOnerwayAppID)

	r = m.Ctl(http.MethodGet, "/merchants/nobody", nil)
	e2e.WantCtlError(t, r, http.StatusNotFound)
}

func TestMerchants_PatchSettings(t *testing.T) {
	m := newMerchant(t)
	r := m.Ctl(http.MethodPatch, "/merchants/"+m.ID, map[string]any{"settings": map[string]any{"tabby": map[string]any{
		"session_ttl": "10m", "auto_capture": "immediate", "expire_webhooks": true,
		"limits": map[string]any{"AED": map[string]any{"min": "1.00", "max": "50.00"}},
	}}})
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "settings.tabby.session_ttl", "10m")
	e2e.WantField(t, r, "settings.tabby.auto_capture", "immediate")
	e2e.WantField(t, r, "settings.tabby.expire_webhooks", "true")
	e2e.WantField(t, r, "settings.tabby.limits.AED.max", "50.00")
	e2e.WantField(t, r, "settings.tabby.expire_after_session", "5m") // untouched
	e2e.WantField(t, r, "settings.onerway.limits.AED.max", "10000.00")
	r = m.Ctl(http.MethodGet, "/merchants/"+m.ID, nil)
	e2e.WantField(t, r, "settings.tabby.session_ttl", "10m")
	e2e.WantField(t, r, "settings.tabby.limits.AED.min", "1.00")
}

func TestMerchants_PatchSettingsInvalid(t *testing.T) {
	m := newMerchant(t)
	for _, tc := range []struct {
		name     string
		settings any
	}{
		{"zero session_ttl", tabbySettings(map[string]any{"session_ttl": "0s"})},
		{"negative session_ttl", tabbySettings(map[string]any{"session_ttl": "-1m"})},
		{"unparsable duration", tabbySettings(map[string]any{"session_ttl": "soon"})},
		{"duration as number", tabbySettings(map[string]any{"session_ttl": 600})},
		{"negative expire_after_session", tabbySettings(map[string]any{"expire_after_session": "-1m"})},
		{"auto_capture", tabbySettings(map[string]any{"auto_capture": "sometimes"})},
		{"zero refund_window", tabbySettings(map[string]any{"refund_window": "0s"})},
		{"limits currency", tabbySettings(map[string]any{"limits": map[string]any{"USD": map[string]any{"min": "1", "max": "2"}}})},
		{"limits not a number", tabbySettings(map[string]any{"limits": map[string]any{"AED": map[string]any{"min": "one", "max": "50.00"}}})},
		{"drop_rate", map[string]any{"webhooks": map[string]any{"drop_rate": 2}}},
		{"duplicate", map[string]any{"webhooks": map[string]any{"duplicate": 11}}},
		{"forge", map[string]any{"webhooks": map[string]any{"forge": "maybe"}}},
		{"unknown setting", map[string]any{"colour": "red"}},
		{"settings not an object", "20m"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := m.Env.Ctl(t, http.MethodPatch, "/merchants/"+m.ID, map[string]any{"settings": tc.settings})
			e2e.WantCtlError(t, r, http.StatusBadRequest)
		})
	}
	for _, body := range []any{nil, map[string]any{}, map[string]any{"name": "x"}, "{"} {
		r := m.Ctl(http.MethodPatch, "/merchants/"+m.ID, body)
		e2e.WantCtlError(t, r, http.StatusBadRequest)
	}
	// Nothing of the refused patches stuck.
	r := m.Ctl(http.MethodGet, "/merchants/"+m.ID, nil)
	e2e.WantField(t, r, "settings.tabby.session_ttl", "20m")
	e2e.WantField(t, r, "settings.tabby.auto_capture", "after_delay")
	e2e.WantField(t, r, "settings.tabby.limits.AED.min", "10.00")
	e2e.WantField(t, r, "settings.tabby.limits.AED.max", "25000.00")

	r = m.Ctl(http.MethodPatch, "/merchants/nobody", map[string]any{"settings": tabbySettings(map[string]any{"session_ttl": "10m"})})
	e2e.WantCtlError(t, r, http.StatusNotFound)
}

// TestSettings_LimitsMustBeAmountsOfTheCurrency: pre-scoring reads limits
// with the currency's amount rules (money.Parse) and silently skips a
// limit it cannot read, so PATCH must refuse such limits instead of
// storing them.
func TestSettings_LimitsMustBeAmountsOfTheCurrency(t *testing.T) {
	m := newMerchant(t)
	for _, provider := range []string{"tabby", "onerway"} {
		for _, tc := range []struct{ name, min, max string }{
			{"too many decimals", "1.005", "50.00"},
			{"negative", "-1.00", "50.00"},
			{"exponent", "1.00", "5e1"},
			{"infinity", "1.00", "Inf"},
			{"min above max", "60.00", "50.00"},
		} {
			t.Run(provider+" "+tc.name, func(t *testing.T) {
				r := m.Env.Ctl(t, http.MethodPatch, "/merchants/"+m.ID, map[string]any{"settings": map[string]any{provider: map[string]any{
					"limits": map[string]any{"AED": map[string]any{"min": tc.min, "max": tc.max}}}}})
				e2e.WantCtlError(t, r, http.StatusBadRequest, provider+".limits.AED")
			})
		}
	}
}

// tabbySettings is a settings patch of Tabby's group.
func tabbySettings(fields map[string]any) map[string]any {
	return map[string]any{"tabby": fields}
}

func TestClock_GetAndAdvance(t *testing.T) {
	t.Parallel()
	start := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	c := shared.Ctl(t, http.MethodPost, "/merchants", map[string]any{"clock": "manual", "start": start.Format(time.RFC3339)})
	e2e.WantStatus(t, c, http.StatusCreated)
	id := c.Str("id")
	clockAt := func(r *e2e.Resp) time.Time {
		t.Helper()
		e2e.WantStatus(t, r, http.StatusOK)
		var keys []string
		r.JSON.ForEach(func(k, _ gjson.Result) bool { keys = append(keys, k.String()); return true })
		slices.Sort(keys)
		if !slices.Equal(keys, []string{"mode", "now"}) {
			t.Errorf("clock answer has keys %v, want [mode now]", keys)
		}
		e2e.WantField(t, r, "mode", "manual")
		return e2e.MustTime(t, r.Str("now"))
	}

	if now := clockAt(shared.Ctl(t, http.MethodGet, "/merchants/"+id+"/clock", nil)); !now.Equal(start) {
		t.Errorf("clock = %s, want %s", now, start)
	}
	adv := func(body any) *e2e.Resp {
		return shared.Ctl(t, http.MethodPost, "/merchants/"+id+"/clock/advance", body)
	}
	if now := clockAt(adv(map[string]any{"by": "26m"})); !now.Equal(start.Add(26 * time.Minute)) {
		t.Errorf("after by 26m: %s", now)
	}
	if now := clockAt(adv(map[string]any{"by": "2d"})); !now.Equal(start.Add(48*time.Hour + 26*time.Minute)) {
		t.Errorf("after by 2d: %s", now)
	}
	to := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)
	if now := clockAt(adv(map[string]any{"to": to.Format(time.RFC3339)})); !now.Equal(to) {
		t.Errorf("after to %s: %s", to, now)
	}
	if now := clockAt(shared.Ctl(t, http.MethodGet, "/merchants/"+id+"/clock", nil)); !now.Equal(to) {
		t.Errorf("clock = %s, want %s", now, to)
	}
	// Manual clocks stand still between advances: a manual clock read twice
	// reads the same.
	if now := clockAt(adv(map[string]any{"by": "0s"})); !now.Equal(to) {
		t.Errorf("after by 0s: %s", now)
	}

	for _, tc := range []struct {
		name string
		body any
	}{
		{"to in the past", map[string]any{"to": "2025-03-31T23:59:59Z"}},
		{"negative by", map[string]any{"by": "-1m"}},
		{"bad by", map[string]any{"by": "soon"}},
		{"both", map[string]any{"by": "1m", "to": "2026-01-01T00:00:00Z"}},
		{"neither", map[string]any{}},
		{"empty body", nil},
		{"bad to", map[string]any{"to": "tomorrow"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e2e.WantCtlError(t, adv(tc.body), http.StatusBadRequest)
		})
	}
	if now := clockAt(shared.Ctl(t, http.MethodGet, "/merchants/"+id+"/clock", nil)); !now.Equal(to) {
		t.Errorf("refused advances moved the clock to %s", now)
	}

	e2e.WantCtlError(t, shared.Ctl(t, http.MethodGet, "/merchants/nobody/clock", nil), http.StatusNotFound)
	e2e.WantCtlError(t, shared.Ctl(t, http.MethodPost, "/merchants/nobody/clock/advance", map[string]any{"by": "1m"}), http.StatusNotFound)
}

// TestDurations_RejectOverflow: days are multiplied into a time.Duration;
// 213504d wraps around int64 to about 25 minutes, which must not be taken
// as a valid duration (tenant.ParseDuration).
func TestDurations_RejectOverflow(t *testing.T) {
	m := newMerchant(t)
	before := m.Ctl(http.MethodGet, "/merchants/"+m.ID+"/clock", nil).Str("now")
	for _, by := range []string{"213504d", "106752d", "9223372036854775807d"} {
		t.Run("advance "+by, func(t *testing.T) {
			r := m.Env.Ctl(t, http.MethodPost, "/merchants/"+m.ID+"/clock/advance", map[string]any{"by": by})
			e2e.WantCtlError(t, r, http.StatusBadRequest)
		})
	}
	if after := m.Ctl(http.MethodGet, "/merchants/"+m.ID+"/clock", nil).Str("now"); after != before {
		t.Errorf("refused advances moved the clock from %s to %s", before, after)
	}
	t.Run("session_ttl", func(t *testing.T) {
		r := m.Env.Ctl(t, http.MethodPatch, "/merchants/"+m.ID, map[string]any{"settings": tabbySettings(map[string]any{"session_ttl": "213504d"})})
		e2e.WantCtlError(t, r, http.StatusBadRequest, "session_ttl")
	})
}

func TestPayments_History(t *testing.T) {
	m := newMerchant(t)
	id, _ := m.Session()
	r := m.Ctl(http.MethodPost, "/payments/"+id+"/customer", map[string]any{"action": "approve"})
	e2e.WantStatus(t, r, http.StatusOK)
	r = m.API(http.MethodPost, "/api/v2/payments/"+id+"/captures", map[string]any{"amount": "100.00", "reference_id": "c"})
	e2e.WantStatus(t, r, http.StatusOK)

	r = m.Ctl(http.MethodGet, "/payments/"+id, nil)
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "payment.id", id)
	e2e.WantField(t, r, "payment.status", "CLOSED")
	e2e.WantField(t, r, "merchant", m.ID)
	e2e.WantField(t, r, "merchant_code", "ae")
	e2e.WantField(t, r, "merchant_urls.success", e2e.SuccessURL)
	if ch := r.JSON.Get("channel"); ch.Get("via").String() != "direct" || ch.Get("transaction_id").Exists() {
		t.Errorf("channel %s, want direct", ch.Raw)
	}
	if r.Str("session_id") == "" || r.Str("session_status") == "" {
		t.Errorf("session fields missing: %s", r)
	}
	type entry struct{ event, by string }
	var got []entry
	for _, h := range r.JSON.Get("history").Array() {
		got = append(got, entry{h.Get("event").String(), h.Get("by").String()})
		if _, err := time.Parse(time.RFC3339Nano, h.Get("at").String()); err != nil {
			t.Errorf("history entry %s: at: %v", h.Raw, err)
		}
	}
	want := []entry{
		{"session created", "merchant"},
		{"authorized", "customer"},
		{"captured", "merchant"},
		{"closed", "merchant"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("history = %v, want %v", got, want)
	}

	r = m.Ctl(http.MethodGet, "/payments/00000000-0000-4000-8000-00000000beef", nil)
	e2e.WantCtlError(t, r, http.StatusNotFound)
}

func TestPayments_HistoryOfTimers(t *testing.T) {
	m := newMerchant(t)
	id, _ := m.Session()
	e2e.WantStatus(t, m.Ctl(http.MethodPost, "/merchants/"+m.ID+"/clock/advance", map[string]any{"by": "26m"}), http.StatusOK)
	r := m.Ctl(http.MethodGet, "/payments/"+id, nil)
	e2e.WantField(t, r, "payment.status", "EXPIRED")
	e2e.WantField(t, r, "session_status", "expired")
	last := r.JSON.Get("history.@reverse.0")
	if last.Get("event").String() != "expired" || last.Get("by").String() != "simulator" {
		t.Errorf("last history entry = %s, want expired by simulator", last.Raw)
	}
	start := e2e.MustTime(t, r.Str("history.0.at"))
	if at := e2e.MustTime(t, last.Get("at").String()); at.Sub(start) != 25*time.Minute {
		t.Errorf("expired %s after creation, want 25m", at.Sub(start))
	}
}

func TestPayments_ListByMerchant(t *testing.T) {
	m := newMerchant(t)
	a, _ := m.Session()
	b, _ := m.Session("payment.amount", "200.00")
	r := m.Ctl(http.MethodGet, "/payments?merchant="+m.ID, nil)
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "total_count", "2")
	var ids []string
	for _, p := range r.JSON.Get("payments").Array() {
		ids = append(ids, p.Get("payment.id").String())
	}
	slices.Sort(ids)
	want := []string{a, b}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Errorf("payments = %v, want %v", ids, want)
	}
	e2e.WantCtlError(t, m.Ctl(http.MethodGet, "/payments", nil), http.StatusBadRequest)
	e2e.WantCtlError(t, m.Ctl(http.MethodGet, "/payments?merchant=nobody", nil), http.StatusNotFound)
}

func TestJournal_PerMerchantNewestFirst(t *testing.T) {
	a := newMerchant(t)
	b := shared.NewMerchant(t, nil)
	id, _ := a.Session()
	b.Session()
	calls := []struct {
		method, path string
		body         any
		status       int
		operation    string
	}{
		{http.MethodGet, "/api/v2/payments/" + id, nil, 200, "tabby.get_payment"},
		{http.MethodGet, "/api/v2/payments/not-a-uuid", nil, 400, "tabby.get_payment"},
		{http.MethodPost, "/api/v2/payments/" + id + "/captures", map[string]any{"amount": "1.00", "reference_id": "x"}, 400, "tabby.capture"},
		{http.MethodGet, "/api/v1/payments", nil, 200, "tabby.list_payments"},
		{http.MethodPost, "/api/v2/payments/" + id + "/close", nil, 400, "tabby.close"},
		{http.MethodGet, "/api/v2/payments/" + id, nil, 200, "tabby.get_payment"},
	}
	for _, c := range calls {
		r := a.API(c.method, c.path, c.body)
		e2e.WantStatus(t, r, c.status)
		b.API(http.MethodGet, "/api/v2/payments", nil) // interleaved noise of another merchant
	}

	r := a.Ctl(http.MethodGet, "/journal?merchant="+a.ID+"&limit=5", nil)
	e2e.WantStatus(t, r, http.StatusOK)
	entries := r.JSON.Get("entries").Array()
	if len(entries) != 5 {
		t.Fatalf("journal has %d entries, want 5: %s", len(entries), r)
	}
	for i, e := range entries {
		c := calls[len(calls)-1-i]
		if e.Get("method").String() != c.method || e.Get("path").String() != c.path || e.Get("status").Int() != int64(c.status) {
			t.Errorf("entry %d = %s %s %d, want %s %s %d", i, e.Get("method"), e.Get("path"), e.Get("status").Int(), c.method, c.path, c.status)
		}
		if e.Get("merchant").String() != a.ID {
			t.Errorf("entry %d belongs to %q, want %q", i, e.Get("merchant"), a.ID)
		}
		if e.Get("provider").String() != "tabby" || e.Get("operation").String() != c.operation {
			t.Errorf("entry %d is %s %s, want tabby %s", i, e.Get("provider"), e.Get("operation"), c.operation)
		}
		if e.Get("request_id").String() == "" {
			t.Errorf("entry %d has no request_id", i)
		}
		if i > 0 && e.Get("seq").Int() >= entries[i-1].Get("seq").Int() {
			t.Errorf("entries not newest first: seq %d after %d", e.Get("seq").Int(), entries[i-1].Get("seq").Int())
		}
	}
	// The other merchant's journal holds only its own calls.
	r = b.Ctl(http.MethodGet, "/journal?merchant="+b.ID+"&limit=100", nil)
	for _, e := range r.JSON.Get("entries").Array() {
		if e.Get("merchant").String() != b.ID || strings.Contains(e.Get("path").String(), id) {
			t.Errorf("merchant %s's journal shows %s", b.ID, e.Raw)
		}
	}
	if n := len(r.JSON.Get("entries").Array()); n != len(calls)+1 {
		t.Errorf("merchant %s's journal has %d entries, want %d", b.ID, n, len(calls)+1)
	}
	// The request id in the journal is the one the answer carried.
	g := a.API(http.MethodGet, "/api/v2/payments/"+id, nil)
	r = a.Ctl(http.MethodGet, "/journal?merchant="+a.ID+"&limit=1", nil)
	e2e.WantField(t, r, "entries.0.request_id", g.Header.Get("X-Request-Id"))

	e2e.WantCtlError(t, a.Ctl(http.MethodGet, "/journal?limit=-1", nil), http.StatusBadRequest)
}

func TestCustomer_Errors(t *testing.T) {
	m := newMerchant(t)
	id, _ := m.Session()
	e2e.WantCtlError(t, m.Ctl(http.MethodPost, "/payments/"+id+"/customer", map[string]any{"action": "dance"}), http.StatusBadRequest, "action")
	e2e.WantCtlError(t, m.Ctl(http.MethodPost, "/payments/"+id+"/customer", map[string]any{}), http.StatusBadRequest)
	e2e.WantCtlError(t, m.Ctl(http.MethodPost, "/payments/00000000-0000-4000-8000-00000000beef/customer", map[string]any{"action": "approve"}), http.StatusNotFound)
	e2e.WantStatus(t, m.Ctl(http.MethodPost, "/payments/"+id+"/customer", map[string]any{"action": "approve"}), http.StatusOK)
	e2e.WantCtlError(t, m.Ctl(http.MethodPost, "/payments/"+id+"/customer", map[string]any{"action": "approve"}), http.StatusConflict)
}

func TestControl_Health(t *testing.T) {
	t.Parallel()
	r := shared.Ctl(t, http.MethodGet, "/health", nil)
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "status", "ok")
	r = shared.Ctl(t, http.MethodGet, "/no-such-thing", nil)
	e2e.WantCtlError(t, r, http.StatusNotFound)
}

func TestScenarios_ListAndApply(t *testing.T) {
	m := newMerchant(t)
	e := shared
	if r := e.Ctl(t, http.MethodGet, "/scenarios", nil); r.Status != http.StatusOK || !r.JSON.Get(`scenarios.#(name=="duplicate-webhooks")`).Exists() {
		t.Fatalf("GET scenarios: %v", r)
	}
	if r := e.Ctl(t, http.MethodPost, "/merchants/"+m.ID+"/scenario", map[string]string{"name": "lost-webhooks"}); r.Status != http.StatusOK || r.JSON.Get("settings.webhooks.drop_rate").Float() != 1 {
		t.Fatalf("apply lost-webhooks: %v", r)
	}
	if r := e.Ctl(t, http.MethodPost, "/merchants/"+m.ID+"/scenario", map[string]string{"name": "calm"}); r.Status != http.StatusOK || r.JSON.Get("settings.webhooks.drop_rate").Float() != 0 {
		t.Fatalf("apply calm: %v", r)
	}
	if r := e.Ctl(t, http.MethodPost, "/merchants/"+m.ID+"/scenario", map[string]string{"name": "nope"}); r.Status != http.StatusNotFound {
		t.Fatalf("unknown scenario: %v, want 404", r)
	}
	if r := e.Ctl(t, http.MethodPost, "/merchants/nobody/scenario", map[string]string{"name": "calm"}); r.Status != http.StatusNotFound {
		t.Fatalf("unknown merchant: %v, want 404", r)
	}
}

func TestPayments_ListByStatus(t *testing.T) {
	m := newMerchant(t)
	created, _ := m.Session()
	authorized := m.Authorized("50.00")
	for status, want := range map[string]string{"CREATED": created, "AUTHORIZED": authorized} {
		r := m.Ctl(http.MethodGet, "/payments?merchant="+m.ID+"&status="+status, nil)
		e2e.WantStatus(t, r, http.StatusOK)
		e2e.WantField(t, r, "total_count", "1")
		e2e.WantField(t, r, "payments.0.payment.id", want)
	}
	r := m.Ctl(http.MethodGet, "/payments?merchant="+m.ID+"&status=EXPIRED", nil)
	e2e.WantArrayLen(t, r, "payments", 0)
	e2e.WantCtlError(t, m.Ctl(http.MethodGet, "/payments?merchant="+m.ID+"&status=authorized", nil), http.StatusBadRequest, "status")
}

// TestJournal_OfOnePayment: ?payment= keeps the requests that name the
// payment, the one that created it among them, each with the time on the
// merchant's clock when it came.
func TestJournal_OfOnePayment(t *testing.T) {
	m := newMerchant(t)
	id, _ := m.Session()
	other, _ := m.Session()
	start := m.Now()
	m.Advance("1h")
	m.Payment(id)
	m.Payment(other)
	r := m.Ctl(http.MethodGet, "/journal?merchant="+m.ID+"&payment="+id, nil)
	e2e.WantStatus(t, r, http.StatusOK)
	entries := r.JSON.Get("entries").Array()
	if len(entries) != 2 {
		t.Fatalf("journal of %s has %d entries, want 2: %s", id, len(entries), r)
	}
	for i, want := range []struct {
		operation string
		at        time.Time
	}{{"tabby.get_payment", start.Add(time.Hour)}, {"tabby.create_session", start}} {
		e := entries[i]
		if got := e.Get("operation").String(); got != want.operation {
			t.Errorf("entry %d is %s, want %s", i, got, want.operation)
		}
		if got := e2e.MustTime(t, e.Get("clock_at").String()); !got.Equal(want.at) {
			t.Errorf("entry %d came at %s on the merchant's clock, want %s", i, got, want.at)
		}
	}
	r = m.Ctl(http.MethodGet, "/journal?merchant="+m.ID+"&payment="+id+"&limit=1", nil)
	e2e.WantArrayLen(t, r, "entries", 1)
	e2e.WantField(t, r, "entries.0.operation", "tabby.get_payment")
}
