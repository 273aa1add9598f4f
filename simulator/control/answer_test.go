package control

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator/clock"
)

// TestWriteJSON_UnencodableIsLogged500: an answer that cannot be encoded
// (here a clock reading past year 9999) is a logged 500 in the control
// API's error shape, never a 200 with an empty or cut body. No request
// reaches this since clocks stop at clock.Latest, hence a recorder.
func TestWriteJSON_UnencodableIsLogged500(t *testing.T) {
	var logs bytes.Buffer
	a := &API{Log: slog.New(slog.NewTextHandler(&logs, nil))}
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, Prefix+"/merchants/m/clock", nil)
	a.writeJSON(w, r, http.StatusOK, ClockJSON{Now: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), Mode: clock.Manual})

	var out struct{ Error string }
	if w.Code != http.StatusInternalServerError || json.Unmarshal(w.Body.Bytes(), &out) != nil ||
		!strings.Contains(out.Error, "encoding the answer") {
		t.Fatalf("got %d %q, want 500 with the control API's error", w.Code, w.Body)
	}
	if !strings.Contains(logs.String(), "encoding the answer") {
		t.Errorf("the failure was not logged; log: %q", logs.String())
	}
}
