package onerwayapi

import (
	"strconv"
	"strings"
	"time"

	"github.com/tabbysim/tabbysim/client/onerway"
	gateway "github.com/tabbysim/tabbysim/simulator/onerway"
)

// PageSize is how many transactions a /v1/txn/list page holds; a size
// field in the request is ignored (onerway-api.md §7).
const PageSize = 10

// MaxListRange is the longest startTime–endTime range /v1/txn/list takes.
const MaxListRange = 90 * 24 * time.Hour

// ListQuery is a valid /v1/txn/list request: the transactions it selects
// and the page it asks for.
type ListQuery struct {
	MerchantNo string
	gateway.Query
	// Page counts from 1; current "0" asks for the first page too.
	Page int
}

// txnTypes are TxnTypeEnum's values (onerway-api.md §9).
var txnTypes = map[string]bool{
	"SALE": true, "REFUND": true, "BIND_CARD": true, "AUTH": true, "PRE_AUTH": true, "CAPTURE": true, "VOID": true,
}

// DecodeList checks a /v1/txn/list request of merchant m: the sign, then
// current, and at least one of merchantTxnIds, transactionIds or a range
// of startTime and endTime at most 90 days long, which txnTypes needs.
// Errors are *Error: CodeBadSign, CodeUnreadable, CodeMissing, CodeInvalid.
func DecodeList(r *Request, m Merchant) (*ListQuery, error) {
	if err := r.authenticate(m); err != nil {
		return nil, err
	}
	f := r.fields
	q := &ListQuery{MerchantNo: r.MerchantNo}
	current, err := required(f, "", "current")
	if err != nil {
		return nil, err
	}
	if q.Page, err = strconv.Atoi(current); err != nil || q.Page < 0 {
		return nil, refuse(CodeInvalid, "current", "current must be a page number from 1, got %s", quoted(current))
	}
	q.Page = max(q.Page, 1)
	for _, l := range []struct {
		field string
		to    *[]string
	}{{"merchantTxnIds", &q.MerchantTxnIDs}, {"transactionIds", &q.TransactionIDs}} {
		if *l.to, err = list(f, l.field); err != nil {
			return nil, err
		}
	}
	types, err := list(f, "txnTypes")
	if err != nil {
		return nil, err
	}
	for _, t := range types {
		if !txnTypes[t] {
			return nil, refuse(CodeInvalid, "txnTypes", "txnTypes: %s is not a txnType (SALE, REFUND, BIND_CARD, AUTH, PRE_AUTH, CAPTURE, VOID)", quoted(t))
		}
		q.TxnTypes = append(q.TxnTypes, onerway.TxnType(t))
	}
	if q.Start, q.End, err = timeRange(f); err != nil {
		return nil, err
	}
	switch {
	case len(q.TxnTypes) > 0 && q.Start.IsZero():
		return nil, refuse(CodeMissing, "startTime", "startTime and endTime are required with txnTypes")
	case q.MerchantTxnIDs == nil && q.TransactionIDs == nil && q.Start.IsZero():
		return nil, refuse(CodeMissing, "merchantTxnIds", "merchantTxnIds, transactionIds, or startTime and endTime are required")
	}
	return q, nil
}

// list reads a comma-separated field; nil when it is empty.
func list(f onerway.Fields, field string) ([]string, error) {
	s, err := text(f, "", field)
	if s == "" || err != nil {
		return nil, err
	}
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out, nil
}

// timeRange reads startTime and endTime: both or neither, in order, at
// most MaxListRange apart.
func timeRange(f onerway.Fields) (start, end time.Time, err error) {
	var at [2]time.Time
	var set [2]bool
	names := [2]string{"startTime", "endTime"}
	for i, field := range names {
		s, err := text(f, "", field)
		if err != nil {
			return start, end, err
		}
		if s == "" {
			continue
		}
		if at[i], err = gateway.ParseTime(s); err != nil {
			return start, end, refuse(CodeInvalid, field, "%s must be written yyyy-MM-dd HH:mm:ss, got %s", field, quoted(s))
		}
		set[i] = true
	}
	switch {
	case set[0] != set[1]:
		missing := names[0]
		if !set[1] {
			missing = names[1]
		}
		return start, end, refuse(CodeMissing, missing, "startTime and endTime go together: %s is required", missing)
	case !set[0]:
		return start, end, nil
	case at[1].Before(at[0]):
		return start, end, refuse(CodeInvalid, "endTime", "endTime is before startTime")
	case at[1].Sub(at[0]) > MaxListRange:
		return start, end, refuse(CodeInvalid, "endTime", "endTime is more than 90 days after startTime")
	}
	return at[0], at[1], nil
}
