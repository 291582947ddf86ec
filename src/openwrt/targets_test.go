package openwrt

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ddns-updater/src/internal/logdtest"
)

// sigtool builds testdata/sigtool, the router's kill(1), for a GOARCH.
func sigtool(t *testing.T, goarch, variant string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "sigtool")
	cmd := command(t, "go", "build", "-trimpath", "-tags", "nethttpomithttp2", "-o", out, "./testdata/sigtool")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	if variant != "" {
		cmd.Env = append(cmd.Env, variant)
	}
	if o, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building sigtool: %v\n%s", err, o)
	}
	return out
}

// TestScriptsOnTargets runs the shipped daemon of each architecture (natively
// or under qemu-user) with the init script and the hotplug hook as procd and
// netifd drive them, every signal carried with that architecture's numbers:
// the router's kill -l turns names into numbers, and procd's kill(2) delivers
// them. One ifup of wan must give exactly one signal and one check (the
// hotplug hook is the only path), the daemon must live through it (the hook
// once sent 10, SIGBUS on MIPS), LuCI's Check now (`update`) and a reload
// (reload_signal HUP) must reach it too, and SIGTERM must end it cleanly.
func TestScriptsOnTargets(t *testing.T) {
	if raceEnabled {
		t.Skip("runs the built binaries; once, without the race detector")
	}
	for _, tc := range []struct{ arch, goarch, variant, qemu string }{
		{"x86_64", "amd64", "GOAMD64=v1", ""},
		{"mips_24kc", "mips", "GOMIPS=softfloat", "qemu-mips-static"},
		{"mipsel_24kc", "mipsle", "GOMIPS=softfloat", "qemu-mipsel-static"},
		{"arm_cortex-a15_neon-vfpv4", "arm", "GOARM=7", "qemu-arm-static"},
	} {
		t.Run(tc.arch, func(t *testing.T) {
			if tc.qemu == "" && runtime.GOARCH != tc.goarch {
				t.Skip("not this machine's architecture")
			}
			var emu []string
			if tc.qemu != "" {
				q, err := exec.LookPath(tc.qemu)
				if err != nil {
					t.Skipf("%s not installed (Debian package qemu-user-static; .ci/run installs it)", tc.qemu)
				}
				emu = []string{q}
			}
			busybox(t)
			if os.Geteuid() != 0 {
				t.Skip("needs root for the hotplug hook's private mount namespace (CI runs as root)")
			}
			bin := filepath.Join(built(t), "bin", "ddns-updater-"+tc.goarch) // the GOARCH's baseline build (build.sh)
			targetKill := strings.Join(append(append([]string{}, emu...), sigtool(t, tc.goarch, tc.variant)), " ")
			runOnTarget(t, append(emu, bin), targetKill)
		})
	}
}

func runOnTarget(t *testing.T, argv []string, targetKill string) {
	var mu sync.Mutex
	checks := 0
	checked := make(chan int, 16)
	check := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		checks++
		checked <- checks
		mu.Unlock()
		fmt.Fprint(w, "203.0.113.7") // the shipped binary refuses to publish it: the check ends there
	}))
	defer check.Close()
	logd := logdtest.Listen(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "ddns-updater")
	os.WriteFile(conf, []byte(fmt.Sprintf("config global 'global'\n\toption state_dir '%s/state'\n\toption log_level debug\n"+
		"config profile 'DDNS'\n\toption enabled 1\n\toption server 'members.dyndns.org'\n\toption username u\n\toption password p\n"+
		"\toption hostname home.example.com\n\toption ip_source web\n\toption interface wan\n\toption use_https 0\n\toption external_ip_server '%s'\n",
		dir, check.Listener.Addr())), 0o600)
	prog := filepath.Join(dir, "prog")
	os.WriteFile(prog, []byte("#!/bin/sh\nexec "+strings.Join(argv, " ")+` "$@"`+"\n"), 0o755)
	r := newRouter(t, prog, conf, targetKill, "SECTIONS=global:global profile:DDNS", "CFG_DDNS_enabled=1")

	// procd starts the instance the init script describes
	if out, code := r.initScript("start"); code != 0 {
		t.Fatalf("start: exit %d\n%s", code, out)
	}
	var instance []string
	for _, l := range strings.Split(r.records(), "\n") {
		if c, ok := strings.CutPrefix(l, "set_param command "); ok {
			instance = strings.Fields(strings.Replace(c, "--syslog /dev/log", "--syslog "+logd.Path, 1))
		}
	}
	if len(instance) == 0 || instance[0] != prog {
		t.Fatalf("no instance described:\n%s", r.records())
	}
	daemon := command(t, instance[0], instance[1:]...)
	var stderr strings.Builder
	daemon.Stdout, daemon.Stderr = &stderr, &stderr
	if err := daemon.Start(); err != nil {
		t.Fatal(err)
	}
	defer daemon.Process.Kill()
	exited := make(chan error, 1)
	go func() { exited <- daemon.Wait() }()
	r.runs(daemon.Process.Pid)
	waitCheck := func(n int, what string) {
		t.Helper()
		for {
			select {
			case got := <-checked:
				if got == n {
					return
				}
			case err := <-exited:
				t.Fatalf("%s: the daemon died (%v)\n%s", what, err, &stderr)
			case <-time.After(30 * time.Second): // a bound on a hang (qemu is slow), not a timing assertion
				t.Fatalf("%s: no check %d\n%s\n%s", what, n, r.records(), &stderr)
			}
		}
	}
	waitCheck(1, "at start")

	// netifd's ifup of wan: procd runs the interface triggers the service
	// registered, netifd runs the hotplug scripts
	for _, l := range strings.Split(r.records(), "\n") {
		if f := strings.Fields(l); len(f) > 3 && f[0] == "interface_trigger" && f[2] == "wan" {
			cmd := command(t, f[3], f[4:]...)
			cmd.Env = r.env
			cmd.Run()
		}
	}
	r.hotplug("ACTION=ifup", "INTERFACE=wan", "DEVICE=eth1")
	if got := r.signals(); len(got) != 1 || got[0] != targetNumber(t, targetKill, "USR1") {
		t.Fatalf("one ifup must deliver one SIGUSR1 (%s here); delivered %v\n%s", targetNumber(t, targetKill, "USR1"), got, r.records())
	}
	waitCheck(2, "after ifup")

	// LuCI's Check now
	r.initScript("update")
	waitCheck(3, "after update")

	// a reload (the configuration changed): procd sends reload_signal
	var hup string
	for _, l := range strings.Split(r.records(), "\n") {
		if n, ok := strings.CutPrefix(l, "set_param reload_signal "); ok {
			hup = n
		}
	}
	if hup != targetNumber(t, targetKill, "HUP") {
		t.Errorf("reload_signal %q, want SIGHUP (%s)", hup, targetNumber(t, targetKill, "HUP"))
	}
	send := command(t, strings.Fields(targetKill)[0], append(strings.Fields(targetKill)[1:], "-"+hup, strconv.Itoa(daemon.Process.Pid))...)
	if out, err := send.CombinedOutput(); err != nil {
		t.Fatalf("procd's reload_signal: %v %s", err, out)
	}
	for reloaded := 0; reloaded < 2; { // "configuration applied" at start, then on the reload
		line, ok := logd.Next(30 * time.Second)
		if !ok {
			t.Fatalf("the daemon did not reload\n%s", &stderr)
		}
		if strings.Contains(line.Text, "configuration applied: 1 profiles running") {
			reloaded++
		}
	}

	// alive through all of it: SIGTERM (procd's stop) ends it cleanly
	daemon.Process.Signal(syscall.SIGTERM)
	if err := <-exited; err != nil {
		t.Errorf("the daemon did not end cleanly: %v\n%s", err, &stderr)
	}
	if strings.Contains(stderr.String(), "SIGBUS") || strings.Contains(stderr.String(), "panic") {
		t.Errorf("the daemon crashed:\n%s", &stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	if checks != 3 {
		t.Errorf("%d checks; want 3 (start, ifup, update)", checks)
	}
}

// targetNumber is the router's number of a signal name.
func targetNumber(t *testing.T, targetKill, name string) string {
	t.Helper()
	f := strings.Fields(targetKill)
	out, err := command(t, f[0], append(f[1:], "-l", name)...).Output()
	if err != nil {
		t.Fatalf("%s -l %s: %v", targetKill, name, err)
	}
	return strings.TrimSpace(string(out))
}
