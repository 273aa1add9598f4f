package tabby_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/ids"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/store/storetest"
	"github.com/tabbysim/tabbysim/simulator/tabby"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// The memory store keeps payments decoded: a copy of one shares nothing
// with it and is what its JSON decodes to.
func TestPayment_CopyValue(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	yes, two := true, 2.0
	item := tabby.Item{ReferenceID: "sku", Title: "Shoes", Description: "red", Quantity: 1, UnitPrice: "10.00",
		DiscountAmount: "1.00", ImageURL: "https://shop.example/i.png", ProductURL: "https://shop.example/p",
		Gender: "Male", Category: "shoes", Color: "red", ProductMaterial: "leather", SizeType: "EU", Size: "42",
		Brand: "B", IsRefundable: &yes}
	p := &tabby.Payment{
		ID: "p1", SessionID: "s1", Merchant: "m1", MerchantCode: "ae", CreatedAt: at, Status: tabby.Closed,
		IsTest: true, Channel: tabby.ThroughOnerway("t1"), Amount: 1000, Currency: "AED", Description: "d",
		Lang: "en", Buyer: tabby.Buyer{Name: "N", Email: "e@example.com", Phone: "500000001", DOB: "2000-01-01"},
		Shipping: tabby.Shipping{City: "Dubai", Address: "1 Road", Zip: "00000"},
		Order: tabby.Order{ReferenceID: "o1", UpdatedAt: "2026-01-01T00:00:00Z", TaxAmount: "0.00",
			ShippingAmount: "0.00", DiscountAmount: "0.00", Items: []tabby.Item{item}},
		BuyerHistory: tabby.BuyerHistory{RegisteredSince: "2020-01-01T00:00:00Z", LoyaltyLevel: 1,
			WishlistCount: &two, IsSocialNetworksConnected: &yes, IsPhoneNumberVerified: &yes, IsEmailVerified: &yes},
		OrderHistory: []tabby.Raw{tabby.Raw(`{"amount":"1.00"}`)},
		Meta:         tabby.Raw(`{"order_id":"1"}`), Attachment: tabby.Raw(`{"body":"{}"}`),
		URLs:            tabby.MerchantURLs{Success: "https://s", Cancel: "https://c", Failure: "https://f"},
		RejectionReason: "not_available", SessionExpiresAt: at, OTPVerified: true,
		AuthorizedAt: &at, ClosedAt: &at, ExpiredAt: &at,
		Captures: []tabby.Capture{{ID: "c1", CreatedAt: at, Amount: 500, TaxAmount: "0.00", ShippingAmount: "0.00",
			DiscountAmount: "0.00", Items: []tabby.Item{item}, ReferenceID: "r1"}},
		Refunds: []tabby.Refund{{ID: "r1", CreatedAt: at, Amount: 100, Reason: "why", Items: []tabby.Item{item},
			ReferenceID: "r2"}},
		History: []tabby.HistoryEntry{{At: at, Event: "created", By: tabby.ByMerchant, Detail: "x"}},
	}
	storetest.CheckValue(t, p)
}

// A payment the memory store keeps decoded reads back as its JSON would
// give it, whatever the merchant's raw JSON fields look like as sent.
func TestPayment_StoredAsItsJSON(t *testing.T) {
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
	svc := &tabby.Service{Store: st, Merchants: reg, Clocks: clocks, IDs: ids.New(1)}
	for _, payment := range []string{
		`"amount": "100", "currency": "AED", "buyer": {"email": "otp.success@tabby.ai", "phone": "500000001"}`,
		`"amount": "100", "currency": "AED", "buyer": {"email": "otp.success@tabby.ai", "phone": "500000001"},
		 "meta": { "order_id": "<1> & \u2028" , "customer": null },
		 "attachment": {"body": "{\"a\": 1}", "content_type": "application/vnd.tabby.v1+json"},
		 "order_history": [ {"amount": "1.00", "items": [ ]}, null ],
		 "order": {"items": [{"title": "t", "quantity": 1, "unit_price": "1", "is_refundable": false}]},
		 "buyer_history": {"loyalty_level": 0.1, "wishlist_count": 3}`,
		`"amount": "100", "currency": "AED", "buyer": {"email": "otp.success@tabby.ai", "phone": "500000001"},
		 "meta": null, "attachment": null, "order_history": null, "order": null`,
		"\"amount\": \"100\", \"currency\": \"AED\", \"buyer\": {\"email\": \"otp.success@tabby.ai\", \"phone\": \"500000001\"},\n" +
			"\t\"meta\": {\"a b\" :\t\"x \\\" y \\\\\" ,\r\n \"c\": [ \"<\u2028>\", \"\u2029 & \\u2028\", 1.50 , true ] },\n" +
			"\"order_history\": [ { } , [ ] , \"\\\\\" ]",
	} {
		var req tabby.CheckoutRequest
		if err := json.Unmarshal([]byte(`{"merchant_code": "ae", "payment": {`+payment+`}}`), &req); err != nil {
			t.Fatal(err)
		}
		created, err := svc.CreateSession(ctx, m, &req, true)
		if err != nil {
			t.Fatal(err)
		}
		got, err := svc.Payment(ctx, m, created.ID)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := json.Marshal(got)
		var back tabby.Payment
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(&back, got) {
			t.Errorf("stored %+v\nits JSON gives %+v", got, &back)
		}
	}
}
