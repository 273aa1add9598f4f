package simtest_test

import (
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestSimtest_LeavesSQLiteOut: a merchant's tests that import simtest do
// not pull the SQLite driver into their module; only the tabbysim binary
// links it.
func TestSimtest_LeavesSQLiteOut(t *testing.T) {
	t.Parallel()
	const pkg = "github.com/tabbysim/tabbysim/simulator/simtest"
	var stderr bytes.Buffer
	list := exec.Command("go", "list", "-deps", pkg)
	list.Stderr = &stderr
	out, err := list.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, pkg) {
		t.Fatalf("go list did not list simtest:\n%s", out)
	}
	for _, dep := range deps {
		if dep == "modernc.org/sqlite" || strings.HasPrefix(dep, "modernc.org/sqlite/") {
			t.Errorf("simtest imports %s", dep)
		}
	}
}
