package onerway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Onerway's API hosts (onerway-api.md §1).
const (
	SandboxBaseURL    = "https://sandbox-acq.onerway.com"
	ProductionBaseURL = "https://acq.onerway.com"
)

// The gateway's paths. The logistics upload's is not public; this one is
// the simulator's (onerway-api.md §8).
const (
	PathDoTransaction   = "/v1/txn/doTransaction"
	PathList            = "/v1/txn/list"
	PathRefund          = "/v1/txn/onlineRefund"
	PathCancel          = "/v1/txn/cancelTxn"
	PathLogisticsUpload = "/v1/txn/logistics/upload"
)

// RespSuccess is the respCode of an accepted request; it is no proof that a
// payment succeeded.
const RespSuccess = "20000"

// maxResponse bounds how much of an answer the client reads.
const maxResponse = 8 << 20

// Client calls the Onerway gateway as one merchant. It signs every request
// and verifies the sign of every answer Onerway signs (payment answers). It
// is safe for concurrent use.
type Client struct {
	merchantNo string
	secret     string
	baseURL    string
	http       *http.Client
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL sets the gateway's base URL, such as ProductionBaseURL or a
// simulator's address; the default is SandboxBaseURL.
func WithBaseURL(u string) Option {
	return func(c *Client) { c.baseURL = strings.TrimRight(u, "/") }
}

// WithHTTPClient sets the HTTP client the requests go through.
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) {
		if h != nil {
			c.http = h
		}
	}
}

// New returns a client for merchant merchantNo signing with secretKey.
func New(merchantNo, secretKey string, opts ...Option) *Client {
	c := &Client{
		merchantNo: merchantNo,
		secret:     secretKey,
		baseURL:    SandboxBaseURL,
		http:       &http.Client{Timeout: 60 * time.Second},
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Error is an answer whose respCode is not 20000, or that is not Onerway's
// envelope at all (then RespCode is empty and Body holds what came).
type Error struct {
	HTTPStatus int
	RespCode   string
	RespMsg    string
	// Data is the answer's data as sent; a declined payment may carry its
	// transaction there.
	Data json.RawMessage
	Body string
}

func (e *Error) Error() string {
	if e.RespCode != "" {
		return "onerway: " + e.RespCode + " " + e.RespMsg
	}
	body := strings.TrimSpace(e.Body)
	if len(body) > 200 {
		body = body[:200] + "…"
	}
	return "onerway: HTTP " + strconv.Itoa(e.HTTPStatus) + ": " + body
}

// envelope is every answer's shape.
type envelope struct {
	RespCode string          `json:"respCode"`
	RespMsg  string          `json:"respMsg"`
	Data     json.RawMessage `json:"data"`
}

// call signs req, posts it to path and decodes the answer's data into out.
// With signed set the data's sign must verify.
func (c *Client) call(ctx context.Context, path string, req any, signed bool, out any) error {
	body, err := SignRequest(req, c.secret)
	if err != nil {
		return err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("onerway: %w", err)
	}
	// Exactly this: the docs call "application/json; charset=UTF-8" wrong.
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(hr)
	if err != nil {
		return fmt.Errorf("onerway: POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("onerway: POST %s: reading the answer: %w", path, err)
	}
	var env envelope
	if resp.StatusCode != http.StatusOK || json.Unmarshal(answer, &env) != nil || env.RespCode == "" {
		return &Error{HTTPStatus: resp.StatusCode, Body: string(answer)}
	}
	if env.RespCode != RespSuccess {
		return &Error{HTTPStatus: resp.StatusCode, RespCode: env.RespCode, RespMsg: env.RespMsg, Data: env.Data, Body: string(answer)}
	}
	if signed {
		if err := VerifyResponse(answer, c.secret); err != nil {
			return fmt.Errorf("onerway: POST %s: the answer's data: %w", path, err)
		}
	}
	if out == nil || len(env.Data) == 0 {
		return nil
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return fmt.Errorf("onerway: POST %s: decoding the answer: %w", path, err)
	}
	return nil
}

// DoTransaction creates a payment. For Tabby: ProductType LPMS,
// SubProductType DIRECT, TxnType SALE, LpmsInfo {lpmsType: tabby}; the
// answer's sign is verified.
func (c *Client) DoTransaction(ctx context.Context, req PaymentRequest) (*Payment, error) {
	if req.MerchantNo == "" {
		req.MerchantNo = c.merchantNo
	}
	var p Payment
	if err := c.call(ctx, PathDoTransaction, req, true, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// ListTransactions returns a page of the merchant's transactions.
func (c *Client) ListTransactions(ctx context.Context, q ListRequest) (*TransactionPage, error) {
	if q.Current < 1 {
		q.Current = 1
	}
	types := make([]string, len(q.TxnTypes))
	for i, t := range q.TxnTypes {
		types[i] = string(t)
	}
	req := map[string]string{
		"merchantNo":     c.merchantNo,
		"current":        strconv.Itoa(q.Current),
		"merchantTxnIds": strings.Join(q.MerchantTxnIDs, ","),
		"transactionIds": strings.Join(q.TransactionIDs, ","),
		"txnTypes":       strings.Join(types, ","),
		"startTime":      q.StartTime,
		"endTime":        q.EndTime,
	}
	var page TransactionPage
	if err := c.call(ctx, PathList, req, false, &page); err != nil {
		return nil, err
	}
	return &page, nil
}

// Refund applies for a refund (RefundApply) and returns the refund's own
// transactionId; it stays I until Onerway's audit passes and a TXN REFUND
// notification reports the result. With RefundCancel it withdraws a pending
// application and returns "".
func (c *Client) Refund(ctx context.Context, req RefundRequest) (string, error) {
	if req.MerchantNo == "" {
		req.MerchantNo = c.merchantNo
	}
	if req.RefundType == "" {
		return "", errors.New("onerway: a refund needs a RefundType")
	}
	var id *string
	if err := c.call(ctx, PathRefund, req, false, &id); err != nil {
		return "", err
	}
	if id == nil {
		return "", nil
	}
	return *id, nil
}

// CancelTransaction asks Onerway to cancel a payment still processing (5 to
// 30 minutes after it was made); the outcome arrives as a CANCEL
// notification.
func (c *Client) CancelTransaction(ctx context.Context, originTransactionID string) (*Cancellation, error) {
	req := map[string]string{"merchantNo": c.merchantNo, "originTransactionId": originTransactionID}
	var out Cancellation
	if err := c.call(ctx, PathCancel, req, false, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UploadLogistics reports the delivery of a paid physical order, which
// Tabby payments need to settle: within 30 days after delivery.
func (c *Client) UploadLogistics(ctx context.Context, req LogisticsRequest) error {
	if req.MerchantNo == "" {
		req.MerchantNo = c.merchantNo
	}
	return c.call(ctx, PathLogisticsUpload, req, false, nil)
}

// ParseWebhook verifies a notification body with the client's secret key
// and decodes it; see the package function ParseWebhook.
func (c *Client) ParseWebhook(body []byte) (*Webhook, error) {
	return ParseWebhook(body, c.secret)
}
