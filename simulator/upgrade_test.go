package simulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/store/sqlite"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// TestUpgrade_KeepsMerchantsOfAFlatSettingsDataFile starts the simulator
// on a data file holding what the version with flat merchant settings and
// no Onerway credentials stored (testdata/flat-settings.json: the default
// merchant with a changed session_ttl and expire_webhooks, a merchant "shop"
// with custom settings, and a payment of each). Every merchant keeps its
// keys, every setting and its payments, and gets Onerway credentials; a
// second start changes nothing.
func TestUpgrade_KeepsMerchantsOfAFlatSettingsDataFile(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "flat-settings.json"))
	if err != nil {
		t.Fatal(err)
	}
	var docs []store.Doc
	if err := json.Unmarshal(raw, &docs); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tabbysim.db")
	st := openSQLite(t, path)
	err = st.Update(context.Background(), func(tx store.Tx) error {
		for _, d := range docs {
			if err := tx.Put(d); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	shopOnerway := map[string]string{}
	t.Run("first start upgrades each merchant", func(t *testing.T) {
		st := openSQLite(t, path)
		logs := &logLines{}
		e := e2e.Start(t, simulator.Config{Store: st, Seed: 7, Logger: slog.New(slog.NewTextHandler(logs, nil))})
		for _, id := range []string{"default", "shop"} {
			if n := logs.count("msg=\"merchant upgraded from an earlier version's data file\" merchant=" + id + " "); n != 1 {
				t.Errorf("merchant %s: logged upgraded %d times, want once:\n%s", id, n, logs)
			}
		}
		wantKept(t, e, docs)

		want := map[string]string{"merchant_no": simulator.DefaultOnerwayMerchantNo,
			"secret_key": simulator.DefaultOnerwaySecretKey, "app_id": simulator.DefaultOnerwayAppID}
		if got := onerwayCredentials(t, e, "default"); !reflect.DeepEqual(got, want) {
			t.Errorf("default merchant's Onerway credentials %v, want its fixed ones %v", got, want)
		}
		shopOnerway = onerwayCredentials(t, e, "shop")
		digits := regexp.MustCompile(`^[0-9]+$`)
		if no := shopOnerway["merchant_no"]; len(no) != 12 || !digits.MatchString(no) ||
			len(shopOnerway["secret_key"]) != 32 || !digits.MatchString(shopOnerway["app_id"]) {
			t.Errorf("shop's Onerway credentials %v are not a new merchant's", shopOnerway)
		}
		for id, no := range map[string]string{"default": want["merchant_no"], "shop": shopOnerway["merchant_no"]} {
			m, err := (&tenant.Registry{Store: st}).ByCredential(context.Background(), tenant.OnerwayMerchantNo, no)
			if err != nil || m.ID != id {
				t.Errorf("merchant_no %s finds %v, %v; want merchant %s", no, m, err, id)
			}
		}
	})

	t.Run("second start changes nothing", func(t *testing.T) {
		logs := &logLines{}
		e := e2e.Start(t, simulator.Config{Store: openSQLite(t, path), Seed: 7, Logger: slog.New(slog.NewTextHandler(logs, nil))})
		if n := logs.count("merchant upgraded"); n != 0 {
			t.Errorf("a merchant upgraded already was upgraded again:\n%s", logs)
		}
		wantKept(t, e, docs)
		if got := onerwayCredentials(t, e, "shop"); !reflect.DeepEqual(got, shopOnerway) {
			t.Errorf("shop's Onerway credentials became %v, were %v", got, shopOnerway)
		}
	})
}

// wantKept checks what docs stored for each merchant is served as it was:
// its secret and public keys authenticate, every setting it had is at its
// place in the grouped settings (and in force: shop refuses 9500 AED, above
// its own limit), its payments read as they were.
func wantKept(t *testing.T, e *e2e.Env, docs []store.Doc) {
	t.Helper()
	tabbyGroup := []string{"session_ttl", "expire_after_session", "auto_capture", "auto_capture_after",
		"refund_window", "limits", "expire_webhooks"}
	defaultOnerway, _ := json.Marshal(tenant.DefaultSettings().Onerway)
	for _, d := range docs {
		switch d.Kind {
		case "merchant":
			m := e2e.WantStatus(t, e.Ctl(t, http.MethodGet, "/merchants/"+d.ID, nil), http.StatusOK)
			gjson.GetBytes(d.Data, "settings").ForEach(func(name, was gjson.Result) bool {
				at := "settings." + name.String()
				if slices.Contains(tabbyGroup, name.String()) {
					at = "settings.tabby." + name.String()
				}
				if now := m.JSON.Get(at); !reflect.DeepEqual(now.Value(), was.Value()) {
					t.Errorf("merchant %s: %s is %s, was %s", d.ID, at, now.Raw, was.Raw)
				}
				return true
			})
			if now := m.JSON.Get("settings.onerway"); !reflect.DeepEqual(now.Value(), gjson.ParseBytes(defaultOnerway).Value()) {
				t.Errorf("merchant %s: settings.onerway is %s, want the defaults %s", d.ID, now.Raw, defaultOnerway)
			}
			checkout := e2e.CheckoutBody()
			checkout["payment"].(map[string]any)["amount"] = "9500.00"
			r := e2e.WantStatus(t, e.Do(t, e2e.Req{Method: http.MethodPost, Path: "/api/v2/checkout", Key: gjson.GetBytes(d.Data, "tabby.public_key").String(), Body: checkout}), http.StatusOK)
			if want := map[string]string{"default": "created", "shop": "rejected"}[d.ID]; r.Str("status") != want {
				t.Errorf("merchant %s: a 9500.00 AED checkout is %s, want %s: %s", d.ID, r.Str("status"), want, r.Text())
			}
		case "tabby.payment":
			var sk string
			for _, m := range docs {
				if m.Kind == "merchant" && m.ID == d.Merchant {
					sk = gjson.GetBytes(m.Data, "tabby.secret_key").String()
				}
			}
			p := e2e.WantStatus(t, e.Do(t, e2e.Req{Method: http.MethodGet, Path: "/api/v2/payments/" + d.ID, Key: sk}), http.StatusOK)
			if was := gjson.GetBytes(d.Data, "status").String(); p.Str("status") != was || p.Str("amount") != "100.00" ||
				p.JSON.Get("captures.#").Int() != gjson.GetBytes(d.Data, "captures.#").Int() {
				t.Errorf("payment %s of %s was %s with %s captures, reads %s", d.ID, d.Merchant, was,
					gjson.GetBytes(d.Data, "captures.#"), p.Text())
			}
		}
	}
}

func onerwayCredentials(t *testing.T, e *e2e.Env, merchant string) map[string]string {
	t.Helper()
	m := e2e.WantStatus(t, e.Ctl(t, http.MethodGet, "/merchants/"+merchant, nil), http.StatusOK)
	out := map[string]string{}
	for _, name := range []string{"merchant_no", "secret_key", "app_id"} {
		out[name] = m.Str("onerway." + name)
	}
	return out
}

func openSQLite(t *testing.T, path string) store.Store {
	t.Helper()
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// logLines collects a logger's lines.
type logLines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logLines) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Count(l.buf.String(), s)
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
