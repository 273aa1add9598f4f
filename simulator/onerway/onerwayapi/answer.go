package onerwayapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/internal/httpjson"
	gateway "github.com/tabbysim/tabbysim/simulator/onerway"
)

// Answer is every answer's envelope, sent with HTTP 200 whatever the
// respCode (onerway-api.md §3, §10). Data is null on a refusal.
type Answer struct {
	RespCode Code            `json:"respCode"`
	RespMsg  string          `json:"respMsg"`
	Data     json.RawMessage `json:"data"`
}

// Success is an accepted request's answer around data (nil for null).
func Success(data json.RawMessage) Answer {
	return Answer{RespCode: CodeSuccess, RespMsg: CodeSuccess.Title(), Data: data}
}

// Failure is the answer refusing a request with err: an *Error's own code
// and message, CodeSystemError with a generic message for anything else
// (the caller logs those).
func Failure(err error) Answer {
	code := ErrorCode(err)
	msg := code.Title()
	if code != CodeSystemError {
		msg = err.Error()
	}
	return Answer{RespCode: code, RespMsg: msg}
}

// Write sends a with HTTP 200.
func Write(w http.ResponseWriter, a Answer) {
	if err := httpjson.Write(w, http.StatusOK, a, ""); err != nil {
		// Only a Data that is not JSON gets here.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `{"respCode":"`+string(CodeSystemError)+`","respMsg":"`+CodeSystemError.Title()+`","data":null}`+"\n")
	}
}

// Redirect is an accepted Tabby payment waiting for its customer.
type Redirect struct {
	// TransactionID is Onerway's id, 19 digits.
	TransactionID string
	TxnTime       time.Time
	ResponseTime  time.Time
	// OrderAmount is in the currency's minor units.
	OrderAmount   money.Amount
	OrderCurrency string
	// RedirectURL is the cashier page the merchant sends the customer to.
	RedirectURL string
}

// RedirectAnswer is the answer to an accepted doTransaction: status R,
// actionType RedirectURL, times in gateway.TxnTimeZone, the fields it does not
// use null as in Onerway's answers, and data signed with the merchant's
// secret key (onerway-api.md §2.2; actionType is left out of the sign).
func RedirectAnswer(p Redirect, secret string) (Answer, error) {
	data, err := paymentData(onerway.Payment{
		TransactionID: p.TransactionID,
		ResponseTime:  gateway.FormatTime(p.ResponseTime),
		TxnTime:       gateway.FormatTime(p.TxnTime),
		TxnTimeZone:   gateway.TxnTimeZone,
		OrderAmount:   formatAmount(p.OrderAmount, p.OrderCurrency),
		OrderCurrency: p.OrderCurrency,
		Status:        onerway.StatusRedirect,
		RedirectURL:   p.RedirectURL,
		ActionType:    onerway.ActionRedirect,
	}, secret)
	if err != nil {
		return Answer{}, err
	}
	return Success(data), nil
}

// Decline is a doTransaction whose payment failed at once.
type Decline struct {
	TransactionID string
	TxnTime       time.Time
	ResponseTime  time.Time
	// OrderAmount is in the currency's minor units.
	OrderAmount   money.Amount
	OrderCurrency string
	// Reason is why it failed; its respCode and respMsg are the answer's.
	Reason gateway.Reason
}

// DeclineAnswer is the answer to a doTransaction that failed at once, a
// business decline (onerway-api.md §4.3): the reason's respCode and
// respMsg, and the transaction's data, status F with no redirectUrl and no
// actionType, signed as an accepted payment's.
func DeclineAnswer(d Decline, secret string) (Answer, error) {
	data, err := paymentData(onerway.Payment{
		TransactionID: d.TransactionID,
		ResponseTime:  gateway.FormatTime(d.ResponseTime),
		TxnTime:       gateway.FormatTime(d.TxnTime),
		TxnTimeZone:   gateway.TxnTimeZone,
		OrderAmount:   formatAmount(d.OrderAmount, d.OrderCurrency),
		OrderCurrency: d.OrderCurrency,
		Status:        onerway.StatusFailed,
	}, secret)
	if err != nil {
		return Answer{}, err
	}
	return Answer{RespCode: Code(d.Reason.RespCode), RespMsg: d.Reason.RespMsg, Data: data}, nil
}

// paymentData is a payment's data, signed, with null for the fields it
// has no value for.
func paymentData(p onerway.Payment, secret string) (json.RawMessage, error) {
	data, err := onerway.SignResponseData(p, secret)
	if err != nil {
		return nil, err
	}
	return emptyAsNull(data)
}

// txnInfo is a transaction as /v1/txn/list shows it, TxnInfo
// (onerway-api.md §7).
func txnInfo(t *gateway.Transaction) onerway.Transaction {
	info := onerway.Transaction{
		TransactionID: t.ID, MerchantTxnID: t.MerchantTxnID, TxnTime: gateway.FormatTime(t.CreatedAt),
		OriginTransactionID: t.OriginTransactionID, ProductType: onerway.ProductLPMS, SubProductType: onerway.SubProductDirect,
		TxnType: t.TxnType, Status: t.Status, PaymentMethod: gateway.PaymentMethod, WalletTypeName: gateway.PaymentMethod,
		OrderAmount: formatAmount(t.Amount, t.Currency), OrderCurrency: t.Currency,
	}
	if t.Reason != nil {
		info.Reason = t.Reason.JSON()
	}
	if o := t.Order; o != nil {
		info.AppID, info.Website, info.Email = o.AppID, o.CustomerPlatform, o.Billing.Email
	}
	return info
}

// page is the data of a /v1/txn/list answer, with Onerway's mixed types:
// current a string, the counts numbers (onerway-api.md §7).
type page struct {
	Content       []json.RawMessage `json:"content"`
	Current       string            `json:"current"`
	Size          int               `json:"size"`
	TotalPages    int               `json:"totalPages"`
	TotalElements int               `json:"totalElements"`
}

// PageAnswer is the answer to a /v1/txn/list request: page number current
// (from 1) of all the transactions that matched, PageSize a page, unused
// fields null. A page past the last is empty. List answers carry no sign.
func PageAnswer(matched []onerway.Transaction, current int) (Answer, error) {
	p := page{
		Content:       []json.RawMessage{},
		Current:       fmt.Sprint(current),
		Size:          PageSize,
		TotalPages:    (len(matched) + PageSize - 1) / PageSize,
		TotalElements: len(matched),
	}
	from := (current - 1) * PageSize
	for i := max(from, 0); i < len(matched) && i < from+PageSize; i++ {
		raw, err := json.Marshal(matched[i])
		if err != nil {
			return Answer{}, err
		}
		if raw, err = emptyAsNull(raw); err != nil {
			return Answer{}, err
		}
		p.Content = append(p.Content, raw)
	}
	data, err := json.Marshal(p)
	if err != nil {
		return Answer{}, err
	}
	return Success(data), nil
}

// RefundAnswer is the answer to an /v1/txn/onlineRefund request: data is
// the refund's transactionId as a plain string when applying, null when
// withdrawing an application (refundTransactionID "").
func RefundAnswer(refundTransactionID string) Answer {
	if refundTransactionID == "" {
		return Success(nil)
	}
	return Success(json.RawMessage(quoted(refundTransactionID)))
}

// CancelAnswer is the answer to a /v1/txn/cancelTxn request: the
// transaction and its status (I while the cancellation is pending).
func CancelAnswer(c onerway.Cancellation) Answer {
	data, _ := json.Marshal(c) // two strings always encode
	return Success(data)
}

// emptyAsNull rewrites the "" members of a JSON object as null, keeping
// their order: Onerway answers a field it has no value for with null.
// Signs are unchanged, as neither "" nor null is signed.
func emptyAsNull(obj []byte) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if string(v) == `""` {
			v = json.RawMessage("null")
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.WriteString(quoted(tok.(string)))
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
