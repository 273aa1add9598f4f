package main

import (
	"os"
	"runtime/debug"
)

// gcPercent is the garbage collector's target serve and bench run with when
// GOGC is not set. Most of a simulator's live heap is the state it keeps,
// which every collection marks again: at Go's default of 100, a simulator
// holding 50,000 payments spent close to half of a retrieve's CPU time
// marking them (BENCHMARKS.md). 200 lets the heap grow to three times the
// live state between collections instead of twice, and halves that work.
const gcPercent = 200

// tuneGC sets gcPercent unless the user chose with GOGC.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
}
