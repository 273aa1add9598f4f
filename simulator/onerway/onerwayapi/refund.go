package onerwayapi

import (
	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/client/onerway"
)

// Refund is a valid /v1/txn/onlineRefund request.
type Refund struct {
	MerchantNo string
	// Type applies for a refund (onerway.RefundApply) or withdraws a
	// pending application (onerway.RefundCancel).
	Type onerway.RefundType
	// MerchantTxnID is the merchant's id for the refund itself.
	MerchantTxnID string
	// OriginTransactionID is the payment's transactionId when applying,
	// the pending refund's when withdrawing.
	OriginTransactionID string
	// Amount is the refundAmount as sent, required when applying; read it
	// in the payment's currency with AmountIn.
	Amount string
}

// DecodeRefund checks a /v1/txn/onlineRefund request of merchant m: the
// sign, refundType "0" or "1", merchantTxnId, originTransactionId, and
// refundAmount when applying. Errors are *Error: CodeBadSign,
// CodeUnreadable, CodeMissing, CodeInvalid. Whether the payment exists,
// is S and has that much left is the caller's to check.
func DecodeRefund(r *Request, m Merchant) (*Refund, error) {
	if err := r.authenticate(m); err != nil {
		return nil, err
	}
	f := r.fields
	ref := &Refund{MerchantNo: r.MerchantNo}
	typ, err := required(f, "", "refundType")
	if err != nil {
		return nil, err
	}
	ref.Type = onerway.RefundType(typ)
	if ref.Type != onerway.RefundApply && ref.Type != onerway.RefundCancel {
		return nil, refuse(CodeInvalid, "refundType", "refundType must be 0 (apply for a refund) or 1 (cancel an application), got %s", quoted(typ))
	}
	if ref.MerchantTxnID, err = required(f, "", "merchantTxnId"); err != nil {
		return nil, err
	}
	if err := maxLen(ref.MerchantTxnID, 64, "merchantTxnId"); err != nil {
		return nil, err
	}
	if ref.OriginTransactionID, err = required(f, "", "originTransactionId"); err != nil {
		return nil, err
	}
	if ref.Type == onerway.RefundCancel {
		return ref, nil
	}
	if ref.Amount, err = required(f, "", "refundAmount"); err != nil {
		return nil, err
	}
	// Tabby's currencies all have two decimals: the amount's form can be
	// checked before the payment, and with it the currency, is known.
	if _, err := ref.AmountIn(Currencies[0]); err != nil {
		return nil, err
	}
	return ref, nil
}

// AmountIn reads the refundAmount in currency's minor units, the
// payment's currency: CodeInvalid when it is not an amount above zero.
func (ref *Refund) AmountIn(currency string) (money.Amount, error) {
	v, err := parseAmount(ref.Amount, currency)
	if err != nil {
		return 0, refuse(CodeInvalid, "refundAmount", "refundAmount: %v", err)
	}
	if v <= 0 {
		return 0, refuse(CodeInvalid, "refundAmount", "refundAmount must be greater than zero")
	}
	return v, nil
}
