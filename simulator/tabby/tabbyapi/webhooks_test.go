package tabbyapi_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
)

// hook calls /api/v1/webhooks with the merchant's secret key and code.
func hook(t testing.TB, m *e2e.Merchant, method, path, code string, body any, spec e2e.Spec) *e2e.Resp {
	t.Helper()
	h := map[string]string{}
	if code != "" {
		h["X-Merchant-Code"] = code
	}
	return m.Env.Do(t, e2e.Req{Method: method, Path: "/api/v1/webhooks" + path, Key: m.SecretKey, Header: h, Body: body, Spec: spec})
}

func TestWebhooks_CRUD(t *testing.T) {
	m := newMerchant(t)

	r := hook(t, m, http.MethodGet, "", "ae", nil, e2e.SpecValid)
	e2e.WantStatus(t, r, http.StatusOK)
	if r.Text() != "[]" {
		t.Errorf("empty list = %s, want []", r.Body)
	}

	r = hook(t, m, http.MethodPost, "", "ae", map[string]any{
		"url":    "https://shop.example/tabby/webhook",
		"header": map[string]any{"title": "X-Shop-Secret", "value": "s3cr3t"},
	}, e2e.SpecValid)
	e2e.WantStatus(t, r, http.StatusOK)
	id := r.Str("id")
	if id == "" {
		t.Fatalf("register: no id in %s", r)
	}
	e2e.WantField(t, r, "url", "https://shop.example/tabby/webhook")
	e2e.WantField(t, r, "is_test", "true")
	e2e.WantField(t, r, "header.title", "X-Shop-Secret")
	e2e.WantField(t, r, "header.value", "s3cr3t")

	r = hook(t, m, http.MethodGet, "", "ae", nil, e2e.SpecValid)
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantArrayLen(t, r, "@this", 1)
	e2e.WantField(t, r, "0.id", id)
	e2e.WantField(t, r, "0.header.title", "X-Shop-Secret")

	r = hook(t, m, http.MethodGet, "/"+id, "ae", nil, e2e.SpecValid)
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "id", id)
	e2e.WantField(t, r, "url", "https://shop.example/tabby/webhook")
	e2e.WantField(t, r, "is_test", "true")

	r = hook(t, m, http.MethodPut, "/"+id, "ae", map[string]any{
		"url":    "https://shop.example/tabby/hook2",
		"header": map[string]any{"title": "Authorization", "value": "Bearer abc"},
	}, e2e.SpecValid)
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "id", id)
	e2e.WantField(t, r, "url", "https://shop.example/tabby/hook2")
	e2e.WantField(t, r, "header.title", "Authorization")

	r = hook(t, m, http.MethodGet, "/"+id, "ae", nil, e2e.SpecValid)
	e2e.WantField(t, r, "url", "https://shop.example/tabby/hook2")
	e2e.WantField(t, r, "header.value", "Bearer abc")

	// Another code of the same merchant does not see it.
	r = hook(t, m, http.MethodGet, "/"+id, "sa", nil, e2e.SpecValid)
	e2e.WantError(t, r, http.StatusNotFound, "not_found", "no such webhook")

	r = hook(t, m, http.MethodDelete, "/"+id, "ae", nil, e2e.SpecValid)
	e2e.WantStatus(t, r, http.StatusOK)
	if r.Text() != `{"status":"ok"}` {
		t.Errorf("delete = %s, want {\"status\":\"ok\"}", r.Body)
	}
	r = hook(t, m, http.MethodGet, "/"+id, "ae", nil, e2e.SpecValid)
	e2e.WantError(t, r, http.StatusNotFound, "not_found", "no such webhook")
	r = hook(t, m, http.MethodDelete, "/"+id, "ae", nil, e2e.SpecValid)
	e2e.WantError(t, r, http.StatusNotFound, "not_found", "no such webhook")
	r = hook(t, m, http.MethodGet, "", "ae", nil, e2e.SpecValid)
	if r.Text() != "[]" {
		t.Errorf("list after delete = %s, want []", r.Body)
	}
}

func TestWebhooks_IsTestAndNoHeader(t *testing.T) {
	m := newMerchant(t)
	r := hook(t, m, http.MethodPost, "", "ae", map[string]any{"url": "http://localhost:8080/hook", "is_test": false}, e2e.SpecValid)
	e2e.WantStatus(t, r, http.StatusOK)
	e2e.WantField(t, r, "is_test", "false")
	e2e.WantField(t, r, "url", "http://localhost:8080/hook")
	if h := r.JSON.Get("header"); h.Exists() && h.Raw != "null" {
		t.Errorf("header = %s, want absent or null", h.Raw)
	}
}

func TestWebhooks_AtMostFourPerCode(t *testing.T) {
	m := newMerchant(t)
	for i := range 4 {
		r := hook(t, m, http.MethodPost, "", "ae", map[string]any{"url": "https://shop.example/h" + strconv.Itoa(i)}, e2e.SpecValid)
		e2e.WantStatus(t, r, http.StatusOK)
	}
	r := hook(t, m, http.MethodPost, "", "ae", map[string]any{"url": "https://shop.example/h5"}, e2e.SpecValid)
	e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "4")
	r = hook(t, m, http.MethodGet, "", "ae", nil, e2e.SpecValid)
	e2e.WantArrayLen(t, r, "@this", 4)
	// The limit is per merchant code.
	r = hook(t, m, http.MethodPost, "", "sa", map[string]any{"url": "https://shop.example/sa"}, e2e.SpecValid)
	e2e.WantStatus(t, r, http.StatusOK)
	// Deleting one makes room again.
	r = hook(t, m, http.MethodGet, "", "ae", nil, e2e.SpecValid)
	first := r.Str("0.id")
	e2e.WantStatus(t, hook(t, m, http.MethodDelete, "/"+first, "ae", nil, e2e.SpecValid), http.StatusOK)
	r = hook(t, m, http.MethodPost, "", "ae", map[string]any{"url": "https://shop.example/h5"}, e2e.SpecValid)
	e2e.WantStatus(t, r, http.StatusOK)
}

func TestWebhooks_MerchantCodeHeader(t *testing.T) {
	m := newMerchant(t)
	// A lenient merchant reads a missing header as its first code
	// (TestLint); a strict one is refused.
	m.Settings(map[string]any{"strict": true})
	created := hook(t, m, http.MethodPost, "", "ae", map[string]any{"url": "https://shop.example/h"}, e2e.SpecValid)
	e2e.WantStatus(t, created, http.StatusOK)
	id := created.Str("id")
	body := map[string]any{"url": "https://shop.example/h2"}

	// Missing X-Merchant-Code: 400. The contract documents 400 only on
	// register and update; on list, get and delete it is undocumented.
	for _, tc := range []struct {
		method, path string
		body         any
		spec         e2e.Spec
	}{
		{http.MethodPost, "", body, e2e.SpecValid},
		{http.MethodPut, "/" + id, body, e2e.SpecValid},
		{http.MethodGet, "", nil, e2e.SpecUndocumented},
		{http.MethodGet, "/" + id, nil, e2e.SpecUndocumented},
		{http.MethodDelete, "/" + id, nil, e2e.SpecUndocumented},
	} {
		r := hook(t, m, tc.method, tc.path, "", tc.body, tc.spec)
		e2e.WantError(t, r, http.StatusBadRequest, "bad_data", "the X-Merchant-Code header is required")
	}
	// A code the merchant does not have: 401.
	for _, tc := range []struct {
		method, path string
		body         any
	}{
		{http.MethodPost, "", body},
		{http.MethodPut, "/" + id, body},
		{http.MethodGet, "", nil},
		{http.MethodGet, "/" + id, nil},
		{http.MethodDelete, "/" + id, nil},
	} {
		r := hook(t, m, tc.method, tc.path, "qa", tc.body, e2e.SpecValid)
		e2e.WantError(t, r, http.StatusUnauthorized, "not_authorized", "merchant is null")
	}
	// Nothing changed.
	r := hook(t, m, http.MethodGet, "/"+id, "ae", nil, e2e.SpecValid)
	e2e.WantField(t, r, "url", "https://shop.example/h")
}

func TestWebhooks_NotFound(t *testing.T) {
	a := newMerchant(t)
	b := shared.NewMerchant(t, nil)
	r := hook(t, a, http.MethodGet, "/00000000-0000-4000-8000-00000000beef", "ae", nil, e2e.SpecValid)
	e2e.WantError(t, r, http.StatusNotFound, "not_found", "no such webhook")

	created := hook(t, a, http.MethodPost, "", "ae", map[string]any{"url": "https://shop.example/a"}, e2e.SpecValid)
	e2e.WantStatus(t, created, http.StatusOK)
	id := created.Str("id")
	r = hook(t, b, http.MethodGet, "/"+id, "ae", nil, e2e.SpecValid)
	e2e.WantError(t, r, http.StatusNotFound, "not_found", "no such webhook")
	r = hook(t, b, http.MethodPut, "/"+id, "ae", map[string]any{"url": "https://evil.example/"}, e2e.SpecValid)
	e2e.WantError(t, r, http.StatusNotFound, "not_found", "no such webhook")
	r = hook(t, b, http.MethodDelete, "/"+id, "ae", nil, e2e.SpecValid)
	e2e.WantError(t, r, http.StatusNotFound, "not_found", "no such webhook")
	r = hook(t, b, http.MethodGet, "", "ae", nil, e2e.SpecValid)
	if r.Text() != "[]" {
		t.Errorf("other merchant's list = %s, want []", r.Body)
	}
	r = hook(t, a, http.MethodGet, "/"+id, "ae", nil, e2e.SpecValid)
	e2e.WantField(t, r, "url", "https://shop.example/a")
}

func TestWebhooks_BadURL(t *testing.T) {
	m := newMerchant(t)
	for _, u := range []any{"", "not a url", "ftp://shop.example/h", "/relative/path", "https://", 42,
		"javascript:alert(1)", "DATA:text/plain,hi", "//shop.example/h", "http://:80/h"} {
		r := hook(t, m, http.MethodPost, "", "ae", map[string]any{"url": u}, e2e.SpecValid)
		e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "url")
	}
	r := hook(t, m, http.MethodPost, "", "ae", map[string]any{}, e2e.SpecValid)
	e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "url")
	r = hook(t, m, http.MethodPost, "", "ae", nil, e2e.SpecValid)
	e2e.WantStatus(t, r, http.StatusBadRequest)

	created := hook(t, m, http.MethodPost, "", "ae", map[string]any{"url": "https://shop.example/h"}, e2e.SpecValid)
	id := created.Str("id")
	r = hook(t, m, http.MethodPut, "/"+id, "ae", map[string]any{"url": "mailto:x@example.com"}, e2e.SpecValid)
	e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "url")
	r = hook(t, m, http.MethodGet, "", "ae", nil, e2e.SpecValid)
	e2e.WantArrayLen(t, r, "@this", 1)
	e2e.WantField(t, r, "0.url", "https://shop.example/h")
}

func TestWebhooks_StrictModeNeedsPublicHTTPS(t *testing.T) {
	m := newMerchant(t)
	m.Settings(map[string]any{"strict": true})
	for _, u := range []string{"http://shop.example/h", "https://localhost/h", "https://127.0.0.1/h", "https://10.0.0.1/h"} {
		r := hook(t, m, http.MethodPost, "", "ae", map[string]any{"url": u}, e2e.SpecValid)
		e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", "url")
	}
	r := hook(t, m, http.MethodPost, "", "ae", map[string]any{"url": "https://shop.example/h"}, e2e.SpecValid)
	e2e.WantStatus(t, r, http.StatusOK)
}

// TestWebhooks_ListInRegistrationOrder: the list is oldest first (as
// tabby.listWebhooks documents), whatever ids the webhooks got. Three
// rounds, so random ids cannot pass by luck.
func TestWebhooks_ListInRegistrationOrder(t *testing.T) {
	m := newMerchant(t)
	for round := range 3 {
		var want []string
		for i := range 4 {
			u := "https://shop.example/r" + strconv.Itoa(round) + "/h" + strconv.Itoa(i)
			r := hook(t, m, http.MethodPost, "", "ae", map[string]any{"url": u}, e2e.SpecValid)
			e2e.WantStatus(t, r, http.StatusOK)
			want = append(want, u)
		}
		r := hook(t, m, http.MethodGet, "", "ae", nil, e2e.SpecValid)
		var got []string
		for _, h := range r.JSON.Array() {
			got = append(got, h.Get("url").String())
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("round %d: list = %v, want registration order %v", round, got, want)
		}
		for _, h := range r.JSON.Array() {
			e2e.WantStatus(t, hook(t, m, http.MethodDelete, "/"+h.Get("id").String(), "ae", nil, e2e.SpecValid), http.StatusOK)
		}
	}
}

// TestWebhooks_HeaderHTTPCannotCarry: a header every delivery would fail to
// send, or that would arrive changed, is refused at registration (RFC 9110
// §5.1, §5.5), on POST and on PUT.
func TestWebhooks_HeaderHTTPCannotCarry(t *testing.T) {
	m := newMerchant(t)
	created := hook(t, m, http.MethodPost, "", "ae", map[string]any{"url": "https://shop.example/h"}, e2e.SpecValid)
	e2e.WantStatus(t, created, http.StatusOK)
	id := created.Str("id")
	for _, tc := range []struct{ title, value, field string }{
		{"X-Secret", "a\x01b", "header.value"},
		{"X-Secret", "a\x1fb", "header.value"},
		{"X-Secret", "a\x7fb", "header.value"},
		{"X-Secret", "a\nb", "header.value"},
		{"X-Secret", "a\rb", "header.value"},
		{"X-Secret", "a\x00b", "header.value"},
		{"X-Secret", " s3cr3t", "header.value"},
		{"X-Secret", "s3cr3t\t", "header.value"},
		{"X Secret", "s3cr3t", "header.title"},
		{"X-Secret:", "s3cr3t", "header.title"},
		{"X-Sécret", "s3cr3t", "header.title"},
		{"X-Secret\x7f", "s3cr3t", "header.title"},
		{"Host", "s3cr3t", "header.title"},
		{"content-length", "12", "header.title"},
		{"Transfer-Encoding", "s3cr3t", "header.title"},
		{"Connection", "s3cr3t", "header.title"},
	} {
		t.Run(fmt.Sprintf("%q: %q", tc.title, tc.value), func(t *testing.T) {
			body := map[string]any{"url": "https://shop.example/h", "header": map[string]any{"title": tc.title, "value": tc.value}}
			r := hook(t, m, http.MethodPost, "", "ae", body, e2e.SpecValid)
			e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", tc.field)
			r = hook(t, m, http.MethodPut, "/"+id, "ae", body, e2e.SpecValid)
			e2e.WantErrorContains(t, r, http.StatusBadRequest, "bad_data", tc.field)
		})
	}
	r := hook(t, m, http.MethodGet, "", "ae", nil, e2e.SpecValid)
	e2e.WantArrayLen(t, r, "@this", 1)
	if r.JSON.Get("0.header").Exists() {
		t.Errorf("a refused update changed the webhook: %s", r.Body)
	}

	// What HTTP carries is accepted: spaces and tabs inside, and UTF-8.
	for _, v := range []string{"Bearer a b", "a\tb", "سر"} {
		body := map[string]any{"url": "https://shop.example/h", "header": map[string]any{"title": "X-Secret", "value": v}}
		r := hook(t, m, http.MethodPut, "/"+id, "ae", body, e2e.SpecValid)
		e2e.WantStatus(t, r, http.StatusOK)
		e2e.WantField(t, r, "header.value", v)
	}
}
