package onerwayapi

import (
	"errors"
	"fmt"

	gateway "github.com/tabbysim/tabbysim/simulator/onerway"
)

// Code is a respCode.
type Code string

// The gateway's response codes: one table, documented codes where
// onerway-api.md §10 has one, the simulator's choices (the 4000x codes)
// where the public material is silent. The README lists them.
const (
	// CodeSuccess: the request was accepted, which is no proof a payment
	// succeeded.
	CodeSuccess Code = "20000"
	// CodeSystemError: anything unexpected on the gateway's side.
	CodeSystemError Code = "11001"
	// CodeUnknownMerchant: no merchant has the request's merchantNo.
	CodeUnknownMerchant Code = "12004"
	// CodeUnsupported: productType, subProductType, txnType or lpmsType
	// other than Tabby's (LPMS, DIRECT, SALE, tabby).
	CodeUnsupported Code = "12010"
	// CodeUnreadable: the body or a field cannot be read: not a JSON
	// object, a field of the wrong JSON type, nested JSON that is not a
	// string or does not hold valid JSON.
	CodeUnreadable Code = "40013"
	// CodeBadSign: sign missing or not the one the merchant's secret key
	// gives.
	CodeBadSign Code = "40001"
	// CodeMissing: a required field is absent, null or "".
	CodeMissing Code = "40002"
	// CodeInvalid: a field is readable but its value is not allowed.
	CodeInvalid Code = "40003"
	// CodeCurrency: orderCurrency is not one Tabby takes (SAR, AED).
	CodeCurrency Code = "40004"
	// CodeAmountRange: orderAmount outside the merchant's limits.
	CodeAmountRange Code = "40005"
	// CodeDuplicate: a merchantTxnId the merchant used before.
	CodeDuplicate Code = "40006"
	// CodeNoEndpoint: a path the gateway does not serve, or a method other
	// than POST.
	CodeNoEndpoint Code = "40007"

	// The refusals of refunds, cancellations and logistics uploads, which
	// need the transaction they name.

	// CodeUnknownTransaction: the transactionId or originTransactionId
	// names no transaction of the merchant of the kind the request needs.
	CodeUnknownTransaction Code = "12007"
	// CodeNotSuccessful: a refund or logistics upload for a payment that
	// is not S.
	CodeNotSuccessful Code = "40008"
	// CodeRefundExceeds: a refundAmount above what is left of the payment
	// once the refunds applied before (pending or passed) are taken off.
	CodeRefundExceeds Code = "40009"
	// CodeNotPendingAudit: withdrawing (refundType 1) a refund the audit
	// decided already, or that was withdrawn.
	CodeNotPendingAudit Code = "40010"
	// CodeNotProcessing: cancelTxn for a payment that is S or F already.
	CodeNotProcessing Code = "40011"
	// CodeCancelWindow: cancelTxn before 5 or after 30 minutes from the
	// payment (the merchant's onerway.cancel_from, cancel_until).
	CodeCancelWindow Code = "40012"
	// CodeNotPhysical: a logistics upload for virtual goods.
	CodeNotPhysical Code = "40014"
	// CodeDeliveryInFuture: a deliveryTime after the merchant's now.
	CodeDeliveryInFuture Code = "40015"
	// CodeDeliveryBeforePayment: a deliveryTime before the payment was
	// made.
	CodeDeliveryBeforePayment Code = "40016"
	// CodeUploadTooLate: a logistics upload more than 30 days after
	// delivery (onerway.logistics_window).
	CodeUploadTooLate Code = "40017"
	// CodeSettled: a logistics upload for a payment that settled already.
	CodeSettled Code = "40018"
)

// table gives each code the title its respMsg starts with (the detail
// after it names the field), in the README's order. The outcomes of
// payments (gateway.Outcomes) are the domain's: a declined doTransaction
// answers with its reason's code, and so do notifications and lists.
var table = []struct {
	code  Code
	title string
}{
	{CodeSuccess, "Success"},
	{CodeSystemError, "System exception"},
	{CodeUnknownMerchant, "Merchant account disabled or non-existent"},
	{CodeUnsupported, "Unsupported transaction type"},
	{CodeUnreadable, "Abnormal parameters (cannot be read)"},
	{CodeBadSign, "Signature error"},
	{CodeMissing, "Missing parameter"},
	{CodeInvalid, "Invalid parameter"},
	{CodeCurrency, "Unsupported currency"},
	{CodeAmountRange, "Amount out of range"},
	{CodeDuplicate, "Duplicate merchantTxnId"},
	{CodeNoEndpoint, "No such endpoint"},
	{CodeUnknownTransaction, "Transaction ID is incorrect"},
	{CodeNotSuccessful, "Transaction not successful"},
	{CodeRefundExceeds, "Refund amount exceeds what is left"},
	{CodeNotPendingAudit, "Refund not pending audit"},
	{CodeNotProcessing, "Transaction not processing"},
	{CodeCancelWindow, "Outside the cancel window"},
	{CodeNotPhysical, "Not physical goods"},
	{CodeDeliveryInFuture, "Delivery time in the future"},
	{CodeDeliveryBeforePayment, "Delivery time before the payment"},
	{CodeUploadTooLate, "Logistics upload too late"},
	{CodeSettled, "Transaction already settled"},
	{Code(gateway.Declined.Code), gateway.Declined.Title},
	{Code(gateway.CancelledByCustomer.Code), gateway.CancelledByCustomer.Title},
	{Code(gateway.TimedOut.Code), gateway.TimedOut.Title},
	{Code(gateway.AuditRejected.Code), gateway.AuditRejected.Title},
	{Code(gateway.RefundWithdrawn.Code), gateway.RefundWithdrawn.Title},
	{Code(gateway.CancelledByMerchant.Code), gateway.CancelledByMerchant.Title},
}

// Codes lists every respCode the gateway answers with.
func Codes() []Code {
	out := make([]Code, len(table))
	for i, row := range table {
		out[i] = row.code
	}
	return out
}

// Title is the code's message, the start of every respMsg with that code.
func (c Code) Title() string {
	for _, row := range table {
		if row.code == c {
			return row.title
		}
	}
	return ""
}

// Error refuses a request: its respCode and respMsg. Field names the field
// at fault as the message does (txnOrderMsg.products[0].type), or is empty
// when the whole request is.
type Error struct {
	Code  Code
	Field string
	Msg   string
}

func (e *Error) Error() string { return e.Msg }

// refuse builds an Error whose respMsg is the code's title, then the
// detail.
func refuse(code Code, field, format string, a ...any) *Error {
	return &Error{Code: code, Field: field, Msg: code.Title() + ": " + fmt.Sprintf(format, a...)}
}

// UnknownMerchant is the refusal of a request whose merchantNo names no
// merchant; the caller, which resolves merchants, answers it.
func UnknownMerchant(merchantNo string) error {
	return refuse(CodeUnknownMerchant, "merchantNo", "merchantNo %q", merchantNo)
}

// DuplicateMerchantTxnID is the refusal of a payment or refund whose
// merchantTxnId the merchant used before; the caller, which keeps the
// transactions, answers it.
func DuplicateMerchantTxnID(merchantTxnID string) error {
	return refuse(CodeDuplicate, "merchantTxnId", "merchantTxnId %q was used before; each transaction needs its own", merchantTxnID)
}

// ErrorCode is the respCode an error is answered with: its own for an
// *Error, CodeSystemError for anything else.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeSystemError
}
