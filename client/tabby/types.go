package tabby

// Status is a payment's status as the REST API writes it, upper case.
// Webhooks carry the same statuses in lower case.
type Status string

// Payment statuses.
const (
	StatusCreated    Status = "CREATED"
	StatusAuthorized Status = "AUTHORIZED"
	StatusClosed     Status = "CLOSED"
	StatusRejected   Status = "REJECTED"
	StatusExpired    Status = "EXPIRED"
)

// Buyer is the customer.
type Buyer struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
	// DOB is the date of birth, YYYY-MM-DD.
	DOB string `json:"dob,omitempty"`
}

// ShippingAddress is where the order goes.
type ShippingAddress struct {
	City    string `json:"city"`
	Address string `json:"address"`
	Zip     string `json:"zip"`
}

// Item is one order line. Amounts are decimal strings in major units.
type Item struct {
	ReferenceID    string `json:"reference_id,omitempty"`
	Title          string `json:"title"`
	Description    string `json:"description,omitempty"`
	Quantity       int    `json:"quantity"`
	UnitPrice      string `json:"unit_price"`
	DiscountAmount string `json:"discount_amount,omitempty"`
	ImageURL       string `json:"image_url,omitempty"`
	ProductURL     string `json:"product_url,omitempty"`
	Category       string `json:"category"`
}

// Order is the merchant's order a payment pays for.
type Order struct {
	// ReferenceID is the merchant's order number.
	ReferenceID    string `json:"reference_id"`
	UpdatedAt      string `json:"updated_at,omitempty"`
	TaxAmount      string `json:"tax_amount,omitempty"`
	ShippingAmount string `json:"shipping_amount,omitempty"`
	DiscountAmount string `json:"discount_amount,omitempty"`
	Items          []Item `json:"items"`
}

// PaymentRequest is the payment part of a checkout request. Amount is a
// decimal string such as "100.00"; Currency is AED, SAR or KWD.
type PaymentRequest struct {
	Amount          string           `json:"amount"`
	Currency        string           `json:"currency"`
	Description     string           `json:"description,omitempty"`
	Buyer           Buyer            `json:"buyer"`
	ShippingAddress *ShippingAddress `json:"shipping_address,omitempty"`
	Order           Order            `json:"order"`
	Meta            map[string]any   `json:"meta,omitempty"`
}

// MerchantURLs are where Tabby sends the customer back, with
// ?payment_id=… appended.
type MerchantURLs struct {
	Success string `json:"success,omitempty"`
	Cancel  string `json:"cancel,omitempty"`
	Failure string `json:"failure,omitempty"`
}

// CheckoutRequest is the body of create session.
type CheckoutRequest struct {
	Payment PaymentRequest `json:"payment"`
	// Lang is the hosted page's language, "en" or "ar".
	Lang string `json:"lang"`
	// MerchantCode is the store, such as "ae" or "sa".
	MerchantCode string        `json:"merchant_code"`
	MerchantURLs *MerchantURLs `json:"merchant_urls,omitempty"`
}

// Capture is money taken from an authorized payment.
type Capture struct {
	ID             string `json:"id"`
	CreatedAt      string `json:"created_at"`
	Amount         string `json:"amount"`
	TaxAmount      string `json:"tax_amount,omitempty"`
	ShippingAmount string `json:"shipping_amount,omitempty"`
	DiscountAmount string `json:"discount_amount,omitempty"`
	ReferenceID    string `json:"reference_id"`
	Items          []Item `json:"items,omitempty"`
}

// Refund is money returned from a closed payment.
type Refund struct {
	ID          string `json:"id"`
	CreatedAt   string `json:"created_at"`
	Amount      string `json:"amount"`
	Reason      string `json:"reason,omitempty"`
	ReferenceID string `json:"reference_id"`
	Items       []Item `json:"items,omitempty"`
}

// Payment is Tabby's payment object. Amounts are decimal strings that Tabby
// does not pad ("100", not "100.00"): compare them as numbers.
type Payment struct {
	ID              string          `json:"id"`
	CreatedAt       string          `json:"created_at"`
	ExpiresAt       string          `json:"expires_at"`
	Status          Status          `json:"status"`
	IsTest          bool            `json:"is_test"`
	Amount          string          `json:"amount"`
	Currency        string          `json:"currency"`
	Description     string          `json:"description,omitempty"`
	Buyer           Buyer           `json:"buyer"`
	ShippingAddress ShippingAddress `json:"shipping_address"`
	Order           Order           `json:"order"`
	Captures        []Capture       `json:"captures"`
	Refunds         []Refund        `json:"refunds"`
	Meta            map[string]any  `json:"meta,omitempty"`
}

// Session is a checkout session. Status is lower case: "created" (the
// customer may pay at WebURL) or "rejected" by pre-scoring; "expired" and
// "approved" belong to other integrations.
type Session struct {
	ID                  string               `json:"id"`
	Status              string               `json:"status"`
	Configuration       SessionConfiguration `json:"configuration"`
	Payment             Payment              `json:"payment"`
	RejectionReasonCode string               `json:"rejection_reason_code,omitempty"`
	MerchantURLs        MerchantURLs         `json:"merchant_urls"`
}

// SessionConfiguration says which products the customer may use.
type SessionConfiguration struct {
	AvailableProducts map[string][]ProductLink `json:"available_products"`
	Products          map[string]ProductState  `json:"products"`
}

// ProductLink is where the customer goes to pay with a product.
type ProductLink struct {
	WebURL string `json:"web_url"`
	QRCode string `json:"qr_code,omitempty"`
}

// ProductState is a product's availability; RejectionReason is
// not_available, order_amount_too_high or order_amount_too_low.
type ProductState struct {
	Type            string `json:"type"`
	IsAvailable     bool   `json:"is_available"`
	RejectionReason string `json:"rejection_reason,omitempty"`
}

// WebURL is the hosted payment page of the installments product, or "" when
// the session was rejected.
func (s *Session) WebURL() string {
	if links := s.Configuration.AvailableProducts["installments"]; len(links) > 0 {
		return links[0].WebURL
	}
	return ""
}

// RejectionReason is why pre-scoring rejected the session, or "": the
// top-level rejection_reason_code, else the installments product's
// rejection_reason.
func (s *Session) RejectionReason() string {
	if s.RejectionReasonCode != "" {
		return s.RejectionReasonCode
	}
	return s.Configuration.Products["installments"].RejectionReason
}
