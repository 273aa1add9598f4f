package bench

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/client/onerway"
)

// flaky answers every third request with a 500.
func flaky(t *testing.T) *httptest.Server {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%3 == 0 {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func getOp(url string) Op {
	return func(ctx context.Context, w *Worker) error {
		_, err := w.Do(ctx, http.MethodGet, url, nil, nil, http.StatusOK)
		return err
	}
}

func TestDrive_CountsUnexpectedAnswers(t *testing.T) {
	srv := flaky(t)
	c := drive(context.Background(), 4, 100*time.Millisecond, getOp(srv.URL+"/ping"))
	if c.Ops == 0 || c.Errors == 0 {
		t.Fatalf("ops %d, errors %d: want both", c.Ops, c.Errors)
	}
	if !strings.Contains(c.FirstError, "GET /ping: 500, want 200: boom") {
		t.Errorf("first error %q", c.FirstError)
	}
	if c.P50 <= 0 || c.P99 < c.P50 || c.P999 < c.P99 {
		t.Errorf("percentiles %s %s %s", c.P50, c.P99, c.P999)
	}
}

// An unexpected answer from the simulator is a failure, which makes the
// command exit non-zero; one from a stand-in is a problem of the run.
func TestCells_SimulatorErrorsAreFailures(t *testing.T) {
	srv := flaky(t)
	b := &bencher{o: Options{Duration: 50 * time.Millisecond, Conns: []int{1, 2}}, r: &Report{}}
	b.o.Progress = &strings.Builder{}
	row := &Row{Key: "k", Title: "a case"}
	cells := b.cells(context.Background(), row, targetBare, fixed(getOp(srv.URL+"/ping")))
	if len(cells) != 2 || len(b.r.Failures) != 0 || len(b.r.Problems) != 2 {
		t.Fatalf("on a stand-in: %d cells, failures %q, problems %q", len(cells), b.r.Failures, b.r.Problems)
	}
	b.cells(context.Background(), row, targetSim, fixed(getOp(srv.URL+"/ping")))
	if len(b.r.Failures) != 2 || !strings.Contains(b.r.Failures[0], "a case on tabbysim at 1 connections: ") {
		t.Fatalf("on the simulator: failures %q", b.r.Failures)
	}
}

// A server whose median passes raiseLimit is not driven harder.
func TestCells_SlowServerIsNotDrivenHarder(t *testing.T) {
	slow := func(ctx context.Context, w *Worker) error {
		time.Sleep(raiseLimit + 10*time.Millisecond)
		return nil
	}
	b := &bencher{o: Options{Duration: time.Millisecond, Conns: []int{1, 16, 64}, Progress: &strings.Builder{}}, r: &Report{}}
	cells := b.cells(context.Background(), &Row{Key: "k", Title: "slow"}, targetSim, fixed(slow))
	if cells[0].Skipped != "" || cells[1].Skipped == "" || cells[2].Skipped == "" {
		t.Fatalf("cells %+v", cells)
	}
}

func TestWriteFile_KeepsWhatIsOutsideTheMarkers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	r := &Report{Options: Options{Conns: []int{1}, Command: "tabbysim bench"}, Rows: []*Row{{Key: "create", Title: "create", Note: "first run"}}}
	if err := r.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	edited := "# Benchmarks\n\nIntro.\n\n" + strings.TrimPrefix(string(b), "# Benchmarks\n\n") + "\n## Findings\n\nBy hand.\n"
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	r.Rows[0].Note = "second run"
	if err := r.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(path)
	got := string(b)
	for _, want := range []string{"# Benchmarks\n\nIntro.\n\n" + beginMarker, "second run", endMarker + "\n\n## Findings\n\nBy hand.\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "first run") || strings.Count(got, beginMarker) != 1 {
		t.Errorf("the earlier run's part was not replaced:\n%s", got)
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 1000; i++ {
		ds = append(ds, time.Duration(i))
	}
	for q, want := range map[float64]time.Duration{0.5: 500, 0.99: 990, 0.999: 999, 1: 1000} {
		if got := percentile(ds, q); got != want {
			t.Errorf("p%v = %d, want %d", q*100, got, want)
		}
	}
	if percentile(nil, 0.5) != 0 {
		t.Error("the percentile of nothing is not 0")
	}
}

// The doTransaction case signs with the credentials the control API shows
// for the default merchant, and reads a signed answer as a success.
func TestOnerwayOp_SignsWithTheDefaultMerchantsCredentials(t *testing.T) {
	const secret = "00000000000000000000000000000000"
	var signed atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/_sim/v1/merchants/default":
			_, _ = w.Write([]byte(`{"id":"default","onerway":{"merchant_no":"800000","secret_key":"` + secret + `","app_id":"100000"}}`))
		case routeOnerway.path:
			body, _ := io.ReadAll(r.Body)
			if onerway.VerifyRequest(body, secret) != nil || !strings.Contains(string(body), `"merchantNo":"800000"`) {
				http.Error(w, "bad sign", http.StatusBadRequest)
				return
			}
			signed.Add(1)
			data, err := onerway.SignResponseData(onerway.Payment{TransactionID: "1992838164129386496", Status: onerway.StatusRedirect}, secret)
			if err != nil {
				t.Error(err)
			}
			_, _ = w.Write([]byte(`{"respCode":"20000","respMsg":"Success","data":` + string(data) + `}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	cred, ok := defaultOnerwayCredentials(context.Background(), srv.URL)
	if !ok || cred.MerchantNo != "800000" || cred.SecretKey != secret {
		t.Fatalf("credentials %+v, found %v", cred, ok)
	}
	c := drive(context.Background(), 2, 50*time.Millisecond, onerwayOp(srv.URL, cred, "http://127.0.0.1:9/notify"))
	if c.Errors != 0 || c.Ops == 0 || int64(c.Ops) != signed.Load() {
		t.Fatalf("ops %d, errors %d (%s), signed requests seen %d", c.Ops, c.Errors, c.FirstError, signed.Load())
	}
}
