package merchant

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tabbysim/tabbysim/client/tabby"
)

// The defects in how the merchant takes Tabby's failures. The clean
// merchant relies on client/tabby, which sends a capture or refund again
// with the same reference_id after a 5xx or a lost answer, and any request
// again once a 429's Retry-After has passed. Each defect changes the
// client the merchant talks to Tabby with: no retries, or a transport
// between the two that makes the mistake.

// failureDefects are the Tabby client options of the merchant's defect,
// if it is one of these.
func failureDefects(cfg Config) []tabby.Option {
	base, timeout := http.DefaultTransport, 60*time.Second
	if cfg.HTTPClient != nil {
		timeout = cfg.HTTPClient.Timeout
		if cfg.HTTPClient.Transport != nil {
			base = cfg.HTTPClient.Transport
		}
	}
	through := func(rt http.RoundTripper) []tabby.Option {
		return []tabby.Option{tabby.WithHTTPClient(&http.Client{Timeout: timeout, Transport: rt})}
	}
	switch cfg.Defect {
	case DefectNoRetryOn5xx:
		return []tabby.Option{tabby.WithRetries(0)}
	case DefectNewReferenceOnRetry:
		return through(&newReferenceOnRetry{next: base, failed: map[string]int{}})
	case DefectTrustsNonJSON:
		return through(trustsNonJSON{next: base})
	case DefectIgnoresRetryAfter:
		return through(ignoresRetryAfter{next: base})
	}
	return nil
}

// newReferenceOnRetry is the new-reference-on-retry defect: a capture or
// refund sent again after a 5xx or a lost answer carries a new
// reference_id, as from a shop that builds the request anew for each try.
type newReferenceOnRetry struct {
	next   http.RoundTripper
	mu     sync.Mutex
	failed map[string]int // a failed request's path and body → its failures
}

func (t *newReferenceOnRetry) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodPost || req.Body == nil ||
		!(strings.HasSuffix(req.URL.Path, "/captures") || strings.HasSuffix(req.URL.Path, "/refunds")) {
		return t.next.RoundTrip(req)
	}
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	key := req.URL.Path + " " + string(body)
	t.mu.Lock()
	n := t.failed[key]
	t.mu.Unlock()
	sent := body
	if n > 0 {
		var fields map[string]any
		if json.Unmarshal(body, &fields) == nil {
			fields["reference_id"] = fmt.Sprintf("%v-retry-%d", fields["reference_id"], n)
			sent, _ = json.Marshal(fields)
		}
	}
	try := req.Clone(req.Context())
	try.Body, try.ContentLength, try.GetBody = io.NopCloser(bytes.NewReader(sent)), int64(len(sent)), nil
	resp, err := t.next.RoundTrip(try)
	t.mu.Lock()
	if err != nil || resp.StatusCode >= 500 {
		t.failed[key] = n + 1
	} else {
		delete(t.failed, key)
	}
	t.mu.Unlock()
	return resp, err
}

// trustsNonJSON is the trusts-non-json defect: an answer whose body is not
// JSON becomes a 200 with an empty object, which the client reads as an
// empty success.
type trustsNonJSON struct{ next http.RoundTripper }

func (t trustsNonJSON) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(body)) > 0 && !json.Valid(body) {
		resp.StatusCode, resp.Status, body = http.StatusOK, "200 OK", []byte("{}")
	}
	resp.Body, resp.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	return resp, nil
}

// ignoresRetryAfter is the ignores-retry-after defect: the Retry-After of
// an answer is dropped, so the client sends the request again after its
// own retry delay.
type ignoresRetryAfter struct{ next http.RoundTripper }

func (t ignoresRetryAfter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err == nil {
		resp.Header.Del("Retry-After")
	}
	return resp, err
}
