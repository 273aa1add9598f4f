package onerway

import (
	"encoding/json"

	ow "github.com/tabbysim/tabbysim/client/onerway"
)

// Reason is a final transaction's reason: a respCode and a respMsg, which
// notifications and lists carry as a JSON string such as
// {"respCode":"20000","respMsg":"Success"} (onerway-api.md §5).
type Reason struct {
	RespCode string `json:"respCode"`
	RespMsg  string `json:"respMsg"`
}

// JSON is the reason as the JSON string notifications carry.
func (r Reason) JSON() string {
	b, _ := json.Marshal(r) // two strings always encode
	return string(b)
}

// Outcome is a kind of final result: its respCode and the title every
// respMsg with that code starts with. The gateway's table of respCodes
// (onerwayapi, the README) lists them; Onerway publishes none for these
// cases but 20000, so the 7000x codes are tabbysim's (70002 is Onerway's
// "Unknown decline", which the gateway never gives).
type Outcome struct {
	Code  string
	Title string
}

// The outcomes of a Tabby payment through the gateway.
var (
	// Succeeded: Tabby authorized the payment.
	Succeeded = Outcome{ow.RespSuccess, "Success"}
	// Declined: Tabby rejected the customer, at pre-scoring or after the
	// OTP on its page.
	Declined = Outcome{"70001", "Declined by the payment method"}
	// CancelledByCustomer: the customer cancelled on Tabby's page.
	CancelledByCustomer = Outcome{"70003", "Cancelled by the customer"}
	// TimedOut: the customer did not finish the payment in time (Tabby's
	// session, then the payment, expired: 20 + 5 minutes by default).
	TimedOut = Outcome{"70004", "Payment timeout"}
)

// Outcomes lists every outcome, success first: those of payments, then
// those of refunds and cancellations.
func Outcomes() []Outcome {
	return []Outcome{Succeeded, Declined, CancelledByCustomer, TimedOut, AuditRejected, RefundWithdrawn, CancelledByMerchant}
}

// Reason is the outcome's reason; a detail, when given, follows the title.
func (o Outcome) Reason(detail string) Reason {
	msg := o.Title
	if detail != "" {
		msg += ": " + detail
	}
	return Reason{RespCode: o.Code, RespMsg: msg}
}
