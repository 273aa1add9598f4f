package webhook_test

import (
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestEngine_KnowsNoProvider: delivery and its failure injection import no
// provider package; each provider brings its own policy instead.
func TestEngine_KnowsNoProvider(t *testing.T) {
	t.Parallel()
	const module = "github.com/tabbysim/tabbysim/"
	providers := []string{module + "simulator/tabby", module + "simulator/onerway"}
	var stderr bytes.Buffer
	list := exec.Command("go", "list", "-deps", module+"simulator/webhook/...")
	list.Stderr = &stderr
	out, err := list.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, module+"simulator/webhook") {
		t.Fatalf("go list did not list simulator/webhook:\n%s", out)
	}
	for _, dep := range deps {
		for _, p := range providers {
			if dep == p || strings.HasPrefix(dep, p+"/") {
				t.Errorf("simulator/webhook/... imports the provider package %s", dep)
			}
		}
	}
}
