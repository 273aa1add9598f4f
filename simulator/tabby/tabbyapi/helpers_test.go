package tabbyapi_test

// Every test talks to one simulator on a loopback port (simulator/internal/e2e),
// isolated from the others by a merchant of its own: its own keys, its own
// manual clock.

import (
	"testing"
	"time"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
)

var shared *e2e.Env

func TestMain(m *testing.M) {
	e2e.Main(m, simulator.Config{Seed: 7, ClockMode: clock.Manual}, &shared)
}

func newMerchant(t *testing.T) *e2e.Merchant { return shared.ParallelMerchant(t) }

// newMerchantAt is newMerchant with the clock starting at start.
func newMerchantAt(t *testing.T, start time.Time) *e2e.Merchant {
	t.Helper()
	t.Parallel()
	return shared.NewMerchant(t, map[string]any{"clock": "manual", "start": start.Format(time.RFC3339)})
}
