package onerwayapi_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/client/onerway"
	gateway "github.com/tabbysim/tabbysim/simulator/onerway"
	"github.com/tabbysim/tabbysim/simulator/onerway/onerwayapi"
)

func TestLogistics_Answers(t *testing.T) {
	g := startGateway(t)
	missing, invalid := onerwayapi.CodeMissing, onerwayapi.CodeInvalid
	upload := func(change map[string]any) map[string]any {
		f := map[string]any{"transactionId": "1992838164129386496", "carrierNo": "aramex", "trackingNo": "AWB123456", "deliveryTime": "2025-11-26 09:30:00"}
		for k, v := range change {
			f[k] = v
		}
		return f
	}
	g.expect(t, onerway.PathLogisticsUpload, []call{
		{name: "upload", fields: upload(nil), code: onerwayapi.CodeSuccess},
		{name: "transactionId missing", fields: upload(map[string]any{"transactionId": nil}), code: missing, field: "transactionId"},
		{name: "transactionId too long", fields: upload(map[string]any{"transactionId": strings.Repeat("1", 21)}), code: invalid, field: "transactionId"},
		{name: "carrierNo missing", fields: upload(map[string]any{"carrierNo": ""}), code: missing, field: "carrierNo"},
		{name: "carrierNo too long", fields: upload(map[string]any{"carrierNo": strings.Repeat("c", 65)}), code: invalid, field: "carrierNo"},
		{name: "trackingNo missing", fields: upload(map[string]any{"trackingNo": nil}), code: missing, field: "trackingNo"},
		{name: "deliveryTime missing", fields: upload(map[string]any{"deliveryTime": nil}), code: missing, field: "deliveryTime"},
		{name: "deliveryTime a date", fields: upload(map[string]any{"deliveryTime": "2025-11-26"}), code: invalid, field: "deliveryTime"},
		{name: "deliveryTime ISO 8601", fields: upload(map[string]any{"deliveryTime": "2025-11-26T09:30:00+03:00"}), code: invalid, field: "deliveryTime"},
		{name: "sign under another key", fields: upload(map[string]any{"sign": strings.Repeat("0", 64)}), code: onerwayapi.CodeBadSign, field: "sign"},
	})
}

// TestLogistics_Client: client/onerway's upload is read back, deliveryTime
// in the gateway's zone.
func TestLogistics_Client(t *testing.T) {
	g := startGateway(t)
	c := onerway.New(merchantNo, secretKey, onerway.WithBaseURL(g.URL))
	if err := c.UploadLogistics(context.Background(), onerway.LogisticsRequest{
		TransactionID: "1992838164129386496", CarrierNo: "smsa", TrackingNo: "290012345678", DeliveryTime: "2025-11-26 09:30:00",
	}); err != nil {
		t.Fatal(err)
	}
	want := &onerwayapi.Logistics{MerchantNo: merchantNo, TransactionID: "1992838164129386496", CarrierNo: "smsa",
		TrackingNo: "290012345678", Delivered: time.Date(2025, 11, 26, 1, 30, 0, 0, time.UTC).In(gateway.Zone)}
	if got := g.lastDecoded(); !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %+v\nwant %+v", got, want)
	}
}
