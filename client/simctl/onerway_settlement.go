package simctl

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// OnerwaySettlement is how a successful Onerway payment settles in USD.
// State is "awaiting_logistics" (physical goods, until a valid logistics
// upload), "overdue" (awaiting logistics past LogisticsDueAt),
// "scheduled" (due at SettleAt) or "settled" (see Paid).
type OnerwaySettlement struct {
	TransactionID  string                   `json:"transaction_id"`
	Merchant       string                   `json:"merchant"`
	MerchantTxnID  string                   `json:"merchant_txn_id"`
	Goods          string                   `json:"goods"`
	State          string                   `json:"state"`
	SucceededAt    time.Time                `json:"succeeded_at"`
	LogisticsDueAt *time.Time               `json:"logistics_due_at"`
	Logistics      *OnerwayLogistics        `json:"logistics"`
	SettleAt       *time.Time               `json:"settle_at"`
	Paid           *OnerwaySettlementPayout `json:"paid"`
}

// OnerwayLogistics is the latest valid logistics upload of a payment.
type OnerwayLogistics struct {
	CarrierNo   string    `json:"carrier_no"`
	TrackingNo  string    `json:"tracking_no"`
	DeliveredAt time.Time `json:"delivered_at"`
	UploadedAt  time.Time `json:"uploaded_at"`
	// Uploads counts the valid uploads, each replacing the one before.
	Uploads int `json:"uploads"`
}

// OnerwaySettlementPayout is what a settlement paid: OrderAmount less
// Refunded, in Currency, converted at Rate to Amount in
// SettlementCurrency (USD).
type OnerwaySettlementPayout struct {
	At                 time.Time `json:"at"`
	OrderAmount        string    `json:"order_amount"`
	Refunded           string    `json:"refunded"`
	Currency           string    `json:"currency"`
	Rate               string    `json:"rate"`
	Amount             string    `json:"amount"`
	SettlementCurrency string    `json:"settlement_currency"`
}

// OnerwaySettlement returns the settlement of a successful Onerway payment.
func (c *Client) OnerwaySettlement(ctx context.Context, transactionID string) (*OnerwaySettlement, error) {
	var st OnerwaySettlement
	if err := c.do(ctx, http.MethodGet, "/onerway/transactions/"+url.PathEscape(transactionID)+"/settlement", nil, nil, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// OnerwaySettlements returns a merchant's settlements in state ("" for
// all), newest payment first.
func (c *Client) OnerwaySettlements(ctx context.Context, merchantID, state string) ([]OnerwaySettlement, error) {
	var out struct {
		Settlements []OnerwaySettlement `json:"settlements"`
	}
	q := url.Values{"merchant": {merchantID}}
	if state != "" {
		q.Set("state", state)
	}
	if err := c.do(ctx, http.MethodGet, "/onerway/settlements", q, nil, &out); err != nil {
		return nil, err
	}
	return out.Settlements, nil
}

// AuditRefund ends the audit of an Onerway refund still pending it, with
// result "pass" or "fail", and returns the refund.
func (c *Client) AuditRefund(ctx context.Context, refundID, result string) (*OnerwayTransaction, error) {
	var t OnerwayTransaction
	body := map[string]string{"result": result}
	if err := c.do(ctx, http.MethodPost, "/onerway/transactions/"+url.PathEscape(refundID)+"/audit", nil, body, &t); err != nil {
		return nil, err
	}
	return &t, nil
}
