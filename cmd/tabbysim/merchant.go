package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/tabbysim/tabbysim/client/merchant"
	"github.com/tabbysim/tabbysim/client/tabby"
)

// runMerchant runs the reference merchant as a service: it prints
// "reference merchant listening on URL" and serves until ctx is done, then
// removes its webhook and stops.
func runMerchant(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet(&merchantHelp)
	addr := fs.String("addr", "127.0.0.1:0", "address to listen on (port 0 picks a free port)")
	tabbyURL := fs.String("tabby-url", "", "base URL of the Tabby API, such as the simulator's http://127.0.0.1:4600 (required with --provider tabby, the default)")
	secretKey := fs.String("secret-key", "", "Tabby secret key, sk_test_… (required with --provider tabby)")
	codes := fs.String("merchant-codes", merchant.FormatMerchantCodes(merchant.DefaultMerchantCodes()), "the Tabby merchant code of each currency the shop sells in, as CURRENCY=code pairs")
	publicURL := fs.String("public-url", "", "the merchant's base URL as Tabby and browsers reach it (default: the listening URL)")
	poll := fs.Duration("poll-interval", 0, "how often to retrieve open payments, such as 30s (0: never in the background)")
	defect := fs.String("defect", "", "a defect to switch on (see tabbysim conform --list-defects)")
	variant := fs.String("variant", "", "build the merchant as one of its correct variants: "+variantNames())
	secret := fs.String("webhook-secret", "", "value of the X-Webhook-Secret header registered with Tabby (default: random)")
	provider := fs.String("provider", merchant.ProviderTabby, "take Tabby directly (tabby) or through the Onerway gateway (onerway)")
	onerwayURL := fs.String("onerway-url", "", "base URL of the Onerway gateway, such as the simulator's http://127.0.0.1:4600 (required with --provider onerway)")
	merchantNo := fs.String("merchant-no", "", "Onerway merchantNo (required with --provider onerway)")
	onerwaySecret := fs.String("onerway-secret-key", "", "Onerway secret key, which signs requests and notifications (required with --provider onerway)")
	appID := fs.String("app-id", "", "Onerway appId of the website, sent with every payment")
	if code, ok := fs.parse(args, stdout, stderr); !ok {
		return code
	}
	switch {
	case fs.NArg() > 0:
		fs.fail(stderr, fmt.Sprintf("unexpected arguments %q", fs.Args()))
		return 2
	case *provider != merchant.ProviderTabby && *provider != merchant.ProviderOnerway:
		fs.fail(stderr, fmt.Sprintf("--provider must be %s or %s, got %q", merchant.ProviderTabby, merchant.ProviderOnerway, *provider))
		return 2
	case *provider == merchant.ProviderOnerway && (*onerwayURL == "" || *merchantNo == "" || *onerwaySecret == ""):
		fs.fail(stderr, "--onerway-url, --merchant-no and --onerway-secret-key are required with --provider onerway")
		return 2
	case *provider == merchant.ProviderTabby && (*tabbyURL == "" || *secretKey == ""):
		fs.fail(stderr, "--tabby-url and --secret-key are required")
		return 2
	case *defect != "" && !knownDefect(*defect):
		fs.fail(stderr, fmt.Sprintf("--defect: unknown defect %q (see tabbysim conform --list-defects)", *defect))
		return 2
	case *variant != "" && !knownVariant(*variant):
		fs.fail(stderr, fmt.Sprintf("--variant: unknown variant %q (use %s)", *variant, variantNames()))
		return 2
	case *defect != "" && *variant != "":
		fs.fail(stderr, "--defect and --variant cannot be combined")
		return 2
	}
	merchantCodes, err := merchant.ParseMerchantCodes(*codes)
	if err != nil {
		fs.fail(stderr, "--merchant-codes: "+err.Error())
		return 2
	}
	cfg := merchant.Config{
		TabbyURL: *tabbyURL, SecretKey: *secretKey, MerchantCodes: merchantCodes, PublicURL: *publicURL,
		PollInterval: *poll, Defect: *defect, Variant: *variant,
		Provider: *provider,
		Onerway:  merchant.OnerwayConfig{URL: *onerwayURL, MerchantNo: *merchantNo, SecretKey: *onerwaySecret, AppID: *appID},
		Logger:   slog.New(slog.NewTextHandler(stderr, nil)),
	}
	if *secret != "" {
		cfg.WebhookHeader = tabby.WebhookHeader{Title: "X-Webhook-Secret", Value: *secret}
	}
	url, stop, err := merchant.Serve(ctx, cfg, *addr)
	if err != nil {
		fmt.Fprintln(stderr, "tabbysim merchant:", addrInUse(err, "--addr"))
		return 1
	}
	fmt.Fprintf(stdout, "reference merchant listening on %s\n", url)
	<-ctx.Done()
	done := make(chan struct{})
	go func() { stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		fmt.Fprintln(stderr, "tabbysim merchant: shutdown timed out")
		return 1
	}
	return 0
}

func knownVariant(name string) bool {
	for _, v := range merchant.Variants {
		if v.Name == name {
			return true
		}
	}
	return false
}

// variantNames lists the reference merchant's variants, comma-separated.
func variantNames() string {
	names := make([]string, len(merchant.Variants))
	for i, v := range merchant.Variants {
		names[i] = v.Name
	}
	return strings.Join(names, ", ")
}
