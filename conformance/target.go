package conformance

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/tabbysim/tabbysim/client/merchant"
	"github.com/tabbysim/tabbysim/client/simctl"
)

// Target is a merchant integration under test.
type Target interface {
	// Name is what reports call the target.
	Name() string
	// Parallel reports whether its scenarios may run at once.
	Parallel() bool
	// Open readies the integration for one scenario and returns the
	// simulator merchant it uses, the adapter that drives it, and a
	// function that releases it.
	Open(ctx context.Context, env *Env) (*simctl.Merchant, *Adapter, func(), error)
}

// Env is what a target can use: the simulator the harness runs.
type Env struct {
	SimURL  string
	Control *simctl.Client
}

// Reference is the built-in reference merchant, run in-process, a fresh
// instance on a fresh simulator merchant for every scenario. Defect switches
// one of its named defects on.
type Reference struct {
	Defect string
}

// Name implements Target.
func (r *Reference) Name() string {
	if r.Defect != "" {
		return "reference merchant with defect " + r.Defect
	}
	return "reference merchant"
}

// Parallel implements Target: every scenario has its own merchant.
func (r *Reference) Parallel() bool { return true }

// Open implements Target.
func (r *Reference) Open(ctx context.Context, env *Env) (*simctl.Merchant, *Adapter, func(), error) {
	m, err := env.Control.CreateMerchant(ctx, simctl.CreateMerchantRequest{Clock: "manual"})
	if err != nil {
		return nil, nil, nil, err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	url, stop, err := merchant.Serve(runCtx, merchant.Config{
		TabbyURL: env.SimURL, SecretKey: m.Tabby.SecretKey, MerchantCodes: shopCodes(m), Defect: r.Defect,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, "127.0.0.1:0")
	if err != nil {
		cancel()
		return nil, nil, nil, err
	}
	a := ReferenceAdapter(url)
	return m, a, func() { stop(); cancel() }, nil
}

// shopCodes are the merchant codes of a simulator merchant as a shop holds
// them: the code of each currency.
func shopCodes(m *simctl.Merchant) map[string]string {
	codes := map[string]string{}
	for code, cur := range m.Tabby.MerchantCodes {
		codes[cur] = code
	}
	return codes
}

// ReferenceAdapter is the adapter of the reference merchant served at url;
// the README shows it as the example of the format.
func ReferenceAdapter(url string) *Adapter {
	a, err := ParseAdapter([]byte(strings.ReplaceAll(referenceAdapterJSON, "{{base_url}}", url)))
	if err != nil {
		panic(err) // the built-in adapter is tested
	}
	return a
}

const referenceAdapterJSON = `{
  "name": "reference merchant",
  "base_url": "{{base_url}}",
  "checkout": {
    "method": "POST",
    "path": "/checkout",
    "body": "{\"amount\": \"{{.Amount}}\", \"currency\": \"{{.Currency}}\", \"lang\": \"{{.Lang}}\", \"buyer\": {{json .Buyer}}, \"items\": {{json .Items}}}",
    "redirect_url": "redirect_url",
    "order_ref": "order_id",
    "rejection_reason": "rejection_reason"
  },
  "order_status": {
    "method": "GET",
    "path": "/orders/{{.OrderRef}}",
    "status": "status",
    "values": {
      "pending": ["pending"], "paid": ["paid"], "cancelled": ["cancelled"], "failed": ["failed"],
      "refunded": ["refunded"], "partially_refunded": ["partially_refunded"]
    }
  },
  "actions": {
    "reconcile": {"method": "POST", "path": "/admin/reconcile"},
    "cancel": {"method": "POST", "path": "/orders/{{.OrderRef}}/cancel"},
    "refund": {"method": "POST", "path": "/orders/{{.OrderRef}}/refund", "body": "{\"amount\": \"{{.Amount}}\"}"}
  }
}`

// External is a merchant service described by an adapter file. It uses the
// simulator's default merchant, whose keys it was configured with, so its
// scenarios run one at a time.
type External struct {
	Adapter *Adapter
	// MerchantID is the simulator merchant the service uses.
	MerchantID string
}

// Name implements Target.
func (e *External) Name() string {
	if e.Adapter.Name != "" {
		return e.Adapter.Name
	}
	return e.Adapter.BaseURL
}

// Parallel implements Target: one merchant and one clock are shared.
func (e *External) Parallel() bool { return false }

// Open implements Target: what a scenario switched on for the shared
// merchant (failure injection, expired webhooks) is switched off again.
func (e *External) Open(ctx context.Context, env *Env) (*simctl.Merchant, *Adapter, func(), error) {
	m, err := env.Control.UpdateSettings(ctx, e.MerchantID, map[string]any{
		"tabby":    map[string]any{"expire_webhooks": false},
		"webhooks": map[string]any{"duplicate": 0, "reorder": false, "drop_rate": 0, "delay": "0s", "forge": "", "timeout": "0s"},
	})
	if err != nil {
		return nil, nil, nil, err
	}
	return m, e.Adapter, func() {}, nil
}

// startCommand starts the adapter's command, if any, for simulator
// merchant m, and waits until the service answers on ReadyPath. The
// returned function stops it.
func startCommand(ctx context.Context, a *Adapter, simURL string, m *simctl.Merchant) (func(), error) {
	if len(a.Command) == 0 {
		return func() {}, waitReady(ctx, a)
	}
	codes := shopCodes(m)
	cmd := exec.Command(a.Command[0], a.Command[1:]...)
	cmd.Env = append(os.Environ(), "TABBYSIM_URL="+simURL, "TABBY_SECRET_KEY="+m.Tabby.SecretKey,
		"TABBY_MERCHANT_CODES="+merchant.FormatMerchantCodes(codes), "TABBY_MERCHANT_CODE="+codes["AED"],
		"ONERWAY_MERCHANT_NO="+m.Onerway.MerchantNo, "ONERWAY_SECRET_KEY="+m.Onerway.SecretKey, "ONERWAY_APP_ID="+m.Onerway.AppID)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %q: %w", strings.Join(a.Command, " "), err)
	}
	stop := func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	if err := waitReady(ctx, a); err != nil {
		stop()
		return nil, err
	}
	return stop, nil
}

func waitReady(ctx context.Context, a *Adapter) error {
	path := a.ReadyPath
	if path == "" {
		path = "/"
	}
	url := strings.TrimRight(a.BaseURL, "/") + path
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 300 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the merchant service at %s did not answer 2xx within 30s (last: %v)", url, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
