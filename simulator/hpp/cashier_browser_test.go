package hpp

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/onerway"
	"github.com/tabbysim/tabbysim/simulator/tabby"
)

// TestBrowser_OnerwayCashier walks the Onerway cashier in Chromium, from
// the redirectUrl through Tabby's page back to the shop's returnUrl, at a
// desktop size and at a phone's 390 px width (seed 001 asks for the
// redirect flow to be tested on mobile devices), in English and in Arabic.
// No page is wider than the screen.
func TestBrowser_OnerwayCashier(t *testing.T) {
	browser := newBrowser(t)
	for _, tc := range []struct {
		name          string
		width, height int64
		mobile        bool
		lang          string
	}{
		{"desktop", 1280, 900, false, ""},
		{"phone 390 px", 390, 844, true, ""},
		{"phone 390 px in Arabic", 390, 844, true, "ar"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newCashierEnv(t)
			shop := newMerchant(t)
			tx := e.sale(shop.url("success")+"?order=42", func(s *onerway.Sale) { s.Language = tc.lang })
			b := &browserEnv{env: e.env, shop: shop, ctx: newTab(t, browser)}
			viewport := chromedp.EmulateViewport(tc.width, tc.height)
			if tc.mobile {
				viewport = chromedp.EmulateViewport(tc.width, tc.height, chromedp.EmulateMobile, chromedp.EmulateScale(3))
			}
			b.steps(viewport, chromedp.Navigate(e.gw.CashierURL(tx.ID)))
			_, dir, tt := cashierLanguage(tc.lang)
			if got := b.eval(`document.dir`); got != dir {
				t.Errorf("cashier dir %q, want %q", got, dir)
			}
			if got := b.text(selTotal); got != "250.00 SAR" {
				t.Errorf("total %q", got)
			}
			b.fitsTheScreen("the cashier page")
			if got := b.text("#pay-with-tabby"); got != tt.Continue {
				t.Errorf("button %q, want %q", got, tt.Continue)
			}
			b.click("#pay-with-tabby")

			b.steps(chromedp.WaitVisible(chromedp.CSS(selContinue)))
			b.fitsTheScreen("Tabby's page")
			b.click(selContinue)
			b.typeIn(selCode, tabby.OTPCode)
			b.click(selVerify)
			b.click(selPay)

			b.steps(chromedp.WaitVisible(chromedp.CSS(selLandingID)))
			loc, err := url.Parse(get(b, chromedp.Location()))
			if err != nil {
				t.Fatal(err)
			}
			q := loc.Query()
			if !strings.HasPrefix(loc.String(), shop.url("success")+"?") || q.Get("order") != "42" ||
				q.Get("transactionId") != tx.ID || q.Get("status") != "S" || q.Get("merchantTxnId") != "order-42" {
				t.Errorf("browser at %q, want the returnUrl with transactionId %s, status S and merchantTxnId order-42", loc, tx.ID)
			}
			if got := e.transaction(tx.ID).Status; got != ow.StatusSuccess {
				t.Errorf("transaction %s, want S", got)
			}
		})
	}
}

// fitsTheScreen checks the page needs no sideways scrolling.
func (b *browserEnv) fitsTheScreen(what string) {
	b.t.Helper()
	wide := get(b, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
	screen := get(b, chromedp.Evaluate[int64](`document.documentElement.clientWidth`))
	if wide > screen {
		b.t.Errorf("%s is %d px wide on a %d px screen", what, wide, screen)
	}
}
