package tabbyapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/tabbysim/tabbysim/simulator/apperr"
	"github.com/tabbysim/tabbysim/simulator/journal"
)

// Request lint: what Tabby's own SDKs and plugins are seen to send although
// Tabby's OpenAPI file does not allow it. A merchant is served as Tabby
// serves such a request, and the request's journal entry and the log carry
// a warning naming the rule (its id in the repository's RULES.md) and the
// public page of the contract. A strict merchant is refused instead, as the
// contract says.

// lintRule is a rule of the contract the simulator is lenient about.
type lintRule struct{ id, source string }

var (
	// Tabby's Android SDK sends amounts as JSON numbers.
	ruleAmountString = lintRule{"R-AMOUNT-STRING", "https://docs.tabby.ai/api-reference/checkout/create-a-session"}
	// Plugins send an item's gender in upper case.
	ruleItemGender = lintRule{"R-ITEM-GENDER", "https://docs.tabby.ai/api-reference/checkout/create-a-session"}
	// Clients send list bounds with a time ("No time should be provided").
	ruleListDate = lintRule{"R-LIST-DATE", "https://docs.tabby.ai/openapi.yaml"}
	// Clients send the new reference at the top level of a PUT, which
	// Tabby ignores as it ignores every field it does not know.
	ruleUpdateBody = lintRule{"R-UPDATE-BODY", "https://docs.tabby.ai/openapi.yaml"}
	// Clients call the webhook endpoints without X-Merchant-Code.
	ruleMerchantCode = lintRule{"R-WEBHOOK-MERCHANT-CODE", "https://docs.tabby.ai/openapi.yaml"}
)

// warn records a warning of rule on the request's journal entry and logs it.
func (a *API) warn(c *call, rule lintRule, format string, args ...any) {
	w := journal.Warning{Rule: rule.id, Message: fmt.Sprintf(format, args...), Source: rule.source}
	journal.Warn(c.r.Context(), w)
	if a.Log != nil {
		a.Log.Warn("request lint", "merchant", c.merchant.ID, "method", c.r.Method, "path", c.r.URL.Path,
			"rule", w.Rule, "message", w.Message, "source", w.Source)
	}
}

// bodyLint says where a request body may hold what the lint rules read
// leniently. Paths are dotted; "items[]" stands for every element.
type bodyLint struct {
	amounts []string // amounts, which Tabby's Android SDK sends as numbers
	genders []string // item genders, which plugins send in upper case
	ignored []string // top-level fields Tabby ignores, sent where another was meant
}

var (
	itemAmounts  = []string{"unit_price", "discount_amount"}
	checkoutLint = bodyLint{
		amounts: append([]string{"payment.amount", "payment.order.tax_amount", "payment.order.shipping_amount",
			"payment.order.discount_amount"}, under("payment.order.items[]", itemAmounts)...),
		genders: []string{"payment.order.items[].gender"},
	}
	captureLint = bodyLint{
		amounts: append([]string{"amount", "tax_amount", "shipping_amount", "discount_amount"}, under("items[]", itemAmounts)...),
		genders: []string{"items[].gender"},
	}
	refundLint = bodyLint{
		amounts: append([]string{"amount"}, under("items[]", itemAmounts)...),
		genders: []string{"items[].gender"},
	}
	updateLint = bodyLint{ignored: []string{"reference_id"}}
)

func under(parent string, fields []string) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = parent + "." + f
	}
	return out
}

// genders are the values Tabby's OpenAPI file allows for an item's gender.
var genders = []string{"Male", "Female", "Kids", "Other"}

// lint returns the body to decode. For a lenient merchant it reads what l
// names as Tabby does (an amount sent as a number as its digits, a gender
// in another case as the documented value), warning of each; a strict
// merchant's body is returned as sent, for the decoder to refuse, and a
// field Tabby would ignore is refused. A body that is not one JSON value is
// returned as sent, for the decoder to answer.
func (a *API) lint(c *call, body []byte, l bodyLint) ([]byte, error) {
	if !l.finds(body) {
		return body, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return body, nil
	}
	if _, err := dec.Token(); err != io.EOF {
		return body, nil
	}
	strict := c.merchant.Settings.Strict
	if top, ok := doc.(map[string]any); ok {
		for _, f := range l.ignored {
			if _, sent := top[f]; !sent {
				continue
			}
			if strict {
				return nil, apperr.Errorf(apperr.Invalid, "%s: Tabby ignores a top-level %s; send the new reference as order.reference_id only (strict mode)", f, f)
			}
			a.warn(c, ruleUpdateBody, "%s at the top level of the body was ignored, as Tabby ignores fields it does not know; only order.reference_id changes the reference", f)
		}
	}
	if strict {
		return body, nil
	}
	changed := false
	for _, path := range l.amounts {
		visit(doc, strings.Split(path, "."), "", func(obj map[string]any, key, name string) {
			if n, ok := obj[key].(json.Number); ok {
				obj[key], changed = n.String(), true
				a.warn(c, ruleAmountString, "%s was sent as the JSON number %s; Tabby's API takes amounts as strings such as \"100.00\" (read as %q)", name, n, n.String())
			}
		})
	}
	for _, path := range l.genders {
		visit(doc, strings.Split(path, "."), "", func(obj map[string]any, key, name string) {
			s, ok := obj[key].(string)
			if !ok || slices.Contains(genders, s) {
				return
			}
			if i := slices.IndexFunc(genders, func(g string) bool { return strings.EqualFold(g, s) }); i >= 0 {
				obj[key], changed = genders[i], true
				a.warn(c, ruleItemGender, "%s was sent as %q; Tabby's API takes %s, exactly so (read as %q)", name, s, strings.Join(genders, ", "), genders[i])
			}
		})
	}
	if !changed {
		return body, nil
	}
	return json.Marshal(doc)
}

// finds reports whether body may hold something l reads leniently: an
// amount that is a number, a gender not written as documented, or an
// ignored field. Most bodies hold none, and looking costs a scan of the
// bytes where decoding the body into maps cost a map per object.
func (l bodyLint) finds(body []byte) bool {
	for _, path := range l.ignored {
		if gjson.GetBytes(body, path).Exists() {
			return true
		}
	}
	found := false
	look := func(paths []string, odd func(gjson.Result) bool) {
		for _, path := range paths {
			gjson.GetBytes(body, strings.ReplaceAll(path, "[]", ".#")).ForEach(func(_, v gjson.Result) bool {
				found = found || odd(v)
				return !found
			})
		}
	}
	// A path through an array gives an array of its values, one value
	// otherwise; ForEach walks an array and calls once for anything else.
	look(l.amounts, func(v gjson.Result) bool { return v.Type == gjson.Number })
	look(l.genders, func(v gjson.Result) bool { return v.Exists() && !slices.Contains(genders, v.String()) })
	return found
}

// visit calls f for the member named by segs in every object it reaches
// from v, with the member's full name; a segment ending in "[]" goes into
// every element of an array.
func visit(v any, segs []string, name string, f func(obj map[string]any, key, name string)) {
	obj, ok := v.(map[string]any)
	if !ok || len(segs) == 0 {
		return
	}
	key, each := strings.CutSuffix(segs[0], "[]")
	child, ok := obj[key]
	if !ok {
		return
	}
	if name != "" {
		name += "."
	}
	name += key
	switch {
	case len(segs) == 1:
		f(obj, key, name)
	case each:
		list, _ := child.([]any)
		for i, el := range list {
			visit(el, segs[1:], fmt.Sprintf("%s[%d]", name, i), f)
		}
	default:
		visit(child, segs[1:], name, f)
	}
}

// listDate reads a created_at__gte or created_at__lte bound: a date, as
// Tabby's OpenAPI file asks ("No time should be provided"). A lenient
// merchant may send a date and time, read as its date, with a warning.
func (a *API) listDate(c *call, param, v string) (time.Time, bool) {
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, true
	}
	if c.merchant.Settings.Strict {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, v); err == nil {
			y, m, d := t.UTC().Date()
			day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
			a.warn(c, ruleListDate, "%s was sent with a time, %q; Tabby's API takes a date such as 2025-03-01 (read as %s)", param, v, day.Format(time.DateOnly))
			return day, true
		}
	}
	return time.Time{}, false
}

// merchantCode is the request's X-Merchant-Code. Without one, a lenient
// merchant's key is read as meant for its first code in alphabetical
// order, with a warning; a strict merchant's request keeps none, which the
// webhook calls refuse.
func (a *API) merchantCode(c *call) string {
	code := c.r.Header.Get("X-Merchant-Code")
	if code != "" || c.merchant.Settings.Strict || len(c.merchant.Tabby.MerchantCodes) == 0 {
		return code
	}
	code = slices.Sorted(maps.Keys(c.merchant.Tabby.MerchantCodes))[0]
	a.warn(c, ruleMerchantCode, "the X-Merchant-Code header was not sent; Tabby's webhook calls require it (read as %q, the key's first merchant code)", code)
	return code
}
