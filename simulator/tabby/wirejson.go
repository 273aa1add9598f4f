package tabby

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// The wire types write their own JSON: answers and webhook bodies are what
// the simulator writes most, and encoding/json spends much of their cost
// walking them by reflection and validating the merchant's raw JSON
// (order_history, meta, attachment) again on every one. AppendJSON writes
// exactly the bytes json.Marshal writes (HTML-safe strings, members in
// field order, omitempty kept); a test compares the two on random values of
// every type, so a field added to a type and not written here fails it.

// AppendJSON appends the payment's JSON to b, as json.Marshal writes it.
func (j *PaymentJSON) AppendJSON(b []byte) ([]byte, error) {
	w := jsonWriter{b: b}
	w.payment(j)
	return w.b, w.err
}

// AppendJSON appends the session's JSON to b, as json.Marshal writes it.
func (j *SessionJSON) AppendJSON(b []byte) ([]byte, error) {
	w := jsonWriter{b: b}
	w.session(j)
	return w.b, w.err
}

// AppendJSON appends the webhook body to b, as json.Marshal writes it.
func (j *WebhookJSON) AppendJSON(b []byte) ([]byte, error) {
	w := jsonWriter{b: b}
	w.webhook(j)
	return w.b, w.err
}

// ListJSON is the answer to GET /api/v2/payments: the payments, newest
// first, and where the page is.
type ListJSON struct {
	Pagination Pagination    `json:"pagination"`
	Payments   []PaymentJSON `json:"payments"`
}

// Pagination says where a page of a listing is.
type Pagination struct {
	Limit      int `json:"limit"`
	Offset     int `json:"offset"`
	TotalCount int `json:"total_count"`
}

// AppendJSON appends the listing's JSON to b, as json.Marshal writes it.
func (j *ListJSON) AppendJSON(b []byte) ([]byte, error) {
	w := jsonWriter{b: b}
	w.open()
	w.key("pagination")
	w.open()
	w.int("limit", j.Pagination.Limit)
	w.int("offset", j.Pagination.Offset)
	w.int("total_count", j.Pagination.TotalCount)
	w.close()
	w.key("payments")
	list(&w, j.Payments, (*jsonWriter).payment)
	w.close()
	return w.b, w.err
}

func (w *jsonWriter) payment(j *PaymentJSON) {
	w.open()
	w.str("id", j.ID)
	w.str("created_at", j.CreatedAt)
	w.str("expires_at", j.ExpiresAt)
	w.str("status", string(j.Status))
	w.bool("is_test", j.IsTest)
	w.str("amount", j.Amount)
	w.str("currency", j.Currency)
	w.strOmit("description", j.Description)
	w.key("buyer")
	w.buyer(&j.Buyer)
	w.key("shipping_address")
	w.shipping(&j.ShippingAddress)
	w.key("order")
	w.order(&j.Order)
	w.key("captures")
	list(w, j.Captures, (*jsonWriter).capture)
	w.key("refunds")
	list(w, j.Refunds, (*jsonWriter).refund)
	w.key("buyer_history")
	w.buyerHistory(&j.BuyerHistory)
	w.key("order_history")
	list(w, j.OrderHistory, func(w *jsonWriter, r *Raw) { w.raw(*r) })
	w.rawOmit("meta", j.Meta)
	w.rawOmit("attachment", j.Attachment)
	if p := j.Product; p != nil {
		w.key("product")
		w.open()
		w.str("type", p.Type)
		w.int("installments_count", p.InstallmentsCount)
		w.str("installment_period", p.InstallmentPeriod)
		w.close()
	}
	w.close()
}

func (w *jsonWriter) buyer(b *Buyer) {
	w.open()
	w.str("name", b.Name)
	w.str("email", b.Email)
	w.str("phone", b.Phone)
	w.strOmit("dob", b.DOB)
	w.close()
}

func (w *jsonWriter) shipping(s *Shipping) {
	w.open()
	w.str("city", s.City)
	w.str("address", s.Address)
	w.str("zip", s.Zip)
	w.close()
}

func (w *jsonWriter) order(o *Order) {
	w.open()
	w.str("reference_id", o.ReferenceID)
	w.strOmit("updated_at", o.UpdatedAt)
	w.str("tax_amount", o.TaxAmount)
	w.str("shipping_amount", o.ShippingAmount)
	w.str("discount_amount", o.DiscountAmount)
	w.key("items")
	list(w, o.Items, (*jsonWriter).item)
	w.close()
}

func (w *jsonWriter) item(it *Item) {
	w.open()
	w.strOmit("reference_id", it.ReferenceID)
	w.str("title", it.Title)
	w.strOmit("description", it.Description)
	w.int("quantity", it.Quantity)
	w.str("unit_price", it.UnitPrice)
	w.strOmit("discount_amount", it.DiscountAmount)
	w.strOmit("image_url", it.ImageURL)
	w.strOmit("product_url", it.ProductURL)
	w.strOmit("gender", it.Gender)
	w.str("category", it.Category)
	w.strOmit("color", it.Color)
	w.strOmit("product_material", it.ProductMaterial)
	w.strOmit("size_type", it.SizeType)
	w.strOmit("size", it.Size)
	w.strOmit("brand", it.Brand)
	if it.IsRefundable != nil {
		w.bool("is_refundable", *it.IsRefundable)
	}
	w.close()
}

func (w *jsonWriter) buyerHistory(h *BuyerHistory) {
	w.open()
	w.str("registered_since", h.RegisteredSince)
	w.float("loyalty_level", h.LoyaltyLevel)
	if h.WishlistCount != nil {
		w.float("wishlist_count", *h.WishlistCount)
	}
	for _, f := range []struct {
		name string
		v    *bool
	}{
		{"is_social_networks_connected", h.IsSocialNetworksConnected},
		{"is_phone_number_verified", h.IsPhoneNumberVerified},
		{"is_email_verified", h.IsEmailVerified},
	} {
		if f.v != nil {
			w.bool(f.name, *f.v)
		}
	}
	w.close()
}

func (w *jsonWriter) capture(c *CaptureJSON) {
	w.open()
	w.str("id", c.ID)
	w.str("created_at", c.CreatedAt)
	w.str("amount", c.Amount)
	w.str("tax_amount", c.TaxAmount)
	w.str("shipping_amount", c.ShippingAmount)
	w.str("discount_amount", c.DiscountAmount)
	w.key("items")
	list(w, c.Items, (*jsonWriter).item)
	w.str("reference_id", c.ReferenceID)
	w.close()
}

func (w *jsonWriter) refund(r *RefundJSON) {
	w.open()
	w.str("id", r.ID)
	w.str("created_at", r.CreatedAt)
	w.str("amount", r.Amount)
	w.strOmit("reason", r.Reason)
	w.key("items")
	list(w, r.Items, (*jsonWriter).item)
	w.str("reference_id", r.ReferenceID)
	w.close()
}

func (w *jsonWriter) session(s *SessionJSON) {
	w.open()
	w.str("id", s.ID)
	w.str("status", s.Status)
	w.key("configuration")
	c := &s.Configuration
	w.open()
	w.str("currency", c.Currency)
	w.key("available_products")
	object(w, c.AvailableProducts, func(w *jsonWriter, links []ProductLink) {
		list(w, links, func(w *jsonWriter, l *ProductLink) {
			w.open()
			w.str("web_url", l.WebURL)
			w.close()
		})
	})
	w.key("products")
	object(w, c.Products, func(w *jsonWriter, p ProductState) {
		w.open()
		w.str("type", p.Type)
		w.bool("is_available", p.IsAvailable)
		w.strOmit("rejection_reason", p.RejectionReason)
		w.close()
	})
	w.close()
	w.key("payment")
	p := &s.Payment
	w.open()
	w.str("id", p.ID)
	w.str("created_at", p.CreatedAt)
	w.str("expires_at", p.ExpiresAt)
	w.str("status", string(p.Status))
	w.bool("is_test", p.IsTest)
	w.str("amount", p.Amount)
	w.str("currency", p.Currency)
	w.strOmit("description", p.Description)
	w.key("buyer")
	w.buyer(&p.Buyer)
	w.key("order")
	w.order(&p.Order)
	w.key("buyer_history")
	w.buyerHistory(&p.BuyerHistory)
	w.key("order_history")
	list(w, p.OrderHistory, func(w *jsonWriter, r *Raw) { w.raw(*r) })
	w.key("shipping_address")
	w.shipping(&p.Shipping)
	w.rawOmit("meta", p.Meta)
	w.rawOmit("attachment", p.Attachment)
	w.close()
	w.key("merchant_urls")
	w.open()
	w.strOmit("success", s.MerchantURLs.Success)
	w.strOmit("cancel", s.MerchantURLs.Cancel)
	w.strOmit("failure", s.MerchantURLs.Failure)
	w.close()
	w.strOmit("rejection_reason_code", s.RejectionReasonCode)
	w.str("merchant_code", s.MerchantCode)
	w.str("lang", s.Lang)
	w.close()
}

func (w *jsonWriter) webhook(h *WebhookJSON) {
	w.open()
	w.str("id", h.ID)
	w.str("created_at", h.CreatedAt)
	w.str("expires_at", h.ExpiresAt)
	w.key("closed_at")
	w.strPtr(h.ClosedAt)
	if h.ExpiredAt != nil {
		w.str("expired_at", *h.ExpiredAt)
	}
	w.str("status", h.Status)
	w.bool("is_test", h.IsTest)
	w.bool("is_expired", h.IsExpired)
	w.str("amount", h.Amount)
	w.str("currency", h.Currency)
	w.key("order")
	w.open()
	w.str("reference_id", h.Order.ReferenceID)
	w.close()
	w.key("captures")
	list(w, h.Captures, (*jsonWriter).capture)
	w.key("refunds")
	list(w, h.Refunds, (*jsonWriter).refund)
	w.key("meta")
	w.raw(h.Meta)
	w.key("token")
	w.strPtr(h.Token)
	w.close()
}

// jsonWriter appends JSON to b as encoding/json writes it; err is the first
// value it could not write.
type jsonWriter struct {
	b   []byte
	err error
}

func (w *jsonWriter) open()  { w.b = append(w.b, '{') }
func (w *jsonWriter) close() { w.b = append(w.b, '}') }

// key starts an object's member named name, one of the field names above
// that need no escaping: no value ends in '{', so a '{' before it is the
// start of the object.
func (w *jsonWriter) key(name string) {
	if w.b[len(w.b)-1] != '{' {
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, '"')
	w.b = append(w.b, name...)
	w.b = append(w.b, '"', ':')
}

func (w *jsonWriter) str(name, s string) {
	w.key(name)
	w.b = appendString(w.b, s)
}

// strOmit is a string member tagged omitempty.
func (w *jsonWriter) strOmit(name, s string) {
	if s != "" {
		w.str(name, s)
	}
}

func (w *jsonWriter) strPtr(s *string) {
	if s == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = appendString(w.b, *s)
}

func (w *jsonWriter) bool(name string, v bool) {
	w.key(name)
	w.b = strconv.AppendBool(w.b, v)
}

func (w *jsonWriter) int(name string, v int) {
	w.key(name)
	w.b = strconv.AppendInt(w.b, int64(v), 10)
}

// float writes a float64 as encoding/json does: as ES6 writes numbers.
func (w *jsonWriter) float(name string, f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		_, w.err = json.Marshal(f)
		return
	}
	w.key(name)
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	w.b = strconv.AppendFloat(w.b, f, format, -1, 64)
	if n := len(w.b); format == 'e' && n >= 4 && w.b[n-4] == 'e' && w.b[n-3] == '-' && w.b[n-2] == '0' {
		// e-09 is written e-9.
		w.b[n-2] = w.b[n-1]
		w.b = w.b[:n-1]
	}
}

// raw writes the merchant's raw JSON: as it is when it is canonical (as
// stored payments keep it), through encoding/json otherwise.
func (w *jsonWriter) raw(r Raw) {
	if r != nil && canonicalJSON(r) {
		w.b = append(w.b, r...)
		return
	}
	out, err := json.Marshal(r)
	if err != nil && w.err == nil {
		w.err = err
	}
	w.b = append(w.b, out...)
}

// rawOmit is a raw member tagged omitempty.
func (w *jsonWriter) rawOmit(name string, r Raw) {
	if len(r) > 0 {
		w.key(name)
		w.raw(r)
	}
}

// list writes a slice, nil as null.
func list[T any](w *jsonWriter, s []T, each func(*jsonWriter, *T)) {
	if s == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, '[')
	for i := range s {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		each(w, &s[i])
	}
	w.b = append(w.b, ']')
}

// object writes a map with string keys in sorted order, nil as null.
func object[T any](w *jsonWriter, m map[string]T, each func(*jsonWriter, T)) {
	if m == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.open()
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = appendString(w.b, k)
		w.b = append(w.b, ':')
		each(w, m[k])
	}
	w.close()
}

// canonicalJSON reports whether valid JSON is as encoding/json writes it:
// no space outside strings, <, >, &, U+2028 and U+2029 escaped.
func canonicalJSON(r []byte) bool {
	inString := false
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !notPlain[c] {
			continue
		}
		switch c {
		case '\\':
			i++ // what a backslash escapes is plain ASCII
		case '"':
			inString = !inString
		case '<', '>', '&':
			return false
		case 0xE2:
			if lineSeparator(r, i) {
				return false
			}
		default: // whitespace
			if !inString {
				return false
			}
		}
	}
	return len(r) > 0
}

// notPlain marks the bytes canonicalJSON and canonical look at; JSON is
// mostly made of the others.
var notPlain = [256]bool{'"': true, '\\': true, '<': true, '>': true, '&': true, 0xE2: true,
	' ': true, '\t': true, '\n': true, '\r': true}

// lineSeparator reports whether U+2028 or U+2029 starts at r[i].
func lineSeparator(r []byte, i int) bool {
	return i+2 < len(r) && r[i] == 0xE2 && r[i+1] == 0x80 && (r[i+2] == 0xA8 || r[i+2] == 0xA9)
}

// htmlSafe marks the ASCII bytes a JSON string carries as they are.
var htmlSafe = func() (safe [utf8.RuneSelf]bool) {
	for c := range safe {
		safe[c] = c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return safe
}()

// appendString writes s as a JSON string as encoding/json does: <, > and &
// escaped, invalid UTF-8 as U+FFFD, U+2028 and U+2029 escaped.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if htmlSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
