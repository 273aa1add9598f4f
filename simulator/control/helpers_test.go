package control_test

// Every test talks to one simulator on a loopback port (simulator/internal/e2e),
// isolated from the others by a merchant of its own.

import (
	"testing"

	"github.com/tabbysim/tabbysim/simulator"
	"github.com/tabbysim/tabbysim/simulator/clock"
	"github.com/tabbysim/tabbysim/simulator/internal/e2e"
)

var shared *e2e.Env

func TestMain(m *testing.M) {
	e2e.Main(m, simulator.Config{Seed: 11, ClockMode: clock.Manual}, &shared)
}

func newMerchant(t *testing.T) *e2e.Merchant { return shared.ParallelMerchant(t) }
