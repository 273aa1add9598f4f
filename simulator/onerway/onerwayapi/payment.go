package onerwayapi

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"

	"github.com/tabbysim/tabbysim/client/money"
	"github.com/tabbysim/tabbysim/client/onerway"
	gateway "github.com/tabbysim/tabbysim/simulator/onerway"
)

// DecodeTransaction checks a doTransaction request of merchant m: its sign
// first, then every field Tabby needs (seed 001), in the order of
// Onerway's field table. Errors are *Error naming the field: CodeBadSign,
// CodeUnreadable, CodeMissing, CodeInvalid, CodeUnsupported, CodeCurrency,
// CodeAmountRange. Plain http returnUrl and notifyUrl are accepted with a
// warning on r. The merchantTxnId is not checked for reuse: the caller
// keeps the transactions (DuplicateMerchantTxnID).
func DecodeTransaction(r *Request, m Merchant) (*gateway.Sale, error) {
	if err := r.authenticate(m); err != nil {
		return nil, err
	}
	f := r.fields
	t := &gateway.Sale{}
	var err error
	if t.MerchantTxnID, err = required(f, "", "merchantTxnId"); err != nil {
		return nil, err
	}
	if err := maxLen(t.MerchantTxnID, 64, "merchantTxnId"); err != nil {
		return nil, err
	}
	if t.MerchantCustID, err = required(f, "", "merchantCustId"); err != nil {
		return nil, err
	}
	if err := maxLen(t.MerchantCustID, 50, "merchantCustId"); err != nil {
		return nil, err
	}
	if t.MerchantTxnTime, err = text(f, "", "merchantTxnTime"); err != nil {
		return nil, err
	}
	if t.MerchantTxnTime != "" {
		if _, err := gateway.ParseTime(t.MerchantTxnTime); err != nil {
			return nil, refuse(CodeInvalid, "merchantTxnTime", "merchantTxnTime must be written yyyy-MM-dd HH:mm:ss, got %s", quoted(t.MerchantTxnTime))
		}
	}
	if t.MerchantTxnTimeZone, err = text(f, "", "merchantTxnTimeZone"); err != nil {
		return nil, err
	}
	for _, fixed := range []struct{ field, want string }{
		{"productType", string(onerway.ProductLPMS)},
		{"subProductType", string(onerway.SubProductDirect)},
		{"txnType", string(onerway.TxnSale)},
	} {
		v, err := required(f, "", fixed.field)
		if err != nil {
			return nil, err
		}
		if v != fixed.want {
			return nil, refuse(CodeUnsupported, fixed.field, "%s must be %s for Tabby, got %s", fixed.field, fixed.want, quoted(v))
		}
	}
	if t.LpmsType, err = lpmsType(f); err != nil {
		return nil, err
	}
	if t.Currency, t.Amount, err = orderAmount(f, m); err != nil {
		return nil, err
	}
	if err := orderMsg(r, t); err != nil {
		return nil, err
	}
	if err := addresses(f, t); err != nil {
		return nil, err
	}
	return t, nil
}

// lpmsType reads lpmsInfo, which must name Tabby in any case.
func lpmsType(f onerway.Fields) (string, error) {
	info, err := object(f, "", "lpmsInfo")
	if err != nil {
		return "", err
	}
	if info == nil {
		return "", refuse(CodeMissing, "lpmsInfo", `lpmsInfo is required: {"lpmsType":"tabby"} as a JSON string`)
	}
	lt, err := required(info, "lpmsInfo", "lpmsType")
	if err != nil {
		return "", err
	}
	if !strings.EqualFold(lt, onerway.LpmsTabby) {
		return "", refuse(CodeUnsupported, "lpmsInfo.lpmsType", "lpmsInfo.lpmsType must be tabby, got %s", quoted(lt))
	}
	return lt, nil
}

// orderAmount reads the currency, then the amount within m's limit for it.
func orderAmount(f onerway.Fields, m Merchant) (string, money.Amount, error) {
	currency, err := required(f, "", "orderCurrency")
	if err != nil {
		return "", 0, err
	}
	if !supported(currency) {
		return "", 0, refuse(CodeCurrency, "orderCurrency", "orderCurrency must be %s for Tabby, got %s", strings.Join(Currencies, " or "), quoted(currency))
	}
	s, err := required(f, "", "orderAmount")
	if err != nil {
		return "", 0, err
	}
	amount, err := parseAmount(s, currency)
	if err != nil {
		return "", 0, refuse(CodeInvalid, "orderAmount", "orderAmount: %v", err)
	}
	limit, ok := m.Limits[currency]
	if !ok {
		limit = DefaultLimit
	}
	lo, errLo := parseAmount(limit.Min, currency)
	hi, errHi := parseAmount(limit.Max, currency)
	if errLo != nil || errHi != nil {
		return "", 0, fmt.Errorf("the merchant's %s limit %+v does not parse", currency, limit)
	}
	if amount < lo || amount > hi {
		return "", 0, refuse(CodeAmountRange, "orderAmount", "orderAmount %s %s is outside the limits for Tabby, %s to %s %s",
			formatAmount(amount, currency), currency, formatAmount(lo, currency), formatAmount(hi, currency), currency)
	}
	return currency, amount, nil
}

// orderMsg reads txnOrderMsg: the URLs, customerPlatform, the browser's
// language and products.
func orderMsg(r *Request, t *gateway.Sale) error {
	const parent = "txnOrderMsg"
	msg, err := object(r.fields, "", parent)
	if err != nil {
		return err
	}
	if msg == nil {
		return refuse(CodeMissing, parent, "txnOrderMsg is required")
	}
	for _, u := range []struct {
		field string
		to    *string
	}{{"returnUrl", &t.ReturnURL}, {"notifyUrl", &t.NotifyURL}} {
		if *u.to, err = required(msg, parent, u.field); err != nil {
			return err
		}
		if err := merchantURL(r, name(parent, u.field), *u.to); err != nil {
			return err
		}
	}
	if t.CustomerPlatform, err = required(msg, parent, "customerPlatform"); err != nil {
		return err
	}
	if t.AppID, err = text(msg, parent, "appId"); err != nil {
		return err
	}
	if t.TransactionIP, err = text(msg, parent, "transactionIp"); err != nil {
		return err
	}
	if t.Language, err = text(msg, parent, "language"); err != nil {
		return err
	}
	elems, err := array(msg, parent, "products")
	if err != nil {
		return err
	}
	if elems == nil {
		return refuse(CodeMissing, "txnOrderMsg.products", "txnOrderMsg.products is required")
	}
	if len(elems) == 0 {
		return refuse(CodeInvalid, "txnOrderMsg.products", "txnOrderMsg.products must list at least one product")
	}
	t.Goods = onerway.GoodsVirtual
	for i, raw := range elems {
		p, err := product(raw, fmt.Sprintf("txnOrderMsg.products[%d]", i))
		if err != nil {
			return err
		}
		if p.Type == onerway.GoodsPhysical {
			t.Goods = onerway.GoodsPhysical
		}
		t.Products = append(t.Products, p)
	}
	return nil
}

// merchantURL checks a returnUrl or notifyUrl: absolute http or https with
// a host. Plain http is for the sandbox, so that a merchant can receive
// webhooks on loopback; it is accepted with a warning.
func merchantURL(r *Request, field, s string) error {
	if err := maxLen(s, 256, field); err != nil {
		return err
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return refuse(CodeInvalid, field, "%s must be an absolute http or https URL, got %s", field, quoted(s))
	}
	if u.Scheme == "http" {
		r.warn("https-urls", field+" is plain http: the sandbox accepts it, production Onerway needs HTTPS endpoints", "https://docs.onerway.com/apis/en/v0.6/tabby")
	}
	return nil
}

// product reads one element of products: type physical or virtual and an
// https productAvatarUrl are required (seed 001).
func product(raw []byte, path string) (onerway.Product, error) {
	var p onerway.Product
	f, err := onerway.ParseFields(raw)
	if err != nil {
		return p, refuse(CodeUnreadable, path, "%s must be a JSON object", path)
	}
	for _, s := range []struct {
		field string
		to    *string
	}{{"name", &p.Name}, {"price", &p.Price}, {"num", &p.Num}, {"currency", &p.Currency}} {
		if *s.to, err = text(f, path, s.field); err != nil {
			return p, err
		}
	}
	typ, err := required(f, path, "type")
	if err != nil {
		return p, err
	}
	p.Type = onerway.GoodsType(typ)
	if p.Type != onerway.GoodsPhysical && p.Type != onerway.GoodsVirtual {
		return p, refuse(CodeInvalid, name(path, "type"), "%s.type must be physical or virtual, got %s", path, quoted(typ))
	}
	if p.ProductAvatarURL, err = required(f, path, "productAvatarUrl"); err != nil {
		return p, err
	}
	if u, err := url.Parse(p.ProductAvatarURL); err != nil || u.Scheme != "https" || u.Host == "" {
		return p, refuse(CodeInvalid, name(path, "productAvatarUrl"), "%s.productAvatarUrl must be an https URL of the product's image, got %s", path, quoted(p.ProductAvatarURL))
	}
	return p, nil
}

// addresses reads billingInformation (firstName, lastName and email, and
// phone for physical goods) and shippingInformation (required with
// firstName, lastName, phone, country, city, address and postalCode for
// physical goods; optional for virtual goods, whose shipping should match
// the billing).
func addresses(f onerway.Fields, t *gateway.Sale) error {
	physical := t.Goods == onerway.GoodsPhysical
	var err error
	if t.Billing, err = address(f, "billingInformation", true, "firstName", "lastName", "email"); err != nil {
		return err
	}
	if _, err := mail.ParseAddress(t.Billing.Email); err != nil || strings.ContainsAny(t.Billing.Email, "<> ") {
		return refuse(CodeInvalid, "billingInformation.email", "billingInformation.email is not an email address: %s", quoted(t.Billing.Email))
	}
	if physical && t.Billing.Phone == "" {
		return refuse(CodeMissing, "billingInformation.phone", "billingInformation.phone is required for physical goods")
	}
	if physical {
		t.Shipping, err = address(f, "shippingInformation", true, "firstName", "lastName", "phone", "country", "city", "address", "postalCode")
		if e, ok := err.(*Error); ok && e.Code == CodeMissing {
			e.Msg += " for physical goods"
		}
	} else {
		t.Shipping, err = address(f, "shippingInformation", false)
	}
	if err != nil {
		return err
	}
	if c := t.Shipping.Country; c != "" && !isCountryCode(c) {
		return refuse(CodeInvalid, "shippingInformation.country", "shippingInformation.country must be an ISO 3166-1 alpha-2 code such as SA, got %s", quoted(c))
	}
	return nil
}

// address reads a TransactionAddress field. With need set the field is
// required, and so are the named members.
func address(f onerway.Fields, field string, need bool, members ...string) (onerway.Address, error) {
	var a onerway.Address
	obj, err := object(f, "", field)
	if err != nil {
		return a, err
	}
	if obj == nil {
		if need {
			return a, refuse(CodeMissing, field, "%s is required", field)
		}
		return a, nil
	}
	// Members in TransactionAddress's order, so the first fault found is
	// always the same one.
	values := []struct {
		member string
		to     *string
	}{
		{"firstName", &a.FirstName}, {"lastName", &a.LastName}, {"email", &a.Email}, {"phone", &a.Phone},
		{"country", &a.Country}, {"province", &a.Province}, {"city", &a.City}, {"address", &a.Address},
		{"street", &a.Street}, {"number", &a.Number}, {"postalCode", &a.PostalCode},
	}
	for _, v := range values {
		if *v.to, err = text(obj, field, v.member); err != nil {
			return a, err
		}
	}
	for _, member := range members {
		if _, err := required(obj, field, member); err != nil {
			return a, err
		}
	}
	return a, nil
}

func isCountryCode(s string) bool {
	if len(s) != 2 {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') {
			return false
		}
	}
	return true
}
