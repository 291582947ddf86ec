package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"ddns-updater/src/internal/procstat"
	"ddns-updater/src/internal/provtest"
	"ddns-updater/src/internal/testexec"
)

// TestUnprivileged runs the daemon as the init script has procd run it: as a
// user of its own (here nobody, 65534), the configuration root-owned, mode
// 0640, group-readable by that user's group, the state directory the user's.
// An update goes out, the state is written, the update is mailed over
// STARTTLS and the hook runs as that user; the process holds no capability.
func TestUnprivileged(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to start the daemon as another user (CI runs as root)")
	}
	const uid, gid = 65534, 65534
	bin := buildBinary(t)
	os.Chmod(filepath.Dir(filepath.Dir(bin)), 0o755) // the test's temporary directories: open to the user
	w := provtest.Start(t)
	w.OpenCAFiles()

	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	out := filepath.Join(dir, "hook-out")
	for _, d := range []string{state, out} {
		os.Mkdir(d, 0o700)
		os.Chown(d, uid, gid)
	}
	hook := filepath.Join(dir, "hook")
	os.WriteFile(hook, []byte("#!/bin/sh\nid -u > \""+out+"/ran\"\n"), 0o755)
	cfg := filepath.Join(dir, "ddns-updater")
	os.WriteFile(cfg, []byte(w.Config(state, "a", "\toption hook '"+hook+"'\n")), 0o640)
	os.Chown(cfg, 0, gid) // as the init script leaves it: root's, the daemon's group may read

	cmd := testexec.Command(t, bin, "--config", cfg)
	cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uid, Gid: gid}
	var log lineLog
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go log.read(stderr)
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	w.Updated(t, state, "a", &log)
	if !provtest.Eventually(func() bool {
		data, _ := os.ReadFile(filepath.Join(out, "ran"))
		return strings.TrimSpace(string(data)) == "65534"
	}) {
		t.Errorf("the hook did not run as the daemon's user\n%s", &log)
	}
	if st := procstat.Status(cmd.Process.Pid, "Uid"); st["Uid"] != uid {
		t.Errorf("uid %d", st["Uid"])
	}
	status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	for _, l := range strings.Split(string(status), "\n") {
		if f := strings.Fields(l); len(f) == 2 && (f[0] == "CapEff:" || f[0] == "CapPrm:") && strings.Trim(f[1], "0") != "" {
			t.Errorf("%s: the daemon holds capabilities", l)
		}
	}
	if strings.Contains(log.String(), "permission denied") {
		t.Errorf("a permission was missing:\n%s", &log)
	}
}
