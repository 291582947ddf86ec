// Package netns gives tests a network namespace of their own, made with
// ip(8) and removed when the test ends: the only place where tests change
// network devices and addresses.
package netns

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"

	"ddns-updater/src/internal/testexec"
)

// NS is a network namespace created for one test.
type NS struct {
	Name string
	t    testing.TB
}

var counter atomic.Int32

// New creates a namespace with its loopback up. The test is skipped, saying
// why, where root or ip(8) is missing.
func New(t testing.TB) *NS {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("network namespace tests need root (CI runs them as root)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("network namespace tests need ip(8) from iproute2 (.ci/run installs it)")
	}
	name := fmt.Sprintf("ddnsu-%d-%d", os.Getpid(), counter.Add(1))
	if out, err := testexec.Command(t, "ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Skipf("cannot create a network namespace here: %v %s", err, out)
	}
	n := &NS{Name: name, t: t}
	t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
	n.IP("link", "set", "lo", "up")
	return n
}

// IP runs `ip -n NAME args...` and fails the test when it fails.
func (n *NS) IP(args ...string) {
	n.t.Helper()
	if out, err := n.TryIP(args...); err != nil {
		n.t.Fatalf("ip %s: %v %s", strings.Join(args, " "), err, out)
	}
}

// TryIP runs `ip -n NAME args...` and returns its output and error.
func (n *NS) TryIP(args ...string) (string, error) {
	out, err := testexec.Command(n.t, "ip", append([]string{"-n", n.Name}, args...)...).CombinedOutput()
	return string(out), err
}

// Exec runs a command inside the namespace (ip netns exec) and returns its output.
func (n *NS) Exec(name string, args ...string) (string, error) {
	out, err := testexec.Command(n.t, "ip", append([]string{"netns", "exec", n.Name, name}, args...)...).CombinedOutput()
	return string(out), err
}

// Do runs f on an OS thread switched into the namespace; sockets that f opens
// stay in the namespace after it returns.
func (n *NS) Do(f func()) error {
	runtime.LockOSThread()
	orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer unix.Close(orig)
	target, err := unix.Open("/run/netns/"+n.Name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer unix.Close(target)
	if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return err
	}
	f()
	if err := unix.Setns(orig, unix.CLONE_NEWNET); err != nil {
		return err // the thread stays locked and ends with the goroutine
	}
	runtime.UnlockOSThread()
	return nil
}
