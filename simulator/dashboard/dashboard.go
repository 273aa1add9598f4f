// Package dashboard serves the simulator's web page at /_sim/: merchants,
// payments with their timelines, webhook deliveries, the request journal,
// clocks, scenarios and fault rules, kept up to date as they change, in
// English or Arabic (?lang=ar). The page holds no state and has no API of
// its own: its script reads and acts through the control API beside it
// (/_sim/v1), with the control API's token when it needs one, so it can do
// nothing the control API does not allow. Its assets are embedded.
package dashboard

import (
	"bytes"
	"embed"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/gorilla/mux"
)

// Path is where the dashboard lives.
const Path = "/_sim/"

//go:embed assets
var assets embed.FS

var page = template.Must(template.ParseFS(assets, "assets/index.html"))

// csp lets the page run its own script and style sheet and talk to its own
// origin, nothing else: no inline script or style, no outside resource, no
// frame around it, and (with Trusted Types) no string ever parsed as HTML.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'"

// Register mounts the dashboard on r: the page, its script and its style
// sheet; /_sim redirects to the page.
func Register(r *mux.Router) {
	r.Handle("/_sim", http.RedirectHandler(Path, http.StatusMovedPermanently)).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc(Path, serveIndex).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc(Path+"app.js", asset("app.js", "text/javascript; charset=utf-8")).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc(Path+"app.css", asset("app.css", "text/css; charset=utf-8")).Methods(http.MethodGet, http.MethodHead)
}

// view is what the page's template renders.
type view struct {
	Lang, Dir, Other string
	T                *text
}

func serveIndex(w http.ResponseWriter, r *http.Request) {
	var v view
	v.Lang, v.Dir, v.T, v.Other = language(r.URL.Query().Get("lang"))
	var buf bytes.Buffer
	if err := page.Execute(&buf, v); err != nil {
		slog.Error("dashboard template failed", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	headers(w, "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

// asset serves an embedded file as it is.
func asset(name, contentType string) http.HandlerFunc {
	data, err := assets.ReadFile("assets/" + name)
	if err != nil {
		panic(err) // embedded at build time
	}
	return func(w http.ResponseWriter, r *http.Request) {
		headers(w, contentType)
		_, _ = w.Write(data)
	}
}

// headers are every answer's: the page is read again after an upgrade of
// the binary, and never framed, sniffed or sent elsewhere as a referrer.
func headers(w http.ResponseWriter, contentType string) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", csp)
}
