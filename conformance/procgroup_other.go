//go:build !unix

package conformance

import (
	"os"
	"os/exec"
)

// ownGroup does nothing where process groups are not Unix's.
func ownGroup(cmd *exec.Cmd) {}

// interrupt asks cmd to stop.
func interrupt(cmd *exec.Cmd) { _ = cmd.Process.Signal(os.Interrupt) }

// kill stops cmd at once.
func kill(cmd *exec.Cmd) { _ = cmd.Process.Kill() }
