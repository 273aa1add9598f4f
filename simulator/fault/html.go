package fault

import (
	"fmt"
	"html"
	"net/http"
)

// HTML answers with the HTML page a web application firewall or a CDN in
// front of the provider sends when it blocks a request, without handling
// it. Real integrations guard against it (tabby-api.md §11: WooCommerce
// looks for "<!DOCTYPE html>", Magento refuses non-JSON answers).
type HTML struct {
	// Status is the HTTP status, 400 to 599 (default 403).
	Status int `json:"status"`
	// Body is the page; "" sends a generic firewall page.
	Body string `json:"body,omitempty"`
}

func init() { register("html", func() Action { return &HTML{Status: http.StatusForbidden} }, "status") }

// Kind implements Action.
func (*HTML) Kind() string { return "html" }

// Check implements Action.
func (h *HTML) Check() error { return checkErrorStatus(h.Status) }

// Serve implements RequestAction.
func (h *HTML) Serve(x *Exchange) {
	page := h.Body
	if page == "" {
		title := fmt.Sprintf("%d %s", h.Status, http.StatusText(h.Status))
		page = fmt.Sprintf(firewallPage, title, html.EscapeString(x.w.Header().Get("X-Request-Id")))
	}
	x.write(h.Status, "text/html; charset=UTF-8", page)
}

const firewallPage = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>%[1]s</title></head>
<body>
<h1>Access denied</h1>
<p>This request was blocked by the website's security service (%[1]s).</p>
<p>Reference: %[2]s</p>
</body>
</html>
`

// checkErrorStatus accepts the statuses of errors, 400 to 599.
func checkErrorStatus(status int) error {
	if status < 400 || status > 599 {
		return fieldErr("status", "%d: give an HTTP error status from 400 to 599", status)
	}
	return nil
}
