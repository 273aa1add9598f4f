package journal

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator/internal/surface"
)

func TestJournal_KeepsTheNewestAndFiltersByMerchant(t *testing.T) {
	j := New(3)
	h := surface.Identify(byQuery{})(j.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTeapot)
		_, _ = io.WriteString(w, "answer")
	})))
	for _, q := range []string{"a", "b", "a", "b"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/x?m="+q, strings.NewReader("body-"+q)))
	}
	all := j.Recent("", 0)
	if len(all) != 3 || all[0].Seq != 4 || all[2].Seq != 2 {
		t.Fatalf("want the 3 newest, newest first; got %+v", all)
	}
	a := j.Recent("a", 0)
	if len(a) != 1 || a[0].Merchant != "a" || a[0].Provider != "tabby" || a[0].Operation != "tabby.capture" ||
		a[0].RequestBody != "body-a" || a[0].Status != http.StatusTeapot || a[0].ResponseBody != "answer" {
		t.Fatalf("merchant a's entries: %+v", a)
	}
	if got := j.Recent("", 1); len(got) != 1 || got[0].Seq != 4 {
		t.Fatalf("limit 1: %+v", got)
	}
	j.Reset()
	if got := j.Recent("", 0); len(got) != 0 {
		t.Fatalf("after reset: %+v", got)
	}
}

// TestJournal_CutsBodiesButHandlerReadsAll checks the journal keeps only
// BodyLimit bytes while the handler still reads the whole body.
func TestJournal_CutsBodiesButHandlerReadsAll(t *testing.T) {
	j := New(10)
	big := strings.Repeat("x", 3*BodyLimit)
	var read int
	h := j.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		read = len(b)
		_, _ = io.WriteString(w, big)
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/x", strings.NewReader(big)))
	if read != len(big) {
		t.Fatalf("the handler read %d bytes, want %d", read, len(big))
	}
	e := j.Recent("", 1)[0]
	if len(e.RequestBody) != BodyLimit || len(e.ResponseBody) != BodyLimit || !e.Truncated {
		t.Fatalf("kept %d and %d bytes (truncated %v), want %d each", len(e.RequestBody), len(e.ResponseBody), e.Truncated, BodyLimit)
	}
}

// byQuery identifies a request as a Tabby capture by the merchant its
// query names.
type byQuery struct{}

func (byQuery) Identify(r *http.Request) surface.Identity {
	return surface.Identity{Provider: "tabby", Operation: "tabby.capture", Merchant: r.URL.Query().Get("m")}
}

// TestJournal_KeepsWarnings: what a handler gives Warn is on the request's
// entry, and only on it.
func TestJournal_KeepsWarnings(t *testing.T) {
	j := New(10)
	w := Warning{Rule: "R-AMOUNT-STRING", Message: "amount was a number", Source: "https://docs.tabby.ai/"}
	h := j.Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/lint" {
			Warn(r.Context(), w)
		}
	}))
	for _, path := range []string{"/lint", "/clean"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, path, nil))
	}
	Warn(httptest.NewRequest(http.MethodGet, "/", nil).Context(), w) // outside the journal: nothing
	es := j.Recent("", 0)
	if len(es) != 2 || len(es[0].Lint) != 0 || len(es[1].Lint) != 1 || es[1].Lint[0] != w {
		t.Fatalf("entries: %+v", es)
	}
}

// TestJournal_RecordsTheFault: a fault the layers behind the journal mark
// is on the entry, and a connection closed without an answer is recorded
// with status 0.
func TestJournal_RecordsTheFault(t *testing.T) {
	j := New(10)
	srv := httptest.NewServer(j.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		MarkFault(r.Context(), "status=503")
		if r.URL.Path == "/drop" {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Errorf("the journal hides the connection: %v", err)
				return
			}
			conn.Close()
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	})))
	defer srv.Close()
	for _, path := range []string{"/answer", "/drop"} {
		// A POST, which net/http never sends again on a dropped connection.
		if resp, err := http.Post(srv.URL+path, "text/plain", strings.NewReader("x")); err == nil {
			resp.Body.Close()
		}
	}
	// The dropped request's client returns as the connection closes, a
	// moment before its handler ends and the entry is added.
	got := j.Recent("", 0)
	for deadline := time.Now().Add(5 * time.Second); len(got) < 2 && time.Now().Before(deadline); got = j.Recent("", 0) {
		time.Sleep(time.Millisecond)
	}
	if len(got) != 2 || got[1].Fault != "status=503" || got[1].Status != http.StatusServiceUnavailable ||
		got[0].Fault != "status=503" || got[0].Status != 0 {
		t.Fatalf("entries %+v: want the fault on both, status 503 then 0", got)
	}
}
