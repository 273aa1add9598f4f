package merchant

import (
	"fmt"
	"strings"
)

// Variant is a way of building the reference merchant that differs from
// the default but is just as correct: the conformance suite must pass it.
type Variant struct {
	Name        string
	Description string
}

// The variants' names.
const (
	VariantAsyncWebhooks          = "async-webhooks"
	VariantAsyncReconcile         = "async-reconcile"
	VariantRejectionUnprocessable = "rejection-422"
	VariantRefusesCancelWhenPaid  = "refuses-cancel-when-paid"
)

// Variants is the catalogue of variants, in a stable order.
var Variants = []Variant{
	{VariantAsyncWebhooks, "checks a webhook's auth header, answers 200 at once and applies the webhook on a background worker (asynchronous processing for webhook payload: https://docs.onerway.com/apis/en/v0.6/tabby)"},
	{VariantAsyncReconcile, "its reconcile endpoint starts the job that retrieves the open payments in the background and answers 202 Accepted"},
	{VariantRejectionUnprocessable, "answers a checkout Tabby rejected at pre-scoring with 422 Unprocessable Entity, the order and the rejection reason"},
	{VariantRefusesCancelWhenPaid, "asked to cancel an order whose payment it finds authorized, refuses with 409 Conflict and fulfils the order instead: captures it and marks it paid"},
}

// checkVariant accepts "" or a name from Variants.
func checkVariant(name string) error {
	if name == "" {
		return nil
	}
	names := make([]string, len(Variants))
	for i, v := range Variants {
		if v.Name == name {
			return nil
		}
		names[i] = v.Name
	}
	return fmt.Errorf("merchant: unknown variant %q; known variants: %s", name, strings.Join(names, ", "))
}
