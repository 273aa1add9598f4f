package tabby

import "strings"

// Tabby's sandbox test buyers (tabby-api.md §8).
const (
	EmailSuccess       = "otp.success@tabby.ai"
	EmailCardSuccess   = "card.success@tabby.ai"
	EmailRejected      = "otp.rejected@tabby.ai"
	EmailIDSuccess     = "id.success@tabby.ai"
	OTPCode            = "8888"
	RejectNotAvailable = "not_available"
	RejectTooHigh      = "order_amount_too_high"
	RejectTooLow       = "order_amount_too_low"
)

// phoneDigits keeps the digits of a phone number.
func phoneDigits(phone string) string {
	var b strings.Builder
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// nationalNumber strips the international prefix, a UAE, KSA or Kuwait
// country code and a trunk 0, so that 500000002, 0500000002, +971500000002
// and 971500000002 are one number.
func nationalNumber(phone string) string {
	d := strings.TrimPrefix(phoneDigits(phone), "00")
	for _, cc := range []string{"971", "966", "965"} {
		if rest, ok := strings.CutPrefix(d, cc); ok && len(rest) >= 8 {
			d = rest
			break
		}
	}
	return strings.TrimPrefix(d, "0")
}

// prescoringRejects reports whether Tabby's sandbox rejects this buyer at
// pre-scoring: the "…0002" test phones of the UAE, KSA and Kuwait.
func prescoringRejects(b *Buyer) bool {
	switch nationalNumber(b.Phone) {
	case "500000002", "90000002":
		return true
	}
	return false
}

// rejectedAfterOTP reports whether the buyer is declined on the hosted page.
func rejectedAfterOTP(b *Buyer) bool {
	return strings.EqualFold(strings.TrimSpace(b.Email), EmailRejected)
}
