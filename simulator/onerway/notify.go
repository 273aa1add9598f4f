package onerway

import (
	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tenant"
	"github.com/tabbysim/tabbysim/simulator/webhook"
)

// Notification is the body of a TXN notification, shaped as seed 001's:
// the fields in its order, paymentMethod and walletTypeName "tabby", the
// reason as a JSON string. Fields Onerway sends as null for Tabby are left
// out; the sign is the last member. A refund's names the payment it
// refunds (originTransactionId, originMerchantTxnId: onerway-api.md §5);
// REFUND_AUDIT and CANCEL notifications have the same shape.
type Notification struct {
	NotifyType          ow.NotifyType `json:"notifyType"`
	TransactionID       string        `json:"transactionId"`
	TxnType             ow.TxnType    `json:"txnType"`
	MerchantNo          string        `json:"merchantNo"`
	MerchantTxnID       string        `json:"merchantTxnId"`
	OriginTransactionID string        `json:"originTransactionId,omitempty"`
	OriginMerchantTxnID string        `json:"originMerchantTxnId,omitempty"`
	ResponseTime        string        `json:"responseTime"`
	TxnTime             string        `json:"txnTime"`
	TxnTimeZone         string        `json:"txnTimeZone"`
	OrderAmount         string        `json:"orderAmount"`
	OrderCurrency       string        `json:"orderCurrency"`
	Status              ow.Status     `json:"status"`
	Reason              string        `json:"reason"`
	PaymentMethod       string        `json:"paymentMethod"`
	WalletTypeName      string        `json:"walletTypeName"`
	ChannelRequestID    string        `json:"channelRequestId"`
}

// PaymentMethod is paymentMethod and walletTypeName of the gateway's Tabby
// transactions.
const PaymentMethod = "tabby"

// NotificationOf is transaction t's notification as it stands: responseTime
// is the time of its latest change.
func NotificationOf(t *Transaction) Notification {
	n := Notification{
		NotifyType: ow.NotifyTxn, TransactionID: t.ID, TxnType: t.TxnType, MerchantNo: t.MerchantNo,
		MerchantTxnID: t.MerchantTxnID, OriginTransactionID: t.OriginTransactionID, ResponseTime: FormatTime(t.UpdatedAt), TxnTime: FormatTime(t.CreatedAt),
		TxnTimeZone: TxnTimeZone, OrderAmount: t.Amount.Format(t.Currency), OrderCurrency: t.Currency,
		Status: t.Status, PaymentMethod: PaymentMethod, WalletTypeName: PaymentMethod, ChannelRequestID: t.ChannelRequestID,
	}
	if t.Reason != nil {
		n.Reason = t.Reason.JSON()
	}
	return n
}

// notify enqueues, in tx, transaction t's notification to url (the
// payment's notifyUrl; a refund's is its payment's).
func (s *Service) notify(tx store.Tx, m *tenant.Merchant, t *Transaction, url string) error {
	return s.send(tx, m, url, NotificationOf(t))
}

// send enqueues, in tx, notification n to url, signed with merchant m's
// secret key (onerway-api.md §2.3): received only when the answer carries
// n's transactionId (WebhookPolicy). Without a url nothing is sent, as
// Onerway sends nothing without one.
func (s *Service) send(tx store.Tx, m *tenant.Merchant, url string, n Notification) error {
	if url == "" {
		return nil
	}
	body, err := ow.SignWebhook(n, m.Onerway.SecretKey)
	if err != nil {
		return err
	}
	return s.Outbox.Enqueue(tx, m, webhook.Delivery{
		Provider: webhookProvider, PaymentID: n.TransactionID, Event: string(n.NotifyType) + " " + string(n.Status),
		URL: url, Body: string(body), AckToken: n.TransactionID,
		Headers: map[string]string{"Content-Type": "application/json", "User-Agent": "tabbysim-webhooks"},
	})
}
