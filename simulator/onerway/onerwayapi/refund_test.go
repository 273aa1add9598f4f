package onerwayapi_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/onerway/onerwayapi"
)

func TestRefund_Answers(t *testing.T) {
	g := startGateway(t)
	ok, missing, invalid := onerwayapi.CodeSuccess, onerwayapi.CodeMissing, onerwayapi.CodeInvalid
	apply := func(change map[string]any) map[string]any {
		f := map[string]any{"refundType": "0", "merchantTxnId": "refund-1", "originTransactionId": "1992838164129386496", "refundAmount": "100.00"}
		for k, v := range change {
			f[k] = v
		}
		return f
	}
	g.expect(t, onerway.PathRefund, []call{
		{name: "apply", fields: apply(nil), code: ok},
		{name: "apply for a whole number", fields: apply(map[string]any{"refundAmount": "250"}), code: ok},
		{name: "cancel an application, no amount", fields: apply(map[string]any{"refundType": "1", "refundAmount": nil}), code: ok},

		{name: "refundType missing", fields: apply(map[string]any{"refundType": nil}), code: missing, field: "refundType"},
		{name: "refundType 2", fields: apply(map[string]any{"refundType": "2"}), code: invalid, field: "refundType"},
		{name: "refundType a boolean", fields: apply(map[string]any{"refundType": true}), code: onerwayapi.CodeUnreadable, field: "refundType"},
		{name: "merchantTxnId missing", fields: apply(map[string]any{"merchantTxnId": ""}), code: missing, field: "merchantTxnId"},
		{name: "merchantTxnId too long", fields: apply(map[string]any{"merchantTxnId": strings.Repeat("r", 65)}), code: invalid, field: "merchantTxnId"},
		{name: "originTransactionId missing", fields: apply(map[string]any{"originTransactionId": nil}), code: missing, field: "originTransactionId"},
		{name: "refundAmount missing", fields: apply(map[string]any{"refundAmount": nil}), code: missing, field: "refundAmount"},
		{name: "refundAmount a word", fields: apply(map[string]any{"refundAmount": "all"}), code: invalid, field: "refundAmount"},
		{name: "refundAmount with three decimals", fields: apply(map[string]any{"refundAmount": "1.005"}), code: invalid, field: "refundAmount"},
		{name: "refundAmount zero", fields: apply(map[string]any{"refundAmount": "0.00"}), code: invalid, field: "refundAmount"},
		{name: "sign under another key", fields: apply(map[string]any{"sign": "0000"}), code: onerwayapi.CodeBadSign, field: "sign"},
	})
}

// TestRefund_Client: client/onerway's refunds are read back as sent; data
// is the refund's transactionId as a plain string, null when an
// application is withdrawn.
func TestRefund_Client(t *testing.T) {
	g := startGateway(t)
	c := onerway.New(merchantNo, secretKey, onerway.WithBaseURL(g.URL))
	id, err := c.Refund(context.Background(), onerway.RefundRequest{
		RefundType: onerway.RefundApply, MerchantTxnID: "refund-7", OriginTransactionID: "1992838164129386496", RefundAmount: "99.5",
	})
	if err != nil || id != "1992838164129386499" {
		t.Fatalf("refund %q, %v", id, err)
	}
	ref := g.lastDecoded().(*onerwayapi.Refund)
	want := &onerwayapi.Refund{MerchantNo: merchantNo, Type: onerway.RefundApply, MerchantTxnID: "refund-7",
		OriginTransactionID: "1992838164129386496", Amount: "99.5"}
	if !reflect.DeepEqual(ref, want) {
		t.Errorf("decoded %+v", ref)
	}
	for currency, minor := range map[string]money.Amount{"SAR": 9950, "AED": 9950} {
		if v, err := ref.AmountIn(currency); v != minor || err != nil {
			t.Errorf("%s: %d, %v", currency, v, err)
		}
	}

	r := g.post(t, onerway.PathRefund, call{fields: map[string]any{"refundType": "0", "merchantTxnId": "refund-8",
		"originTransactionId": "1992838164129386496", "refundAmount": "1.00"}}.body())
	if string(r.Data) != `"1992838164129386499"` {
		t.Errorf("data %s, want the id as a plain string", r.Data)
	}
	r = g.post(t, onerway.PathRefund, call{fields: map[string]any{"refundType": "1", "merchantTxnId": "refund-9",
		"originTransactionId": "1992838164129386499"}}.body())
	if r.RespCode != onerwayapi.CodeSuccess || string(r.Data) != "null" {
		t.Errorf("withdrawing: %s", r.body)
	}
}

func TestCancel_Answers(t *testing.T) {
	g := startGateway(t)
	g.expect(t, onerway.PathCancel, []call{
		{name: "cancel", fields: map[string]any{"originTransactionId": "1992838164129386496"}, code: onerwayapi.CodeSuccess},
		{name: "originTransactionId missing", fields: map[string]any{}, code: onerwayapi.CodeMissing, field: "originTransactionId"},
		{name: "originTransactionId an object", fields: map[string]any{"originTransactionId": json.RawMessage(`{}`)}, code: onerwayapi.CodeUnreadable, field: "originTransactionId"},
		{name: "no sign", fields: map[string]any{"originTransactionId": "1992838164129386496", "sign": nil}, code: onerwayapi.CodeBadSign, field: "sign"},
	})
	c := onerway.New(merchantNo, secretKey, onerway.WithBaseURL(g.URL))
	got, err := c.CancelTransaction(context.Background(), "1992838164129386496")
	if err != nil || *got != (onerway.Cancellation{TransactionID: "1992838164129386496", Status: onerway.StatusPendingAudit}) {
		t.Errorf("cancellation %+v, %v", got, err)
	}
}
