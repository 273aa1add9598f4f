package onerwayapi_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/client/onerway"
	gateway "github.com/tabbysim/tabbysim/simulator/onerway"
	"github.com/tabbysim/tabbysim/simulator/onerway/onerwayapi"
)

func TestList_Answers(t *testing.T) {
	g := startGateway(t)
	ok, missing, invalid := onerwayapi.CodeSuccess, onerwayapi.CodeMissing, onerwayapi.CodeInvalid
	day := func(d int) string { return created.AddDate(0, 0, d).Format(gateway.TimeLayout) }
	g.expect(t, onerway.PathList, []call{
		{name: "by merchantTxnIds", fields: map[string]any{"current": "1", "merchantTxnIds": "order-1,order-2"}, code: ok},
		{name: "by transactionIds", fields: map[string]any{"current": "1", "transactionIds": "1992838164129386401"}, code: ok},
		{name: "by a range with txnTypes", fields: map[string]any{"current": "2", "startTime": day(-90), "endTime": day(0), "txnTypes": "SALE,REFUND"}, code: ok},
		{name: "current 0, size ignored", fields: map[string]any{"current": "0", "size": "100", "merchantTxnIds": "order-1"}, code: ok},
		{name: "the seed's empty fields", fields: map[string]any{"current": "1", "merchantTxnIds": "", "txnTypes": "", "transactionIds": "1"}, code: ok},

		{name: "current missing", fields: map[string]any{"merchantTxnIds": "order-1"}, code: missing, field: "current"},
		{name: "current a word", fields: map[string]any{"current": "first", "merchantTxnIds": "order-1"}, code: invalid, field: "current"},
		{name: "current negative", fields: map[string]any{"current": "-1", "merchantTxnIds": "order-1"}, code: invalid, field: "current"},
		{name: "current an array", fields: map[string]any{"current": json.RawMessage(`[1]`), "merchantTxnIds": "order-1"}, code: onerwayapi.CodeUnreadable, field: "current"},
		{name: "no filter", fields: map[string]any{"current": "1"}, code: missing, field: "merchantTxnIds"},
		{name: "only commas", fields: map[string]any{"current": "1", "merchantTxnIds": " , "}, code: missing, field: "merchantTxnIds"},
		{name: "txnTypes without a range", fields: map[string]any{"current": "1", "merchantTxnIds": "order-1", "txnTypes": "SALE"}, code: missing, field: "startTime"},
		{name: "txnTypes unknown", fields: map[string]any{"current": "1", "startTime": day(-1), "endTime": day(0), "txnTypes": "SALE,PAYOUT"}, code: invalid, field: "txnTypes"},
		{name: "startTime without endTime", fields: map[string]any{"current": "1", "startTime": day(-1)}, code: missing, field: "endTime"},
		{name: "endTime without startTime", fields: map[string]any{"current": "1", "endTime": day(0)}, code: missing, field: "startTime"},
		{name: "startTime a date", fields: map[string]any{"current": "1", "startTime": "2025-11-24", "endTime": day(0)}, code: invalid, field: "startTime"},
		{name: "endTime before startTime", fields: map[string]any{"current": "1", "startTime": day(0), "endTime": day(-1)}, code: invalid, field: "endTime"},
		{name: "a range over 90 days", fields: map[string]any{"current": "1", "startTime": day(-90), "endTime": created.Add(time.Second).Format(gateway.TimeLayout)}, code: invalid, field: "endTime"},
		{name: "no sign", fields: map[string]any{"current": "1", "merchantTxnIds": "order-1", "sign": ""}, code: onerwayapi.CodeBadSign, field: "sign"},
	})
}

// TestList_Query: what a valid request decodes to.
func TestList_Query(t *testing.T) {
	g := startGateway(t)
	c := call{fields: map[string]any{"current": "0", "merchantTxnIds": "a, b,", "transactionIds": "1",
		"txnTypes": "SALE", "startTime": "2025-11-01 00:00:00", "endTime": "2025-11-24 23:59:59"}}
	if r := g.post(t, onerway.PathList, c.body()); r.RespCode != onerwayapi.CodeSuccess {
		t.Fatalf("%s", r.body)
	}
	want := &onerwayapi.ListQuery{
		MerchantNo: merchantNo, Page: 1, Query: gateway.Query{
			MerchantTxnIDs: []string{"a", "b"}, TransactionIDs: []string{"1"}, TxnTypes: []onerway.TxnType{onerway.TxnSale},
			Start: time.Date(2025, 11, 1, 0, 0, 0, 0, gateway.Zone), End: time.Date(2025, 11, 24, 23, 59, 59, 0, gateway.Zone),
		},
	}
	if got := g.lastDecoded(); !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %+v\nwant %+v", got, want)
	}
}

// TestList_Page: the page object of onerway-api.md §7, with its mixed
// types (current a string, the counts numbers) and null for the fields a
// transaction lacks, read by client/onerway.
func TestList_Page(t *testing.T) {
	g := startGateway(t)
	r := g.post(t, onerway.PathList, call{fields: map[string]any{"current": "3", "transactionIds": "1"}}.body())
	var page map[string]json.RawMessage
	if err := json.Unmarshal(r.Data, &page); err != nil {
		t.Fatalf("%s", r.body)
	}
	for member, want := range map[string]string{"current": `"3"`, "size": `10`, "totalPages": `3`, "totalElements": `23`} {
		if got := string(page[member]); got != want {
			t.Errorf("%s is %s, want %s", member, got, want)
		}
	}
	var content []map[string]json.RawMessage
	if err := json.Unmarshal(page["content"], &content); err != nil || len(content) != 3 {
		t.Fatalf("content %s", page["content"])
	}
	if got := string(content[0]["transactionId"]); got != `"1992838164129386420"` {
		t.Errorf("the third page starts with %s", got)
	}
	if got := string(content[0]["reason"]); got != "null" {
		t.Errorf("reason %s, want null", got)
	}

	client := onerway.New(merchantNo, secretKey, onerway.WithBaseURL(g.URL))
	p, err := client.ListTransactions(context.Background(), onerway.ListRequest{MerchantTxnIDs: []string{"order-4", "order-7"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Current != 1 || p.Size != 10 || p.TotalPages != 1 || p.TotalElements != 2 || len(p.Content) != 2 ||
		p.Content[1].MerchantTxnID != "order-7" || p.Content[1].PaymentMethod != "tabby" {
		t.Errorf("page %+v", p)
	}

	past := g.post(t, onerway.PathList, call{fields: map[string]any{"current": "4", "transactionIds": "1"}}.body())
	if err := json.Unmarshal(past.Data, &page); err != nil || string(page["content"]) != "[]" || string(page["totalElements"]) != "23" {
		t.Errorf("a page past the last: %s", past.body)
	}
}
