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
	"slices"
	"strings"
	"text/template"

	"github.com/tidwall/gjson"
)

// Adapter describes how the harness talks to a merchant integration: how to
// start it, how to start a checkout, and optionally how to read an order's
// status and ask for the merchant's own operations. The README documents
// the format field by field.
type Adapter struct {
	Name string `json:"name"`
	// BaseURL is the merchant service; requests' paths are relative to it.
	// It is a template over LaunchData.
	BaseURL string `json:"base_url"`
	// Command, when set, starts the merchant service after the simulator
	// is up; the harness stops it at the end. Its words are templates over
	// LaunchData.
	Command Command `json:"command,omitempty"`
	// Env is added to the command's environment, after TABBYSIM_URL,
	// TABBY_SECRET_KEY, TABBY_MERCHANT_CODES, TABBY_MERCHANT_CODE,
	// ONERWAY_MERCHANT_NO, ONERWAY_SECRET_KEY and ONERWAY_APP_ID; its values
	// are templates over LaunchData.
	Env map[string]string `json:"env,omitempty"`
	// ReadyPath is polled on BaseURL until it answers 2xx (default "/").
	// The service must have registered its webhooks by then.
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

	// codes are the merchant codes of the scenario's simulator merchant,
	// by currency, for CallData.MerchantCode.
	codes map[string]string
}

// Command starts a merchant service: an argument list, run as it is, or
// one shell line, run with sh -c.
type Command struct {
	Args  []string
	Shell string
}

// UnmarshalJSON reads an array of strings or a string.
func (c *Command) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &c.Shell); err == nil {
		return nil
	}
	if err := json.Unmarshal(b, &c.Args); err != nil {
		return errors.New("command: write an array of strings, such as [\"./shop\", \"--port\", \"{{.Port}}\"], or one shell line")
	}
	return nil
}

// IsZero reports whether the command is unset.
func (c Command) IsZero() bool { return len(c.Args) == 0 && c.Shell == "" }

// words are the command's templates: its arguments, or its shell line.
func (c Command) words() []string {
	if c.Shell != "" {
		return []string{c.Shell}
	}
	return c.Args
}

func (c Command) String() string {
	if c.Shell != "" {
		return c.Shell
	}
	return strings.Join(c.Args, " ")
}

// LaunchData is what the command, base_url and env templates see.
type LaunchData struct {
	// SimURL is the harness's simulator, also in TABBYSIM_URL.
	SimURL string
	// Port is a free port the harness picked for the merchant service.
	Port int
	// SecretKey is the simulator merchant's Tabby secret key, also in
	// TABBY_SECRET_KEY.
	SecretKey string
	// MerchantCodes are its merchant codes by currency, "AED=ae,SAR=sa,KWD=kw",
	// also in TABBY_MERCHANT_CODES.
	MerchantCodes string
	// MerchantCode is its AED code, also in TABBY_MERCHANT_CODE.
	MerchantCode string
	// Its Onerway credentials, also in ONERWAY_MERCHANT_NO,
	// ONERWAY_SECRET_KEY and ONERWAY_APP_ID.
	OnerwayMerchantNo, OnerwaySecretKey, OnerwayAppID string
}

// Call is one HTTP request. Path, headers and body are Go text/templates
// over CallData. Method defaults to GET for order_status and POST for the
// others.
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
	// OfferedStatuses and RejectedStatuses, when set, are the HTTP statuses
	// of an answer that offers Tabby and of one that does not (see
	// CheckoutCall.offered for what the harness reads without them).
	OfferedStatuses  []int `json:"offered_statuses,omitempty"`
	RejectedStatuses []int `json:"rejected_statuses,omitempty"`
}

// StatusCall reads an order; Status is a gjson path into the answer and
// Values maps the harness's order states (pending, paid, cancelled, failed,
// refunded, partially_refunded) to the values the merchant uses.
type StatusCall struct {
	Call
	Status string              `json:"status"`
	Values map[string][]string `json:"values"`
}

// CallData is what the call templates see.
type CallData struct {
	Amount   string
	Currency string
	// MerchantCode is the Tabby merchant code of Currency.
	MerchantCode string
	Buyer        CallBuyer
	Items        []CallItem
	OrderRef     string
	Lang         string
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

// Validate checks the adapter is usable and its templates run, and fills
// in the defaults.
func (a *Adapter) Validate() error {
	bad := func(format string, args ...any) error { return fmt.Errorf("adapter: "+format, args...) }
	if a.BaseURL == "" {
		return bad("base_url is required")
	}
	launch := map[string]string{"base_url": a.BaseURL}
	for i, w := range a.Command.words() {
		launch[fmt.Sprintf("command[%d]", i)] = w
	}
	for k, v := range a.Env {
		launch["env."+k] = v
	}
	for name, t := range launch {
		if _, err := render(t, LaunchData{}); err != nil {
			return bad("%s: %v (templates here see .SimURL, .Port, .SecretKey, .MerchantCodes, .MerchantCode, .OnerwayMerchantNo, .OnerwaySecretKey, .OnerwayAppID)", name, err)
		}
	}
	if a.Checkout.Path == "" || a.Checkout.RedirectURL == "" || a.Checkout.OrderRef == "" {
		return bad("checkout needs path, redirect_url and order_ref")
	}
	defaultMethod(&a.Checkout.Call, http.MethodPost)
	for _, st := range append(slices.Clone(a.Checkout.OfferedStatuses), a.Checkout.RejectedStatuses...) {
		if st < 100 || st > 599 {
			return bad("checkout: %d is not an HTTP status", st)
		}
		if slices.Contains(a.Checkout.OfferedStatuses, st) && slices.Contains(a.Checkout.RejectedStatuses, st) {
			return bad("checkout: HTTP %d is in both offered_statuses and rejected_statuses", st)
		}
	}
	calls := map[string]Call{"checkout": a.Checkout.Call}
	if a.OrderStatus != nil {
		defaultMethod(&a.OrderStatus.Call, http.MethodGet)
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
		defaultMethod(&c, http.MethodPost)
		a.Actions[name] = c
		calls["actions."+name] = c
	}
	sample := CallData{Buyer: CallBuyer{}, Items: []CallItem{{}}}
	for name, c := range calls {
		for _, t := range append([]string{c.Path, c.Body}, headerValues(c.Headers)...) {
			if _, err := render(t, sample); err != nil {
				return bad("%s: %v", name, err)
			}
		}
	}
	return nil
}

func defaultMethod(c *Call, method string) {
	if c.Method == "" {
		c.Method = method
	}
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

func render(s string, data any) (string, error) {
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

// forMerchant returns a copy of the adapter for the simulator merchant
// whose codes (by currency) CallData.MerchantCode takes.
func (a *Adapter) forMerchant(codes map[string]string) *Adapter {
	c := *a
	c.codes = codes
	return &c
}

// do sends one call to the merchant.
func (a *Adapter) do(ctx context.Context, h *http.Client, c Call, data CallData) (Answer, error) {
	data.MerchantCode = a.codes[data.Currency]
	path, err := render(c.Path, data)
	if err != nil {
		return Answer{}, err
	}
	body, err := render(c.Body, data)
	if err != nil {
		return Answer{}, err
	}
	method := c.Method
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
