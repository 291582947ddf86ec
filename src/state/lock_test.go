package state

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"ddns-updater/src/updater"
)

// TestHold: a daemon's hold is seen by any other reader of the directory and a
// second daemon is refused with the first one's pid.
func TestHold(t *testing.T) {
	dir := t.TempDir() + "/state"
	if Open(dir).Running() {
		t.Fatal("a directory that does not exist has no daemon")
	}
	d := Open(dir)
	if err := d.Hold(); err != nil {
		t.Fatal(err)
	}
	defer releaseHolds()
	if !Open(dir).Running() {
		t.Error("Running = false while a daemon holds the directory")
	}
	err := Open(dir).Hold()
	if !errors.Is(err, ErrHeld) || !strings.Contains(err.Error(), fmt.Sprintf("(pid %d)", os.Getpid())) {
		t.Errorf("a second daemon: %v", err)
	}
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("state directory: %v %v", info.Mode(), err)
	}
}

// TestHoldEndsWithTheProcess: a daemon killed with SIGKILL leaves no hold behind.
func TestHoldEndsWithTheProcess(t *testing.T) {
	if os.Getenv("DDNS_HOLD_DIR") != "" { // the child: hold, say so, wait to be killed
		if err := Open(os.Getenv("DDNS_HOLD_DIR")).Hold(); err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		runtime.GC()                      // the Dir is unreachable now: the hold must outlive it
		time.Sleep(10 * time.Millisecond) // finalizers run after the collection
		fmt.Println("held")
		select {}
	}
	dir := t.TempDir()
	child := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestHoldEndsWithTheProcess$")
	child.Env = append(os.Environ(), "DDNS_HOLD_DIR="+dir)
	out, _ := child.StdoutPipe()
	if err := child.Start(); errors.Is(err, syscall.ENOEXEC) {
		t.Skip("this test binary cannot start a copy of itself here (run under qemu-user without binfmt)")
	} else if err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	said := make(chan string, 1)
	go func() { line, _ := bufio.NewReader(out).ReadString('\n'); said <- line }()
	select {
	case line := <-said:
		if line != "held\n" {
			t.Fatalf("child: %q", line)
		}
	case <-time.After(30 * time.Second): // a bound on a hang, not a timing assertion
		t.Fatal("the child did not say it holds the directory")
	}
	if !Open(dir).Running() {
		t.Error("Running = false while the child holds the directory")
	}
	child.Process.Kill()
	child.Wait()
	if Open(dir).Running() {
		t.Error("Running = true after the daemon was killed")
	}
	if err := Open(dir).Hold(); err != nil {
		t.Errorf("after the first daemon died: %v", err)
	}
}

// TestPrune: the state of profiles that left the configuration goes; the rest,
// the lock and temporaries stay.
func TestPrune(t *testing.T) {
	dir := t.TempDir()
	d := Open(dir)
	for _, name := range []string{"home", "gone", "also_gone"} {
		if err := d.Save(name, updater.State{Fingerprint: name}); err != nil {
			t.Fatal(err)
		}
		d.SaveRun(name, Run{Summary: name})
	}
	d.Hold()
	defer releaseHolds()
	removed, err := d.Prune([]string{"home", "never_saved"})
	slices.Sort(removed)
	if err != nil || !slices.Equal(removed, []string{"also_gone", "gone"}) {
		t.Fatalf("removed %v, %v", removed, err)
	}
	entries, _ := os.ReadDir(dir)
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if !slices.Equal(left, []string{"daemon.lock", "home.run", "home.state"}) {
		t.Errorf("left %v", left)
	}
	if st, _ := d.Load("gone"); st.Fingerprint != "" {
		t.Error("the removed profile's state is still remembered")
	}
	if removed, err := Open(t.TempDir() + "/none").Prune(nil); err != nil || removed != nil {
		t.Errorf("a directory not made yet: %v %v", removed, err)
	}
}

// releaseHolds drops every hold of this test process (a daemon's last until it ends).
func releaseHolds() {
	holds.Lock()
	defer holds.Unlock()
	for _, f := range holds.files {
		f.Close()
	}
	holds.files = nil
}
