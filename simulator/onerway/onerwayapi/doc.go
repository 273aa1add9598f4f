// Package onerwayapi is the wire layer of the simulated Onerway gateway:
// it reads and validates the signed requests of /v1/txn/doTransaction (for
// Tabby), /v1/txn/list, /v1/txn/onlineRefund, /v1/txn/cancelTxn and the
// logistics upload, and builds the answers, always HTTP 200 with
// {respCode, respMsg, data} (onerway-api.md §3, §10). Signing is
// client/onerway's, the one implementation both sides use. Its Decode
// functions know no merchant store and no clock: the caller resolves
// merchants and decides what needs state (a reused merchantTxnId, a refund
// beyond what is left, a delivery in the future).
//
// API serves doTransaction and list for the gateway's domain (package
// simulator/onerway) as a surface under /v1, its operations named
// onerway.do_transaction and onerway.list, each request's merchant told by
// Identify from the merchantNo of its body.
//
// API.handle runs every request through the package like this; another
// endpoint is one more function it calls, named in API.Register:
//
//	req, err := onerwayapi.ReadRequest(r) // the body and its merchantNo
//	if err != nil {
//		onerwayapi.Write(w, onerwayapi.Failure(err))
//		return
//	}
//	// resolve req.MerchantNo; when nothing has it:
//	// onerwayapi.Write(w, onerwayapi.Failure(onerwayapi.UnknownMerchant(req.MerchantNo)))
//	t, err := onerwayapi.DecodeTransaction(req, onerwayapi.Merchant{SecretKey: key, Limits: limits})
//	// journal req.Warnings; on err answer Failure(err); else create the
//	// payment and answer RedirectAnswer.
//
// Each Decode function checks the sign first, then every field, and
// returns an *Error whose respMsg names the field; Failure answers any
// other error as a system exception, which the caller logs.
package onerwayapi
