package onerway

import (
	"time"

	ow "github.com/tabbysim/tabbysim/client/onerway"
)

// Query selects a merchant's transactions for /v1/txn/list. The filters
// that are set all apply; at least one of MerchantTxnIDs, TransactionIDs
// or a time range is set.
type Query struct {
	MerchantTxnIDs []string
	TransactionIDs []string
	TxnTypes       []ow.TxnType
	// Start and End bound txnTime, both included; zero when there is no
	// range.
	Start, End time.Time
}
