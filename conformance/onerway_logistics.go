package conformance

import (
	"context"
	"fmt"
	"time"

	ow "github.com/tabbysim/tabbysim/client/onerway"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/simulator/onerway/onerwayapi"
)

// delivered tells the merchant the order's package was signed for ago
// before now on the simulator's clock.
func (w *World) delivered(ctx context.Context, ago time.Duration) error {
	c, err := w.env.Control.Clock(ctx, w.merchant.ID)
	if err != nil {
		return err
	}
	w.data.DeliveredAt = c.Now.Add(-ago).UTC().Format(time.RFC3339)
	_, err = w.action(ctx, "deliver") // a refusal is the merchant's to answer as it sees fit
	return err
}

func (w *World) goodsTakenAs(ctx context.Context, goods string) error {
	t, err := w.transaction(ctx)
	if err != nil {
		return err
	}
	if t.Order == nil || t.Order.Goods != goods {
		got := "unknown"
		if t.Order != nil {
			got = t.Order.Goods
		}
		return broke("R-OW-PRODUCT-TYPE", "give every product its type, physical or virtual, as it is",
			"the products of %s goods were sent as %s goods", goods, got)
	}
	return nil
}

func (w *World) noLogistics(ctx context.Context) error {
	calls, err := w.apiCalls(ctx, "logistics")
	if err != nil || len(calls) == 0 {
		return err
	}
	return broke("R-OW-LOGISTICS-PHYSICAL-ONLY", "upload logistics for physical goods only",
		"the merchant uploaded logistics %d time(s), answered %s", len(calls), respOf(calls[0]))
}

func (w *World) logisticsUploaded(ctx context.Context) error {
	calls, err := w.apiCalls(ctx, "logistics")
	if err != nil {
		return err
	}
	for _, c := range calls {
		if gjson.Get(c.ResponseBody, "respCode").String() == ow.RespSuccess {
			return nil
		}
	}
	if len(calls) == 0 {
		return broke("R-OW-LOGISTICS", ruleLogistics, "the merchant never uploaded the logistics of the delivered order")
	}
	return broke("R-OW-LOGISTICS", ruleLogistics, "the gateway refused every upload; the last: %s", respOf(calls[len(calls)-1]))
}

func (w *World) everyUploadAccepted(ctx context.Context) error {
	calls, err := w.apiCalls(ctx, "logistics")
	if err != nil {
		return err
	}
	for _, c := range calls {
		if gjson.Get(c.ResponseBody, "respCode").String() != ow.RespSuccess {
			return broke("R-OW-LOGISTICS-AFTER-SUCCESS", ruleLogistics,
				"the merchant uploaded logistics the gateway refused: %s", respOf(c))
		}
	}
	return nil
}

// logisticsLate proves the merchant's upload came too late and was
// refused for it.
func (w *World) logisticsLate(ctx context.Context) error {
	calls, err := w.apiCalls(ctx, "logistics")
	if err != nil {
		return err
	}
	if len(calls) == 0 {
		return notArranged("the merchant made no upload")
	}
	last := calls[len(calls)-1]
	if gjson.Get(last.ResponseBody, "respCode").String() != string(onerwayapi.CodeUploadTooLate) {
		return notArranged("the upload was answered %s", respOf(last))
	}
	return nil
}

func (w *World) settlementIs(ctx context.Context, want string) error {
	if err := w.needPayment(); err != nil {
		return err
	}
	st, err := w.env.Control.OnerwaySettlement(ctx, w.paymentID)
	if err != nil {
		return err
	}
	switch {
	case st.State == want:
		return nil
	case st.Goods == string(ow.GoodsPhysical) && (st.State == "awaiting_logistics" || st.State == "overdue"):
		return broke("R-OW-LOGISTICS", ruleLogistics,
			"Onerway still waits for the logistics of the %s goods: the settlement is %s, not %s", st.Goods, st.State, want)
	}
	return fmt.Errorf("the settlement of %s goods is %s, expected %s", st.Goods, st.State, want)
}
