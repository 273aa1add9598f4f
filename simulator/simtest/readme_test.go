package simtest_test

import (
	"bytes"
	"os"
	"testing"
)

// TestREADME_ShowsTheExample: the README's Go example is example_test.go
// as it is, so it compiles and passes as shown.
func TestREADME_ShowsTheExample(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readme, append(append([]byte("```go\n"), example...), "```\n"...)) {
		t.Fatal("the README does not show simulator/simtest/example_test.go as it is")
	}
}
