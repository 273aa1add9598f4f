package onerway

import (
	"encoding/json"
	"fmt"
)

// Webhook is a notification Onerway posts to the notifyUrl
// (onerway-api.md §5). Null fields read as "". Acknowledge it with HTTP 200
// and a body that is only TransactionID; deduplicate on TransactionID, as
// deliveries repeat.
type Webhook struct {
	NotifyType    NotifyType `json:"notifyType"`
	TxnType       TxnType    `json:"txnType"`
	TransactionID string     `json:"transactionId"`
	MerchantTxnID string     `json:"merchantTxnId"`
	MerchantNo    string     `json:"merchantNo"`
	ResponseTime  string     `json:"responseTime"`
	TxnTime       string     `json:"txnTime"`
	TxnTimeZone   string     `json:"txnTimeZone"`
	OrderAmount   string     `json:"orderAmount"`
	OrderCurrency string     `json:"orderCurrency"`
	TxnAmount     string     `json:"txnAmount"`
	TxnCurrency   string     `json:"txnCurrency"`
	SettleRate    string     `json:"settleRate"`
	Status        Status     `json:"status"`
	// Reason is a JSON string such as {"respCode":"20000","respMsg":"Success"}.
	Reason           string `json:"reason"`
	ContractID       string `json:"contractId"`
	TokenID          string `json:"tokenId"`
	ECI              string `json:"eci"`
	ChannelRequestID string `json:"channelRequestId"`
	PaymentID        string `json:"paymentId"`
	PaymentStatus    string `json:"paymentStatus"`
	CardBinCountry   string `json:"cardBinCountry"`

	// Not signed (onerway-api.md §2.3).
	OriginTransactionID        string `json:"originTransactionId"`
	OriginMerchantTxnID        string `json:"originMerchantTxnId"`
	CustomsDeclarationAmount   string `json:"customsDeclarationAmount"`
	CustomsDeclarationCurrency string `json:"customsDeclarationCurrency"`
	PaymentMethod              string `json:"paymentMethod"`
	WalletTypeName             string `json:"walletTypeName"`
	PeriodValue                string `json:"periodValue"`
	TokenExpireTime            string `json:"tokenExpireTime"`
	Sign                       string `json:"sign"`
}

// SignWebhook encodes a notification (a struct or a map) and returns the
// body with its sign. As in requests, object and array values become JSON
// strings, inside out; every field but the nine unsigned ones is signed.
func SignWebhook(v any, secret string) ([]byte, error) {
	return signObject(v, KindWebhook, secret, wireValue)
}

// VerifyWebhook checks the sign of a notification body as received. It
// returns ErrMalformed, ErrNoSecret, ErrNoSignature or ErrInvalidSignature,
// or nil.
func VerifyWebhook(body []byte, secret string) error {
	f, err := ParseFields(body)
	if err != nil {
		return err
	}
	return f.Verify(KindWebhook, secret)
}

// ParseWebhook verifies a notification body and decodes it. A body whose
// sign does not verify is never decoded.
func ParseWebhook(body []byte, secret string) (*Webhook, error) {
	if err := VerifyWebhook(body, secret); err != nil {
		return nil, err
	}
	var w Webhook
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return &w, nil
}

// SignedWebhook is a signed notification body with exactly the given
// fields, for a merchant's own tests of its webhook handler:
//
//	body := onerway.SignedWebhook(map[string]string{
//		"notifyType": "TXN", "txnType": "SALE", "status": "S",
//		"transactionId": "1992838164129386496", "merchantTxnId": "order-1",
//	}, secret)
func SignedWebhook(fields map[string]string, secret string) []byte {
	body, err := SignWebhook(fields, secret)
	if err != nil {
		panic(err) // strings always encode as a JSON object
	}
	return body
}
