package merchant

// The Onerway mode: the shop takes Tabby through the Onerway gateway
// (seed 001, onerway-api.md). It signs every request with client/onerway,
// sends the customer to the redirectUrl, and learns the payment's outcome
// only from signed notifications and /v1/txn/list, never from the
// returnUrl's parameters. Notifications are verified, applied once per
// transactionId and acknowledged with it. Physical goods are reported to
// the gateway once delivered and paid; refunds go through onlineRefund and
// its audit.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/client/onerway"
)

// The providers the shop can take Tabby through.
const (
	ProviderTabby   = "tabby"
	ProviderOnerway = "onerway"
)

// OnerwayConfig is the shop's Onerway account, used when Config.Provider
// is ProviderOnerway.
type OnerwayConfig struct {
	// URL is the gateway's base URL (the simulator's).
	URL        string
	MerchantNo string
	SecretKey  string
	// AppID is the website's appId in Onerway's portal, sent with every
	// payment.
	AppID string
}

// Where the shop receives Onerway's notifications and its customers back
// from the cashier.
const (
	NotifyPath        = "/webhooks/onerway"
	OnerwayReturnPath = "/return/onerway"
)

// onerwayTimeLayout is how Onerway writes times; the zone is the
// txnTimeZone of the gateway's answers (onerway-api.md §1).
const onerwayTimeLayout = "2006-01-02 15:04:05"

// defaultProductImage is the productAvatarUrl of an item without an image:
// Tabby wants an https image for every product (seed 001).
const defaultProductImage = "https://shop.example/images/product.png"

// onerwayShop holds the Onerway mode's orders.
type onerwayShop struct {
	m   *Merchant // configuration, log and defects
	api *onerway.Client
	// run tells this run's merchantTxnIds from an earlier run's, which the
	// gateway remembers: each must be new.
	run string

	mu       sync.Mutex
	orders   map[string]*owOrder
	byTxnID  map[string]string // transactionId of a payment or a refund → order id
	byMerTxn map[string]string // merchantTxnId of a payment or a refund → order id
	seq      int
}

// owOrder is one order paid through Onerway. Its fields are guarded by mu,
// which every change of the order holds, gateway calls included.
type owOrder struct {
	mu sync.Mutex

	id       string
	currency string
	amount   money.Amount
	goods    onerway.GoodsType // what the order really is
	status   string

	merchantTxnID string
	transactionID string
	txnStatus     onerway.Status // as last learnt from a notification or the list
	reason        string         // the respMsg of a failed payment
	zone          *time.Location // of the gateway's times

	delivery *owDelivery
	refunds  []*owRefund
}

// owDelivery is the package's delivery and its report to the gateway.
type owDelivery struct {
	carrier, trackingNo string
	at                  time.Time
	uploaded            bool
	refused             string // the gateway's respCode and respMsg when it refused the upload
}

// owRefund is one refund application and its audit's outcome.
type owRefund struct {
	merchantTxnID string
	transactionID string
	amount        money.Amount
	status        onerway.Status // I until the audit, then S or F
}

// newOnerway checks the Onerway mode's configuration and returns the
// merchant.
func newOnerway(cfg Config) (*Merchant, error) {
	o := cfg.Onerway
	if o.URL == "" || o.MerchantNo == "" || o.SecretKey == "" {
		return nil, errors.New("merchant: the Onerway mode needs Onerway.URL, Onerway.MerchantNo and Onerway.SecretKey")
	}
	if cfg.PollInterval < 0 {
		return nil, errors.New("merchant: PollInterval must not be negative")
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	m := &Merchant{cfg: cfg, log: cfg.Logger.With("component", "reference-merchant", "provider", ProviderOnerway)}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	if m.has(DefectSignsReserialisedJSON) {
		hc = reserialisingClient(hc, o.SecretKey)
	}
	m.ow = &onerwayShop{
		m:        m,
		api:      onerway.New(o.MerchantNo, o.SecretKey, onerway.WithBaseURL(o.URL), onerway.WithHTTPClient(hc)),
		run:      randomHex(4),
		orders:   map[string]*owOrder{},
		byTxnID:  map[string]string{},
		byMerTxn: map[string]string{},
	}
	return m, nil
}

func (s *onerwayShop) has(defect string) bool { return s.m.has(defect) }

// newOrder adds an order and returns it locked.
func (s *onerwayShop) newOrder(currency string, amount money.Amount, goods onerway.GoodsType) *owOrder {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	o := &owOrder{id: fmt.Sprintf("ord_%d", s.seq), currency: currency, amount: amount, goods: goods, status: StatusPending}
	o.mu.Lock()
	s.orders[o.id] = o
	return o
}

// index records that transaction or merchant transaction id names order o.
func (s *onerwayShop) index(o *owOrder, transactionID, merchantTxnID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if transactionID != "" {
		s.byTxnID[transactionID] = o.id
	}
	if merchantTxnID != "" {
		s.byMerTxn[merchantTxnID] = o.id
	}
}

// lookup returns order id, or the order a transactionId or merchantTxnId
// names, locked; nil when there is none.
func (s *onerwayShop) lookup(id, transactionID, merchantTxnID string) *owOrder {
	s.mu.Lock()
	o := s.orders[id]
	if o == nil && transactionID != "" {
		o = s.orders[s.byTxnID[transactionID]]
	}
	if o == nil && merchantTxnID != "" {
		o = s.orders[s.byMerTxn[merchantTxnID]]
	}
	s.mu.Unlock()
	if o != nil {
		o.mu.Lock()
	}
	return o
}

// merchantTxnID is a new order's merchantTxnId: its own, never used
// before. With the reuses-merchant-txn-id defect it is the cart's, the
// same for every order of the same customer and amount.
func (s *onerwayShop) merchantTxnID(o *owOrder, customer string) string {
	if s.has(DefectReusesMerchantTxnID) {
		sum := sha256.Sum256([]byte(customer + "|" + o.amount.Format(o.currency) + " " + o.currency))
		return "cart-" + hex.EncodeToString(sum[:8])
	}
	return s.run + "-" + o.id
}

// customerID is the merchantCustId of the customer with email: stable, and
// no personal data.
func customerID(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return "cust-" + hex.EncodeToString(sum[:8])
}

// final reports whether a transaction status can no longer change.
func final(s onerway.Status) bool {
	return s == onerway.StatusSuccess || s == onerway.StatusFailed || s == onerway.StatusCancelled
}

// applyPayment takes the payment's status, as a verified notification or
// the list reports it; o.mu is held. A final status is kept: a repeated
// or late report changes nothing.
func (s *onerwayShop) applyPayment(o *owOrder, status onerway.Status, reason string) {
	if final(o.txnStatus) || status == "" {
		return
	}
	o.txnStatus = status
	switch status {
	case onerway.StatusSuccess:
		o.status = StatusPaid
		s.m.log.Info("paid", "order", o.id, "transaction", o.transactionID)
	case onerway.StatusFailed:
		o.status, o.reason = StatusFailed, reasonMessage(reason)
		s.m.log.Info("payment failed", "order", o.id, "transaction", o.transactionID, "reason", o.reason)
	case onerway.StatusCancelled:
		o.status = StatusCancelled
	}
}

// reasonMessage reads the respMsg of a reason, which Onerway sends as a
// JSON string such as {"respCode":"70001","respMsg":"Declined"}.
func reasonMessage(reason string) string {
	var r struct {
		RespMsg string `json:"respMsg"`
	}
	if json.Unmarshal([]byte(reason), &r) == nil && r.RespMsg != "" {
		return r.RespMsg
	}
	return reason
}

// refund returns the order's refund a merchantTxnId or transactionId
// names, or nil.
func (o *owOrder) refund(merchantTxnID, transactionID string) *owRefund {
	for _, r := range o.refunds {
		if (merchantTxnID != "" && r.merchantTxnID == merchantTxnID) || (transactionID != "" && r.transactionID == transactionID) {
			return r
		}
	}
	return nil
}

// applyRefund takes a refund's outcome once; o.mu is held.
func (s *onerwayShop) applyRefund(o *owOrder, r *owRefund, status onerway.Status) {
	if final(r.status) || status == "" {
		return
	}
	r.status = status
	s.m.log.Info("refund "+string(status), "order", o.id, "refund", r.transactionID)
	o.settleRefunds()
}

// refunded is what the gateway refunded; pending adds the applications
// still under audit.
func (o *owOrder) refunded() (done, pending money.Amount) {
	for _, r := range o.refunds {
		switch r.status {
		case onerway.StatusSuccess:
			done += r.amount
		case onerway.StatusPendingAudit, "":
			pending += r.amount
		}
	}
	return done, pending
}

// settleRefunds sets the status of a paid order from its refunds.
func (o *owOrder) settleRefunds() {
	if o.txnStatus != onerway.StatusSuccess {
		return
	}
	switch done, _ := o.refunded(); {
	case done == 0:
		o.status = StatusPaid
	case done >= o.amount:
		o.status = StatusRefunded
	default:
		o.status = StatusPartiallyRefunded
	}
}

// ship reports the order's delivery to the gateway, which settles physical
// goods only after it (seed 001): once the payment succeeded, and once.
// A refusal is final and kept on the order for the shop's staff; an
// upload that did not get through is tried again by the poller. o.mu is
// held.
func (s *onerwayShop) ship(ctx context.Context, o *owOrder) error {
	d := o.delivery
	switch {
	case d == nil || d.uploaded || d.refused != "" || o.goods != onerway.GoodsPhysical:
		return nil
	case s.has(DefectNeverUploadsLogistics):
		return nil
	case o.txnStatus != onerway.StatusSuccess && !s.has(DefectUploadsBeforeSuccess):
		return nil // the payment first (seed 001: the order must be success)
	}
	zone := o.zone
	if zone == nil {
		zone = time.UTC
	}
	err := s.api.UploadLogistics(ctx, onerway.LogisticsRequest{
		TransactionID: o.transactionID, CarrierNo: d.carrier, TrackingNo: d.trackingNo,
		DeliveryTime: d.at.In(zone).Format(onerwayTimeLayout),
	})
	var oe *onerway.Error
	switch {
	case errors.As(err, &oe) && oe.RespCode != "":
		d.refused = oe.RespCode + " " + oe.RespMsg
		s.m.log.Warn("logistics refused", "order", o.id, "transaction", o.transactionID, "resp_code", oe.RespCode, "resp_msg", oe.RespMsg)
		return nil
	case err != nil:
		return fmt.Errorf("uploading the logistics of order %s: %w", o.id, err)
	}
	d.uploaded = true
	s.m.log.Info("logistics uploaded", "order", o.id, "transaction", o.transactionID, "tracking_no", d.trackingNo)
	return nil
}

// refresh asks the gateway for the order's payment and refunds
// (/v1/txn/list by their merchantTxnIds) and applies them; o.mu is held.
func (s *onerwayShop) refresh(ctx context.Context, o *owOrder) error {
	ids := []string{o.merchantTxnID}
	for _, r := range o.refunds {
		ids = append(ids, r.merchantTxnID)
	}
	for page := 1; ; page++ {
		p, err := s.api.ListTransactions(ctx, onerway.ListRequest{MerchantTxnIDs: ids, Current: page})
		if err != nil {
			return fmt.Errorf("listing the transactions of order %s: %w", o.id, err)
		}
		for _, t := range p.Content {
			s.applyListed(o, t)
		}
		if page >= int(p.TotalPages) {
			break
		}
	}
	return s.ship(ctx, o)
}

// applyListed applies one transaction of the list to the order.
func (s *onerwayShop) applyListed(o *owOrder, t onerway.Transaction) {
	switch {
	case t.TxnType == onerway.TxnRefund:
		if r := o.refund(t.MerchantTxnID, t.TransactionID); r != nil {
			s.applyRefund(o, r, t.Status)
		}
	case t.MerchantTxnID == o.merchantTxnID && (o.transactionID == "" || t.TransactionID == o.transactionID):
		if o.transactionID == "" {
			o.transactionID = t.TransactionID
			s.index(o, t.TransactionID, "")
		}
		s.applyPayment(o, t.Status, t.Reason)
	}
}

// needsPoll reports whether the gateway may still have news of the order:
// its payment is not final, a refund is under audit, or its delivery waits
// to be reported.
func (o *owOrder) needsPoll() bool {
	if o.merchantTxnID == "" {
		return false
	}
	if !final(o.txnStatus) {
		return true
	}
	if _, pending := o.refunded(); pending > 0 {
		return true
	}
	d := o.delivery
	return d != nil && !d.uploaded && d.refused == "" && o.txnStatus == onerway.StatusSuccess
}

// pollOnce refreshes every order the gateway may still have news of: what
// the shop does when notifications do not come (seed 001: query the
// transaction's status).
func (s *onerwayShop) pollOnce(ctx context.Context) (int, error) {
	s.mu.Lock()
	all := make([]*owOrder, 0, len(s.orders))
	for _, o := range s.orders {
		all = append(all, o)
	}
	s.mu.Unlock()
	checked := 0
	var errs []error
	for _, o := range all {
		if ctx.Err() != nil {
			return checked, ctx.Err()
		}
		o.mu.Lock()
		if o.needsPoll() {
			checked++
			if err := s.refresh(ctx, o); err != nil {
				errs = append(errs, err)
			}
		}
		o.mu.Unlock()
	}
	return checked, errors.Join(errs...)
}

// trustsHTTP200 is the trusts-http-200 defect: an answer the gateway sent
// with HTTP 200 is success, whatever its respCode says.
func (s *onerwayShop) trustsHTTP200(err error) bool {
	var oe *onerway.Error
	return s.has(DefectTrustsHTTP200) && errors.As(err, &oe) && oe.HTTPStatus == http.StatusOK
}

// reserialisingClient is the signs-reserialised-json defect: a client whose
// requests are signed over nested objects decoded and encoded again (keys
// sorted, as a JSON library writes a map) while the body still carries the
// strings as they were, so the sign does not match what is sent.
func reserialisingClient(hc *http.Client, secret string) *http.Client {
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c := *hc
	c.Transport = roundTripper(func(r *http.Request) (*http.Response, error) {
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		if f, err := onerway.ParseFields(body); err == nil {
			signed := onerway.Fields{}
			for name, raw := range f {
				signed[name] = reserialised(raw)
			}
			f["sign"], _ = json.Marshal(signed.Sign(onerway.KindRequest, secret))
			body, _ = json.Marshal(f)
		}
		r = r.Clone(r.Context())
		r.Body, r.ContentLength = io.NopCloser(strings.NewReader(string(body))), int64(len(body))
		return next.RoundTrip(r)
	})
	return &c
}

// reserialised is a JSON string holding a JSON object, decoded and encoded
// again; any other value as it is.
func reserialised(raw json.RawMessage) json.RawMessage {
	var s string
	var v map[string]any
	if json.Unmarshal(raw, &s) != nil || json.Unmarshal([]byte(s), &v) != nil {
		return raw
	}
	again, _ := json.Marshal(v)
	quoted, _ := json.Marshal(string(again))
	return quoted
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// host is the shop's domain, its customerPlatform.
func (s *onerwayShop) host() string {
	u, err := url.Parse(s.m.cfg.PublicURL)
	if err != nil || u.Hostname() == "" {
		return "localhost"
	}
	return u.Hostname()
}
