package openwrt

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"ddns-updater/src/internal/provtest"
	"ddns-updater/src/internal/syncbuf"
)

// jailScript stands in for ujail: in a private mount namespace, a tmpfs root
// that holds only the paths the init script asks for ($RO read-only, $RW
// read-write) and what ujail adds by itself (the program, /etc/passwd and
// /etc/group since a user is set, /etc/resolv.conf, the devices it makes in
// /dev), then the program in it as the daemon's user.
const jailScript = `set -e
root=$1
mount -t tmpfs jail "$root"
bindp() {
	if [ -d "$1" ]; then mkdir -p "$root$1"; else mkdir -p "$root$(dirname "$1")"; touch "$root$1"; fi
	mount --bind "$1" "$root$1"
	if [ "$2" = ro ]; then mount -o remount,bind,ro "$root$1"; fi
}
for p in $RO; do bindp "$p" ro; done
for p in $RW; do bindp "$p" rw; done
bindp "$BIN" ro
bindp /etc/passwd ro
bindp /etc/group ro
if [ -e /etc/resolv.conf ]; then bindp /etc/resolv.conf ro; fi
for d in null zero full random urandom; do bindp /dev/$d rw; done
# the command line the init script gave procd, the program's own path first
# shellcheck disable=SC2086
exec chroot --userspec=65534:65534 "$root" "$BIN" $ARGS
`

// TestJailed runs the daemon as the init script has procd run it where ujail
// exists and option seccomp is on: as its own user (here nobody), seeing only
// the files the init script names, under its system-call filter. An update goes out, the state is written and the update is
// mailed, so the jail leaves out nothing the daemon needs (and a ca_file left
// out of the list makes the profile fail: the jail is real).
func TestJailed(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for a mount namespace and another user (CI runs as root)")
	}
	for _, tool := range []string{"unshare", "chroot"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s(1)", tool)
		}
	}
	const uid, gid = 65534, 65534
	top := t.TempDir()
	os.Chmod(filepath.Dir(top), 0o755) // the test's temporary directories: open to the daemon's user
	os.Chmod(top, 0o755)
	bin := filepath.Join(top, "ddns-updater")
	build := command(t, "go", "build", "-trimpath", "-tags", "nethttpomithttp2,ddnstest", "-o", bin, "../cmd/ddns-updater")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	w := provtest.Start(t)
	w.OpenCAFiles()
	state := filepath.Join(top, "state")
	conf := filepath.Join(top, "ddns-updater.conf")
	os.WriteFile(conf, []byte(w.Config(state, "DDNS", "")), 0o600)

	// the init script, with ujail: what it mounts, and the files it hands over
	stub := stubProgram(t, 0, "")
	r := newRouter(t, stub, conf, "", "SECTIONS=global:global profile:DDNS mail:mail", "CFG_DDNS_enabled=1",
		"CFG_global_state_dir="+state, "CFG_global_seccomp=1", "CFG_DDNS_ca_file="+w.CAFiles()[0], "CFG_mail_ca_file="+w.CAFiles()[1])
	r.withUjail()
	if out, code := r.initScript("start"); code != 0 {
		t.Fatalf("start: exit %d\n%s", code, out)
	}
	var ro, rw, args string
	for _, l := range strings.Split(r.records(), "\n") {
		if v, ok := strings.CutPrefix(l, "set_param command "+stub+" "); ok {
			args = v
		} else if v, ok := strings.CutPrefix(l, "add_jail_mount "); ok {
			ro = v
		} else if v, ok := strings.CutPrefix(l, "add_jail_mount_rw "); ok {
			rw = v
		}
	}
	if ro == "" || rw == "" || !strings.Contains(args, "--seccomp") {
		t.Fatalf("no jail mounts:\n%s", r.records())
	}
	// what the init script's chown and chgrp (stand-ins here) do on the router
	os.Chown(state, uid, gid)
	os.Chown(conf, 0, gid)

	root := filepath.Join(top, "jail")
	os.Mkdir(root, 0o755)
	cmd := command(t, "unshare", "-m", "--propagation", "private", "sh", "-c", jailScript, "sh", root)
	// no logd here: the log goes to stderr
	args = strings.Replace(args, " --syslog /dev/log", "", 1)
	cmd.Env = append(os.Environ(), "RO="+ro, "RW="+rw, "BIN="+bin, "ARGS="+args)
	var log syncbuf.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	w.Updated(t, state, "DDNS", &log)
	if st, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)); !strings.Contains(string(st), "Seccomp:\t2") ||
		!strings.Contains(string(st), "Uid:\t65534") {
		t.Errorf("the daemon is not filtered, or not the user's:\n%s", st)
	}
	if strings.Contains(log.String(), "permission denied") || strings.Contains(log.String(), "no such file") {
		t.Errorf("the jail left out something (mounts %s; %s):\n%s", ro, rw, log.String())
	}
}
