package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/template"

	"github.com/tidwall/gjson"
)

// Adapter describes how the harness talks to a merchant integration: how to
// start a checkout, and optionally how to read an order's status and ask
// for the merchant's own operations. The README documents the format.
type Adapter struct {
	Name string `json:"name"`
	// BaseURL is the merchant service; requests' paths are relative to it.
	BaseURL string `json:"base_url"`
	// Command, when set, starts the merchant service after the simulator
	// is up, with TABBYSIM_URL, TABBY_SECRET_KEY, TABBY_MERCHANT_CODES (the
	// code of each currency, "AED=ae,SAR=sa,KWD=kw"), TABBY_MERCHANT_CODE
	// (the AED one), ONERWAY_MERCHANT_NO, ONERWAY_SECRET_KEY and
	// ONERWAY_APP_ID in its environment; the harness stops it at the end.
	Command []string `json:"command,omitempty"`
	// ReadyPath is polled on BaseURL until it answers 2xx (default "/").
	ReadyPath string `json:"ready_path,omitempty"`
	// Checkout starts a checkout; its answer carries the hosted page URL.
	Checkout CheckoutCall `json:"checkout"`
	// OrderStatus reads an order's status; optional.
	OrderStatus *StatusCall `json:"order_status,omitempty"`
	// Actions are the merchant operations a scenario may ask for:
	// "reconcile" (run the job that checks pending payments), "cancel" (cancel
	// an order), "refund" (refund {{.Amount}} of an order) and "deliver"
	// (the package of an order was signed for at {{.DeliveredAt}}). All
	// optional.
	Actions map[string]Call `json:"actions,omitempty"`
}

// Call is one HTTP request. Path, headers and body are Go text/templates
// over CallData.
type Call struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`
}

// CheckoutCall starts a checkout; the paths are gjson paths into its answer.
type CheckoutCall struct {
	Call
	RedirectURL     string `json:"redirect_url"`
	OrderRef        string `json:"order_ref"`
	RejectionReason string `json:"rejection_reason,omitempty"`
}

// StatusCall reads an order; Status is a gjson path into the answer and
// Values maps the harness's order states (pending, paid, cancelled, failed,
// refunded, partially_refunded) to the values the merchant uses.
type StatusCall struct {
	Call
	Status string              `json:"status"`
	Values map[string][]string `json:"values"`
}

// CallData is what templates see.
type CallData struct {
	Amount   string
	Currency string
	Buyer    CallBuyer
	Items    []CallItem
	OrderRef string
	Lang     string
	// DeliveredAt is when the order's package was signed for, RFC 3339 on
	// the simulator's clock, for the deliver action.
	DeliveredAt string
	// The simulator merchant's Onerway credentials, as the command's
	// environment has them.
	OnerwayMerchantNo, OnerwaySecretKey, OnerwayAppID string
}

// CallBuyer is the customer.
type CallBuyer struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Phone string `json:"phone"`
}

// CallItem is an order line; InStock false marks an item the merchant
// cannot ship. Type is "physical" or "virtual" in Onerway's scenarios,
// whose settlement depends on it, and "" in Tabby's.
type CallItem struct {
	Title     string `json:"title"`
	Quantity  int    `json:"quantity"`
	UnitPrice string `json:"unit_price"`
	Category  string `json:"category"`
	InStock   bool   `json:"in_stock"`
	Type      string `json:"type,omitempty"`
}

// LoadAdapter reads and checks an adapter file.
func LoadAdapter(path string) (*Adapter, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseAdapter(b)
}

// ParseAdapter decodes and checks an adapter.
func ParseAdapter(b []byte) (*Adapter, error) {
	var a Adapter
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("adapter: %w", err)
	}
	return &a, a.Validate()
}

// Validate checks the adapter is usable and its templates parse.
func (a *Adapter) Validate() error {
	bad := func(format string, args ...any) error { return fmt.Errorf("adapter: "+format, args...) }
	if a.BaseURL == "" {
		return bad("base_url is required")
	}
	if a.Checkout.Path == "" || a.Checkout.RedirectURL == "" || a.Checkout.OrderRef == "" {
		return bad("checkout needs path, redirect_url and order_ref")
	}
	calls := map[string]Call{"checkout": a.Checkout.Call}
	if a.OrderStatus != nil {
		if a.OrderStatus.Status == "" || len(a.OrderStatus.Values) == 0 {
			return bad("order_status needs status and values")
		}
		for state := range a.OrderStatus.Values {
			if !orderStates[state] {
				return bad("order_status.values: unknown state %q (use pending, paid, cancelled, failed, refunded, partially_refunded)", state)
			}
		}
		calls["order_status"] = a.OrderStatus.Call
	}
	for name, c := range a.Actions {
		switch name {
		case "reconcile", "cancel", "refund", "deliver":
		default:
			return bad("actions: unknown action %q (use reconcile, cancel, refund, deliver)", name)
		}
		calls["actions."+name] = c
	}
	for name, c := range calls {
		for _, t := range append([]string{c.Path, c.Body}, headerValues(c.Headers)...) {
			if _, err := newTemplate(t); err != nil {
				return bad("%s: %v", name, err)
			}
		}
	}
	return nil
}

var orderStates = map[string]bool{"pending": true, "paid": true, "cancelled": true, "failed": true, "refunded": true, "partially_refunded": true}

func headerValues(h map[string]string) []string {
	var out []string
	for _, v := range h {
		out = append(out, v)
	}
	return out
}

func newTemplate(s string) (*template.Template, error) {
	return template.New("").Option("missingkey=error").Funcs(template.FuncMap{
		"json": func(v any) (string, error) {
			b, err := json.Marshal(v)
			return string(b), err
		},
	}).Parse(s)
}

func render(s string, data CallData) (string, error) {
	t, err := newTemplate(s)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Answer is a merchant's answer to one call.
type Answer struct {
	Status int
	Body   []byte
}

// Get reads a gjson path from the answer.
func (a Answer) Get(path string) gjson.Result { return gjson.GetBytes(a.Body, path) }

// errNoAction is returned for an action the adapter does not describe.
var errNoAction = errors.New("the adapter describes no such action")

// do sends one call to the merchant.
func (a *Adapter) do(ctx context.Context, h *http.Client, c Call, data CallData) (Answer, error) {
	path, err := render(c.Path, data)
	if err != nil {
		return Answer{}, err
	}
	body, err := render(c.Body, data)
	if err != nil {
		return Answer{}, err
	}
	method := c.Method
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(a.BaseURL, "/")+path, strings.NewReader(body))
	if err != nil {
		return Answer{}, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.Headers {
		val, err := render(v, data)
		if err != nil {
			return Answer{}, err
		}
		req.Header.Set(k, val)
	}
	resp, err := h.Do(req)
	if err != nil {
		return Answer{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return Answer{Status: resp.StatusCode, Body: b}, err
}
