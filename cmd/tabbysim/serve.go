package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/tabbysim/tabbysim/scenarios"
	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/dashboard"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/store/sqlite"
)

// serveOptions are the flags of tabbysim serve.
type serveOptions struct {
	Addr         string
	PublicURL    string
	Seed         int64
	Clock        string
	ControlAddr  string
	ControlToken string
	Data         string
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	IdleTimeout  time.Duration
	LogFormat    string
	LogLevel     string
	Strict       bool
	// Scenarios are applied to the default merchant, in order.
	Scenarios []string
}

func (o *serveOptions) Validate() error {
	if _, err := clock.ParseMode(o.Clock); err != nil {
		return fmt.Errorf("--clock: %w", err)
	}
	for _, t := range []struct {
		flag string
		d    time.Duration
	}{{"--read-timeout", o.ReadTimeout}, {"--write-timeout", o.WriteTimeout}, {"--idle-timeout", o.IdleTimeout}} {
		if t.d <= 0 {
			return fmt.Errorf("%s must be more than 0, got %s", t.flag, t.d)
		}
	}
	if o.LogFormat != "text" && o.LogFormat != "json" {
		return fmt.Errorf("--log-format must be text or json, got %q", o.LogFormat)
	}
	if _, err := o.level(); err != nil {
		return err
	}
	if o.PublicURL != "" && !strings.HasPrefix(o.PublicURL, "http://") && !strings.HasPrefix(o.PublicURL, "https://") {
		return fmt.Errorf("--public-url must start with http:// or https://, got %q", o.PublicURL)
	}
	return nil
}

func (o *serveOptions) level() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(o.LogLevel)); err != nil {
		return 0, fmt.Errorf("--log-level must be debug, info, warn or error, got %q", o.LogLevel)
	}
	return l, nil
}

// logger writes the request, webhook and error lines to w in the format
// and from the level asked for.
func (o *serveOptions) logger(w io.Writer) *slog.Logger {
	level, _ := o.level()
	opts := &slog.HandlerOptions{Level: level}
	if o.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o serveOptions
	fs := newFlagSet(&serveHelp)
	fs.StringVar(&o.Addr, "addr", "127.0.0.1:4600", "listen address; port 0 picks a free port")
	fs.StringVar(&o.PublicURL, "public-url", "", "base URL used in web_url and redirects (default: the listen address)")
	fs.Int64Var(&o.Seed, "seed", 0, "seed for ids and random faults (default: from the time; printed at start)")
	fs.StringVar(&o.Clock, "clock", "wall", "clock mode of merchants: wall or manual")
	fs.StringVar(&o.ControlAddr, "control-addr", "", "serve the control API, the dashboard and /metrics on this address only (default: on --addr)")
	fs.StringVar(&o.ControlToken, "control-token", "", "bearer token the control API requires (default: none)")
	fs.StringVar(&o.Data, "data", "", "keep the state in this SQLite file and resume it on restart (default: in memory)")
	fs.DurationVar(&o.ReadTimeout, "read-timeout", simulator.DefaultReadTimeout, "longest time to read a request, body included")
	fs.DurationVar(&o.WriteTimeout, "write-timeout", simulator.DefaultWriteTimeout, "longest time from a request's headers to the end of its answer (a clock advance is exempt)")
	fs.DurationVar(&o.IdleTimeout, "idle-timeout", simulator.DefaultIdleTimeout, "close a kept-alive connection idle this long")
	fs.StringVar(&o.LogFormat, "log-format", "text", "log lines (one per request and per webhook attempt, on stderr) as text or json")
	fs.StringVar(&o.LogLevel, "log-level", "info", "least level logged: debug (health checks and metric scrapes too), info, warn (4xx answers, unacknowledged webhooks) or error")
	fs.BoolVar(&o.Strict, "strict", false, "refuse what Tabby's OpenAPI file does not allow, rather than accept what Tabby's SDKs and plugins send with a lint warning (the default merchant)")
	fs.Func("scenario", "apply a scenario to the default merchant: a name from 'tabbysim scenario list' or a file (repeatable)", func(v string) error {
		o.Scenarios = append(o.Scenarios, v)
		return nil
	})
	if code, ok := fs.parse(args, stdout, stderr); !ok {
		return code
	}
	if err := o.Validate(); err != nil {
		fmt.Fprintln(stderr, "tabbysim serve:", err)
		return 2
	}
	// Every scenario is read and checked before anything starts.
	var scs []*scenarios.Scenario
	for _, name := range o.Scenarios {
		sc, err := scenarios.Find(name)
		if err != nil {
			fmt.Fprintln(stderr, "tabbysim serve: --scenario:", err)
			return 2
		}
		scs = append(scs, sc)
	}
	if o.Seed == 0 {
		o.Seed = time.Now().UnixNano()
	}
	tuneGC()
	if err := runServer(ctx, o, scs, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "tabbysim serve:", err)
		return 1
	}
	return 0
}

func runServer(ctx context.Context, o serveOptions, scs []*scenarios.Scenario, stdout, stderr io.Writer) error {
	var ctlLn net.Listener
	if o.ControlAddr != "" {
		var err error
		if ctlLn, err = net.Listen("tcp", o.ControlAddr); err != nil {
			return addrInUse(err, "--control-addr")
		}
		defer ctlLn.Close()
	}
	var st store.Store
	if o.Data != "" {
		var err error
		if st, err = sqlite.Open(o.Data); err != nil {
			return err
		}
	}
	mode, _ := clock.ParseMode(o.Clock)
	sim, err := simulator.Listen(o.Addr, simulator.Config{
		PublicURL: o.PublicURL, Seed: o.Seed, ClockMode: mode, Store: st,
		Logger:       o.logger(stderr),
		ControlToken: o.ControlToken, SeparateControl: ctlLn != nil,
		ReadTimeout: o.ReadTimeout, WriteTimeout: o.WriteTimeout, IdleTimeout: o.IdleTimeout,
		Strict: o.Strict,
	})
	if err != nil {
		if st != nil {
			st.Close()
		}
		return addrInUse(err, "--addr")
	}
	for _, sc := range scs {
		if _, err := sim.ApplyScenario(ctx, simulator.DefaultMerchantID, sc); err != nil {
			_ = sim.Close()
			return fmt.Errorf("applying scenario %s: %w", sc.Name, err)
		}
	}
	runCtx, cancel := context.WithCancel(ctx)
	running := make(chan struct{})
	go func() { defer close(running); sim.Run(runCtx) }()

	if ctlLn != nil {
		sim.ServeControl(ctlLn)
	}

	fmt.Fprintf(stdout, "tabbysim listening on %s\n", sim.URL)
	// The dashboard is where the control API is.
	dashboardAt := sim.URL
	if ctlLn != nil {
		dashboardAt = "http://" + ctlLn.Addr().String()
		fmt.Fprintf(stdout, "control API on %s%s\n", dashboardAt, "/_sim/v1")
	}
	fmt.Fprintf(stdout, "dashboard on %s%s\n", dashboardAt, dashboard.Path)
	fmt.Fprintf(stdout, "seed %d\n", o.Seed)
	if o.Data != "" {
		fmt.Fprintf(stdout, "state kept in %s\n", o.Data)
	}
	fmt.Fprintf(stdout, "default merchant %q (merchant codes ae→AED, sa→SAR, kw→KWD)\n", simulator.DefaultMerchantID)
	fmt.Fprintf(stdout, "  Tabby secret key    %s\n", simulator.DefaultSecretKey)
	fmt.Fprintf(stdout, "  Tabby public key    %s\n", simulator.DefaultPublicKey)
	fmt.Fprintf(stdout, "  Onerway merchantNo  %s\n", simulator.DefaultOnerwayMerchantNo)
	fmt.Fprintf(stdout, "  Onerway secret key  %s\n", simulator.DefaultOnerwaySecretKey)
	fmt.Fprintf(stdout, "  Onerway appId       %s\n", simulator.DefaultOnerwayAppID)
	for _, sc := range scs {
		fmt.Fprintf(stdout, "scenario %s applied to the default merchant\n", sc.Name)
	}

	<-ctx.Done()
	shutdown, done := context.WithTimeout(context.Background(), 10*time.Second)
	defer done()
	cancel()
	<-running
	_ = sim.Shutdown(shutdown)
	fmt.Fprintln(stdout, "tabbysim stopped")
	return nil
}
