// Package openapi checks simulator responses against Tabby's official
// OpenAPI 3.1 contract (tabby-openapi.yml, embedded).
//
// The contract is 3.1 but written with 3.0's `nullable: true`. Strict
// JSON Schema 2020-12 ignores that keyword and would reject every null the
// real API sends, so schemas are checked with kin-openapi's OpenAPI 3.0
// validator, which honours `nullable`. The file uses no 3.1-only keyword
// (type arrays, const, prefixItems, ...), so nothing is lost by that.
//
// Quirks of the contract that callers must respect:
//   - A null is accepted only where `nullable: true` is written. For example
//     PaymentResponse.captures and .refunds may be null, but
//     PaymentCaptureResponse.captures and PaymentRefundResponse.captures and
//     .refunds may not: send [] there, or omit the field.
//   - Error_404 (the 404 of /api/v2/checkout, /api/v2/checkout/{id},
//     /api/v1/webhooks and the dispute list, approve and challenge calls) and
//     Error_500 (every 500) are JSON strings, not error objects.
//   - WebhookResponseAll is a oneOf of Webhook and an empty schema, so a
//     single valid Webhook object matches both branches and fails; an array
//     or null passes.
//   - CheckoutResponsePayment requires buyer, buyer_history, order_history
//     and shipping_address without describing them: any value, null too.
package openapi

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed tabby-openapi.yml
var specYAML []byte

// ErrUnknownOperation means the spec has no operation for the method and path.
var ErrUnknownOperation = errors.New("openapi: operation not in spec")

// ErrUndocumentedStatus means the operation exists but the spec does not
// describe a response with that status.
var ErrUndocumentedStatus = errors.New("openapi: status not documented")

type route struct {
	template string
	segments []string
	item     *openapi3.PathItem
}

var (
	loadOnce sync.Once
	routes   []route
	loadErr  error
)

// visitOpts: readOnly fields are expected in responses; formats the library
// leaves unchecked by default are checked here, without touching its globals.
var visitOpts = []openapi3.SchemaValidationOption{
	openapi3.MultiErrors(),
	openapi3.VisitAsResponse(),
	openapi3.WithStringFormatValidators(map[string]openapi3.StringFormatValidator{
		"uuid":  openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562),
		"email": openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForEmail),
		"uri": openapi3.NewCallbackValidator(func(s string) error {
			if u, err := url.Parse(s); err != nil || u.Scheme == "" {
				return fmt.Errorf("not an absolute URI: %q", s)
			}
			return nil
		}),
	}),
}

func load() {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(specYAML)
	if err != nil {
		loadErr = fmt.Errorf("openapi: load spec: %w", err)
		return
	}
	// The whole document does not validate (a mistyped example, a path
	// parameter named dispute_id under {disputeId}); the schemas must.
	if err := doc.Components.Validate(loader.Context,
		openapi3.DisableExamplesValidation(),
		openapi3.DisableSchemaDefaultsValidation()); err != nil {
		loadErr = fmt.Errorf("openapi: invalid spec components: %w", err)
		return
	}
	for template, item := range doc.Paths.Map() {
		routes = append(routes, route{template, strings.Split(template, "/"), item})
	}
	// Literal segments win over parameters: /disputes/approve before /disputes/{disputeId}.
	sort.Slice(routes, func(i, j int) bool {
		pi, pj := strings.Count(routes[i].template, "{"), strings.Count(routes[j].template, "{")
		if pi != pj {
			return pi < pj
		}
		return routes[i].template < routes[j].template
	})
}

// Template returns the spec's templated path that a concrete path matches,
// after mapping the legacy /api/v1/payments prefix to /api/v2/payments.
func Template(path string) (string, bool) {
	r := find(path)
	if r == nil {
		return "", false
	}
	return r.template, true
}

func find(path string) *route {
	if loadOnce.Do(load); loadErr != nil {
		return nil
	}
	path, _, _ = strings.Cut(path, "?")
	if rest, ok := strings.CutPrefix(path, "/api/v1/payments"); ok && (rest == "" || rest[0] == '/') {
		path = "/api/v2/payments" + rest
	}
	segs := strings.Split(path, "/")
	for i := range routes {
		if matches(routes[i].segments, segs) {
			return &routes[i]
		}
	}
	return nil
}

func matches(template, segs []string) bool {
	if len(template) != len(segs) {
		return false
	}
	for i, t := range template {
		isParam := strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}")
		if (isParam && segs[i] == "") || (!isParam && t != segs[i]) {
			return false
		}
	}
	return true
}

// Validate checks one response against the contract for method + path (a
// concrete path like /api/v2/payments/5f0c…; match it to the templated path
// in the spec). status is the HTTP status, body the raw JSON body.
func Validate(method, path string, status int, contentType string, body []byte) error {
	if loadOnce.Do(load); loadErr != nil {
		return loadErr
	}
	method = strings.ToUpper(method)
	r := find(path)
	if r == nil || r.item.GetOperation(method) == nil {
		return fmt.Errorf("%w: %s %s", ErrUnknownOperation, method, path)
	}
	responses := r.item.GetOperation(method).Responses
	op := fmt.Sprintf("%s %s %d", method, r.template, status)

	resp := responses.Status(status)
	if resp == nil {
		resp = responses.Default()
	}
	if resp == nil || resp.Value == nil {
		return fmt.Errorf("%w: %s", ErrUndocumentedStatus, op)
	}
	if len(resp.Value.Content) == 0 {
		if len(body) != 0 {
			return fmt.Errorf("%s: spec defines no body, got %d bytes", op, len(body))
		}
		return nil
	}
	media := resp.Value.Content.Get(contentType)
	if media == nil {
		return fmt.Errorf("%s: content type %q not in spec", op, contentType)
	}
	if media.Schema == nil || media.Schema.Value == nil {
		return nil
	}

	var value any
	if err := json.Unmarshal(body, &value); err != nil {
		return fmt.Errorf("%s: body is not JSON: %w", op, err)
	}
	if err := media.Schema.Value.VisitJSON(value, visitOpts...); err != nil {
		lines := violations(err)
		sort.Strings(lines)
		return fmt.Errorf("%s: response violates schema:\n%s", op, strings.Join(lines, "\n"))
	}
	return nil
}

// violations flattens the library's error tree into "/json/pointer: reason" lines.
func violations(err error) []string {
	switch e := err.(type) {
	case openapi3.MultiError:
		var out []string
		for _, sub := range e {
			out = append(out, violations(sub)...)
		}
		return out
	case *openapi3.SchemaError:
		return []string{fmt.Sprintf("  /%s: %s", strings.Join(e.JSONPointer(), "/"), e.Reason)}
	}
	return []string{"  " + err.Error()}
}
