package simtest_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/client/tabby"
	"github.com/tabbysim/tabbysim/simulator/simtest"
)

// TestWholePayment is the whole of a Tabby payment against the simulator:
// create a session, the customer approves on the hosted page, the merchant
// captures in full and the payment closes.
func TestWholePayment(t *testing.T) {
	sim := simtest.Start(t)
	ctx := context.Background()

	s, err := sim.Tabby.CreateSession(ctx, &tabby.CheckoutRequest{
		Lang: "en", MerchantCode: "ae",
		MerchantURLs: &tabby.MerchantURLs{
			Success: "https://shop.example/ok", Cancel: "https://shop.example/cancel", Failure: "https://shop.example/fail",
		},
		Payment: tabby.PaymentRequest{
			Amount: "250.00", Currency: "AED",
			Buyer: tabby.Buyer{Name: "Test Buyer", Email: "otp.success@tabby.ai", Phone: "+971500000001"},
			Order: tabby.Order{ReferenceID: "order-1", Items: []tabby.Item{
				{Title: "Shoes", Quantity: 1, UnitPrice: "250.00", Category: "Footwear"},
			}},
		},
	})
	if err != nil {
		t.Fatalf("create session: %v", err)
	}
	if s.Status != "created" || !strings.HasPrefix(s.WebURL(), sim.URL) {
		t.Fatalf("session status %q, web_url %q; want created on %s", s.Status, s.WebURL(), sim.URL)
	}

	res, err := sim.Control.Customer(ctx, s.Payment.ID, "approve")
	if err != nil {
		t.Fatalf("customer approves: %v", err)
	}
	if res.Status != "AUTHORIZED" || res.RedirectURL == nil ||
		*res.RedirectURL != "https://shop.example/ok?payment_id="+s.Payment.ID {
		t.Fatalf("after approve: %+v", res)
	}

	p, err := sim.Tabby.Capture(ctx, s.Payment.ID, tabby.CaptureRequest{Amount: "250.00", ReferenceID: "cap-1"})
	if err != nil {
		t.Fatalf("capture: %v", err)
	}
	if p.Status != tabby.StatusClosed || len(p.Captures) != 1 || p.Captures[0].ReferenceID != "cap-1" {
		t.Fatalf("after full capture: status %s, captures %+v; want CLOSED with one capture", p.Status, p.Captures)
	}

	p, err = sim.Tabby.GetPayment(ctx, s.Payment.ID)
	if err != nil {
		t.Fatalf("get payment: %v", err)
	}
	if p.Status != tabby.StatusClosed {
		t.Fatalf("status %s, want CLOSED", p.Status)
	}
}

// TestAdvanceExpires shows the manual clock: a session left alone expires
// only when the test moves the clock past its timeout.
func TestAdvanceExpires(t *testing.T) {
	sim := simtest.Start(t, simtest.WithSeed(42))
	ctx := context.Background()
	if got := sim.Simulator.Seed(); got != 42 {
		t.Fatalf("seed %d, want 42", got)
	}
	if sim.Merchant.Clock.Mode != "manual" {
		t.Fatalf("clock mode %q, want manual", sim.Merchant.Clock.Mode)
	}
	s, err := sim.Tabby.CreateSession(ctx, &tabby.CheckoutRequest{
		Lang: "en", MerchantCode: "ae",
		Payment: tabby.PaymentRequest{Amount: "100", Currency: "AED",
			Buyer: tabby.Buyer{Email: "otp.success@tabby.ai", Phone: "500000001"}},
	})
	if err != nil {
		t.Fatalf("create session: %v", err)
	}
	start := sim.Now(t)
	sim.Advance(t, 10*time.Minute)
	if p, err := sim.Tabby.GetPayment(ctx, s.Payment.ID); err != nil || p.Status != tabby.StatusCreated {
		t.Fatalf("after 10m: %v, %v; want CREATED", p, err)
	}
	sim.Advance(t, time.Hour)
	if got := sim.Now(t).Sub(start); got != 70*time.Minute {
		t.Fatalf("clock moved %s, want 1h10m", got)
	}
	if p, err := sim.Tabby.GetPayment(ctx, s.Payment.ID); err != nil || p.Status != tabby.StatusExpired {
		t.Fatalf("after 1h10m: %v, %v; want EXPIRED", p, err)
	}
}

func TestWallClockAndSettings(t *testing.T) {
	sim := simtest.Start(t, simtest.WithWallClock(), simtest.WithSettings(map[string]any{"tabby": map[string]any{"auto_capture": "immediate"}}))
	if sim.Merchant.Clock.Mode != "wall" {
		t.Fatalf("clock mode %q, want wall", sim.Merchant.Clock.Mode)
	}
	var settings struct {
		Tabby struct {
			AutoCapture string `json:"auto_capture"`
		} `json:"tabby"`
	}
	if err := json.Unmarshal(sim.Merchant.Settings, &settings); err != nil || settings.Tabby.AutoCapture != "immediate" {
		t.Fatalf("settings %s (%v): auto_capture is not immediate", sim.Merchant.Settings, err)
	}
}
