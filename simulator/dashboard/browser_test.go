package dashboard_test

// The browser tests drive the dashboard in a real headless Chromium, one
// browser for the package and a tab per test (two where one tab changes
// what the other shows), against a simulator on a loopback port whose
// background loop runs, as under tabbysim serve.

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"image"
	"image/color"
	"image/png"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/internal/browsertest"
	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
	"github.com/tabbysim/tabbysim/simulator/tabby"
	"github.com/tabbysim/tabbysim/simulator/webhook/webhooktest"
)

// browser is the Chromium the browser tests share.
var browser browsertest.Browser

// pollBudget bounds a wait for the page, within the tab's own budget so
// that a test that gives up can still say what the page shows.
const pollBudget = 20 * time.Second

// Selectors of the dashboard.
const (
	selLive      = `#live[data-live="on"]`
	selHeading   = `main h1`
	selTimeline  = `#timeline`
	selDelivered = `article.delivery[data-status="delivered"]`
	selTokenForm = `#token-form`
)

// tab is one browser tab.
type tab struct {
	t   *testing.T
	ctx context.Context

	mu       sync.Mutex
	problems []string // what the page reported as errors
}

// openTab opens a tab that fails the test if the page throws, logs an
// error or breaks its Content-Security-Policy.
func openTab(t *testing.T) *tab {
	t.Helper()
	tb := &tab{t: t, ctx: browser.Tab(t)}
	msgs := chromedp.Console(tb.ctx)
	go func() {
		for m, err := range msgs {
			if err != nil {
				return
			}
			// A status the control API answers on purpose (a 401 before
			// the token is given) is logged by the browser's network
			// layer; it is not the page's fault.
			if m.IsException() || (m.Type == chromedp.ConsoleError && m.Source != "network") {
				tb.mu.Lock()
				tb.problems = append(tb.problems, m.String())
				tb.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, p := range tb.problems {
			t.Errorf("the page reported %s", p)
		}
	})
	return tb
}

func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		tb.t.Fatal(err)
	}
}

func run[T any](tb *tab, a chromedp.Action[T]) T {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, a)
	if err != nil {
		tb.t.Fatal(err)
	}
	return v
}

// open loads the dashboard of the simulator at base at a view ("#/…")
// and waits until it follows the changes.
func (tb *tab) open(base, lang, view string) {
	tb.t.Helper()
	url := base + "/_sim/"
	if lang != "" {
		url += "?lang=" + lang
	}
	tb.do(chromedp.Navigate(url+view), chromedp.WaitVisible(chromedp.CSS(selLive)))
}

// goTo shows another view of the dashboard already open, as its links do.
func (tb *tab) goTo(view string) {
	tb.t.Helper()
	tb.do(chromedp.Evaluate[chromedp.Void](`location.hash = ` + quote(view)))
}

// The dashboard renders a view again whenever what it shows changes, so
// its elements are found, read and clicked inside the page, in one step,
// rather than by node ids that a new rendering makes stale. A timer polls,
// as animation frames may not come to a tab the test is not looking at.

// poll waits until the function of an element (e) and the arguments returns
// a value and returns it; e is the first visible element sel matches.
func poll[T any](tb *tab, sel, fn string) T {
	tb.t.Helper()
	return run(tb, chromedp.PollFunction[T](`(sel) => {
		const e = Array.from(document.querySelectorAll(sel)).find((e) => e.getClientRects().length);
		return e ? (`+fn+`)(e) : null;
	}`, chromedp.WithPollingArgs(sel), chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(pollBudget)))
}

// waitVisible waits for an element sel matches to be visible.
func (tb *tab) waitVisible(sel string) {
	tb.t.Helper()
	poll[bool](tb, sel, `(e) => true`)
}

// click clicks the element sel matches once it is visible and enabled.
func (tb *tab) click(sel string) {
	tb.t.Helper()
	poll[bool](tb, sel, `(e) => { if (e.disabled) return null; e.click(); return true; }`)
}

// text is the visible text of the element sel matches, once it is visible.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return strings.TrimSpace(poll[[]string](tb, sel, `(e) => [e.innerText]`)[0])
}

// waitText waits for the element sel matches to show want.
func (tb *tab) waitText(sel, want string) {
	tb.t.Helper()
	_, err := chromedp.Run(tb.ctx, chromedp.Poll[bool](`(document.querySelector(`+quote(sel)+`)?.innerText.trim() === `+quote(want)+`) || null`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(pollBudget)))
	if err != nil {
		tb.t.Fatalf("%s: want %q, shows %q: %v", sel, want, eval[string](tb, `document.querySelector(`+quote(sel)+`)?.innerText ?? "(none)"`), err)
	}
}

// submit clicks a button of a page that is not the dashboard, such as the
// hosted page's, as a person does.
func (tb *tab) submit(sel string) {
	tb.t.Helper()
	tb.do(chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
}

func (tb *tab) typeIn(sel, s string) {
	tb.t.Helper()
	tb.do(chromedp.WaitVisible(chromedp.CSS(sel)), chromedp.SendKeys(chromedp.CSS(sel), s))
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	return run(tb, chromedp.Evaluate[T](expr))
}

// attrs is an attribute of every element sel matches, in document order.
func (tb *tab) attrs(sel, name string) []string {
	tb.t.Helper()
	return eval[[]string](tb, `Array.from(document.querySelectorAll(`+quote(sel)+`), e => e.getAttribute(`+quote(name)+`))`)
}

// texts is the text of every element sel matches, in document order.
func (tb *tab) texts(sel string) []string {
	tb.t.Helper()
	return eval[[]string](tb, `Array.from(document.querySelectorAll(`+quote(sel)+`), e => e.textContent.trim())`)
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// shop is a merchant's site the hosted page sends the customer back to.
func shop(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!DOCTYPE html><title>shop</title><h1 id="landing">back at the shop</h1>`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// checkout creates a session of m that returns to the shop at shopURL and
// returns its payment's id and hosted page.
func checkout(m *e2e.Merchant, shopURL string, edits ...any) (id, webURL string) {
	m.T.Helper()
	edits = append([]any{"merchant_urls.success", shopURL + "/success", "merchant_urls.cancel", shopURL + "/cancel",
		"merchant_urls.failure", shopURL + "/failure"}, edits...)
	r := m.Checkout(edits...)
	if r.Status != http.StatusOK || r.Str("status") != "created" {
		m.T.Fatalf("create session: %s", r)
	}
	return r.Str("payment.id"), r.Str("configuration.available_products.installments.0.web_url")
}

// payOnHostedPage plays the buyer on the hosted page: phone, code, pay,
// and back at the shop.
func (tb *tab) payOnHostedPage(webURL string) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(webURL))
	tb.submit(`form[action$="/phone"] button[type="submit"]`)
	tb.typeIn(`#code`, tabby.OTPCode)
	tb.submit(`form[action$="/otp"] button[type="submit"]`)
	tb.submit(`form[action$="/pay"] button[type="submit"]`)
	tb.do(chromedp.WaitVisible(chromedp.CSS(`#landing`)))
}

// webhookMerchant is a merchant with a webhook registered at a receiver
// that accepts every delivery.
func webhookMerchant(t *testing.T) (*e2e.Merchant, *webhooktest.Receiver) {
	t.Helper()
	m := shared.NewMerchant(t, nil)
	hook := webhooktest.NewReceiver(t)
	if r := m.RegisterWebhook(hook.URL, map[string]any{"title": "X-Webhook-Secret", "value": "s3cret"}); r.Status != http.StatusOK {
		t.Fatalf("register webhook: %s", r)
	}
	return m, hook
}

// TestBrowser_TimelineOfAPaidPayment: a buyer pays on the hosted page, and
// the payment's page shows what happened in order, the webhook delivered.
func TestBrowser_TimelineOfAPaidPayment(t *testing.T) {
	t.Parallel()
	m, hook := webhookMerchant(t)
	id, webURL := checkout(m, shop(t).URL)
	tb := openTab(t)
	tb.payOnHostedPage(webURL)

	tb.open(shared.URL, "", "#/payments/"+id)
	tb.waitVisible(selDelivered)
	if h := tb.text(selHeading); !strings.Contains(h, id) || !strings.Contains(h, "AUTHORIZED") {
		t.Errorf("heading %q, want the payment's id and AUTHORIZED", h)
	}
	kinds := tb.attrs(selTimeline+` > li`, "data-kind")
	items := tb.texts(selTimeline + ` > li > .tl-text`)
	// The call that created the payment, its states, then the webhook and
	// the attempt the receiver accepted.
	want := []struct{ kind, text string }{
		{"call", "POST /api/v2/checkout"},
		{"state", "created"},
		{"state", "authorized"},
		{"webhook", "authorize"},
		{"attempt", "200"},
	}
	next := 0
	for i := range items {
		if next < len(want) && kinds[i] == want[next].kind && strings.Contains(items[i], want[next].text) {
			next++
		}
	}
	if next < len(want) {
		t.Errorf("timeline lacks %+v after what came before it", want[next])
	}
	if got := tb.text(selDelivered + ` tr[data-attempt="1"]`); !strings.Contains(got, "200") || !strings.Contains(got, "accepted") {
		t.Errorf("attempt 1: %q, want 200 accepted", got)
	}
	if n := hook.Count(); n != 1 {
		t.Errorf("the receiver got %d webhooks, want 1", n)
	}
}

// TestBrowser_AdvanceExpiresAPaymentLive: advancing the clock from one tab
// expires a pending payment, and another tab showing it updates itself
// from the stream of changes, without a reload.
func TestBrowser_AdvanceExpiresAPaymentLive(t *testing.T) {
	t.Parallel()
	m := shared.NewMerchant(t, nil)
	id, _ := m.Session()
	watcher := openTab(t)
	watcher.open(shared.URL, "", "#/payments/"+id)
	watcher.waitVisible(`main h1 .badge.created`)
	watcher.do(chromedp.Evaluate[chromedp.Void](`window.sameDocument = true`))

	clicker := openTab(t)
	clicker.open(shared.URL, "", "#/payments/"+id)
	before := m.Now()
	clicker.waitText(`#clock-now`, fmtClock(before))
	clicker.click(`button[data-advance="26m"]`)
	clicker.waitVisible(`main h1 .badge.expired`)
	if got, want := m.Now(), before.Add(26*time.Minute); !got.Equal(want) {
		t.Errorf("clock at %s, want %s", got, want)
	}
	clicker.waitText(`#clock-now`, fmtClock(before.Add(26*time.Minute)))

	watcher.waitVisible(`main h1 .badge.expired`)
	if !eval[bool](watcher, `window.sameDocument === true`) {
		t.Error("the watching tab reloaded")
	}
	if got := watcher.texts(`#timeline > li[data-kind="state"] > .tl-text`); len(got) == 0 || !strings.HasPrefix(got[len(got)-1], "expired") {
		t.Errorf("timeline states %q, want expired last", got)
	}
	if r := m.Payment(id); r.Str("status") != "EXPIRED" {
		t.Errorf("payment %s, want EXPIRED", r.Str("status"))
	}
}

func fmtClock(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") + " UTC" }

// TestBrowser_ResendMakesANewDelivery: the resend button of a delivery
// makes a new delivery of the same event, which the receiver gets.
func TestBrowser_ResendMakesANewDelivery(t *testing.T) {
	t.Parallel()
	m, hook := webhookMerchant(t)
	id := m.Authorized("80.00")
	tb := openTab(t)
	tb.open(shared.URL, "", "#/deliveries")
	// The merchant is chosen on the page, as a person would.
	tb.do(chromedp.SetValue(chromedp.CSS(`#merchant`), m.ID),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("merchant").dispatchEvent(new Event("change"))`))
	tb.waitVisible(selDelivered)
	first := tb.attrs(`article.delivery`, "data-delivery")
	if len(first) != 1 {
		t.Fatalf("deliveries %v, want 1", first)
	}
	tb.click(`button[data-resend="` + first[0] + `"]`)
	tb.waitVisible(`article.delivery[data-status="delivered"]:not([data-delivery="` + first[0] + `"])`)

	r := m.Ctl(http.MethodGet, "/deliveries?payment="+id, nil)
	ds := r.JSON.Get("deliveries").Array()
	if len(ds) != 2 || ds[0].Get("resend_of").String() != first[0] || ds[0].Get("event").String() != "authorize" {
		t.Fatalf("deliveries after the resend: %s", r)
	}
	if got := tb.attrs(`article.delivery`, "data-delivery"); len(got) != 2 || got[0] != ds[0].Get("id").String() {
		t.Errorf("page shows deliveries %v, want the resend first", got)
	}
	if hook.Count() != 2 {
		t.Errorf("the receiver got %d webhooks, want 2", hook.Count())
	}
	if got := tb.text(`#notice`); !strings.Contains(got, ds[0].Get("id").String()) {
		t.Errorf("notice %q does not name the new delivery", got)
	}
}

// TestBrowser_ArabicIsRightToLeft: ?lang=ar gives an Arabic page laid out
// right to left, whose ids and times stay left to right.
func TestBrowser_ArabicIsRightToLeft(t *testing.T) {
	t.Parallel()
	m := shared.NewMerchant(t, nil)
	id, _ := m.Session()
	tb := openTab(t)
	tb.open(shared.URL, "ar", "#/payments/"+id)
	tb.waitVisible(selTimeline)
	if dir, lang := eval[string](tb, `document.dir`), eval[string](tb, `document.documentElement.lang`); dir != "rtl" || lang != "ar" {
		t.Errorf("document dir %q, lang %q; want rtl, ar", dir, lang)
	}
	if got := eval[string](tb, `getComputedStyle(document.querySelector("main")).direction`); got != "rtl" {
		t.Errorf("main is laid out %s", got)
	}
	// The navigation starts on the right.
	if right := eval[bool](tb, `(() => { const n = document.querySelector("#nav a").getBoundingClientRect(); return n.right > innerWidth / 2 })()`); !right {
		t.Error("the first navigation link is on the left")
	}
	for sel, want := range map[string]string{
		`#nav a[data-view="payments"]`: "الدفعات", `#clock .label`: "الساعة", `#customer h2`: "إجراءات العميل",
		`button[data-action="approve"]`: "موافقة", `button[data-advance="26m"]`: "+26 دقيقة",
	} {
		if got := tb.text(sel); got != want {
			t.Errorf("%s: %q, want %q", sel, got, want)
		}
	}
	page := tb.text(`body`)
	for _, en := range []string{"Payments", "Customer actions", "Timeline", "Approve", "Clock"} {
		if strings.Contains(page, en) {
			t.Errorf("the Arabic page says %q", en)
		}
	}
	if got := eval[string](tb, `getComputedStyle(document.querySelector("main h1 bdi")).direction`); got != "ltr" {
		t.Errorf("the payment's id is laid out %s", got)
	}
	// The link to the other language keeps the view.
	if got := eval[string](tb, `document.getElementById("lang").getAttribute("href")`); !strings.HasSuffix(got, "?lang=en#/payments/"+id) {
		t.Errorf("English link %q", got)
	}
}

// TestBrowser_AsksForTheControlToken: with --control-token and
// --control-addr the dashboard lives on the control address, asks for the
// token, keeps it for the tab and sends it.
func TestBrowser_AsksForTheControlToken(t *testing.T) {
	t.Parallel()
	srv, err := simulator.Listen("127.0.0.1:0", simulator.Config{Seed: 5, ClockMode: clock.Manual, ControlToken: "let-me-in", SeparateControl: true})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.ServeControl(ln)
	t.Cleanup(func() { srv.Close() })
	ctl := "http://" + ln.Addr().String()
	if res, err := http.Get(srv.URL + "/_sim/"); err != nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("dashboard on the public address: %v %v, want 404", res.StatusCode, err)
	}

	tb := openTab(t)
	tb.do(chromedp.Navigate(ctl + "/_sim/"))
	tb.waitVisible(selTokenForm)
	tb.typeIn(`#token`, "wrong")
	tb.click(selTokenForm + ` button[type="submit"]`)
	// A new form, empty, says the token was refused.
	tb.waitVisible(selTokenForm + ` p.error`)
	tb.typeIn(`#token`, "let-me-in")
	tb.click(selTokenForm + ` button[type="submit"]`)
	tb.waitVisible(selLive)
	tb.waitVisible(`#no-payments`)
	if got := eval[string](tb, `sessionStorage.getItem("tabbysim.token")`); got != "let-me-in" {
		t.Errorf("token kept as %q", got)
	}
	// An action goes through with the token.
	tb.click(`button[data-advance="1d"]`)
	tb.waitVisible(`#notice.info`)
	c, err := srv.Clocks.Clock(simulator.DefaultMerchantID)
	if err != nil {
		t.Fatal(err)
	}
	tb.waitText(`#clock-now`, fmtClock(c.Now()))
}

// TestBrowser_ShowsDataAsText: what merchants send is shown as text, never
// run or parsed as HTML.
func TestBrowser_ShowsDataAsText(t *testing.T) {
	t.Parallel()
	m := shared.NewMerchant(t, nil)
	const name = `<img src=x onerror="window.pwned=1"><b id="injected">Sara</b>`
	id, _ := m.Session("payment.buyer.name", name, "payment.description", `</script><script>window.pwned=1</script>`)
	tb := openTab(t)
	tb.open(shared.URL, "", "#/payments/"+id)
	tb.waitVisible(selTimeline)
	if got := tb.text(`main .card`); !strings.Contains(got, name) {
		t.Errorf("the buyer's name is not shown as text:\n%s", got)
	}
	if eval[bool](tb, `document.getElementById("injected") !== null || document.querySelector("main img") !== null || window.pwned === 1`) {
		t.Error("the page turned a buyer's name into HTML")
	}
	tb.goTo("#/payments")
	tb.waitVisible(`#payments`)
	if eval[bool](tb, `document.getElementById("injected") !== null || window.pwned === 1`) {
		t.Error("the list turned a buyer's name into HTML")
	}
}

// onerwayPayment starts a Tabby payment of amount SAR through the Onerway
// gateway as merchant m, whose notifications go to notify.
func onerwayPayment(m *e2e.Merchant, merchantTxnID, amount, notify string) *onerway.Payment {
	m.T.Helper()
	c := onerway.New(m.Onerway.MerchantNo, m.Onerway.SecretKey, onerway.WithBaseURL(m.Env.URL))
	p, err := c.DoTransaction(context.Background(), onerway.PaymentRequest{
		MerchantTxnID: merchantTxnID, MerchantCustID: "cust-7",
		ProductType: onerway.ProductLPMS, SubProductType: onerway.SubProductDirect, TxnType: onerway.TxnSale,
		OrderAmount: amount, OrderCurrency: "SAR", LpmsInfo: &onerway.LpmsInfo{LpmsType: onerway.LpmsTabby},
		TxnOrderMsg: onerway.TxnOrderMsg{ReturnURL: "https://shop.example/return", NotifyURL: notify,
			CustomerPlatform: "shop.example", Products: []onerway.Product{{Name: "Gift card", Price: amount, Num: "1",
				Currency: "SAR", Type: onerway.GoodsVirtual, ProductAvatarURL: "https://cdn.shop.example/card.png"}}},
		BillingInformation: onerway.Address{FirstName: "Sara", LastName: "Ali", Email: "otp.success@tabby.ai"},
	})
	if err != nil {
		m.T.Fatalf("doTransaction: %v", err)
	}
	return p
}

// TestBrowser_OnerwayTransactions: a payment through the Onerway gateway
// is listed with its transaction, whose page shows its history and the
// Tabby payment underneath, lets the customer act on it and, once paid,
// shows its settlement.
func TestBrowser_OnerwayTransactions(t *testing.T) {
	t.Parallel()
	m := shared.NewMerchant(t, nil)
	p := onerwayPayment(m, "order-7", "250", webhooktest.NewReceiver(t).URL)
	tb := openTab(t)
	tb.open(shared.URL, "", "#/transactions/"+p.TransactionID) // selects the merchant
	tb.waitVisible(`main h1`)
	tb.goTo("#/payments?txn=R")
	tb.click(`#transactions tr[data-transaction="` + p.TransactionID + `"] a`)
	tb.waitVisible(`main [data-transaction="` + p.TransactionID + `"] h1 .badge`)
	if got := tb.text(`main h1`); !strings.Contains(got, p.TransactionID) || !strings.HasSuffix(got, "R") {
		t.Errorf("heading %q, want the transaction in R", got)
	}
	tb.click(`button[data-action="approve"]`)
	tb.waitVisible(`main h1 .badge.ok`)
	tb.waitVisible(`#timeline li[data-kind="webhook"]`)
	// A gift card (virtual goods) is scheduled to settle once paid.
	tb.waitText(`main section[data-field="settlement"] h2 .badge`, "scheduled")
	if got := tb.texts(`#timeline > li[data-kind="call"] > .tl-text`); len(got) == 0 || !strings.Contains(got[0], "onerway.") {
		t.Errorf("timeline calls %q, want the gateway's", got)
	}
	tb.click(`main dd a[href^="#/payments/"]`)
	tb.waitVisible(`main [data-payment] h1 .badge.closed`)
	if got := tb.text(`main .card`); !strings.Contains(got, p.TransactionID) {
		t.Errorf("the Tabby payment does not name its transaction:\n%s", got)
	}
}

// TestBrowser_ScenarioSwitches: a scenario's switch applies it to the
// selected merchant and switching it off goes back to calm; fault rules
// have no section while the control API does not serve them.
func TestBrowser_ScenarioSwitches(t *testing.T) {
	t.Parallel()
	m := shared.NewMerchant(t, nil)
	id, _ := m.Session()
	tb := openTab(t)
	tb.open(shared.URL, "", "#/payments/"+id) // selects the merchant
	tb.waitVisible(`main h1`)
	tb.goTo("#/faults")
	sw := `li[data-scenario="lost-webhooks"] input[role="switch"]`
	tb.waitVisible(`li[data-scenario="lost-webhooks"][data-on="false"]`)
	tb.click(sw)
	tb.waitVisible(`li[data-scenario="lost-webhooks"][data-on="true"]`)
	if r := m.Ctl(http.MethodGet, "/merchants/"+m.ID, nil); r.Str("settings.webhooks.drop_rate") != "1" {
		t.Errorf("drop_rate %s after switching lost-webhooks on", r.Str("settings.webhooks.drop_rate"))
	}
	tb.click(sw)
	tb.waitVisible(`li[data-scenario="lost-webhooks"][data-on="false"]`)
	if r := m.Ctl(http.MethodGet, "/merchants/"+m.ID, nil); r.Str("settings.webhooks.drop_rate") != "0" {
		t.Errorf("drop_rate %s after switching lost-webhooks off", r.Str("settings.webhooks.drop_rate"))
	}
	if r := m.Ctl(http.MethodGet, "/faults", nil); r.Status == http.StatusNotFound {
		if eval[bool](tb, `document.getElementById("faults") !== null`) {
			t.Error("a fault rules section without the control API's /faults")
		}
	} else {
		tb.waitVisible(`#faults`)
	}
}

// screenshots, when set, is the folder TestBrowser_Screenshots writes the
// README's pictures of the hosted page and the dashboard to (make
// screenshots).
var screenshots = flag.String("screenshots", "", "write screenshots of the hosted page and the dashboard to this folder")

// screenshotStart is where the clock of the merchant in the screenshots
// starts, so that they show the same times each time they are made.
var screenshotStart = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// TestBrowser_Screenshots makes the README's screenshots, from a simulator
// of its own so that they show the same ids each time.
func TestBrowser_Screenshots(t *testing.T) {
	if *screenshots == "" {
		t.Skip("makes the README's screenshots: make screenshots")
	}
	e := e2e.Start(t, simulator.Config{Seed: 2026, ClockMode: clock.Manual})
	ctx, cancel := context.WithCancel(context.Background())
	running := make(chan struct{})
	go func() { defer close(running); e.Sim.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-running })

	m := e.NewMerchant(t, map[string]any{"id": "desk-lamps", "name": "Desk Lamps LLC", "clock": "manual", "start": screenshotStart})
	hook := webhooktest.NewReceiver(t)
	if r := m.RegisterWebhook(hook.URL, map[string]any{"title": "X-Webhook-Secret", "value": "s3cret"}); r.Status != http.StatusOK {
		t.Fatalf("register webhook: %s", r)
	}
	site := shop(t).URL
	order := func(ref, amount, buyer string) []any {
		return []any{"payment.amount", amount, "payment.buyer.name", buyer, "payment.order.reference_id", ref,
			"payment.order.items", []any{map[string]any{"title": "Desk lamp", "quantity": 1, "unit_price": amount, "category": "Home"}}}
	}
	paid, webURL := checkout(m, site, order("1001", "100.00", "Sara Ali")...)
	m.Advance("3m")
	checkout(m, site, order("1002", "240.00", "Omar Haddad")...) // expires
	m.Advance("2m")
	rejected, _ := checkout(m, site, order("1003", "75.50", "Lina Saleh")...)
	m.Act(rejected, "reject")
	tb := openTab(t)
	tb.do(chromedp.Navigate(webURL))
	tb.submit(`form[action$="/phone"] button[type="submit"]`)
	tb.typeIn(`#code`, tabby.OTPCode)
	tb.submit(`form[action$="/otp"] button[type="submit"]`)
	tb.do(chromedp.WaitVisible(chromedp.CSS(`form[action$="/pay"] button[type="submit"]`)))
	tb.shoot("hosted-page.png", 860)
	tb.submit(`form[action$="/pay"] button[type="submit"]`)
	tb.do(chromedp.WaitVisible(chromedp.CSS(`#landing`)))
	m.Advance("1h")
	if r := m.Capture(paid, "100.00", "capture-1001"); r.Status != http.StatusOK {
		t.Fatalf("capture: %s", r)
	}
	checkout(m, site, order("1004", "560.00", "Yousef Karim")...)
	onerwayPayment(m, "gift-2001", "250.00", hook.URL)

	tb.open(e.URL, "", "#/payments/"+paid)
	tb.waitVisible(selDelivered)
	tb.shoot("dashboard-payment.png", 0)
	tb.goTo("#/payments")
	tb.waitVisible(`#payments`)
	tb.shoot("dashboard-payments.png", 0)
	tb.open(e.URL, "ar", "#/payments/"+paid)
	tb.waitVisible(selDelivered)
	tb.shoot("dashboard-ar.png", 1200)
}

// shoot writes a PNG of the top height pixels of the page (all of it for
// 0), 1100 wide, to the screenshots folder, in at most 256 colours so that
// it stays small.
func (tb *tab) shoot(name string, height int64) {
	tb.t.Helper()
	var shot []byte
	var err error
	if height == 0 {
		tb.do(chromedp.EmulateViewport(1100, 800))
		shot, err = browsertest.FullPage(tb.ctx)
	} else {
		tb.do(chromedp.EmulateViewport(1100, height))
		shot, err = chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	}
	if err != nil {
		tb.t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		tb.t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, paletted(img)); err != nil {
		tb.t.Fatal(err)
	}
	if err := os.MkdirAll(*screenshots, 0o755); err != nil {
		tb.t.Fatal(err)
	}
	path := filepath.Join(*screenshots, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("wrote %s (%d bytes)", path, buf.Len())
}

// paletted draws img with its 256 most frequent colours, each other colour
// replaced by the nearest of them: a page is mostly a few flat colours,
// and only the edges of its letters lose a little.
func paletted(img image.Image) *image.Paletted {
	b := img.Bounds()
	count := map[color.RGBA]int{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			count[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)]++
		}
	}
	colors := slices.Collect(maps.Keys(count))
	slices.SortFunc(colors, func(a, b color.RGBA) int {
		if n := count[b] - count[a]; n != 0 {
			return n
		}
		return int(a.R)<<16 | int(a.G)<<8 | int(a.B) - (int(b.R)<<16 | int(b.G)<<8 | int(b.B))
	})
	pal := make(color.Palette, 0, 256)
	for _, c := range colors[:min(len(colors), 256)] {
		pal = append(pal, c)
	}
	out := image.NewPaletted(b, pal)
	nearest := map[color.RGBA]uint8{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)
			i, ok := nearest[c]
			if !ok {
				i = uint8(pal.Index(c))
				nearest[c] = i
			}
			out.SetColorIndex(x, y, i)
		}
	}
	return out
}
