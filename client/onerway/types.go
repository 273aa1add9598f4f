package onerway

// Status is a transaction's status, TxnStatusEnum (onerway-api.md §9).
type Status string

const (
	StatusSuccess       Status = "S" // final
	StatusFailed        Status = "F" // final; also an audit rejection
	StatusProcessing    Status = "P" // result not known yet
	StatusRedirect      Status = "R" // the customer must be sent to redirectUrl
	StatusCancelled     Status = "N"
	StatusPendingAudit  Status = "I" // a refund awaiting audit, a cancel pending
	StatusAwaitingPayer Status = "U" // checkout and SDK only
)

// NotifyType is a notification's kind, NotifyTypeEnum (onerway-api.md §5).
type NotifyType string

const (
	NotifyTxn         NotifyType = "TXN"          // payments and refunds; TxnType tells them apart
	NotifyRefundAudit NotifyType = "REFUND_AUDIT" // sent only when a refund's audit fails
	NotifyCancel      NotifyType = "CANCEL"
	NotifyChargeback  NotifyType = "CHARGEBACK"
)

// TxnType is a transaction's type, TxnTypeEnum (onerway-api.md §9).
type TxnType string

const (
	TxnSale    TxnType = "SALE"
	TxnRefund  TxnType = "REFUND"
	TxnAuth    TxnType = "AUTH"
	TxnCapture TxnType = "CAPTURE"
	TxnVoid    TxnType = "VOID"
)
