package hpp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tabbysim/tabbysim/simulator/internal/browsertest"
	"github.com/tabbysim/tabbysim/simulator/tabby"
)

// The browser tests drive the hosted payment page in a real headless
// Chromium: the pages on one loopback server, a pretend merchant on another
// that records the redirects the browser follows to it.

// arScreenshot is where the Arabic page's screenshot is left for a person
// to look at.
const arScreenshot = "/tmp/hpp-ar.png"

// Selectors. The templates give ids only to the two inputs, so the forms
// and their buttons are found by the form's action.
const (
	selTotal     = `p.total`
	selPhone     = `#phone`
	selContinue  = `form[action$="/phone"] button[type="submit"]`
	selCode      = `#code`
	selVerify    = `form[action$="/otp"] button[type="submit"]`
	selError     = `p.error[role="alert"]`
	selPay       = `form[action$="/pay"] button[type="submit"]`
	selCloseTab  = `form[action$="/close-tab"] button[type="submit"]`
	selCancel    = `form[action$="/cancel"] button[type="submit"]`
	selHeading   = `main h1`
	selMain      = `main`
	selLandingID = `#landing`
)

// browser is the Chromium the browser tests share.
var browser browsertest.Browser

func TestMain(m *testing.M) {
	code := m.Run()
	browser.Close()
	os.Exit(code)
}

// hit is one request the merchant's pages received.
type hit struct {
	Path, PaymentID string
}

// merchant is the shop the hosted page sends the customer back to.
type merchant struct {
	srv  *httptest.Server
	mu   sync.Mutex
	hits []hit
}

func newMerchant(t *testing.T) *merchant {
	t.Helper()
	m := &merchant{}
	mux := http.NewServeMux()
	for _, name := range []string{"success", "cancel", "failure"} {
		mux.HandleFunc("GET /shop/"+name, func(w http.ResponseWriter, r *http.Request) {
			m.mu.Lock()
			m.hits = append(m.hits, hit{Path: r.URL.Path, PaymentID: r.URL.Query().Get("payment_id")})
			m.mu.Unlock()
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte(`<!DOCTYPE html><title>shop</title><h1 id="landing">` + name + `</h1>`))
		})
	}
	// Anything else, the favicon among them, is not a landing.
	m.srv = httptest.NewServer(mux)
	t.Cleanup(m.srv.Close)
	return m
}

func (m *merchant) url(name string) string { return m.srv.URL + "/shop/" + name }

func (m *merchant) landings() []hit {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]hit(nil), m.hits...)
}

// browserEnv is a subtest's hosted page, merchant and tab.
type browserEnv struct {
	*env
	shop *merchant
	ctx  context.Context
}

func newBrowserEnv(t *testing.T) *browserEnv {
	t.Helper()
	return &browserEnv{env: newEnv(t), shop: newMerchant(t), ctx: browser.Tab(t)}
}

// session creates a session that returns to the test's merchant.
func (b *browserEnv) session(edit func(*tabby.CheckoutRequest)) *tabby.Payment {
	b.t.Helper()
	return b.env.session(func(r *tabby.CheckoutRequest) {
		r.MerchantURLs = &tabby.MerchantURLs{
			Success: b.shop.url("success"), Cancel: b.shop.url("cancel"), Failure: b.shop.url("failure"),
		}
		if edit != nil {
			edit(r)
		}
	})
}

// webURL is the session's hosted page, as web_url gives it.
func (b *browserEnv) webURL(p *tabby.Payment) string { return b.srv.URL + page(p, "") }

// steps runs the actions in the tab, in order.
func (b *browserEnv) steps(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatal(err)
	}
}

// get runs one action that reads a value in the tab.
func get[T any](b *browserEnv, a chromedp.Action[T]) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}

// eval evaluates a JavaScript expression in the page.
func (b *browserEnv) eval(expr string) string {
	b.t.Helper()
	return get(b, chromedp.Evaluate[string](expr))
}

// text returns the visible text of the first element the CSS selector sel
// matches, once it is visible.
func (b *browserEnv) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(get(b, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible)))
}

// click clicks the element sel once it is visible.
func (b *browserEnv) click(sel string) {
	b.t.Helper()
	b.steps(chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
}

// typeIn types s into the input sel once it is visible.
func (b *browserEnv) typeIn(sel, s string) {
	b.t.Helper()
	b.steps(chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), s))
}

// open loads the session's page and checks it shows the order's total.
func (b *browserEnv) open(p *tabby.Payment) {
	b.t.Helper()
	b.steps(chromedp.Navigate(b.webURL(p)))
	if got, want := b.text(selTotal), "150.50 AED"; got != want {
		b.t.Errorf("total %q, want %q", got, want)
	}
}

// toPayStep goes from the phone step through a wrong and the right OTP to
// the pay step.
func (b *browserEnv) toPayStep(p *tabby.Payment, tx *text) {
	b.t.Helper()
	b.open(p)
	if got := b.text(selContinue); got != tx.Continue {
		b.t.Errorf("continue button %q, want %q", got, tx.Continue)
	}
	b.click(selContinue)

	b.typeIn(selCode, "1234")
	if got := b.text(selMain); !strings.Contains(got, p.Buyer.Phone) {
		b.t.Errorf("OTP step does not show the phone %q:\n%s", p.Buyer.Phone, got)
	}
	b.click(selVerify)
	// The page comes back with the error and an empty code field.
	if got := b.text(selError); got != tx.WrongCode {
		b.t.Errorf("error %q, want %q", got, tx.WrongCode)
	}
	b.typeIn(selCode, tabby.OTPCode)
	b.click(selVerify)
	if got := b.text(selPay); got != tx.Pay {
		b.t.Errorf("pay button %q, want %q", got, tx.Pay)
	}
	if !b.payment(p.ID).OTPVerified {
		b.t.Error("OTP not recorded")
	}
}

// landOn waits for the merchant's page name and checks the browser is at
// its URL with the payment's id, and that the merchant saw exactly that.
func (b *browserEnv) landOn(p *tabby.Payment, name string) {
	b.t.Helper()
	b.steps(chromedp.WaitVisible(chromedp.CSS(selLandingID)))
	loc := get(b, chromedp.Location())
	if want := b.shop.url(name) + "?payment_id=" + p.ID; loc != want {
		b.t.Errorf("browser at %q, want %q", loc, want)
	}
	want := []hit{{Path: "/shop/" + name, PaymentID: p.ID}}
	if got := b.shop.landings(); len(got) != 1 || got[0] != want[0] {
		b.t.Errorf("merchant saw %+v, want %+v", got, want)
	}
}

func (b *browserEnv) wantStatus(p *tabby.Payment, want tabby.Status) {
	b.t.Helper()
	if got := b.payment(p.ID).Status; got != want {
		b.t.Errorf("payment %s, want %s", got, want)
	}
}

func TestBrowser_HostedPaymentPage(t *testing.T) {
	t.Run("pay returns to the success URL", func(t *testing.T) {
		b := newBrowserEnv(t)
		p := b.session(nil)
		b.toPayStep(p, &english)
		b.click(selPay)
		b.landOn(p, "success")
		b.wantStatus(p, tabby.Authorized)
	})

	t.Run("rejected after OTP returns to the failure URL", func(t *testing.T) {
		b := newBrowserEnv(t)
		p := b.session(func(r *tabby.CheckoutRequest) { r.Payment.Buyer.Email = tabby.EmailRejected })
		b.toPayStep(p, &english)
		b.click(selPay)
		b.landOn(p, "failure")
		b.wantStatus(p, tabby.Rejected)
	})

	t.Run("cancel returns to the cancel URL", func(t *testing.T) {
		b := newBrowserEnv(t)
		p := b.session(nil)
		b.open(p)
		if got := b.text(selCancel); got != english.Cancel {
			t.Errorf("cancel button %q, want %q", got, english.Cancel)
		}
		b.click(selCancel)
		b.landOn(p, "cancel")
		b.wantStatus(p, tabby.Expired)
	})

	t.Run("pay and close the tab stays on the page", func(t *testing.T) {
		b := newBrowserEnv(t)
		p := b.session(nil)
		b.toPayStep(p, &english)
		if got := b.text(selCloseTab); got != english.PayCloseTab {
			t.Errorf("close-tab button %q, want %q", got, english.PayCloseTab)
		}
		b.click(selCloseTab)
		// The final page has no id of its own: it is there once the
		// buttons of the pay step are gone.
		b.steps(chromedp.WaitNotPresent(chromedp.CSS(selCloseTab)))
		if got := b.text(selHeading); got != english.Done {
			t.Errorf("heading %q, want %q", got, english.Done)
		}
		if got := b.text(selMain); !strings.Contains(got, english.CloseTab) {
			t.Errorf("final page lacks %q:\n%s", english.CloseTab, got)
		}
		loc := get(b, chromedp.Location())
		buttons := get(b, chromedp.Evaluate[int](`document.querySelectorAll("button").length`))
		if !strings.HasPrefix(loc, b.srv.URL+"/hpp/") {
			t.Errorf("browser left the hosted page for %q", loc)
		}
		if buttons != 0 {
			t.Errorf("final page has %d buttons", buttons)
		}
		if got := b.shop.landings(); len(got) != 0 {
			t.Errorf("merchant saw %+v, want nothing", got)
		}
		b.wantStatus(p, tabby.Authorized)
	})

	t.Run("Arabic is right to left", func(t *testing.T) {
		b := newBrowserEnv(t)
		p := b.session(func(r *tabby.CheckoutRequest) { r.Lang = "ar" })
		b.open(p)
		dir, lang := b.eval(`document.dir`), b.eval(`document.documentElement.lang`)
		if dir != "rtl" || lang != "ar" {
			t.Errorf("document dir %q, lang %q; want rtl, ar", dir, lang)
		}
		for sel, want := range map[string]string{selHeading: arabic.Title, selContinue: arabic.Continue, selCancel: arabic.Cancel} {
			if got := b.text(sel); got != want {
				t.Errorf("%s: %q, want %q", sel, got, want)
			}
		}
		if got := b.text(selMain); strings.Contains(got, english.Continue) || strings.Contains(got, english.Summary) {
			t.Errorf("Arabic page has English text:\n%s", got)
		}
		// The phone number stays left to right inside the RTL page.
		if phoneDir := b.eval(`getComputedStyle(document.querySelector("` + selPhone + `")).direction`); phoneDir != "ltr" {
			t.Errorf("phone input direction %q, want ltr", phoneDir)
		}

		png, err := browsertest.FullPage(b.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(png) < 8 || string(png[1:4]) != "PNG" {
			t.Fatalf("screenshot is not a PNG (%d bytes)", len(png))
		}
		if err := os.WriteFile(filepath.Join(t.TempDir(), "hpp-ar.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
		// Left for a person to look at; a failure to write it is not the
		// page's fault.
		if err := os.WriteFile(arScreenshot, png, 0o644); err != nil {
			t.Logf("write %s: %v", arScreenshot, err)
		} else {
			t.Logf("screenshot of the Arabic page in %s", arScreenshot)
		}
	})
}
