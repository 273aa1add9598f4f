package onerwayapi

// DecodeCancel checks a /v1/txn/cancelTxn request of merchant m, the sign
// and originTransactionId, and returns that transactionId. Errors are
// *Error: CodeBadSign, CodeUnreadable, CodeMissing.
func DecodeCancel(r *Request, m Merchant) (string, error) {
	if err := r.authenticate(m); err != nil {
		return "", err
	}
	return required(r.fields, "", "originTransactionId")
}
