package onerwayapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/client/simctl"
	"github.com/tabbysim/tabbysim/simulator/hpp"
	gateway "github.com/tabbysim/tabbysim/simulator/onerway"
	"github.com/tabbysim/tabbysim/simulator/onerway/onerwayapi"
)

var transactionID = regexp.MustCompile(`^[1-9][0-9]{18}$`)

// TestGateway_VirtualGoodsSucceed: seed 001's virtual order (no phone, no
// shipping) is accepted as R with the cashier as redirectUrl; the customer
// approving, named by the transactionId, makes it S, sends the browser
// back through the gateway to returnUrl, and the gateway captures the
// Tabby payment underneath in full and notifies the shop with a signed TXN
// notification the shop acknowledges.
func TestGateway_VirtualGoodsSucceed(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	p := l.pay(l.request("order-virtual", onerway.GoodsVirtual))
	if !transactionID.MatchString(p.TransactionID) {
		t.Errorf("transactionId %q, want 19 digits", p.TransactionID)
	}
	if want := l.sim.URL + hpp.CashierPath(p.TransactionID); p.RedirectURL != want {
		t.Errorf("redirectUrl %q, want %q", p.RedirectURL, want)
	}
	if p.OrderAmount != "250.00" || p.OrderCurrency != "SAR" || p.TxnTimeZone != "+08:00" || p.TxnTime == "" {
		t.Errorf("answer %+v", p)
	}
	tx := l.txn(p.TransactionID)
	if tx.Status != "R" || tx.Reason != nil || tx.Order.Goods != "virtual" || tx.TabbyPaymentID == "" {
		t.Fatalf("transaction %+v", tx)
	}

	r := l.customer(p.TransactionID, simctl.ActionApprove)
	if r.PaymentID != tx.TabbyPaymentID || r.TransactionID != p.TransactionID || r.TransactionStatus != "S" || r.RedirectURL == nil {
		t.Fatalf("approve: %+v", r)
	}
	if !strings.HasPrefix(*r.RedirectURL, l.sim.URL+hpp.ReturnPath(p.TransactionID)+"?payment_id=") {
		t.Errorf("Tabby's page sends the customer to %q, want the gateway's return handler", *r.RedirectURL)
	}
	wantReturn(t, l.redirected(l.get(*r.RedirectURL)), l, p.TransactionID, "S", "order-virtual")

	tx = l.txn(p.TransactionID)
	if tx.Status != "S" || tx.Reason == nil || tx.Reason.RespCode != "20000" || tx.Reason.RespMsg != "Success" {
		t.Errorf("transaction %s, reason %+v; want S, 20000 Success", tx.Status, tx.Reason)
	}
	pay, err := l.sim.Control.Payment(context.Background(), tx.TabbyPaymentID)
	if err != nil {
		t.Fatal(err)
	}
	if pay.Status != "CLOSED" || len(pay.Captures) != 1 || pay.Captures[0].Amount != "250.00" ||
		pay.Captures[0].ReferenceID != p.TransactionID || pay.Channel.TransactionID != p.TransactionID {
		t.Errorf("Tabby payment %s, captures %+v, channel %+v; want CLOSED, captured in full with the transactionId as reference",
			pay.Status, pay.Captures, pay.Channel)
	}

	l.settle()
	w := l.notification(p.TransactionID)
	want := onerway.Webhook{
		NotifyType: onerway.NotifyTxn, TxnType: onerway.TxnSale, TransactionID: p.TransactionID, MerchantTxnID: "order-virtual",
		MerchantNo: l.sim.Merchant.Onerway.MerchantNo, TxnTime: p.TxnTime, TxnTimeZone: "+08:00", OrderAmount: "250.00",
		OrderCurrency: "SAR", Status: onerway.StatusSuccess, Reason: `{"respCode":"20000","respMsg":"Success"}`,
		PaymentMethod: "tabby", WalletTypeName: "tabby",
	}
	want.ResponseTime, want.ChannelRequestID, want.Sign = w.ResponseTime, w.ChannelRequestID, w.Sign
	if *w != want {
		t.Errorf("notification\n %+v\nwant\n %+v", *w, want)
	}
	if !strings.HasPrefix(w.ChannelRequestID, want.MerchantNo) || len(w.ChannelRequestID) != len(want.MerchantNo)+19 {
		t.Errorf("channelRequestId %q, want the merchantNo and 19 digits", w.ChannelRequestID)
	}
	if got := len(l.shop.notifications()); got != 1 {
		t.Errorf("the shop got %d notifications, want 1", got)
	}
}

// TestGateway_PhysicalGoodsThroughThePages: seed 001's physical order,
// paid through the pages themselves: the cashier leads to Tabby's page,
// whose phone, code and Pay steps send the customer back through the
// gateway to returnUrl with status S.
func TestGateway_PhysicalGoodsThroughThePages(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	p := l.pay(l.request("order-physical", onerway.GoodsPhysical))
	tx := l.txn(p.TransactionID)
	if tx.Order.Goods != "physical" {
		t.Errorf("goods %q", tx.Order.Goods)
	}

	cashier := l.get(p.RedirectURL)
	page := body(t, cashier)
	tabbyPage := "/hpp/" + tx.TabbySessionID
	for _, want := range []string{"250.00 SAR", "order-physical", "iPhone 15", "Continue with tabby", `action="` + tabbyPage + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the cashier page lacks %q:\n%s", want, page)
		}
	}
	if res := l.get(l.sim.URL + tabbyPage); res.StatusCode != http.StatusOK {
		t.Fatalf("Tabby's page: HTTP %d", res.StatusCode)
	}
	l.post(tabbyPage+"/phone", url.Values{"phone": {"966501234567"}})
	l.post(tabbyPage+"/otp", url.Values{"code": {"8888"}})
	back := l.redirected(l.post(tabbyPage+"/pay", nil))
	if !strings.HasPrefix(back, l.sim.URL+hpp.ReturnPath(p.TransactionID)) {
		t.Fatalf("Tabby's page sent the customer to %q, want the gateway's return handler", back)
	}
	wantReturn(t, l.redirected(l.get(back)), l, p.TransactionID, "S", "order-physical")

	if got := body(t, l.get(p.RedirectURL)); !strings.Contains(got, "Payment successful") || !strings.Contains(got, `id="back-to-shop"`) {
		t.Errorf("the cashier page of the paid transaction:\n%s", got)
	}
	l.settle()
	if w := l.notification(p.TransactionID); w.Status != onerway.StatusSuccess {
		t.Errorf("notification status %s", w.Status)
	}
}

// TestGateway_Failures: Tabby declining the customer on its page, the
// customer cancelling, and the payment expiring 20 + 5 minutes on (the
// clock advanced 26 minutes) each make the transaction F with its reason,
// send the customer (where there is one) back with status F, and notify
// the shop.
func TestGateway_Failures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		email  string
		act    func(l *live, id string) *simctl.CustomerResult
		reason gateway.Outcome
	}{
		{"rejected after the OTP", "otp.rejected@tabby.ai",
			func(l *live, id string) *simctl.CustomerResult { return l.customer(id, simctl.ActionApprove) }, gateway.Declined},
		{"cancelled on Tabby's page", "otp.success@tabby.ai",
			func(l *live, id string) *simctl.CustomerResult { return l.customer(id, simctl.ActionCancel) }, gateway.CancelledByCustomer},
		{"not finished in time", "otp.success@tabby.ai",
			func(l *live, id string) *simctl.CustomerResult { l.sim.Advance(l.t, 26*time.Minute); return nil }, gateway.TimedOut},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := startLive(t)
			req := l.request("order-1", onerway.GoodsVirtual)
			req.BillingInformation.Email = tc.email
			p := l.pay(req)
			if r := tc.act(l, p.TransactionID); r != nil {
				if r.TransactionStatus != "F" || r.RedirectURL == nil {
					t.Fatalf("customer: %+v", r)
				}
				wantReturn(t, l.redirected(l.get(*r.RedirectURL)), l, p.TransactionID, "F", "order-1")
			}
			tx := l.txn(p.TransactionID)
			if tx.Status != "F" || tx.Reason == nil || tx.Reason.RespCode != tc.reason.Code || !strings.HasPrefix(tx.Reason.RespMsg, tc.reason.Title) {
				t.Fatalf("transaction %s, reason %+v; want F, %s %s", tx.Status, tx.Reason, tc.reason.Code, tc.reason.Title)
			}
			l.settle()
			w := l.notification(p.TransactionID)
			var reason gateway.Reason
			if err := json.Unmarshal([]byte(w.Reason), &reason); err != nil || reason.RespCode != tx.Reason.RespCode || reason.RespMsg != tx.Reason.RespMsg {
				t.Errorf("notification status %s, reason %s; want F with the transaction's reason", w.Status, w.Reason)
			}
			if w.Status != onerway.StatusFailed {
				t.Errorf("notification status %s, want F", w.Status)
			}
			pay, err := l.sim.Control.Payment(context.Background(), tx.TabbyPaymentID)
			if err != nil || len(pay.Captures) != 0 {
				t.Errorf("Tabby payment %+v, %v: want nothing captured", pay, err)
			}
		})
	}
}

// TestGateway_PrescoringDecline: a customer Tabby rejects at pre-scoring
// (a "…0002" phone) gets no cashier: doTransaction answers 70001 with the
// transaction's data, status F, signed; the transaction is F, listed and
// notified, and its merchantTxnId is used.
func TestGateway_PrescoringDecline(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	req := l.request("order-rejected", onerway.GoodsPhysical)
	req.BillingInformation.Phone = "+966500000002"
	_, err := l.sim.Onerway.DoTransaction(context.Background(), req)
	e := declined(t, err)
	if e.RespCode != gateway.Declined.Code || !strings.Contains(e.RespMsg, "not_available") {
		t.Fatalf("%s %s; want 70001 naming not_available", e.RespCode, e.RespMsg)
	}
	if err := onerway.VerifyResponse([]byte(e.Body), l.sim.Merchant.Onerway.SecretKey); err != nil {
		t.Errorf("the decline's data does not verify: %v\n%s", err, e.Body)
	}
	var data onerway.Payment
	if err := json.Unmarshal(e.Data, &data); err != nil || data.Status != onerway.StatusFailed ||
		data.RedirectURL != "" || data.ActionType != "" || !transactionID.MatchString(data.TransactionID) || data.OrderAmount != "250.00" {
		t.Fatalf("data %s", e.Data)
	}
	tx := l.txn(data.TransactionID)
	if tx.Status != "F" || tx.Reason.RespCode != gateway.Declined.Code {
		t.Errorf("transaction %+v", tx)
	}
	l.settle()
	if w := l.notification(data.TransactionID); w.Status != onerway.StatusFailed {
		t.Errorf("notification status %s", w.Status)
	}
	if got := body(t, l.get(l.sim.URL+hpp.CashierPath(data.TransactionID))); !strings.Contains(got, "Payment failed") {
		t.Errorf("cashier page:\n%s", got)
	}
	_, err = l.sim.Onerway.DoTransaction(context.Background(), req)
	if e := declined(t, err); e.RespCode != string(onerwayapi.CodeDuplicate) {
		t.Errorf("the declined merchantTxnId again: %s %s, want 40006", e.RespCode, e.RespMsg)
	}
}

// TestGateway_DuplicateMerchantTxnID: a merchantTxnId is the merchant's
// once; another merchant may use the same one.
func TestGateway_DuplicateMerchantTxnID(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	first := l.pay(l.request("order-7", onerway.GoodsVirtual))
	_, err := l.sim.Onerway.DoTransaction(context.Background(), l.request("order-7", onerway.GoodsPhysical))
	if e := declined(t, err); e.RespCode != string(onerwayapi.CodeDuplicate) || !strings.Contains(e.RespMsg, "order-7") || string(e.Data) != "null" {
		t.Errorf("%s %s %s; want 40006 naming order-7 with data null", e.RespCode, e.RespMsg, e.Data)
	}
	ts, err := l.sim.Control.OnerwayTransactions(context.Background(), l.sim.Merchant.ID)
	if err != nil || len(ts) != 1 || ts[0].TransactionID != first.TransactionID {
		t.Errorf("transactions %+v, %v: want only the first", ts, err)
	}
	other, err := l.sim.Control.CreateMerchant(context.Background(), simctl.CreateMerchantRequest{Clock: "manual"})
	if err != nil {
		t.Fatal(err)
	}
	c := onerway.New(other.Onerway.MerchantNo, other.Onerway.SecretKey, onerway.WithBaseURL(l.sim.URL))
	if _, err := c.DoTransaction(context.Background(), l.request("order-7", onerway.GoodsVirtual)); err != nil {
		t.Errorf("another merchant's order-7: %v", err)
	}
}

// TestGateway_NotificationRetries: a notification the shop does not
// acknowledge with the transactionId is tried again 30 and 60 minutes on
// the merchant's clock, then given up; each try carries the same signed
// body.
func TestGateway_NotificationRetries(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	l.shop.ack = func([]byte) (int, string) { return 200, `{"received":true}` }
	p := l.pay(l.request("order-1", onerway.GoodsVirtual))
	l.customer(p.TransactionID, simctl.ActionApprove)
	l.settle()
	for _, step := range []struct {
		by    time.Duration
		tries int
	}{{29 * time.Minute, 1}, {time.Minute, 2}, {30 * time.Minute, 3}, {24 * time.Hour, 3}} {
		l.sim.Advance(t, step.by)
		if got := len(l.shop.notifications()); got != step.tries {
			t.Fatalf("after %s more: %d tries, want %d", step.by, got, step.tries)
		}
	}
	ds := l.deliveries(p.TransactionID)
	if len(ds) != 1 || ds[0].Status != "failed" || len(ds[0].Attempts) != 3 {
		t.Fatalf("deliveries %+v; want one, failed after 3 tries", ds)
	}
	for i, b := range l.shop.notifications() {
		if w, err := l.sim.Onerway.ParseWebhook(b); err != nil || w.TransactionID != p.TransactionID {
			t.Errorf("try %d: %v", i+1, err)
		}
	}
}

// TestGateway_ForgedNotification: with webhooks.forge set, the
// notification carries a sign client/onerway refuses.
func TestGateway_ForgedNotification(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	if _, err := l.sim.Control.UpdateSettings(context.Background(), l.sim.Merchant.ID, map[string]any{"webhooks": map[string]any{"forge": "wrong"}}); err != nil {
		t.Fatal(err)
	}
	p := l.pay(l.request("order-1", onerway.GoodsVirtual))
	l.customer(p.TransactionID, simctl.ActionApprove)
	l.settle()
	notes := l.shop.notifications()
	if len(notes) != 1 {
		t.Fatalf("%d notifications", len(notes))
	}
	if _, err := l.sim.Onerway.ParseWebhook(notes[0]); err != onerway.ErrInvalidSignature {
		t.Errorf("the forged notification: %v, want ErrInvalidSignature", err)
	}
}

// TestGateway_List: /v1/txn/list pages 10 at a time, newest first, by
// merchantTxnIds, transactionIds or a time range with txnTypes, every
// filter given applying, and never shows another merchant's transactions.
func TestGateway_List(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	ctx := context.Background()
	start := l.sim.Now(t)
	var ids []string
	for i := range 12 {
		ids = append(ids, l.pay(l.request(fmt.Sprintf("order-%d", i), onerway.GoodsVirtual)).TransactionID)
		l.sim.Advance(t, time.Minute)
	}
	l.customer(ids[3], simctl.ActionApprove)

	all := onerway.ListRequest{StartTime: gateway.FormatTime(start), EndTime: gateway.FormatTime(start.Add(time.Hour)), TxnTypes: []onerway.TxnType{onerway.TxnSale}}
	page1, err := l.sim.Onerway.ListTransactions(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	all.Current = 2
	page2, err := l.sim.Onerway.ListTransactions(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	if page1.TotalElements != 12 || page1.TotalPages != 2 || page1.Current != 1 || page1.Size != 10 || len(page1.Content) != 10 || len(page2.Content) != 2 {
		t.Fatalf("pages: %+v / %+v", page1, page2)
	}
	if page1.Content[0].TransactionID != ids[11] || page2.Content[1].TransactionID != ids[0] {
		t.Errorf("not newest first: %s … %s", page1.Content[0].TransactionID, page2.Content[1].TransactionID)
	}

	byMerchant, err := l.sim.Onerway.ListTransactions(ctx, onerway.ListRequest{MerchantTxnIDs: []string{"order-3", "order-5", "unknown"}})
	if err != nil || byMerchant.TotalElements != 2 {
		t.Fatalf("by merchantTxnIds: %+v, %v", byMerchant, err)
	}
	paid := byMerchant.Content[1]
	if paid.TransactionID != ids[3] || paid.Status != onerway.StatusSuccess || paid.Reason != `{"respCode":"20000","respMsg":"Success"}` ||
		paid.PaymentMethod != "tabby" || paid.OrderAmount != "250.00" || paid.Website != "shop.example" || paid.TxnType != onerway.TxnSale {
		t.Errorf("paid transaction %+v", paid)
	}
	if byMerchant.Content[0].Status != onerway.StatusRedirect || byMerchant.Content[0].Reason != "" {
		t.Errorf("open transaction %+v", byMerchant.Content[0])
	}

	both, err := l.sim.Onerway.ListTransactions(ctx, onerway.ListRequest{MerchantTxnIDs: []string{"order-3"}, TransactionIDs: []string{ids[5]}})
	if err != nil || both.TotalElements != 0 {
		t.Errorf("merchantTxnIds and transactionIds that disagree: %+v, %v; want nothing", both, err)
	}
	narrow, err := l.sim.Onerway.ListTransactions(ctx, onerway.ListRequest{TransactionIDs: ids[:4],
		StartTime: gateway.FormatTime(start.Add(2 * time.Minute)), EndTime: gateway.FormatTime(start.Add(3 * time.Minute))})
	if err != nil || narrow.TotalElements != 2 || narrow.Content[0].TransactionID != ids[3] || narrow.Content[1].TransactionID != ids[2] {
		t.Errorf("transactionIds within a range: %+v, %v; want the 3rd and 4th", narrow, err)
	}
	refunds, err := l.sim.Onerway.ListTransactions(ctx, onerway.ListRequest{StartTime: all.StartTime, EndTime: all.EndTime, TxnTypes: []onerway.TxnType{onerway.TxnRefund}})
	if err != nil || refunds.TotalElements != 0 || refunds.Content == nil {
		t.Errorf("refunds: %+v, %v; want an empty page", refunds, err)
	}

	other, err := l.sim.Control.CreateMerchant(ctx, simctl.CreateMerchantRequest{Clock: "manual"})
	if err != nil {
		t.Fatal(err)
	}
	c := onerway.New(other.Onerway.MerchantNo, other.Onerway.SecretKey, onerway.WithBaseURL(l.sim.URL))
	theirs, err := c.ListTransactions(ctx, onerway.ListRequest{TransactionIDs: ids, MerchantTxnIDs: []string{"order-1"}})
	if err != nil || theirs.TotalElements != 0 {
		t.Errorf("another merchant sees %+v, %v", theirs, err)
	}
}

// TestGateway_Journal: the journal names the gateway's requests by
// provider and operation, with their merchant and bodies; a path the
// gateway does not serve, or a wrong method, is answered 40007 in its
// envelope on HTTP 200 (and, as no route serves it, not journalled).
func TestGateway_Journal(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	ctx := context.Background()
	l.pay(l.request("order-1", onerway.GoodsVirtual))
	if _, err := l.sim.Onerway.ListTransactions(ctx, onerway.ListRequest{MerchantTxnIDs: []string{"order-1"}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ method, path string }{{http.MethodPost, "/v1/txn/nothing"}, {http.MethodGet, "/v1/txn/list"}} {
		req, _ := http.NewRequest(c.method, l.sim.URL+c.path, strings.NewReader(`{"merchantNo":"`+l.sim.Merchant.Onerway.MerchantNo+`"}`))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var a onerwayapi.Answer
		err = json.NewDecoder(res.Body).Decode(&a)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK || a.RespCode != onerwayapi.CodeNoEndpoint || !strings.Contains(a.RespMsg, c.path) {
			t.Errorf("%s %s: HTTP %d %+v %v; want 200 with 40007", c.method, c.path, res.StatusCode, a, err)
		}
	}
	entries, err := l.sim.Control.Journal(ctx, l.sim.Merchant.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, e := range entries {
		if e.Provider != "onerway" {
			t.Errorf("entry %s %s: provider %q", e.Method, e.Path, e.Provider)
		}
		ops = append(ops, e.Operation)
	}
	if want := []string{"onerway.list", "onerway.do_transaction"}; strings.Join(ops, ",") != strings.Join(want, ",") {
		t.Fatalf("operations newest first %q, want %q", ops, want)
	}
	if !strings.Contains(entries[1].RequestBody, `"merchantTxnId":"order-1"`) || !strings.Contains(entries[1].ResponseBody, `"status":"R"`) {
		t.Errorf("the doTransaction entry lacks its bodies: %+v", entries[1])
	}
}

// TestGateway_TabbyRefusesTheOrder: what the request's checks let through
// but the Tabby payment underneath cannot take is refused too, nothing
// stored: a phone Tabby cannot read (40003, Tabby's message), a currency
// the merchant has no Tabby merchant code for (40004).
func TestGateway_TabbyRefusesTheOrder(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	ctx := context.Background()
	req := l.request("order-1", onerway.GoodsPhysical)
	req.BillingInformation.Phone = "12"
	_, err := l.sim.Onerway.DoTransaction(ctx, req)
	if e := declined(t, err); e.RespCode != string(onerwayapi.CodeInvalid) || !strings.Contains(e.RespMsg, "payment.buyer.phone") {
		t.Errorf("phone 12: %s %s; want 40003 with Tabby's reason", e.RespCode, e.RespMsg)
	}

	aedOnly, err := l.sim.Control.CreateMerchant(ctx, simctl.CreateMerchantRequest{Clock: "manual", MerchantCodes: map[string]string{"ae": "AED"}})
	if err != nil {
		t.Fatal(err)
	}
	c := onerway.New(aedOnly.Onerway.MerchantNo, aedOnly.Onerway.SecretKey, onerway.WithBaseURL(l.sim.URL))
	_, err = c.DoTransaction(ctx, l.request("order-1", onerway.GoodsVirtual))
	if e := declined(t, err); e.RespCode != string(onerwayapi.CodeCurrency) || !strings.Contains(e.RespMsg, "SAR") {
		t.Errorf("SAR without a SAR merchant code: %s %s; want 40004", e.RespCode, e.RespMsg)
	}

	// Neither used the merchantTxnId.
	if p := l.pay(l.request("order-1", onerway.GoodsVirtual)); p.TransactionID == "" {
		t.Error("no transaction")
	}
	for _, m := range []string{l.sim.Merchant.ID, aedOnly.ID} {
		ts, err := l.sim.Control.OnerwayTransactions(ctx, m)
		if err != nil || (m == aedOnly.ID && len(ts) != 0) || (m == l.sim.Merchant.ID && len(ts) != 1) {
			t.Errorf("merchant %s: transactions %+v, %v", m, ts, err)
		}
	}
}
