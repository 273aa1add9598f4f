package simtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/client/tabby"
	"github.com/tabbysim/tabbysim/simulator/simtest"
)

func TestCheckout(t *testing.T) {
	ctx := context.Background()
	sim := simtest.Start(t) // in-process, free loopback port, manual clock, stopped at the end

	// Your shop makes this call, with sim.URL as Tabby's base URL and
	// sim.Merchant.Tabby.SecretKey as its key.
	session, err := sim.Tabby.CreateSession(ctx, &tabby.CheckoutRequest{
		Lang: "en", MerchantCode: "ae",
		Payment: tabby.PaymentRequest{
			Amount: "100.00", Currency: "AED",
			Buyer: tabby.Buyer{Name: "Sara", Email: "otp.success@tabby.ai", Phone: "+971500000001"},
			Order: tabby.Order{ReferenceID: "1001", Items: []tabby.Item{
				{Title: "Abaya", Quantity: 1, UnitPrice: "100.00", Category: "Clothes"},
			}},
		},
		MerchantURLs: &tabby.MerchantURLs{Success: "https://shop.example/ok",
			Cancel: "https://shop.example/cancel", Failure: "https://shop.example/fail"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The customer pays, as on the hosted page at session.WebURL().
	if _, err := sim.Control.Customer(ctx, session.Payment.ID, "approve"); err != nil {
		t.Fatal(err)
	}
	// Nobody captures: after 21 days Tabby captures the payment in full.
	sim.Advance(t, 21*24*time.Hour)
	p, err := sim.Tabby.GetPayment(ctx, session.Payment.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != tabby.StatusClosed || len(p.Captures) != 1 {
		t.Fatalf("after 21 days the payment is %s with %d captures", p.Status, len(p.Captures))
	}
}
