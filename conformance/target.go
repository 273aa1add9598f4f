package conformance

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
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
// one of its named defects on; Variant builds it as one of its correct
// variants.
type Reference struct {
	Defect  string
	Variant string
}

// Name implements Target.
func (r *Reference) Name() string {
	switch {
	case r.Defect != "":
		return "reference merchant with defect " + r.Defect
	case r.Variant != "":
		return "reference merchant, variant " + r.Variant
	}
	return "reference merchant"
}

// Parallel implements Target: every scenario has its own merchant.
func (r *Reference) Parallel() bool { return true }

// Open implements Target: a scenario whose driver's provider the reference
// merchant serves in a mode of its own opens it in that mode.
func (r *Reference) Open(ctx context.Context, env *Env) (*simctl.Merchant, *Adapter, func(), error) {
	if o, ok := ctx.Value(driverKey{}).(referenceOpener); ok {
		return o.openReference(ctx, r, env)
	}
	m, err := env.Control.CreateMerchant(ctx, simctl.CreateMerchantRequest{Clock: "manual"})
	if err != nil {
		return nil, nil, nil, err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	url, stop, err := merchant.Serve(runCtx, merchant.Config{
		TabbyURL: env.SimURL, SecretKey: m.Tabby.SecretKey, MerchantCodes: shopCodes(m), Defect: r.Defect, Variant: r.Variant,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, "127.0.0.1:0")
	if err != nil {
		cancel()
		return nil, nil, nil, err
	}
	a := ReferenceAdapter(url).forMerchant(shopCodes(m))
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

// exampleAdapter is the adapter the README shows: the reference merchant
// run as a separate process.
//
//go:embed examples/reference-adapter.json
var exampleAdapter []byte

// ReferenceAdapter is the adapter of the reference merchant served at url:
// the README's example adapter, for a service already running.
func ReferenceAdapter(url string) *Adapter {
	a, err := ParseAdapter(exampleAdapter)
	if err != nil {
		panic(err) // the example adapter is tested
	}
	a.Name, a.BaseURL, a.Command, a.ReadyPath = "reference merchant", url, Command{}, ""
	return a
}

// External is a merchant service described by an adapter file. It uses the
// simulator's default merchant, whose keys it was configured with, so its
// scenarios run one at a time.
type External struct {
	Adapter *Adapter
	// MerchantID is the simulator merchant the service uses.
	MerchantID string
	// launched is the adapter of the running service, its base_url
	// rendered.
	launched *Adapter
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
	a := e.launched
	if a == nil {
		a = e.Adapter
	}
	return m, a.forMerchant(shopCodes(m)), func() {}, nil
}

// launch starts the adapter's service for simulator merchant m of the
// simulator at simURL: it renders base_url, command and env over LaunchData
// (with a free port picked for the service), runs the command, if any, and
// waits until the service answers on ReadyPath. It returns the adapter with
// its base_url rendered and a function that stops the service.
func launch(ctx context.Context, a *Adapter, simURL string, m *simctl.Merchant) (*Adapter, func(), error) {
	codes := shopCodes(m)
	port, err := freePort()
	if err != nil {
		return nil, nil, err
	}
	d := LaunchData{SimURL: simURL, Port: port, SecretKey: m.Tabby.SecretKey,
		MerchantCodes: merchant.FormatMerchantCodes(codes), MerchantCode: codes["AED"],
		OnerwayMerchantNo: m.Onerway.MerchantNo, OnerwaySecretKey: m.Onerway.SecretKey, OnerwayAppID: m.Onerway.AppID}
	launched := *a
	if launched.BaseURL, err = render(a.BaseURL, d); err != nil {
		return nil, nil, fmt.Errorf("adapter: base_url: %w", err)
	}
	if u, err := url.Parse(launched.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, nil, fmt.Errorf("adapter: base_url %q is not an absolute http or https URL", launched.BaseURL)
	}
	if a.Command.IsZero() {
		return &launched, func() {}, waitReady(ctx, &launched, nil)
	}
	words := a.Command.words()
	for i, w := range words {
		if words[i], err = render(w, d); err != nil {
			return nil, nil, fmt.Errorf("adapter: command: %w", err)
		}
	}
	var cmd *exec.Cmd
	if a.Command.Shell != "" {
		cmd = exec.Command("sh", "-c", words[0])
	} else {
		cmd = exec.Command(words[0], words[1:]...)
	}
	cmd.Env = append(os.Environ(), "TABBYSIM_URL="+simURL, "TABBY_SECRET_KEY="+d.SecretKey,
		"TABBY_MERCHANT_CODES="+d.MerchantCodes, "TABBY_MERCHANT_CODE="+d.MerchantCode,
		"ONERWAY_MERCHANT_NO="+d.OnerwayMerchantNo, "ONERWAY_SECRET_KEY="+d.OnerwaySecretKey, "ONERWAY_APP_ID="+d.OnerwayAppID)
	for _, k := range slices.Sorted(maps.Keys(a.Env)) {
		v, err := render(a.Env[k], d)
		if err != nil {
			return nil, nil, fmt.Errorf("adapter: env.%s: %w", k, err)
		}
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("starting %q: %w", strings.Join(words, " "), err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := sync.OnceFunc(func() {
		interrupt(cmd)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			kill(cmd)
			<-exited
		}
	})
	if err := waitReady(ctx, &launched, exited); err != nil {
		stop()
		return nil, nil, err
	}
	return &launched, stop, nil
}

// freePort returns a loopback port no one listens on.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("picking a free port for the merchant service: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls ReadyPath until it answers 2xx, for at most 30 s, or
// until exited (the service's command ended; nil without a command) is
// closed.
func waitReady(ctx context.Context, a *Adapter, exited <-chan struct{}) error {
	path := a.ReadyPath
	if path == "" {
		path = "/"
	}
	url := strings.TrimRight(a.BaseURL, "/") + path
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var last string
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode < 300 {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the merchant service at %s did not answer 2xx within 30s (last: %s)", url, last)
		case <-exited:
			return fmt.Errorf("the merchant service's command exited before %s answered 2xx (last: %s)", url, last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
