package simctl

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// OnerwayReason is why an Onerway transaction is final: a respCode and a
// respMsg, such as 20000 Success or 70003 Cancelled by the customer.
type OnerwayReason struct {
	RespCode string `json:"respCode"`
	RespMsg  string `json:"respMsg"`
}

// OnerwayOrder is what the merchant asked for in doTransaction.
type OnerwayOrder struct {
	MerchantCustID   string `json:"merchant_cust_id"`
	ReturnURL        string `json:"return_url"`
	NotifyURL        string `json:"notify_url"`
	CustomerPlatform string `json:"customer_platform"`
	Language         string `json:"language"`
	// Goods is "physical" or "virtual".
	Goods string `json:"goods"`
}

// OnerwayTransaction is a transaction of the Onerway gateway with its
// history and the Tabby payment underneath. Status is Onerway's: "R" while
// the customer pays, then "S" or "F" with a Reason.
type OnerwayTransaction struct {
	TransactionID       string         `json:"transaction_id"`
	Merchant            string         `json:"merchant"`
	MerchantNo          string         `json:"merchant_no"`
	MerchantTxnID       string         `json:"merchant_txn_id"`
	TxnType             string         `json:"txn_type"`
	OriginTransactionID string         `json:"origin_transaction_id"`
	Status              string         `json:"status"`
	Reason              *OnerwayReason `json:"reason"`
	Amount              string         `json:"amount"`
	Currency            string         `json:"currency"`
	Order               *OnerwayOrder  `json:"order"`
	TabbyPaymentID      string         `json:"tabby_payment_id"`
	TabbySessionID      string         `json:"tabby_session_id"`
	ChannelRequestID    string         `json:"channel_request_id"`
	CreatedAt           time.Time      `json:"created_at"`
	UpdatedAt           time.Time      `json:"updated_at"`
	History             []HistoryEntry `json:"history"`
}

// OnerwayTransaction returns any merchant's Onerway transaction.
func (c *Client) OnerwayTransaction(ctx context.Context, transactionID string) (*OnerwayTransaction, error) {
	var t OnerwayTransaction
	if err := c.do(ctx, http.MethodGet, "/onerway/transactions/"+url.PathEscape(transactionID), nil, nil, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// OnerwayTransactions returns every Onerway transaction of a merchant,
// newest first.
func (c *Client) OnerwayTransactions(ctx context.Context, merchantID string) ([]OnerwayTransaction, error) {
	var out struct {
		Transactions []OnerwayTransaction `json:"transactions"`
	}
	// limit=0 asks for all of them.
	q := url.Values{"merchant": {merchantID}, "limit": {"0"}}
	if err := c.do(ctx, http.MethodGet, "/onerway/transactions", q, nil, &out); err != nil {
		return nil, err
	}
	return out.Transactions, nil
}
