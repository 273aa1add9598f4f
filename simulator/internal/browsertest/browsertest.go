// Package browsertest runs the simulator's browser tests (the hosted
// payment page, the dashboard) in a real headless Chromium driven by
// chromedp: one browser per test package, started by the first test that
// needs it, a tab per test. Where no Chromium is installed the tests skip,
// saying how to install it; under CI=true they fail instead, so CI cannot
// pass by skipping.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Names are the browser binaries looked up on PATH, in order.
var Names = []string{"chromium", "chromium-browser", "google-chrome"}

const (
	startBudget = 30 * time.Second // starting Chromium
	tabBudget   = 30 * time.Second // one test's tab
)

// Find returns the path of a Chromium-like browser on PATH, or "".
func Find() string {
	for _, name := range Names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Require returns the browser's path; without one it skips the test, or
// fails it under CI=true.
func Require(t testing.TB) string {
	t.Helper()
	if p := Find(); p != "" {
		return p
	}
	msg := "no Chromium found on PATH (looked for " + strings.Join(Names, ", ") + "); install it, e.g. apt-get install chromium"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + "; CI=true, so the browser tests must run")
	}
	t.Skip(msg)
	return ""
}

// Browser is a headless Chromium the tests of a package share. The zero
// value is ready; TestMain calls Close once the tests are done.
type Browser struct {
	mu      sync.Mutex
	ctx     context.Context
	err     error
	cancels []context.CancelFunc
}

// start starts the browser the first time; a browser that failed to start
// fails every test that asks for it.
func (b *Browser) start(t testing.TB) context.Context {
	t.Helper()
	path := Require(t)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ctx == nil && b.err == nil {
		b.ctx, b.err = b.launch(path)
	}
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.ctx
}

func (b *Browser) launch(path string) (context.Context, error) {
	dir, err := os.MkdirTemp("", "browsertest-")
	if err != nil {
		return nil, err
	}
	b.cancels = append(b.cancels, func() { os.RemoveAll(dir) })
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(dir),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// Tabs the test is not looking at keep their timers, as a page
		// another tab changes must update itself.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.WindowSize(900, 1000),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	b.cancels = append(b.cancels, cancelAlloc, cancelBrowser)

	// The first Do starts the browser; bound the wait for it.
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(browserCtx) }()
	select {
	case err := <-done:
		if err != nil {
			return nil, fmt.Errorf("start %s: %w", path, err)
		}
	case <-time.After(startBudget):
		return nil, fmt.Errorf("start %s: no answer in %s", path, startBudget)
	}
	return browserCtx, nil
}

// Tab opens a tab, closed at the end of the test.
func (b *Browser) Tab(t testing.TB) context.Context {
	t.Helper()
	tab, cancelTab := chromedp.NewContext(b.start(t))
	t.Cleanup(cancelTab)
	ctx, cancel := context.WithTimeout(tab, tabBudget)
	t.Cleanup(cancel)
	return ctx
}

// Close stops the browser, if it started.
func (b *Browser) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := len(b.cancels) - 1; i >= 0; i-- {
		b.cancels[i]()
	}
	b.cancels = nil
}

// FullPage returns a PNG of the whole page in the tab.
//
// It is not chromedp.FullScreenshot: Chromium's capture beyond the viewport
// shifts a right-to-left page to the right and cuts its right edge off
// (seen with Chromium 156 on a bare <html dir=rtl> page too). Stretching
// the viewport to the page's height and capturing the viewport gives the
// page as a person sees it.
func FullPage(ctx context.Context) ([]byte, error) {
	w, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.clientWidth`))
	if err != nil {
		return nil, err
	}
	h, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`Math.max(document.documentElement.scrollHeight, innerHeight)`))
	if err != nil {
		return nil, err
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, h)); err != nil {
		return nil, err
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		return nil, err
	}
	return png, chromedp.Do(ctx, chromedp.ResetViewport())
}
