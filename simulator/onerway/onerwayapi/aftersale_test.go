package onerwayapi_test

// Refunds, cancellations, logistics uploads and settlement, through the
// simulator over loopback HTTP: client/onerway for the gateway, the
// control API (simctl) for the clock, the audit and the settlements, and
// the shop receiving the signed notifications.

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/client/simctl"
	gateway "github.com/tabbysim/tabbysim/simulator/onerway"
	"github.com/tabbysim/tabbysim/simulator/onerway/onerwayapi"
	"github.com/tabbysim/tabbysim/simulator/simtest"
)

// paid is a payment of 250.00 SAR for goods that the customer approved,
// its notification delivered.
func (l *live) paid(merchantTxnID string, goods onerway.GoodsType) *onerway.Payment {
	l.t.Helper()
	p := l.pay(l.request(merchantTxnID, goods))
	if r := l.customer(p.TransactionID, simctl.ActionApprove); r.TransactionStatus != "S" {
		l.t.Fatalf("approve: %+v", r)
	}
	l.settle()
	return p
}

// refund applies for a refund of amount of payment id.
func (l *live) refund(id, merchantTxnID, amount string) (string, error) {
	return l.sim.Onerway.Refund(context.Background(), onerway.RefundRequest{
		RefundType: onerway.RefundApply, MerchantTxnID: merchantTxnID, OriginTransactionID: id, RefundAmount: amount,
	})
}

// refunded applies for a refund that must be accepted, and returns its
// transactionId.
func (l *live) refunded(id, merchantTxnID, amount string) string {
	l.t.Helper()
	r, err := l.refund(id, merchantTxnID, amount)
	if err != nil {
		l.t.Fatalf("refund %s of %s: %v", amount, id, err)
	}
	if !transactionID.MatchString(r) || r == id {
		l.t.Fatalf("refund transactionId %q, want 19 digits of its own", r)
	}
	return r
}

// upload uploads logistics for payment id delivered at delivered.
func (l *live) upload(id string, delivered time.Time, tracking string) error {
	return l.sim.Onerway.UploadLogistics(context.Background(), onerway.LogisticsRequest{
		TransactionID: id, CarrierNo: "aramex", TrackingNo: tracking, DeliveryTime: gateway.FormatTime(delivered),
	})
}

// settlement reads a payment's settlement through the control API.
func (l *live) settlement(id string) *simctl.OnerwaySettlement {
	l.t.Helper()
	st, err := l.sim.Control.OnerwaySettlement(context.Background(), id)
	if err != nil {
		l.t.Fatal(err)
	}
	return st
}

// settlements lists the merchant's settlements in state.
func (l *live) settlements(state string) []string {
	l.t.Helper()
	sts, err := l.sim.Control.OnerwaySettlements(context.Background(), l.sim.Merchant.ID, state)
	if err != nil {
		l.t.Fatal(err)
	}
	ids := []string{}
	for _, st := range sts {
		ids = append(ids, st.TransactionID)
	}
	return ids
}

// notificationsOf are the notifications of transaction id, oldest first,
// each delivered and its sign verified with client/onerway.
func (l *live) notificationsOf(id string) []*onerway.Webhook {
	l.t.Helper()
	ds := l.deliveries(id)
	out := make([]*onerway.Webhook, len(ds))
	for i, d := range ds {
		if d.Provider != "onerway" || d.Status != "delivered" {
			l.t.Fatalf("delivery %+v; want an onerway delivery, delivered", d)
		}
		w, err := l.sim.Onerway.ParseWebhook([]byte(d.Body))
		if err != nil {
			l.t.Fatalf("the notification does not verify: %v\n%s", err, d.Body)
		}
		out[len(ds)-1-i] = w
	}
	return out
}

// refused checks err is Onerway's refusal with code, its respMsg naming
// field and data null.
func refused(t *testing.T, err error, code onerwayapi.Code, field string) {
	t.Helper()
	var e *onerway.Error
	if !errors.As(err, &e) || e.RespCode != string(code) {
		t.Fatalf("%v; want respCode %s (%s)", err, code, code.Title())
	}
	if !strings.HasPrefix(e.RespMsg, code.Title()) || !strings.Contains(e.RespMsg, field) || string(e.Data) != "null" {
		t.Errorf("respMsg %q, data %s; want the code's message naming %s, data null", e.RespMsg, e.Data, field)
	}
}

// reasonOf reads a notification's reason.
func reasonOf(t *testing.T, w *onerway.Webhook) gateway.Reason {
	t.Helper()
	var r gateway.Reason
	if err := json.Unmarshal([]byte(w.Reason), &r); err != nil {
		t.Fatalf("reason %q: %v", w.Reason, err)
	}
	return r
}

// TestRefund_PartialThenFull: a partial refund is its own transaction,
// I until the audit passes an hour later on the merchant's clock; then it
// is S, the Tabby payment underneath is refunded by as much with the
// refund's transactionId as reference, and a signed TXN notification
// carries the refund's own ids and the payment's. What is left is then
// refunded in full; a cent more is refused.
func TestRefund_PartialThenFull(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	p := l.paid("order-1", onerway.GoodsVirtual)
	r1 := l.refunded(p.TransactionID, "refund-1", "100")
	tx := l.txn(r1)
	if tx.TxnType != "REFUND" || tx.Status != "I" || tx.OriginTransactionID != p.TransactionID || tx.Amount != "100.00" ||
		tx.Currency != "SAR" || tx.MerchantTxnID != "refund-1" || tx.Reason != nil {
		t.Fatalf("refund %+v", tx)
	}
	page, err := l.sim.Onerway.ListTransactions(context.Background(), onerway.ListRequest{TransactionIDs: []string{r1}})
	if err != nil || len(page.Content) != 1 || page.Content[0].Status != onerway.StatusPendingAudit ||
		page.Content[0].TxnType != onerway.TxnRefund || page.Content[0].OriginTransactionID != p.TransactionID {
		t.Fatalf("listed %+v, %v", page, err)
	}

	l.sim.Advance(t, 59*time.Minute)
	if tx := l.txn(r1); tx.Status != "I" || len(l.deliveries(r1)) != 0 {
		t.Fatalf("59 minutes on: refund %s, %d notifications; want I, none", tx.Status, len(l.deliveries(r1)))
	}
	l.sim.Advance(t, time.Minute)
	if tx := l.txn(r1); tx.Status != "S" || tx.Reason.RespCode != "20000" {
		t.Fatalf("an hour on: refund %s %+v; want S, 20000", tx.Status, tx.Reason)
	}
	notes := l.notificationsOf(r1)
	if len(notes) != 1 {
		t.Fatalf("%d notifications of the refund", len(notes))
	}
	want := onerway.Webhook{
		NotifyType: onerway.NotifyTxn, TxnType: onerway.TxnRefund, TransactionID: r1, MerchantTxnID: "refund-1",
		OriginTransactionID: p.TransactionID, OriginMerchantTxnID: "order-1", MerchantNo: l.sim.Merchant.Onerway.MerchantNo,
		TxnTimeZone: "+08:00", OrderAmount: "100.00", OrderCurrency: "SAR", Status: onerway.StatusSuccess,
		Reason: `{"respCode":"20000","respMsg":"Success"}`, PaymentMethod: "tabby", WalletTypeName: "tabby",
	}
	w := notes[0]
	want.TxnTime, want.ResponseTime, want.ChannelRequestID, want.Sign = w.TxnTime, w.ResponseTime, w.ChannelRequestID, w.Sign
	if *w != want {
		t.Errorf("notification\n %+v\nwant\n %+v", *w, want)
	}
	pay, err := l.sim.Control.Payment(context.Background(), l.txn(p.TransactionID).TabbyPaymentID)
	if err != nil || len(pay.Refunds) != 1 || pay.Refunds[0].Amount != "100.00" || pay.Refunds[0].ReferenceID != r1 {
		t.Fatalf("Tabby payment refunds %+v, %v; want 100.00 with the refund's transactionId as reference", pay, err)
	}

	_, err = l.refund(p.TransactionID, "refund-2", "150.01")
	refused(t, err, onerwayapi.CodeRefundExceeds, "refundAmount")
	r2 := l.refunded(p.TransactionID, "refund-2", "150.00")
	l.sim.Advance(t, time.Hour)
	if tx := l.txn(r2); tx.Status != "S" {
		t.Fatalf("the full refund: %s", tx.Status)
	}
	if w := l.notificationsOf(r2); len(w) != 1 || w[0].Status != onerway.StatusSuccess || w[0].OrderAmount != "150.00" {
		t.Errorf("notifications of the full refund %+v", w)
	}
	if pay, _ := l.sim.Control.Payment(context.Background(), pay.ID); len(pay.Refunds) != 2 {
		t.Errorf("Tabby payment refunds %+v", pay.Refunds)
	}
	_, err = l.refund(p.TransactionID, "refund-3", "0.01")
	refused(t, err, onerwayapi.CodeRefundExceeds, "refundAmount")
	if tx := l.txn(p.TransactionID); tx.Status != "S" {
		t.Errorf("the refunded payment is %s, want S still", tx.Status)
	}
}

// TestRefund_AuditFails: a refund of x.13 fails its audit, and so does one
// the control API fails: F with 70005, a signed REFUND_AUDIT notification,
// nothing refunded underneath, and the amount free to refund again. The
// control API passes an audit at once too; a decided audit cannot be
// decided again.
func TestRefund_AuditFails(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	p := l.paid("order-1", onerway.GoodsVirtual)
	magic := l.refunded(p.TransactionID, "refund-magic", "10.13")
	failed := l.refunded(p.TransactionID, "refund-failed", "200.00")
	if _, err := l.sim.Control.AuditRefund(context.Background(), failed, "fail"); err != nil {
		t.Fatal(err)
	}
	l.sim.Advance(t, time.Hour)
	for _, id := range []string{magic, failed} {
		tx := l.txn(id)
		if tx.Status != "F" || tx.Reason == nil || tx.Reason.RespCode != gateway.AuditRejected.Code {
			t.Fatalf("refund %s: %s %+v; want F, 70005", id, tx.Status, tx.Reason)
		}
		notes := l.notificationsOf(id)
		if len(notes) != 1 {
			t.Fatalf("%d notifications of refund %s", len(notes), id)
		}
		w := notes[0]
		if w.NotifyType != onerway.NotifyRefundAudit || w.Status != onerway.StatusFailed || w.TransactionID != id ||
			w.OriginTransactionID != p.TransactionID || reasonOf(t, w).RespCode != gateway.AuditRejected.Code {
			t.Errorf("notification %+v; want REFUND_AUDIT, F, 70005", w)
		}
	}
	pay, err := l.sim.Control.Payment(context.Background(), l.txn(p.TransactionID).TabbyPaymentID)
	if err != nil || len(pay.Refunds) != 0 {
		t.Fatalf("Tabby payment refunds %+v, %v; want none", pay.Refunds, err)
	}

	full := l.refunded(p.TransactionID, "refund-full", "250.00")
	if tx, err := l.sim.Control.AuditRefund(context.Background(), full, "pass"); err != nil || tx.Status != "S" {
		t.Fatalf("passing the audit: %+v, %v", tx, err)
	}
	l.settle()
	if w := l.notificationsOf(full); len(w) != 1 || w[0].NotifyType != onerway.NotifyTxn || w[0].Status != onerway.StatusSuccess {
		t.Errorf("notifications %+v", w)
	}
	var e *simctl.Error
	if _, err := l.sim.Control.AuditRefund(context.Background(), full, "fail"); !errors.As(err, &e) || e.StatusCode != 409 {
		t.Errorf("auditing a passed refund: %v, want 409", err)
	}
	if _, err := l.sim.Control.AuditRefund(context.Background(), p.TransactionID, "pass"); !errors.As(err, &e) || e.StatusCode != 404 {
		t.Errorf("auditing a payment: %v, want 404", err)
	}
	if _, err := l.sim.Control.AuditRefund(context.Background(), full, "maybe"); !errors.As(err, &e) || e.StatusCode != 400 {
		t.Errorf("an audit result of maybe: %v, want 400", err)
	}
	l.sim.Advance(t, time.Hour)
	if len(l.deliveries(full)) != 1 {
		t.Error("the audit's timer decided the refund again")
	}
}

// TestRefund_Withdraw: refundType 1 withdraws an application pending
// audit: data null, the refund N, no notification, its amount free again,
// and the audit never comes.
func TestRefund_Withdraw(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	p := l.paid("order-1", onerway.GoodsVirtual)
	r := l.refunded(p.TransactionID, "refund-1", "250.00")
	withdraw := func(id string) (string, error) {
		return l.sim.Onerway.Refund(context.Background(), onerway.RefundRequest{
			RefundType: onerway.RefundCancel, MerchantTxnID: "refund-1", OriginTransactionID: id,
		})
	}
	if data, err := withdraw(r); err != nil || data != "" {
		t.Fatalf("withdrawing: %q, %v", data, err)
	}
	if tx := l.txn(r); tx.Status != "N" || tx.Reason.RespCode != gateway.RefundWithdrawn.Code {
		t.Fatalf("the withdrawn refund: %s %+v", tx.Status, tx.Reason)
	}
	_, err := withdraw(r)
	refused(t, err, onerwayapi.CodeNotPendingAudit, "originTransactionId")
	_, err = withdraw(p.TransactionID)
	refused(t, err, onerwayapi.CodeUnknownTransaction, "originTransactionId")
	again := l.refunded(p.TransactionID, "refund-2", "250.00")
	l.sim.Advance(t, time.Hour)
	if len(l.deliveries(r)) != 0 || l.txn(r).Status != "N" || l.txn(again).Status != "S" {
		t.Errorf("an hour on: withdrawn %s with %d notifications, the next %s", l.txn(r).Status, len(l.deliveries(r)), l.txn(again).Status)
	}
}

// TestRefund_Refused: refunds of what is not a successful payment of the
// merchant, and reused merchantTxnIds, each get their own respCode.
func TestRefund_Refused(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	ok := l.paid("order-ok", onerway.GoodsVirtual)
	pending := l.pay(l.request("order-pending", onerway.GoodsVirtual))
	failed := l.pay(l.request("order-failed", onerway.GoodsVirtual))
	l.customer(failed.TransactionID, simctl.ActionReject)
	refund := l.refunded(ok.TransactionID, "refund-1", "1.00")

	_, err := l.refund("1234567890123456789", "refund-2", "1.00")
	refused(t, err, onerwayapi.CodeUnknownTransaction, "originTransactionId")
	_, err = l.refund(refund, "refund-3", "1.00")
	refused(t, err, onerwayapi.CodeUnknownTransaction, "originTransactionId")
	_, err = l.refund(pending.TransactionID, "refund-4", "1.00")
	refused(t, err, onerwayapi.CodeNotSuccessful, "originTransactionId")
	_, err = l.refund(failed.TransactionID, "refund-5", "1.00")
	refused(t, err, onerwayapi.CodeNotSuccessful, "originTransactionId")
	_, err = l.refund(ok.TransactionID, "refund-1", "1.00")
	refused(t, err, onerwayapi.CodeDuplicate, "merchantTxnId")
	_, err = l.refund(ok.TransactionID, "order-ok", "1.00")
	refused(t, err, onerwayapi.CodeDuplicate, "merchantTxnId")
	// While refund-1 (1.00) is pending, only 249.00 is left.
	_, err = l.refund(ok.TransactionID, "refund-6", "249.01")
	refused(t, err, onerwayapi.CodeRefundExceeds, "refundAmount")

	other, err := l.sim.Control.CreateMerchant(context.Background(), simctl.CreateMerchantRequest{Clock: "manual"})
	if err != nil {
		t.Fatal(err)
	}
	c := onerway.New(other.Onerway.MerchantNo, other.Onerway.SecretKey, onerway.WithBaseURL(l.sim.URL))
	_, err = c.Refund(context.Background(), onerway.RefundRequest{RefundType: onerway.RefundApply, MerchantTxnID: "r",
		OriginTransactionID: ok.TransactionID, RefundAmount: "1.00"})
	refused(t, err, onerwayapi.CodeUnknownTransaction, "originTransactionId")
}

// TestCancel: cancelTxn is accepted while the customer has not finished,
// from 5 to 30 minutes after the payment: the answer is I, the payment
// turns F (70007) with Tabby's checkout stopped underneath, and the shop
// gets the TXN notification of the failed payment and the CANCEL
// notification of the cancel's success, both signed.
func TestCancel(t *testing.T) {
	t.Parallel()
	// A 40-minute session keeps a payment processing past 30 minutes.
	l := startLive(t, simtest.WithSettings(map[string]any{"tabby": map[string]any{"session_ttl": "40m"}}))
	ctx := context.Background()
	p := l.pay(l.request("order-1", onerway.GoodsVirtual))
	late := l.pay(l.request("order-late", onerway.GoodsVirtual))
	done := l.paid("order-done", onerway.GoodsVirtual)

	l.sim.Advance(t, 4*time.Minute+59*time.Second)
	_, err := l.sim.Onerway.CancelTransaction(ctx, p.TransactionID)
	refused(t, err, onerwayapi.CodeCancelWindow, "originTransactionId")
	l.sim.Advance(t, time.Second)
	c, err := l.sim.Onerway.CancelTransaction(ctx, p.TransactionID)
	if err != nil || *c != (onerway.Cancellation{TransactionID: p.TransactionID, Status: onerway.StatusPendingAudit}) {
		t.Fatalf("cancel: %+v, %v; want the transaction, I", c, err)
	}
	tx := l.txn(p.TransactionID)
	if tx.Status != "F" || tx.Reason.RespCode != gateway.CancelledByMerchant.Code {
		t.Fatalf("the cancelled payment: %s %+v; want F, 70007", tx.Status, tx.Reason)
	}
	if pay, err := l.sim.Control.Payment(ctx, tx.TabbyPaymentID); err != nil || pay.Status != "EXPIRED" {
		t.Fatalf("Tabby payment %+v, %v; want EXPIRED", pay, err)
	}
	var e *simctl.Error
	if _, err := l.sim.Control.Customer(ctx, p.TransactionID, simctl.ActionApprove); !errors.As(err, &e) || e.StatusCode != 409 {
		t.Errorf("the customer approving after the cancel: %v, want 409", err)
	}
	l.settle()
	notes := l.notificationsOf(p.TransactionID)
	if len(notes) != 2 {
		t.Fatalf("%d notifications, want TXN then CANCEL", len(notes))
	}
	if w := notes[0]; w.NotifyType != onerway.NotifyTxn || w.TxnType != onerway.TxnSale || w.Status != onerway.StatusFailed ||
		reasonOf(t, w).RespCode != gateway.CancelledByMerchant.Code {
		t.Errorf("first notification %+v; want TXN SALE F 70007", w)
	}
	if w := notes[1]; w.NotifyType != onerway.NotifyCancel || w.TxnType != onerway.TxnSale || w.Status != onerway.StatusSuccess ||
		w.TransactionID != p.TransactionID || w.MerchantTxnID != "order-1" || reasonOf(t, w).RespCode != "20000" {
		t.Errorf("second notification %+v; want CANCEL SALE S", w)
	}

	_, err = l.sim.Onerway.CancelTransaction(ctx, p.TransactionID)
	refused(t, err, onerwayapi.CodeNotProcessing, "originTransactionId")
	_, err = l.sim.Onerway.CancelTransaction(ctx, done.TransactionID)
	refused(t, err, onerwayapi.CodeNotProcessing, "originTransactionId")
	_, err = l.sim.Onerway.CancelTransaction(ctx, "1234567890123456789")
	refused(t, err, onerwayapi.CodeUnknownTransaction, "originTransactionId")
	l.sim.Advance(t, 25*time.Minute)
	if _, err := l.sim.Onerway.CancelTransaction(ctx, late.TransactionID); err != nil {
		t.Errorf("30 minutes after the payment: %v", err)
	}
	late2 := l.pay(l.request("order-later", onerway.GoodsVirtual))
	l.sim.Advance(t, 30*time.Minute+time.Second)
	_, err = l.sim.Onerway.CancelTransaction(ctx, late2.TransactionID)
	refused(t, err, onerwayapi.CodeCancelWindow, "originTransactionId")
}

// TestLogistics_Refused: an upload for what is not a successful payment
// of physical goods, without a carrier or a tracking number, or whose
// delivery is in the future, before the payment or more than 30 days ago,
// each get their own respCode.
func TestLogistics_Refused(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	physical := l.paid("order-physical", onerway.GoodsPhysical)
	virtual := l.paid("order-virtual", onerway.GoodsVirtual)
	pending := l.pay(l.request("order-pending", onerway.GoodsPhysical))
	paidAt := l.sim.Now(t)
	// A whole second, as deliveryTime is written to the second.
	now := paidAt.Truncate(time.Second).Add(40 * 24 * time.Hour)
	if _, err := l.sim.Control.AdvanceTo(context.Background(), l.sim.Merchant.ID, now); err != nil {
		t.Fatal(err)
	}

	refusedUpload := func(id string, delivered time.Time, code onerwayapi.Code, field string) {
		t.Helper()
		refused(t, l.upload(id, delivered, "AWB1"), code, field)
	}
	refusedUpload("1234567890123456789", now.Add(-time.Hour), onerwayapi.CodeUnknownTransaction, "transactionId")
	refusedUpload(virtual.TransactionID, now.Add(-time.Hour), onerwayapi.CodeNotPhysical, "transactionId")
	refusedUpload(pending.TransactionID, now.Add(-time.Hour), onerwayapi.CodeNotSuccessful, "transactionId")
	refusedUpload(physical.TransactionID, now.Add(time.Minute), onerwayapi.CodeDeliveryInFuture, "deliveryTime")
	refusedUpload(physical.TransactionID, paidAt.Add(-time.Minute), onerwayapi.CodeDeliveryBeforePayment, "deliveryTime")
	refusedUpload(physical.TransactionID, now.Add(-30*24*time.Hour-time.Second), onerwayapi.CodeUploadTooLate, "deliveryTime")
	for field, req := range map[string]onerway.LogisticsRequest{
		"carrierNo":  {TransactionID: physical.TransactionID, TrackingNo: "AWB1", DeliveryTime: gateway.FormatTime(now)},
		"trackingNo": {TransactionID: physical.TransactionID, CarrierNo: "aramex", DeliveryTime: gateway.FormatTime(now)},
	} {
		refused(t, l.sim.Onerway.UploadLogistics(context.Background(), req), onerwayapi.CodeMissing, field)
	}
	if st := l.settlement(physical.TransactionID); st.State != "overdue" || st.Logistics != nil {
		t.Errorf("after the refusals: %+v; want overdue, no logistics", st)
	}
	// Delivered exactly 30 days ago is still in time.
	if err := l.upload(physical.TransactionID, now.Add(-30*24*time.Hour), "AWB1"); err != nil {
		t.Errorf("delivered 30 days ago: %v", err)
	}
}

// TestSettlement_PhysicalGoods: physical goods await logistics, overdue
// 30 days after the payment; a valid upload makes them due to settle 7
// days later, a second upload replaces the first without moving that
// date, and the payment settles in USD at the merchant's rate; an upload
// after that is refused.
func TestSettlement_PhysicalGoods(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	p := l.paid("order-1", onerway.GoodsPhysical)
	st := l.settlement(p.TransactionID)
	if st.State != "awaiting_logistics" || st.Goods != "physical" || st.SettleAt != nil || st.LogisticsDueAt == nil ||
		!st.LogisticsDueAt.Equal(st.SucceededAt.Add(30*24*time.Hour)) {
		t.Fatalf("settlement %+v; want awaiting logistics, due 30 days after success", st)
	}
	if got := l.settlements("awaiting_logistics"); len(got) != 1 || got[0] != p.TransactionID {
		t.Errorf("awaiting logistics: %v", got)
	}
	l.sim.Advance(t, 30*24*time.Hour+time.Minute)
	if got, overdue := l.settlements("awaiting_logistics"), l.settlements("overdue"); len(got) != 0 || len(overdue) != 1 {
		t.Errorf("30 days on: awaiting %v, overdue %v; want it overdue", got, overdue)
	}

	delivered := l.sim.Now(t).Add(-48 * time.Hour)
	if err := l.upload(p.TransactionID, delivered, "AWB1"); err != nil {
		t.Fatal(err)
	}
	uploadedAt := l.sim.Now(t)
	st = l.settlement(p.TransactionID)
	if st.State != "scheduled" || st.SettleAt == nil || !st.SettleAt.Equal(uploadedAt.Add(7*24*time.Hour)) ||
		st.Logistics == nil || st.Logistics.TrackingNo != "AWB1" || !st.Logistics.DeliveredAt.Equal(delivered.Truncate(time.Second)) {
		t.Fatalf("after the upload: %+v; want scheduled 7 days on", st)
	}
	l.sim.Advance(t, 24*time.Hour)
	if err := l.upload(p.TransactionID, delivered.Add(time.Hour), "AWB2"); err != nil {
		t.Fatalf("replacing the upload: %v", err)
	}
	st = l.settlement(p.TransactionID)
	if st.Logistics.TrackingNo != "AWB2" || st.Logistics.Uploads != 2 || !st.SettleAt.Equal(uploadedAt.Add(7*24*time.Hour)) {
		t.Fatalf("after the replacement: %+v, logistics %+v; want AWB2, the settlement date kept", st, st.Logistics)
	}
	l.sim.Advance(t, 6*24*time.Hour-time.Second)
	if st := l.settlement(p.TransactionID); st.State != "scheduled" {
		t.Fatalf("a second early: %s", st.State)
	}
	l.sim.Advance(t, time.Second)
	st = l.settlement(p.TransactionID)
	if st.State != "settled" || st.Paid == nil || !st.Paid.At.Equal(*st.SettleAt) {
		t.Fatalf("settled %+v; want settled at %s", st, st.SettleAt)
	}
	want := simctl.OnerwaySettlementPayout{At: st.Paid.At, OrderAmount: "250.00", Refunded: "0.00", Currency: "SAR",
		Rate: "0.2666", Amount: "66.65", SettlementCurrency: "USD"}
	if *st.Paid != want {
		t.Errorf("paid %+v; want 250.00 SAR at 0.2666, 66.65 USD", st.Paid)
	}
	if got := l.settlements("settled"); len(got) != 1 {
		t.Errorf("settled: %v", got)
	}
	refused(t, l.upload(p.TransactionID, delivered, "AWB3"), onerwayapi.CodeSettled, "transactionId")
}

// TestSettlement_VirtualGoods: virtual goods settle 7 days after success
// with no logistics, less the refunds that passed their audit by then, at
// the merchant's own rate and delay when it set them; a payment that did
// not succeed has no settlement.
func TestSettlement_VirtualGoods(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	ctx := context.Background()
	p := l.paid("order-1", onerway.GoodsVirtual)
	st := l.settlement(p.TransactionID)
	if st.State != "scheduled" || st.LogisticsDueAt != nil || !st.SettleAt.Equal(st.SucceededAt.Add(7*24*time.Hour)) {
		t.Fatalf("settlement %+v; want scheduled 7 days after success", st)
	}
	l.refunded(p.TransactionID, "refund-1", "100.00")
	l.refunded(p.TransactionID, "refund-magic", "0.13")
	l.sim.Advance(t, 7*24*time.Hour)
	if st := l.settlement(p.TransactionID); st.State != "settled" || st.Paid.Refunded != "100.00" || st.Paid.Amount != "39.99" {
		t.Fatalf("settled %+v; want 150.00 SAR at 0.2666, 39.99 USD", st.Paid)
	}

	if _, err := l.sim.Control.UpdateSettings(ctx, l.sim.Merchant.ID, map[string]any{"onerway": map[string]any{
		"settle_after": "1d", "settlement_rate": map[string]string{"AED": "0.25"}}}); err != nil {
		t.Fatal(err)
	}
	req := l.request("order-aed", onerway.GoodsVirtual)
	req.OrderCurrency, req.OrderAmount = "AED", "100.02"
	aed := l.pay(req)
	l.customer(aed.TransactionID, simctl.ActionApprove)
	l.sim.Advance(t, 24*time.Hour)
	if st := l.settlement(aed.TransactionID); st.State != "settled" || st.Paid.Rate != "0.25" || st.Paid.Amount != "25.01" {
		t.Fatalf("AED settlement %+v; want 100.02 AED at 0.25, 25.01 USD (rounded half up) a day on", st.Paid)
	}

	pending := l.pay(l.request("order-pending", onerway.GoodsVirtual))
	var e *simctl.Error
	if _, err := l.sim.Control.OnerwaySettlement(ctx, pending.TransactionID); !errors.As(err, &e) || e.StatusCode != 404 {
		t.Errorf("the settlement of an R payment: %v, want 404", err)
	}
	if _, err := l.sim.Control.OnerwaySettlements(ctx, l.sim.Merchant.ID, "paid"); !errors.As(err, &e) || e.StatusCode != 400 {
		t.Errorf("state=paid: %v, want 400", err)
	}
}

// TestAfterSale_Journal: the journal names refunds, cancellations and
// logistics uploads, refused ones included, and their merchant.
func TestAfterSale_Journal(t *testing.T) {
	t.Parallel()
	l := startLive(t)
	ctx := context.Background()
	p := l.paid("order-1", onerway.GoodsVirtual)
	l.refunded(p.TransactionID, "refund-1", "1.00")
	_, _ = l.sim.Onerway.CancelTransaction(ctx, p.TransactionID)
	_ = l.upload(p.TransactionID, l.sim.Now(t), "AWB1")
	entries, err := l.sim.Control.Journal(ctx, l.sim.Merchant.ID, 3)
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, e := range entries {
		ops = append(ops, e.Provider+" "+e.Operation)
	}
	want := []string{"onerway onerway.logistics_upload", "onerway onerway.cancel_txn", "onerway onerway.online_refund"}
	if strings.Join(ops, ",") != strings.Join(want, ",") {
		t.Errorf("operations newest first %q, want %q", ops, want)
	}
}
