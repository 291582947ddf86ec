package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"ddns-updater/src/internal/testexec"
	"ddns-updater/src/state"
)

// startDaemon runs the binary with n web profiles against a loopback provider and
// checkip server, and waits for the first updates.
func startDaemon(t *testing.T, bin string, n *fakeNet, conf string, wrap ...string) (*exec.Cmd, *lineLog) {
	t.Helper()
	argv := append(wrap, bin, "--config", conf)
	cmd := testexec.Command(t, argv[0], argv[1:]...)
	stderr, _ := cmd.StderrPipe()
	log := &lineLog{}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go log.read(stderr)
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, log
}

func loopback() (net.Listener, error) { return net.Listen("tcp4", "127.0.0.1:0") }

// TestSignalStorm: 1000 SIGUSR1 and 100 SIGHUP: no crash, and with the address
// unchanged, no update request at all after the first.
func TestSignalStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	n := newFakeNet(t, loopback)
	dir := t.TempDir()
	conf := n.config(t, dir, 2, "\toption ip_source web\n")
	cmd, log := startDaemon(t, bin, n, conf)
	n.await(t, 2)
	for i := 0; i < 1000; i++ {
		cmd.Process.Signal(syscall.SIGUSR1)
		if i%10 == 0 {
			cmd.Process.Signal(syscall.SIGHUP)
		}
	}
	// After the storm, one real change: the next request must carry it, so no
	// re-send of the unchanged address came before (requests arrive in order).
	n.mu.Lock()
	n.current = "203.0.113.50"
	n.mu.Unlock()
	cmd.Process.Signal(syscall.SIGUSR1)
	for i := 0; i < 2; i++ {
		select {
		case r := <-n.requests:
			if !strings.HasSuffix(r, "=203.0.113.50") {
				t.Errorf("an unchanged address was sent again: %s", r)
			}
		case <-time.After(10 * time.Second): // a bound on a hang
			t.Fatalf("the daemon did not survive the storm\n%s", log)
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after the storm: %v\n%s", err, log)
	}
	if strings.Contains(log.String(), "panic") {
		t.Errorf("panic:\n%s", log)
	}
	t.Logf("checkip requests during the storm: %d", n.checks.Load())
}

// TestKilledMidWrite: the daemon is killed (SIGKILL) while it writes its state,
// again and again; each start finds a clean state, and what was registered is
// never forgotten.
func TestKilledMidWrite(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	n := newFakeNet(t, loopback)
	dir := t.TempDir()
	conf := n.config(t, dir, 1, "\toption ip_source web\n")
	sent := map[string]bool{}
	for round := 0; round < 20; round++ {
		cmd, log := startDaemon(t, bin, n, conf)
		ip := fmt.Sprintf("203.0.113.%d", 10+round%2)
		n.mu.Lock()
		n.current = ip
		n.mu.Unlock()
		cmd.Process.Signal(syscall.SIGUSR1)
		// kill it somewhere around its state write
		select {
		case r := <-n.requests:
			sent[strings.Split(r, "=")[1]] = true
			time.Sleep(time.Duration(round%5) * time.Millisecond)
		case <-time.After(300 * time.Millisecond):
		}
		cmd.Process.Kill()
		cmd.Wait()
		if strings.Contains(log.String(), "state file unreadable") {
			t.Fatalf("round %d: a state file was left broken:\n%s", round, log)
		}
		st, err := state.Open(filepath.Join(dir, "state")).Load("p0")
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for _, a := range st.Registered {
			if !sent[a.String()] && a.String() != "203.0.113.1" {
				t.Fatalf("round %d: the state holds %s, never sent", round, a)
			}
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "state"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Logf("a temporary file of a killed write remains until it is a minute old: %s", e.Name())
		}
	}
}

// TestDiskFull: the state directory is a full tmpfs (in a private mount
// namespace): updates still go out, and the log says once that state is not saved.
func TestDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs in a private mount namespace (CI runs as root)")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("needs unshare(1)")
	}
	bin := buildBinary(t)
	n := newFakeNet(t, loopback)
	dir := t.TempDir()
	conf := n.config(t, dir, 1, "\toption ip_source web\n")
	stateDir := filepath.Join(dir, "state")
	os.Mkdir(stateDir, 0o700)
	script := `mount -t tmpfs -o size=4k tmpfs "$1" && dd if=/dev/zero of="$1/fill" bs=4k count=1 2>/dev/null; shift; exec "$@"`
	cmd, log := startDaemon(t, bin, n, conf, "unshare", "-m", "--", "sh", "-c", script, "sh", stateDir)
	n.await(t, 1)
	n.mu.Lock()
	n.current = "203.0.113.12"
	n.mu.Unlock()
	cmd.Process.Signal(syscall.SIGUSR1)
	n.await(t, 1)
	// the log line follows the answer: wait for it, then a further check must not repeat it
	for i := 0; i < 500 && !strings.Contains(log.String(), "address changed from 203.0.113.7 to 203.0.113.12"); i++ {
		time.Sleep(10 * time.Millisecond)
	}
	if c := strings.Count(log.String(), "state not saved"); c != 1 {
		t.Errorf("the full disk must be said once (%d):\n%s", c, log)
	}
	if !strings.Contains(log.String(), "no space left on device") ||
		!strings.Contains(log.String(), "address changed from 203.0.113.7 to 203.0.113.12") {
		t.Errorf("the daemon must remember in memory what the disk refused:\n%s", log)
	}
}
