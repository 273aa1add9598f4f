package tabbyapi_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// hook calls /api/v1/webhooks with the merchant's secret key and code.
func (m *merchant) hook(t *testing.T, method, path, code string, body any, spec specWant) *resp {
	t.Helper()
	h := map[string]string{}
	if code != "" {
		h["X-Merchant-Code"] = code
	}
	return m.e.do(t, req{method: method, path: "/api/v1/webhooks" + path, key: m.sk, header: h, body: body, spec: spec})
}

func TestWebhooks_CRUD(t *testing.T) {
	m := newMerchant(t)

	r := m.hook(t, http.MethodGet, "", "ae", nil, specValid)
	wantStatus(t, r, http.StatusOK)
	if r.text() != "[]" {
		t.Errorf("empty list = %s, want []", r.body)
	}

	r = m.hook(t, http.MethodPost, "", "ae", map[string]any{
		"url":    "https://shop.example/tabby/webhook",
		"header": map[string]any{"title": "X-Shop-Secret", "value": "s3cr3t"},
	}, specValid)
	wantStatus(t, r, http.StatusOK)
	id := r.str("id")
	if id == "" {
		t.Fatalf("register: no id in %s", r)
	}
	wantField(t, r, "url", "https://shop.example/tabby/webhook")
	wantField(t, r, "is_test", "true")
	wantField(t, r, "header.title", "X-Shop-Secret")
	wantField(t, r, "header.value", "s3cr3t")

	r = m.hook(t, http.MethodGet, "", "ae", nil, specValid)
	wantStatus(t, r, http.StatusOK)
	wantArrayLen(t, r, "@this", 1)
	wantField(t, r, "0.id", id)
	wantField(t, r, "0.header.title", "X-Shop-Secret")

	r = m.hook(t, http.MethodGet, "/"+id, "ae", nil, specValid)
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "id", id)
	wantField(t, r, "url", "https://shop.example/tabby/webhook")
	wantField(t, r, "is_test", "true")

	r = m.hook(t, http.MethodPut, "/"+id, "ae", map[string]any{
		"url":    "https://shop.example/tabby/hook2",
		"header": map[string]any{"title": "Authorization", "value": "Bearer abc"},
	}, specValid)
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "id", id)
	wantField(t, r, "url", "https://shop.example/tabby/hook2")
	wantField(t, r, "header.title", "Authorization")

	r = m.hook(t, http.MethodGet, "/"+id, "ae", nil, specValid)
	wantField(t, r, "url", "https://shop.example/tabby/hook2")
	wantField(t, r, "header.value", "Bearer abc")

	// Another code of the same merchant does not see it.
	r = m.hook(t, http.MethodGet, "/"+id, "sa", nil, specValid)
	wantError(t, r, http.StatusNotFound, "not_found", "no such webhook")

	r = m.hook(t, http.MethodDelete, "/"+id, "ae", nil, specValid)
	wantStatus(t, r, http.StatusOK)
	if r.text() != `{"status":"ok"}` {
		t.Errorf("delete = %s, want {\"status\":\"ok\"}", r.body)
	}
	r = m.hook(t, http.MethodGet, "/"+id, "ae", nil, specValid)
	wantError(t, r, http.StatusNotFound, "not_found", "no such webhook")
	r = m.hook(t, http.MethodDelete, "/"+id, "ae", nil, specValid)
	wantError(t, r, http.StatusNotFound, "not_found", "no such webhook")
	r = m.hook(t, http.MethodGet, "", "ae", nil, specValid)
	if r.text() != "[]" {
		t.Errorf("list after delete = %s, want []", r.body)
	}
}

func TestWebhooks_IsTestAndNoHeader(t *testing.T) {
	m := newMerchant(t)
	r := m.hook(t, http.MethodPost, "", "ae", map[string]any{"url": "http://localhost:8080/hook", "is_test": false}, specValid)
	wantStatus(t, r, http.StatusOK)
	wantField(t, r, "is_test", "false")
	wantField(t, r, "url", "http://localhost:8080/hook")
	if h := r.j.Get("header"); h.Exists() && h.Raw != "null" {
		t.Errorf("header = %s, want absent or null", h.Raw)
	}
}

func TestWebhooks_AtMostFourPerCode(t *testing.T) {
	m := newMerchant(t)
	for i := range 4 {
		r := m.hook(t, http.MethodPost, "", "ae", map[string]any{"url": "https://shop.example/h" + strconv.Itoa(i)}, specValid)
		wantStatus(t, r, http.StatusOK)
	}
	r := m.hook(t, http.MethodPost, "", "ae", map[string]any{"url": "https://shop.example/h5"}, specValid)
	wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "4")
	r = m.hook(t, http.MethodGet, "", "ae", nil, specValid)
	wantArrayLen(t, r, "@this", 4)
	// The limit is per merchant code.
	r = m.hook(t, http.MethodPost, "", "sa", map[string]any{"url": "https://shop.example/sa"}, specValid)
	wantStatus(t, r, http.StatusOK)
	// Deleting one makes room again.
	r = m.hook(t, http.MethodGet, "", "ae", nil, specValid)
	first := r.str("0.id")
	wantStatus(t, m.hook(t, http.MethodDelete, "/"+first, "ae", nil, specValid), http.StatusOK)
	r = m.hook(t, http.MethodPost, "", "ae", map[string]any{"url": "https://shop.example/h5"}, specValid)
	wantStatus(t, r, http.StatusOK)
}

func TestWebhooks_MerchantCodeHeader(t *testing.T) {
	m := newMerchant(t)
	// A lenient merchant reads a missing header as its first code
	// (TestLint); a strict one is refused.
	m.settings(map[string]any{"strict": true})
	created := m.hook(t, http.MethodPost, "", "ae", map[string]any{"url": "https://shop.example/h"}, specValid)
	wantStatus(t, created, http.StatusOK)
	id := created.str("id")
	body := map[string]any{"url": "https://shop.example/h2"}

	// Missing X-Merchant-Code: 400. The contract documents 400 only on
	// register and update; on list, get and delete it is undocumented.
	for _, tc := range []struct {
		method, path string
		body         any
		spec         specWant
	}{
		{http.MethodPost, "", body, specValid},
		{http.MethodPut, "/" + id, body, specValid},
		{http.MethodGet, "", nil, specUndocumented},
		{http.MethodGet, "/" + id, nil, specUndocumented},
		{http.MethodDelete, "/" + id, nil, specUndocumented},
	} {
		r := m.hook(t, tc.method, tc.path, "", tc.body, tc.spec)
		wantError(t, r, http.StatusBadRequest, "bad_data", "the X-Merchant-Code header is required")
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
		r := m.hook(t, tc.method, tc.path, "qa", tc.body, specValid)
		wantError(t, r, http.StatusUnauthorized, "not_authorized", "merchant is null")
	}
	// Nothing changed.
	r := m.hook(t, http.MethodGet, "/"+id, "ae", nil, specValid)
	wantField(t, r, "url", "https://shop.example/h")
}

func TestWebhooks_NotFound(t *testing.T) {
	a := newMerchant(t)
	b := newMerchantOn(t, shared)
	r := a.hook(t, http.MethodGet, "/00000000-0000-4000-8000-00000000beef", "ae", nil, specValid)
	wantError(t, r, http.StatusNotFound, "not_found", "no such webhook")

	created := a.hook(t, http.MethodPost, "", "ae", map[string]any{"url": "https://shop.example/a"}, specValid)
	wantStatus(t, created, http.StatusOK)
	id := created.str("id")
	r = b.hook(t, http.MethodGet, "/"+id, "ae", nil, specValid)
	wantError(t, r, http.StatusNotFound, "not_found", "no such webhook")
	r = b.hook(t, http.MethodPut, "/"+id, "ae", map[string]any{"url": "https://evil.example/"}, specValid)
	wantError(t, r, http.StatusNotFound, "not_found", "no such webhook")
	r = b.hook(t, http.MethodDelete, "/"+id, "ae", nil, specValid)
	wantError(t, r, http.StatusNotFound, "not_found", "no such webhook")
	r = b.hook(t, http.MethodGet, "", "ae", nil, specValid)
	if r.text() != "[]" {
		t.Errorf("other merchant's list = %s, want []", r.body)
	}
	r = a.hook(t, http.MethodGet, "/"+id, "ae", nil, specValid)
	wantField(t, r, "url", "https://shop.example/a")
}

func TestWebhooks_BadURL(t *testing.T) {
	m := newMerchant(t)
	for _, u := range []any{"", "not a url", "ftp://shop.example/h", "/relative/path", "https://", 42,
		"javascript:alert(1)", "DATA:text/plain,hi", "//shop.example/h", "http://:80/h"} {
		r := m.hook(t, http.MethodPost, "", "ae", map[string]any{"url": u}, specValid)
		wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "url")
	}
	r := m.hook(t, http.MethodPost, "", "ae", map[string]any{}, specValid)
	wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "url")
	r = m.hook(t, http.MethodPost, "", "ae", nil, specValid)
	wantStatus(t, r, http.StatusBadRequest)

	created := m.hook(t, http.MethodPost, "", "ae", map[string]any{"url": "https://shop.example/h"}, specValid)
	id := created.str("id")
	r = m.hook(t, http.MethodPut, "/"+id, "ae", map[string]any{"url": "mailto:x@example.com"}, specValid)
	wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "url")
	r = m.hook(t, http.MethodGet, "", "ae", nil, specValid)
	wantArrayLen(t, r, "@this", 1)
	wantField(t, r, "0.url", "https://shop.example/h")
}

func TestWebhooks_StrictModeNeedsPublicHTTPS(t *testing.T) {
	m := newMerchant(t)
	m.settings(map[string]any{"strict": true})
	for _, u := range []string{"http://shop.example/h", "https://localhost/h", "https://127.0.0.1/h", "https://10.0.0.1/h"} {
		r := m.hook(t, http.MethodPost, "", "ae", map[string]any{"url": u}, specValid)
		wantErrorContains(t, r, http.StatusBadRequest, "bad_data", "url")
	}
	r := m.hook(t, http.MethodPost, "", "ae", map[string]any{"url": "https://shop.example/h"}, specValid)
	wantStatus(t, r, http.StatusOK)
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
			r := m.hook(t, http.MethodPost, "", "ae", map[string]any{"url": u}, specValid)
			wantStatus(t, r, http.StatusOK)
			want = append(want, u)
		}
		r := m.hook(t, http.MethodGet, "", "ae", nil, specValid)
		var got []string
		for _, h := range r.j.Array() {
			got = append(got, h.Get("url").String())
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("round %d: list = %v, want registration order %v", round, got, want)
		}
		for _, h := range r.j.Array() {
			wantStatus(t, m.hook(t, http.MethodDelete, "/"+h.Get("id").String(), "ae", nil, specValid), http.StatusOK)
		}
	}
}

// TestWebhooks_HeaderHTTPCannotCarry: a header every delivery would fail to
// send, or that would arrive changed, is refused at registration (RFC 9110
// §5.1, §5.5), on POST and on PUT.
func TestWebhooks_HeaderHTTPCannotCarry(t *testing.T) {
	m := newMerchant(t)
	created := m.hook(t, http.MethodPost, "", "ae", map[string]any{"url": "https://shop.example/h"}, specValid)
	wantStatus(t, created, http.StatusOK)
	id := created.str("id")
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
			r := m.hook(t, http.MethodPost, "", "ae", body, specValid)
			wantErrorContains(t, r, http.StatusBadRequest, "bad_data", tc.field)
			r = m.hook(t, http.MethodPut, "/"+id, "ae", body, specValid)
			wantErrorContains(t, r, http.StatusBadRequest, "bad_data", tc.field)
		})
	}
	r := m.hook(t, http.MethodGet, "", "ae", nil, specValid)
	wantArrayLen(t, r, "@this", 1)
	if r.j.Get("0.header").Exists() {
		t.Errorf("a refused update changed the webhook: %s", r.body)
	}

	// What HTTP carries is accepted: spaces and tabs inside, and UTF-8.
	for _, v := range []string{"Bearer a b", "a\tb", "سر"} {
		body := map[string]any{"url": "https://shop.example/h", "header": map[string]any{"title": "X-Secret", "value": v}}
		r := m.hook(t, http.MethodPut, "/"+id, "ae", body, specValid)
		wantStatus(t, r, http.StatusOK)
		wantField(t, r, "header.value", v)
	}
}
