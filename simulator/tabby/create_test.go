package tabby_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/ids"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tabby"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// TestCreate_TakenIDsAreRefused: a service whose ids repeat those already
// stored (as a second start with the same seed once drew them) is refused
// the new payment, its session and a new webhook, and what is stored stays
// as it was.
func TestCreate_TakenIDsAreRefused(t *testing.T) {
	ctx := context.Background()
	st := store.NewMemory()
	reg := &tenant.Registry{Store: st}
	clocks := clock.NewScheduler(time.Now)
	clocks.AddClock("m1", clock.Manual, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	m := &tenant.Merchant{ID: "m1", Tabby: tenant.TabbyKeys{SecretKey: "sk_test_m1", PublicKey: "pk_test_m1",
		MerchantCodes: tenant.DefaultMerchantCodes()}, Settings: tenant.DefaultSettings(),
		Onerway: tenant.OnerwayCredentials{MerchantNo: "800001", SecretKey: "00", AppID: "1"}}
	if err := reg.Create(ctx, m); err != nil {
		t.Fatal(err)
	}
	req := &tabby.CheckoutRequest{MerchantCode: "ae", Payment: &tabby.PaymentRequest{Amount: "100.00", Currency: "AED",
		Buyer: &tabby.Buyer{Email: "otp.success@tabby.ai", Phone: "500000001"}}}
	url := "https://shop.example/hook"
	hook := &tabby.WebhookInput{URL: &url}
	// start builds the services as a start of the simulator with seed 1
	// does, and creates a session and a webhook.
	start := func() (*tabby.Payment, *tabby.Webhook, error, error) {
		source := ids.New(1)
		svc := &tabby.Service{Store: st, Merchants: reg, Clocks: clocks, IDs: source}
		svc.Start()
		p, perr := svc.CreateSession(ctx, m, req, true)
		h, herr := (&tabby.Webhooks{Store: st, IDs: source}).Register(ctx, m, "ae", hook)
		return p, h, perr, herr
	}
	p, h, perr, herr := start()
	if perr != nil || herr != nil {
		t.Fatal(perr, herr)
	}
	svc := &tabby.Service{Store: st, Merchants: reg, Clocks: clocks}
	stored, err := svc.Payment(ctx, m, p.ID)
	if err != nil {
		t.Fatal(err)
	}

	_, _, perr, herr = start()
	if !errors.Is(perr, store.ErrExists) {
		t.Errorf("a session with a taken id: %v, want store.ErrExists", perr)
	}
	if !errors.Is(herr, store.ErrExists) {
		t.Errorf("a webhook with a taken id: %v, want store.ErrExists", herr)
	}
	if again, err := svc.Payment(ctx, m, p.ID); err != nil || !reflect.DeepEqual(again, stored) {
		t.Errorf("the stored payment changed: %+v, %v", again, err)
	}
	hooks, err := (&tabby.Webhooks{Store: st}).List(ctx, m, "ae")
	if err != nil || len(hooks) != 1 || hooks[0].ID != h.ID {
		t.Errorf("webhooks = %v, %v; want only %s", hooks, err, h.ID)
	}
}
