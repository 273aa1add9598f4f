package tabbyapi

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestWriteJSON_UnencodableIsLogged500: an answer that cannot be encoded
// (here a time past year 9999) is a logged 500 as Tabby answers one, in
// plain text, never a 200 with an empty or cut body. No request reaches
// this since clocks stop at clock.Latest, hence a recorder.
func TestWriteJSON_UnencodableIsLogged500(t *testing.T) {
	var logs bytes.Buffer
	a := &API{Log: slog.New(slog.NewTextHandler(&logs, nil))}
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/api/v2/payments", nil)
	a.writeJSON(w, r, http.StatusOK, map[string]any{"created_at": time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)})

	if w.Code != http.StatusInternalServerError || w.Body.String() != "Internal Server error" ||
		!strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("got %d %s %q, want Tabby's plain-text 500", w.Code, w.Header().Get("Content-Type"), w.Body)
	}
	if !strings.Contains(logs.String(), "encoding the answer") {
		t.Errorf("the failure was not logged; log: %q", logs.String())
	}
}
