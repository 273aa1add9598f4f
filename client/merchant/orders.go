package merchant

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/client/tabby"
)

// order is one order of the shop. Its fields are guarded by mu, the
// per-order lock every change of the order holds, Tabby calls included.
type order struct {
	mu sync.Mutex

	id       string
	currency string
	amount   money.Amount
	items    []cartItem
	status   string
	deleted  bool

	sessionID, paymentID string
	paymentStatus        tabby.Status // as last retrieved
	rejectionReason      string
	captured, refunded   money.Amount
	freshCaptures        int             // captures-twice: captures sent so far
	polled               bool            // polls-once: the job retrieved the payment once
	processed            map[string]bool // rejects-repeated-webhooks: webhooks processed
}

// cartItem is one line of an order.
type cartItem struct {
	item    tabby.Item
	price   money.Amount // quantity × unit price, in minor units
	inStock *bool
}

// needsPoll reports whether the order's payment may still change without
// the merchant's doing, or still waits for the merchant's capture or close
// (a paid order whose payment is still AUTHORIZED).
func (o *order) needsPoll() bool {
	if o.paymentID == "" {
		return false
	}
	return o.status == StatusPending ||
		(o.status == StatusPaid && o.paymentStatus == tabby.StatusAuthorized)
}

// record copies what Tabby says was captured and refunded.
func (m *Merchant) record(o *order, p *tabby.Payment) {
	o.paymentStatus = p.Status
	o.captured, o.refunded = 0, 0
	for _, c := range p.Captures {
		o.captured += m.minor(o, p.ID, c.Amount)
	}
	for _, r := range p.Refunds {
		o.refunded += m.minor(o, p.ID, r.Amount)
	}
}

// minor reads an amount of Tabby's in the order's minor units; an
// unreadable one counts as 0 and is logged.
func (m *Merchant) minor(o *order, paymentID, amount string) money.Amount {
	n, err := money.Parse(amount, o.currency)
	if err != nil {
		m.log.Warn("unreadable amount", "payment", paymentID, "amount", amount, "err", err)
		return 0
	}
	return n
}

// tabbyAmount writes an amount as the merchant sends it to Tabby: with the
// currency's decimals, or, with the two-decimals defect, as a float
// printed with two, which rounds KWD's third decimal away.
func (m *Merchant) tabbyAmount(a money.Amount, currency string) string {
	if m.has(DefectTwoDecimals) {
		exp, _ := money.Exponent(currency)
		return strconv.FormatFloat(float64(a)/math.Pow10(exp), 'f', 2, 64)
	}
	return a.Format(currency)
}

// readAmount reads an amount the shop is given (a price, a refund) in
// currency; with the float-amounts defect, as a float64 truncated to minor
// units, which turns 19.99 into 19.98.
func (m *Merchant) readAmount(s, currency string) (money.Amount, error) {
	if !m.has(DefectFloatAmounts) {
		return money.Parse(s, currency)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, err
	}
	exp, _ := money.Exponent(currency)
	return money.Amount(f * math.Pow10(exp)), nil
}

// refundRef is the reference_id of the order's nth refund; with the
// reuses-refund-reference defect, the same for every refund.
func (m *Merchant) refundRef(o *order, n int) string {
	if m.has(DefectReusesRefundReference) {
		return "refund-" + o.id
	}
	return fmt.Sprintf("refund-%s-%d", o.id, n)
}

// settle sets the status of an order whose payment is CLOSED.
func (o *order) settle() {
	switch {
	case o.captured == 0:
		o.status = StatusCancelled
	case o.refunded == 0:
		o.status = StatusPaid
	case o.refunded >= o.captured:
		o.status = StatusRefunded
	default:
		o.status = StatusPartiallyRefunded
	}
}

func (o *order) captureRef() string { return "capture-" + o.id }

// orderRef is the order.reference_id the merchant sends Tabby: the order's
// id, or with the wrong-order-reference defect its cart's.
func (m *Merchant) orderRef(o *order) string {
	if m.has(DefectWrongOrderReference) {
		return strings.Replace(o.id, "ord_", "cart_", 1)
	}
	return o.id
}

// shipment is what leaves the warehouse: the in-stock items (in_stock
// false ones do not ship), or the whole amount when everything ships.
func (o *order) shipment() (money.Amount, []tabby.Item) {
	var total money.Amount
	items := make([]tabby.Item, 0, len(o.items))
	for _, it := range o.items {
		if it.inStock == nil || *it.inStock {
			total += it.price
			items = append(items, it.item)
		}
	}
	if len(items) == len(o.items) {
		return o.amount, items
	}
	return min(total, o.amount), items
}

// delete forgets the order; o.mu is held.
func (m *Merchant) delete(o *order) {
	o.deleted = true
	m.mu.Lock()
	delete(m.orders, o.id)
	if o.paymentID != "" {
		delete(m.byPayment, o.paymentID)
	}
	m.mu.Unlock()
	m.log.Info("order deleted", "order", o.id)
}

// newOrder adds an order and returns it locked.
func (m *Merchant) newOrder(currency string, amount money.Amount, items []cartItem) *order {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	o := &order{id: fmt.Sprintf("ord_%d", m.seq), currency: currency, amount: amount, items: items, status: StatusPending}
	o.mu.Lock()
	m.orders[o.id] = o
	return o
}

// lookup returns the order id, or the order of payment paymentID, locked;
// nil when there is none.
func (m *Merchant) lookup(id, paymentID string) *order {
	m.mu.Lock()
	o := m.orders[id]
	if o == nil && paymentID != "" {
		o = m.orders[m.byPayment[paymentID]]
	}
	m.mu.Unlock()
	if o == nil {
		return nil
	}
	o.mu.Lock()
	if o.deleted {
		o.mu.Unlock()
		return nil
	}
	return o
}
