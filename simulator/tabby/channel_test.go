package tabby_test

// Payments a gateway creates for its transactions, as the Onerway gateway
// does: inside its own store transaction, through CreateSessionTx.

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tabby"
)

const gatewayTxn = "1919652333131005952"

func checkoutRequest(amount, currency, code string) *tabby.CheckoutRequest {
	return &tabby.CheckoutRequest{MerchantCode: code, Payment: &tabby.PaymentRequest{Amount: amount, Currency: currency,
		Buyer: &tabby.Buyer{Name: "Sara", Email: "otp.success@tabby.ai", Phone: "500000001"}}}
}

// gatewaySession creates a session for the default merchant inside a store
// update that ends with fail (nil commits it), as a gateway recording its
// own transaction would.
func (e *observerEnv) gatewaySession(req *tabby.CheckoutRequest, ch tabby.Channel, fail error) (*tabby.Payment, error) {
	e.t.Helper()
	ctx := context.Background()
	m, err := e.sim.DefaultMerchant(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	var p *tabby.Payment
	err = e.sim.Store.Update(ctx, func(tx store.Tx) error {
		var err error
		if p, err = e.sim.Tabby.CreateSessionTx(ctx, tx, m, req, true, ch); err != nil {
			return err
		}
		return fail
	})
	return p, err
}

// TestChannel_GatewayPaymentGetsNoTabbyWebhook: Tabby tells the gateway of
// its payment's events (through its observer) and sends the merchant no
// webhook of its own, not even on demand; the control API shows where the
// payment came from.
func TestChannel_GatewayPaymentGetsNoTabbyWebhook(t *testing.T) {
	e := newObserverEnv(t)
	p, err := e.gatewaySession(checkoutRequest("100.00", "AED", "ae"), tabby.ThroughOnerway(gatewayTxn), nil)
	if err != nil {
		t.Fatal(err)
	}
	direct := e.checkout("100.00")
	for _, id := range []string{p.ID, direct} {
		e.want(http.StatusOK, http.MethodPost, "/_sim/v1/payments/"+id+"/customer", map[string]any{"action": "approve"})
		e.want(http.StatusAccepted, http.MethodPost, "/_sim/v1/payments/"+id+"/webhooks", map[string]any{"event": "authorize"})
	}

	if got := e.deliveries(p.ID); len(got) != 0 {
		t.Errorf("Tabby webhooks %v for a payment through the gateway", got)
	}
	if got := e.seenBy(e.first, p.ID); !slices.Equal(got, []seen{{tabby.EventAuthorize, tabby.Authorized}}) {
		t.Errorf("the gateway's observer saw %v, want the authorization", got)
	}
	if got := e.deliveries(direct); !slices.Equal(got, []string{"authorize", "authorize"}) {
		t.Errorf("Tabby webhooks %v for a direct payment, want its authorization and the one on demand", got)
	}
	r := e.want(http.StatusOK, http.MethodGet, "/_sim/v1/payments/"+p.ID, nil)
	if via, txn := r.Get("channel.via").String(), r.Get("channel.transaction_id").String(); via != "onerway" || txn != gatewayTxn {
		t.Errorf("channel %s, want onerway with transaction %s", r.Get("channel").Raw, gatewayTxn)
	}
	if via := e.want(http.StatusOK, http.MethodGet, "/_sim/v1/payments/"+direct, nil).Get("channel.via").String(); via != "direct" {
		t.Errorf("a direct payment's channel is %q", via)
	}
}

// TestChannel_SessionInAFailedTransactionLeavesNothing: when the gateway's
// transaction fails after the Tabby session was created in it, neither the
// payment nor its session nor its expiry timer is left.
func TestChannel_SessionInAFailedTransactionLeavesNothing(t *testing.T) {
	e := newObserverEnv(t)
	refused := errors.New("the gateway could not record its transaction")
	p, err := e.gatewaySession(checkoutRequest("100.00", "AED", "ae"), tabby.ThroughOnerway(gatewayTxn), refused)
	if !errors.Is(err, refused) {
		t.Fatalf("the outer transaction's error was lost: %v", err)
	}
	e.want(http.StatusNotFound, http.MethodGet, "/api/v2/payments/"+p.ID, nil)
	e.want(http.StatusNotFound, http.MethodGet, "/api/v2/checkout/"+p.SessionID, nil)
	if n := e.want(http.StatusOK, http.MethodGet, "/_sim/v1/payments?merchant=default", nil).Get("total_count").Int(); n != 0 {
		t.Errorf("%d payments stored", n)
	}
	if pending := e.sim.Clocks.Pending(simulator.DefaultMerchantID); len(pending) != 0 {
		t.Errorf("timers left: %v", pending)
	}

	// The same session in a transaction that commits is all there.
	p, err = e.gatewaySession(checkoutRequest("100.00", "AED", "ae"), tabby.ThroughOnerway(gatewayTxn), nil)
	if err != nil {
		t.Fatal(err)
	}
	e.want(http.StatusOK, http.MethodGet, "/api/v2/payments/"+p.ID, nil)
	e.want(http.StatusOK, http.MethodGet, "/api/v2/checkout/"+p.SessionID, nil)
	if pending := e.sim.Clocks.Pending(simulator.DefaultMerchantID); len(pending) != 1 {
		t.Errorf("timers pending %v, want the expiry", pending)
	}
}

// TestChannel_Limits: pre-scoring bounds a payment by the limits of the way
// it came: Tabby's own (10.00 SAR and up by default) or those of Onerway's
// Tabby method (0.10 to 10,000.00 SAR, seed 001).
func TestChannel_Limits(t *testing.T) {
	e := newObserverEnv(t)
	for _, tc := range []struct {
		amount string
		ch     tabby.Channel
		reason string
	}{
		{"5.00", tabby.Direct, tabby.RejectTooLow},
		{"10.00", tabby.Direct, ""},
		{"20000.00", tabby.Direct, ""},
		{"0.09", tabby.ThroughOnerway(gatewayTxn), tabby.RejectTooLow},
		{"0.10", tabby.ThroughOnerway(gatewayTxn), ""},
		{"5.00", tabby.ThroughOnerway(gatewayTxn), ""},
		{"10000.00", tabby.ThroughOnerway(gatewayTxn), ""},
		{"10000.01", tabby.ThroughOnerway(gatewayTxn), tabby.RejectTooHigh},
	} {
		p, err := e.gatewaySession(checkoutRequest(tc.amount, "SAR", "sa"), tc.ch, nil)
		if err != nil {
			t.Fatalf("%s SAR %s: %v", tc.amount, tc.ch.Via, err)
		}
		if p.RejectionReason != tc.reason {
			t.Errorf("%s SAR %s: rejection %q, want %q", tc.amount, tc.ch.Via, p.RejectionReason, tc.reason)
		}
	}
}

func TestChannel_MustBeKnown(t *testing.T) {
	e := newObserverEnv(t)
	for _, ch := range []tabby.Channel{{}, {Via: tabby.ViaOnerway}, {Via: tabby.ViaDirect, TransactionID: gatewayTxn}, {Via: "paypal", TransactionID: "1"}} {
		if _, err := e.gatewaySession(checkoutRequest("100.00", "AED", "ae"), ch, nil); apperr.CodeOf(err) != apperr.Invalid {
			t.Errorf("channel %+v: %v, want an invalid request", ch, err)
		}
	}
	if n := e.want(http.StatusOK, http.MethodGet, "/_sim/v1/payments?merchant=default", nil).Get("total_count").Int(); n != 0 {
		t.Errorf("%d payments stored", n)
	}
}
