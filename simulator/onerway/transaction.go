package onerway

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/tabbysim/tabbysim/client/money"
	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tabby"
)

// Store kinds.
const (
	// kindTransaction holds a Transaction under its transactionId.
	kindTransaction = "onerway.transaction"
	// kindMerchantTxnID maps a merchant's merchantTxnId to the transaction
	// that used it. Its id is the merchant and the merchantTxnId, so that
	// a second use fails to be created: the merchantTxnIds of payments and
	// refunds alike are unique per merchant.
	kindMerchantTxnID = "onerway.merchant_txn_id"
)

// Transaction is one transaction of the gateway (onerway-api.md §7,
// TxnInfo): a payment (TxnType SALE), or a refund of one (TxnType REFUND),
// a transaction of its own whose OriginTransactionID names the payment.
type Transaction struct {
	// ID is Onerway's transactionId: 19 digits, drawn from the seed.
	ID string `json:"transaction_id"`
	// Merchant is the tenant the transaction belongs to; MerchantNo its
	// Onerway merchant number when the transaction was made.
	Merchant      string     `json:"merchant"`
	MerchantNo    string     `json:"merchant_no"`
	MerchantTxnID string     `json:"merchant_txn_id"`
	TxnType       ow.TxnType `json:"txn_type"`
	// OriginTransactionID is the transaction a refund or a cancellation
	// is about; "" for a payment.
	OriginTransactionID string    `json:"origin_transaction_id,omitempty"`
	Status              ow.Status `json:"status"`
	// Reason says why the transaction is final; nil until it is.
	Reason *Reason `json:"reason"`
	// Amount is orderAmount in Currency's minor units.
	Amount   money.Amount `json:"amount"`
	Currency string       `json:"currency"`
	// Order is what the merchant asked for in doTransaction; nil for
	// transactions that are not payments.
	Order *Order `json:"order,omitempty"`
	// TabbyPaymentID and TabbySessionID are the Tabby payment the gateway
	// made underneath, and its checkout session.
	TabbyPaymentID string `json:"tabby_payment_id,omitempty"`
	TabbySessionID string `json:"tabby_session_id,omitempty"`
	// ChannelRequestID is the gateway's request to the channel (Tabby),
	// as notifications carry it: the merchantNo followed by 19 digits, as
	// in seed 001's notification.
	ChannelRequestID string `json:"channel_request_id,omitempty"`
	// CreatedAt is txnTime; UpdatedAt the time of the latest change,
	// responseTime in notifications. Both on the merchant's clock.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// History is what happened to the transaction, in order.
	History []tabby.HistoryEntry `json:"history"`
}

// Sale is a checked doTransaction request for Tabby (seed 001): the
// payment's own fields and the order. onerwayapi decodes it.
type Sale struct {
	MerchantTxnID string
	// Amount is orderAmount in Currency's minor units.
	Amount   money.Amount
	Currency string
	Order
}

// Order is the merchant's order of a Tabby payment, as doTransaction sent
// it.
type Order struct {
	MerchantCustID string `json:"merchant_cust_id"`
	// MerchantTxnTime and MerchantTxnTimeZone are as sent, "" when not.
	MerchantTxnTime     string `json:"merchant_txn_time,omitempty"`
	MerchantTxnTimeZone string `json:"merchant_txn_time_zone,omitempty"`
	// LpmsType is "tabby" in whatever case the merchant wrote it.
	LpmsType         string `json:"lpms_type"`
	ReturnURL        string `json:"return_url"`
	NotifyURL        string `json:"notify_url"`
	CustomerPlatform string `json:"customer_platform"`
	AppID            string `json:"app_id,omitempty"`
	TransactionIP    string `json:"transaction_ip,omitempty"`
	// Language is txnOrderMsg.language as sent: Arabic ("ar", "ar-SA")
	// makes the cashier and Tabby's page Arabic.
	Language string       `json:"language,omitempty"`
	Products []ow.Product `json:"products"`
	// Goods is physical when any product is physical: the order then needs
	// a logistics upload to settle (seed 001).
	Goods    ow.GoodsType `json:"goods"`
	Billing  ow.Address   `json:"billing"`
	Shipping ow.Address   `json:"shipping"`
}

// Lang is the language of the pages the customer sees: "ar" or "en".
func (o *Order) Lang() string {
	l := strings.ToLower(o.Language)
	if l == "ar" || strings.HasPrefix(l, "ar-") || strings.HasPrefix(l, "ar_") {
		return "ar"
	}
	return "en"
}

// Final reports whether the transaction's status can no longer change: S
// or F (onerway-api.md §9).
func (t *Transaction) Final() bool {
	return t.Status == ow.StatusSuccess || t.Status == ow.StatusFailed
}

// Who changed a transaction, beyond the merchant, the customer and the
// simulator of the Tabby payments' history.
const (
	// ByGateway is the gateway acting on its own, such as capturing the
	// Tabby payment of a successful SALE.
	ByGateway = "gateway"
	// ByTabby is Tabby deciding, such as declining the customer.
	ByTabby = "tabby"
)

func (t *Transaction) record(at time.Time, event, by, detail string) {
	t.UpdatedAt = at
	t.History = append(t.History, tabby.HistoryEntry{At: at, Event: event, By: by, Detail: detail})
}

// finish makes the transaction final with status st and reason r.
func (t *Transaction) finish(at time.Time, st ow.Status, r Reason, by string) {
	t.Status, t.Reason = st, &r
	t.record(at, "status "+string(st), by, r.RespMsg)
}

func transactionDoc(t *Transaction) store.Doc {
	return store.Doc{Kind: kindTransaction, ID: t.ID, Merchant: t.Merchant, Created: t.CreatedAt,
		Index: map[string]string{"status": string(t.Status), "txn_type": string(t.TxnType), "origin": t.OriginTransactionID}}
}

// merchantTxnIDDoc is the document that reserves merchantTxnId for
// merchant: its data is the transactionId that used it.
func merchantTxnIDDoc(merchant, merchantTxnID string, created time.Time) store.Doc {
	return store.Doc{Kind: kindMerchantTxnID, ID: merchant + "/" + merchantTxnID, Merchant: merchant, Created: created}
}

// MerchantReturnURL is where the gateway sends the customer back to the
// merchant: the order's returnUrl, its own query kept, with transactionId,
// status and merchantTxnId added (seed 001). A merchant must not trust
// them: the notification and /v1/txn/list are the proof.
func (t *Transaction) MerchantReturnURL() (string, error) {
	if t.Order == nil {
		return "", fmt.Errorf("onerway: transaction %s has no returnUrl", t.ID)
	}
	u, err := url.Parse(t.Order.ReturnURL)
	if err != nil {
		return "", err
	}
	q := url.Values{"transactionId": {t.ID}, "status": {string(t.Status)}, "merchantTxnId": {t.MerchantTxnID}}.Encode()
	if u.RawQuery != "" {
		q = u.RawQuery + "&" + q
	}
	u.RawQuery = q
	return u.String(), nil
}
