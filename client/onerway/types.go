package onerway

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

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

// ProductType is a payment's product category, ProductTypeEnum.
type ProductType string

// ProductLPMS is the category of local payment methods such as Tabby.
const ProductLPMS ProductType = "LPMS"

// SubProductType is how the product is processed, SubProductTypeEnum.
type SubProductType string

// SubProductDirect is a one-off payment, the only kind Tabby takes.
const SubProductDirect SubProductType = "DIRECT"

// ActionType says what a payment response asks the merchant to do,
// ActionTypeEnum.
type ActionType string

const (
	ActionRedirect    ActionType = "RedirectURL" // send the customer to RedirectURL
	ActionQrCode      ActionType = "QrCode"
	ActionShowContext ActionType = "ShowContext"
)

// GoodsType is a product's type; for Tabby it decides settlement: physical
// goods settle after a logistics upload, virtual goods after success
// (seed 001).
type GoodsType string

const (
	GoodsPhysical GoodsType = "physical"
	GoodsVirtual  GoodsType = "virtual"
)

// LpmsTabby is Tabby's lpmsType.
const LpmsTabby = "tabby"

// PaymentRequest is the body of /v1/txn/doTransaction (onerway-api.md §4).
// The nested values are sent as the JSON strings Onerway expects (see
// SignRequest). The client fills MerchantNo when it is empty.
type PaymentRequest struct {
	MerchantNo          string         `json:"merchantNo"`
	MerchantTxnID       string         `json:"merchantTxnId"`
	MerchantTxnTime     string         `json:"merchantTxnTime,omitempty"`     // yyyy-MM-dd HH:mm:ss
	MerchantTxnTimeZone string         `json:"merchantTxnTimeZone,omitempty"` // such as +03:00
	MerchantCustID      string         `json:"merchantCustId,omitempty"`
	ProductType         ProductType    `json:"productType"`
	SubProductType      SubProductType `json:"subProductType"`
	TxnType             TxnType        `json:"txnType"`
	OrderAmount         string         `json:"orderAmount"` // major units, such as "250.00"
	OrderCurrency       string         `json:"orderCurrency"`
	TxnOrderMsg         TxnOrderMsg    `json:"txnOrderMsg"`
	BillingInformation  Address        `json:"billingInformation"`
	ShippingInformation *Address       `json:"shippingInformation,omitempty"`
	LpmsInfo            *LpmsInfo      `json:"lpmsInfo,omitempty"`
}

// TxnOrderMsg is the order's business information.
type TxnOrderMsg struct {
	ReturnURL        string    `json:"returnUrl"`
	NotifyURL        string    `json:"notifyUrl,omitempty"`
	AppID            string    `json:"appId,omitempty"`
	CustomerPlatform string    `json:"customerPlatform,omitempty"`
	TransactionIP    string    `json:"transactionIp,omitempty"`
	Products         []Product `json:"products"`
}

// Product is one line of the order.
type Product struct {
	Name             string    `json:"name"`
	Price            string    `json:"price"`
	Num              string    `json:"num"`
	Currency         string    `json:"currency"`
	Type             GoodsType `json:"type,omitempty"`
	ProductAvatarURL string    `json:"productAvatarUrl,omitempty"` // https, required by Tabby
}

// Address is billing or shipping information, TransactionAddress.
type Address struct {
	FirstName  string `json:"firstName,omitempty"`
	LastName   string `json:"lastName,omitempty"`
	Email      string `json:"email,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Country    string `json:"country,omitempty"` // ISO 3166-1 alpha-2
	Province   string `json:"province,omitempty"`
	City       string `json:"city,omitempty"`
	Address    string `json:"address,omitempty"`
	Street     string `json:"street,omitempty"`
	Number     string `json:"number,omitempty"`
	PostalCode string `json:"postalCode,omitempty"`
}

// LpmsInfo names the local payment method.
type LpmsInfo struct {
	LpmsType string `json:"lpmsType"`
}

// Payment is the data of a doTransaction answer, signed (onerway-api.md
// §4.3). For Tabby, Status is R and ActionType RedirectURL: send the
// customer to RedirectURL, then wait for the webhook or query the list;
// the answer is no proof of payment.
type Payment struct {
	TransactionID         string          `json:"transactionId"`
	ResponseTime          string          `json:"responseTime"`
	TxnTime               string          `json:"txnTime"`
	TxnTimeZone           string          `json:"txnTimeZone"`
	OrderAmount           string          `json:"orderAmount"`
	OrderCurrency         string          `json:"orderCurrency"`
	TxnAmount             string          `json:"txnAmount"`
	TxnCurrency           string          `json:"txnCurrency"`
	Status                Status          `json:"status"`
	RedirectURL           string          `json:"redirectUrl"`
	ContractID            string          `json:"contractId"`
	TokenID               string          `json:"tokenId"`
	ECI                   string          `json:"eci"`
	PeriodValue           string          `json:"periodValue"`
	CodeForm              json.RawMessage `json:"codeForm"` // an object; not signed
	PresentContext        string          `json:"presentContext"`
	ActionType            ActionType      `json:"actionType"` // not signed
	SubscriptionManageURL string          `json:"subscriptionManageUrl"`
	Sign                  string          `json:"sign"`
}

// ListRequest selects transactions for /v1/txn/list: by merchant ids, by
// transaction ids, or by a time range at most 90 days long (required with
// TxnTypes).
type ListRequest struct {
	MerchantTxnIDs []string
	TransactionIDs []string
	TxnTypes       []TxnType
	StartTime      string // yyyy-MM-dd HH:mm:ss
	EndTime        string
	Current        int // the page, from 1; 0 asks for the first
}

// TransactionPage is the data of a /v1/txn/list answer: 10 transactions a
// page. Onerway sends current as a string and the counts as numbers; Int
// reads both.
type TransactionPage struct {
	Content       []Transaction `json:"content"`
	Current       Int           `json:"current"`
	Size          Int           `json:"size"`
	TotalPages    Int           `json:"totalPages"`
	TotalElements Int           `json:"totalElements"`
}

// Transaction is one entry of a list, TxnInfo (onerway-api.md §7).
type Transaction struct {
	TransactionID       string         `json:"transactionId"`
	MerchantTxnID       string         `json:"merchantTxnId"`
	TxnTime             string         `json:"txnTime"`
	OriginTransactionID string         `json:"originTransactionId"`
	ProductType         ProductType    `json:"productType"`
	SubProductType      SubProductType `json:"subProductType"`
	TxnType             TxnType        `json:"txnType"`
	Status              Status         `json:"status"`
	Reason              string         `json:"reason"` // a JSON string
	PaymentMethod       string         `json:"paymentMethod"`
	WalletTypeName      string         `json:"walletTypeName"`
	OrderAmount         string         `json:"orderAmount"`
	OrderCurrency       string         `json:"orderCurrency"`
	TxnAmount           string         `json:"txnAmount"`
	TxnCurrency         string         `json:"txnCurrency"`
	SettleRate          string         `json:"settleRate"`
	AppID               string         `json:"appId"`
	Website             string         `json:"website"`
	Email               string         `json:"email"`
	PaymentID           string         `json:"paymentId"`
}

// Int is a count Onerway sends as a JSON number or as a string of digits.
type Int int

// UnmarshalJSON reads 10, "10" and null (as 0).
func (n *Int) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		*n = 0
		return nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("onerway: %s is not a count", b)
	}
	*n = Int(v)
	return nil
}

// RefundType says whether a refund request applies for a refund or cancels
// a pending application.
type RefundType string

const (
	RefundApply  RefundType = "0"
	RefundCancel RefundType = "1"
)

// RefundRequest is the body of /v1/txn/onlineRefund (onerway-api.md §6).
// OriginTransactionID is the payment's transactionId when applying, the
// refund's when cancelling.
type RefundRequest struct {
	MerchantNo          string     `json:"merchantNo"`
	RefundType          RefundType `json:"refundType"`
	MerchantTxnID       string     `json:"merchantTxnId"`
	OriginTransactionID string     `json:"originTransactionId"`
	RefundAmount        string     `json:"refundAmount,omitempty"` // in the order's currency
}

// Cancellation is the data of a /v1/txn/cancelTxn answer; the result
// arrives later as a CANCEL notification.
type Cancellation struct {
	TransactionID string `json:"transactionId"`
	Status        Status `json:"status"`
}

// LogisticsRequest is the body of the logistics upload, which triggers
// settlement of Tabby's physical goods (onerway-api.md §8). DeliveryTime is
// when the package was signed for, yyyy-MM-dd HH:mm:ss.
type LogisticsRequest struct {
	MerchantNo    string `json:"merchantNo"`
	TransactionID string `json:"transactionId"`
	CarrierNo     string `json:"carrierNo"`
	TrackingNo    string `json:"trackingNo"`
	DeliveryTime  string `json:"deliveryTime"`
}
