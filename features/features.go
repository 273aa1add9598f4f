// Package features holds the conformance suite's Gherkin features, embedded
// so the binary carries them.
package features

import "embed"

// FS holds every *.feature file.
//
//go:embed *.feature
var FS embed.FS
