package tabby

import "github.com/tabbysim/tabbysim/simulator/apperr"

// errNoSuchPayment is Tabby's answer for a payment the caller cannot see:
// there is none, or it is another merchant's.
var errNoSuchPayment = apperr.Errorf(apperr.NotFound, "no such payment")

// ErrUnknownMerchantCode is Tabby's answer for a merchant code the
// merchant does not have.
var ErrUnknownMerchantCode = apperr.Errorf(apperr.Unauthorized, "merchant is null")
