package onerwayapi

import (
	"context"
	"errors"

	"github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/internal/surface"
	gateway "github.com/tabbysim/tabbysim/simulator/onerway"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// The endpoints that act on a payment once it was made: refunds,
// cancellation, logistics uploads.

// Their operations, each the name of the route that serves it.
const (
	OpRefund    surface.Operation = "onerway.online_refund"
	OpCancel    surface.Operation = "onerway.cancel_txn"
	OpLogistics surface.Operation = "onerway.logistics_upload"
)

// refund applies for a refund (refundType 0), answering the refund's
// transactionId as a plain string, or withdraws an application
// (refundType 1), answering null.
func (a *API) refund(ctx context.Context, req *Request, m *tenant.Merchant) (Answer, error) {
	ref, err := DecodeRefund(req, merchant(m))
	if err != nil {
		return Answer{}, err
	}
	if ref.Type == onerway.RefundCancel {
		if _, err := a.Service.WithdrawRefund(ctx, m, ref.OriginTransactionID); err != nil {
			return Answer{}, refusalOf(err, "originTransactionId", ref.OriginTransactionID, "refund")
		}
		return RefundAnswer(""), nil
	}
	// The amount is read in the payment's currency.
	p, err := a.Service.Transaction(ctx, m, ref.OriginTransactionID)
	if err != nil {
		return Answer{}, refusalOf(err, "originTransactionId", ref.OriginTransactionID, "payment")
	}
	amount, err := ref.AmountIn(p.Currency)
	if err != nil {
		return Answer{}, err
	}
	r, err := a.Service.Refund(ctx, m, gateway.RefundApplication{
		MerchantTxnID: ref.MerchantTxnID, OriginTransactionID: ref.OriginTransactionID, Amount: amount,
	})
	if err != nil {
		return Answer{}, refusalOf(err, "originTransactionId", ref.OriginTransactionID, "payment")
	}
	return RefundAnswer(r.ID), nil
}

// cancel cancels a payment still processing; the answer says the
// cancellation is pending (I), as Onerway's does, and the result follows
// as a CANCEL notification.
func (a *API) cancel(ctx context.Context, req *Request, m *tenant.Merchant) (Answer, error) {
	id, err := DecodeCancel(req, merchant(m))
	if err != nil {
		return Answer{}, err
	}
	p, err := a.Service.Cancel(ctx, m, id)
	if err != nil {
		return Answer{}, refusalOf(err, "originTransactionId", id, "payment")
	}
	return CancelAnswer(onerway.Cancellation{TransactionID: p.ID, Status: onerway.StatusPendingAudit}), nil
}

// logistics records the delivery of a payment of physical goods; the
// answer's data is null.
func (a *API) logistics(ctx context.Context, req *Request, m *tenant.Merchant) (Answer, error) {
	l, err := DecodeLogistics(req, merchant(m))
	if err != nil {
		return Answer{}, err
	}
	_, err = a.Service.UploadLogistics(ctx, m, gateway.LogisticsUpload{
		TransactionID: l.TransactionID, CarrierNo: l.CarrierNo, TrackingNo: l.TrackingNo, Delivered: l.Delivered,
	})
	if err != nil {
		return Answer{}, refusalOf(err, "transactionId", l.TransactionID, "payment")
	}
	return Success(nil), nil
}

// refusals gives each rule of the gateway's domain the respCode that
// refuses a request breaking it, and the field at fault ("" for the field
// naming the transaction).
var refusals = []struct {
	err   error
	code  Code
	field string
}{
	{gateway.ErrNotSuccessful, CodeNotSuccessful, ""},
	{gateway.ErrRefundExceeds, CodeRefundExceeds, "refundAmount"},
	{gateway.ErrNotPendingAudit, CodeNotPendingAudit, ""},
	{gateway.ErrNotProcessing, CodeNotProcessing, ""},
	{gateway.ErrCancelWindow, CodeCancelWindow, ""},
	{gateway.ErrNotPhysical, CodeNotPhysical, ""},
	{gateway.ErrSettled, CodeSettled, ""},
	{gateway.ErrDeliveryInFuture, CodeDeliveryInFuture, "deliveryTime"},
	{gateway.ErrDeliveryBeforePayment, CodeDeliveryBeforePayment, "deliveryTime"},
	{gateway.ErrUploadTooLate, CodeUploadTooLate, "deliveryTime"},
}

// refusalOf words err, from a request whose field names transaction id, a
// kind of transaction ("payment", "refund"), as the answer's *Error; what
// it does not know goes on to API.refusal.
func refusalOf(err error, field, id, kind string) error {
	if errors.Is(err, gateway.ErrNoSuchTransaction) {
		return refuse(CodeUnknownTransaction, field, "%s %s names no %s of the merchant", field, quoted(id), kind)
	}
	for _, r := range refusals {
		if errors.Is(err, r.err) {
			f := r.field
			if f == "" {
				f = field
			}
			return refuse(r.code, f, "%s: %v", f, err)
		}
	}
	return err
}
