package conformance

import (
	"context"
	"testing"
)

// BenchmarkSuite measures the wall time of the whole suite against the
// clean reference merchant; time is simulated, so it takes seconds.
func BenchmarkSuite(b *testing.B) {
	for i := 0; i < b.N; i++ {
		res, err := Run(context.Background(), Options{Seed: 1, Concurrency: 16})
		if err != nil {
			b.Fatal(err)
		}
		if !res.Passed {
			b.Fatal("the clean reference merchant failed the suite")
		}
	}
}
