package onerway

import (
	"context"
	"errors"
	"fmt"
	"time"

	ow "github.com/tabbysim/tabbysim/client/onerway"
	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/store"
	"github.com/tabbysim/tabbysim/simulator/tabby"
	"github.com/tabbysim/tabbysim/simulator/tenant"
)

// Logistics uploads (seed 001; onerway-api.md §8): a successful payment
// for physical goods settles only once the merchant reports the package
// was signed for, within 30 days after delivery (onerway.logistics_window).
// The first valid upload makes the payment due to settle settle_after
// later; a later one replaces it until the payment settled, and leaves
// that date as it was.

// Logistics is what a merchant reported of a delivery.
type Logistics struct {
	// CarrierNo is any carrier code (Onerway's list is not public).
	CarrierNo  string `json:"carrier_no"`
	TrackingNo string `json:"tracking_no"`
	// DeliveredAt is deliveryTime, when the package was signed for.
	DeliveredAt time.Time `json:"delivered_at"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

// Errors of logistics uploads.
var (
	// ErrNotPhysical is an upload for virtual goods, which need none.
	ErrNotPhysical = apperr.Errorf(apperr.Invalid, "the payment is for virtual goods, which settle without logistics")
	// ErrDeliveryInFuture is a deliveryTime after the merchant's now.
	ErrDeliveryInFuture = apperr.Errorf(apperr.Invalid, "deliveryTime is in the future")
	// ErrDeliveryBeforePayment is a deliveryTime before the payment was
	// made.
	ErrDeliveryBeforePayment = apperr.Errorf(apperr.Invalid, "deliveryTime is before the payment was made")
	// ErrUploadTooLate is an upload longer after delivery than the
	// logistics window.
	ErrUploadTooLate = apperr.Errorf(apperr.Invalid, "the upload comes too long after delivery")
	// ErrSettled is an upload for a payment that settled already.
	ErrSettled = apperr.Errorf(apperr.Conflict, "the payment settled already")
)

// LogisticsUpload is a checked logistics upload.
type LogisticsUpload struct {
	TransactionID string
	CarrierNo     string
	TrackingNo    string
	Delivered     time.Time
}

// UploadLogistics records the delivery of merchant m's payment of physical
// goods and returns its settlement: Scheduled after the first valid
// upload. The payment must be S and not settled, the delivery neither in
// the future nor before the payment, and at most logistics_window ago.
//
// Errors: ErrNoSuchTransaction, ErrNotSuccessful, ErrNotPhysical,
// ErrSettled, ErrDeliveryInFuture, ErrDeliveryBeforePayment,
// ErrUploadTooLate.
func (s *Service) UploadLogistics(ctx context.Context, m *tenant.Merchant, u LogisticsUpload) (*Settlement, error) {
	now, err := s.Now(m.ID)
	if err != nil {
		return nil, err
	}
	var st Settlement
	err = s.Store.Update(ctx, func(tx store.Tx) error {
		p, err := paymentOf(tx, m, u.TransactionID)
		if err != nil {
			return err
		}
		switch {
		case p.Status != ow.StatusSuccess:
			return fmt.Errorf("%w: transaction %s is %s; logistics are uploaded once the payment is S", ErrNotSuccessful, p.ID, p.Status)
		case p.Order.Goods != ow.GoodsPhysical:
			return fmt.Errorf("%w: transaction %s", ErrNotPhysical, p.ID)
		}
		_, err = store.GetJSON(tx, kindSettlement, p.ID, &st)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("transaction %s is S without a settlement", p.ID)
		}
		if err != nil {
			return err
		}
		window := m.Settings.Onerway.LogisticsWindow
		switch {
		case st.State == Settled:
			return fmt.Errorf("%w: transaction %s settled at %s", ErrSettled, p.ID, FormatTime(st.Paid.At))
		case u.Delivered.After(now):
			return fmt.Errorf("%w: %s is after now, %s", ErrDeliveryInFuture, FormatTime(u.Delivered), FormatTime(now))
		case u.Delivered.Before(p.CreatedAt.Truncate(time.Second)):
			return fmt.Errorf("%w: %s is before the payment, %s", ErrDeliveryBeforePayment, FormatTime(u.Delivered), FormatTime(p.CreatedAt))
		case now.Sub(u.Delivered) > window.D():
			return fmt.Errorf("%w: delivered %s, more than %s before now, %s", ErrUploadTooLate, FormatTime(u.Delivered), window, FormatTime(now))
		}
		event := "logistics uploaded"
		if st.Logistics != nil {
			event = "logistics replaced"
		}
		st.Logistics = &Logistics{CarrierNo: u.CarrierNo, TrackingNo: u.TrackingNo, DeliveredAt: u.Delivered.UTC(), UploadedAt: now}
		st.Uploads++
		if st.State == AwaitingLogistics {
			s.schedule(tx, m, &st, now)
		}
		if err := store.PutJSON(tx, settlementDoc(&st), &st); err != nil {
			return err
		}
		p.record(now, event, tabby.ByMerchant, fmt.Sprintf("carrier %s, tracking %s, delivered %s", u.CarrierNo, u.TrackingNo, FormatTime(u.Delivered)))
		return save(tx, p)
	})
	if err != nil {
		return nil, err
	}
	return &st, nil
}
