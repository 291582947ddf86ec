// Package testexec starts the child processes of tests so that none outlives
// its test: bound to the test's context, in a process group of its own that is
// killed as a whole when the test ends, and killed by the kernel when the test
// process dies (a `go test` that times out leaves no orphan behind).
package testexec

import (
	"os/exec"
	"syscall"
	"testing"
)

// Command is exec.CommandContext(t.Context(), name, args...) with the
// guarantees above.
func Command(t testing.TB, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(t.Context(), name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd
}
