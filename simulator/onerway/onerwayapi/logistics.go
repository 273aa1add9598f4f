package onerwayapi

import (
	"time"

	gateway "github.com/tabbysim/tabbysim/simulator/onerway"
)

// Logistics is a valid logistics upload, which triggers the settlement of
// a Tabby payment for physical goods (seed 001; onerway-api.md §8).
type Logistics struct {
	MerchantNo    string
	TransactionID string
	// CarrierNo is any carrier code: Onerway's list of carriers is not
	// public, so none is enforced.
	CarrierNo  string
	TrackingNo string
	// Delivered is deliveryTime, when the package was signed for, read in
	// gateway.Zone.
	Delivered time.Time
}

// DecodeLogistics checks an upload to /v1/txn/logistics/upload of merchant
// m: the sign, then transactionId, carrierNo, trackingNo and deliveryTime
// (yyyy-MM-dd HH:mm:ss). Errors are *Error: CodeBadSign, CodeUnreadable,
// CodeMissing, CodeInvalid. The rules that need the transaction or the
// merchant's clock (success, physical goods, delivery neither in the
// future nor before the payment, upload within 30 days of delivery) are
// the caller's.
func DecodeLogistics(r *Request, m Merchant) (*Logistics, error) {
	if err := r.authenticate(m); err != nil {
		return nil, err
	}
	f := r.fields
	l := &Logistics{MerchantNo: r.MerchantNo}
	for _, s := range []struct {
		field string
		to    *string
		len   int
	}{{"transactionId", &l.TransactionID, 20}, {"carrierNo", &l.CarrierNo, 64}, {"trackingNo", &l.TrackingNo, 64}} {
		var err error
		if *s.to, err = required(f, "", s.field); err != nil {
			return nil, err
		}
		if err := maxLen(*s.to, s.len, s.field); err != nil {
			return nil, err
		}
	}
	at, err := required(f, "", "deliveryTime")
	if err != nil {
		return nil, err
	}
	if l.Delivered, err = gateway.ParseTime(at); err != nil {
		return nil, refuse(CodeInvalid, "deliveryTime", "deliveryTime must be written yyyy-MM-dd HH:mm:ss, got %s", quoted(at))
	}
	return l, nil
}
