package merchant

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tabbysim/tabbysim/client/tabby"
)

// Main runs the reference merchant as a program: it parses args (without
// the program name), prints "reference merchant listening on URL" to
// stdout, and serves until SIGINT or SIGTERM. It returns the exit code: 0
// after a clean stop, 1 when the merchant cannot start, 2 for bad flags.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, args, stdout, stderr)
}

// Run is Main that also stops when ctx is done.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("reference-merchant", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on (port 0 picks a free port)")
	tabbyURL := fs.String("tabby-url", "", "base URL of the Tabby API, such as the simulator's http://127.0.0.1:4600 (required)")
	secretKey := fs.String("secret-key", "", "Tabby secret key, sk_test_… (required)")
	codes := fs.String("merchant-codes", FormatMerchantCodes(DefaultMerchantCodes()), "the Tabby merchant code of each currency the shop sells in, as CURRENCY=code pairs")
	publicURL := fs.String("public-url", "", "the merchant's base URL as Tabby and browsers reach it (default: the listening URL)")
	poll := fs.Duration("poll-interval", 0, "how often to retrieve open payments, such as 30s (0: never in the background)")
	defect := fs.String("defect", "", "a defect to switch on: "+defectNames())
	secret := fs.String("webhook-secret", "", "value of the X-Webhook-Secret header registered with Tabby (default: random)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "reference merchant: unexpected arguments: %v\n", fs.Args())
		return 2
	}
	if *tabbyURL == "" || *secretKey == "" {
		fmt.Fprintln(stderr, "reference merchant: --tabby-url and --secret-key are required")
		return 2
	}
	if err := checkDefect(*defect); err != nil {
		fmt.Fprintln(stderr, "reference merchant:", err)
		return 2
	}
	merchantCodes, err := ParseMerchantCodes(*codes)
	if err != nil {
		fmt.Fprintln(stderr, "reference merchant: --merchant-codes:", err)
		return 2
	}
	cfg := Config{
		TabbyURL: *tabbyURL, SecretKey: *secretKey, MerchantCodes: merchantCodes, PublicURL: *publicURL,
		PollInterval: *poll, Defect: *defect,
		Logger: slog.New(slog.NewTextHandler(stderr, nil)),
	}
	if *secret != "" {
		cfg.WebhookHeader = tabby.WebhookHeader{Title: "X-Webhook-Secret", Value: *secret}
	}
	url, stop, err := Serve(ctx, cfg, *addr)
	if err != nil {
		fmt.Fprintln(stderr, "reference merchant:", err)
		return 1
	}
	fmt.Fprintf(stdout, "reference merchant listening on %s\n", url)
	<-ctx.Done()
	done := make(chan struct{})
	go func() { stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		fmt.Fprintln(stderr, "reference merchant: shutdown timed out")
		return 1
	}
	return 0
}
