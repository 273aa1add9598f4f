package merchant

import (
	"net/http"
	"testing"
	"time"
)

// fault has the simulator fail the tenant's next request of operation
// with action.
func (tn *tenant) fault(operation string, action map[string]any) {
	tn.t.Helper()
	tn.control(http.MethodPost, "/faults", map[string]any{"merchant": tn.id,
		"match": map[string]any{"operation": operation}, "action": action, "scope": map[string]any{"first": 1}})
}

// failureMisbehaviours are TestDefects' scenarios for the defects in how
// the merchant takes Tabby's failures: each has the simulator fail one
// request on purpose.
func failureMisbehaviours() map[string]func(t *testing.T, s *shop) bool {
	return map[string]func(t *testing.T, s *shop) bool{
		DefectNewReferenceOnRetry: func(t *testing.T, s *shop) bool {
			// A refund made, then its answer lost.
			res := s.paid(cart())
			s.tn.fault("tabby.refund", map[string]any{"kind": "after", "then": "reset"})
			s.post("/orders/"+res.OrderID+"/refund", map[string]string{"amount": "30.00"}, nil)
			return len(s.tn.payment(res.PaymentID).Payment.Refunds) != 1
		},
		DefectNoRetryOn5xx: func(t *testing.T, s *shop) bool {
			// A refund refused with a 503.
			res := s.paid(cart())
			s.tn.fault("tabby.refund", map[string]any{"kind": "status", "status": 503})
			s.post("/orders/"+res.OrderID+"/refund", map[string]string{"amount": "30.00"}, nil)
			return len(s.tn.payment(res.PaymentID).Payment.Refunds) == 0
		},
		DefectTrustsNonJSON: func(t *testing.T, s *shop) bool {
			// A firewall's HTML page in place of the session.
			s.tn.fault("tabby.create_session", map[string]any{"kind": "html"})
			status, _ := s.post("/checkout", cart(), nil)
			return status == http.StatusOK
		},
		DefectIgnoresRetryAfter: func(t *testing.T, s *shop) bool {
			// A checkout refused with 429 and Retry-After: 2.
			s.tn.fault("tabby.create_session", map[string]any{"kind": "status", "status": 429, "retry_after": 2})
			s.checkout(cart())
			return s.tn.retriedWithin("/api/v2/checkout", 2*time.Second)
		},
	}
}

// retriedWithin reports whether the tenant sent a request to path again
// sooner than wait after its first one was answered.
func (tn *tenant) retriedWithin(path string, wait time.Duration) bool {
	tn.t.Helper()
	var res struct {
		Entries []struct {
			At        time.Time `json:"at"`
			Path      string    `json:"path"`
			LatencyMS float64   `json:"latency_ms"`
		} `json:"entries"`
	}
	decode(tn.t, tn.control(http.MethodGet, "/journal?merchant="+tn.id+"&limit=0", nil), &res)
	var times []time.Time
	for i := len(res.Entries) - 1; i >= 0; i-- {
		if e := res.Entries[i]; e.Path == path {
			times = append(times, e.At, e.At.Add(time.Duration(e.LatencyMS*float64(time.Millisecond))))
		}
	}
	if len(times) < 4 {
		tn.t.Fatalf("%d requests to %s, want the refused one and its retry", len(times)/2, path)
	}
	return times[2].Sub(times[1]) < wait
}
