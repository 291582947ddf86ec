package main

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"ddns-updater/src/internal/provtest"
	"ddns-updater/src/internal/syncbuf"
	"ddns-updater/src/internal/testexec"
	"ddns-updater/src/seccomp"
)

// qemuOf is the qemu-user binary and the Go settings of each GOARCH the
// packages ship; "strace" runs it natively under strace(1) (x86: this
// machine's kernel runs both, and qemu-i386 crashes Go 1.26's 386 runtime),
// which also sees the hook's system calls.
var qemuOf = map[string][2]string{
	"amd64": {"strace", ""}, "386": {"strace", "GO386=softfloat"},
	"arm": {"qemu-arm-static", "GOARM=5"}, "arm64": {"qemu-aarch64-static", ""},
	"mips": {"qemu-mips-static", "GOMIPS=softfloat"}, "mipsle": {"qemu-mipsel-static", "GOMIPS=softfloat"},
	"mips64": {"qemu-mips64-static", "GOMIPS64=softfloat"}, "mips64le": {"qemu-mips64el-static", "GOMIPS64=softfloat"},
	"riscv64": {"qemu-riscv64-static", ""}, "loong64": {"qemu-loongarch64-static", ""},
}

var straceLine = regexp.MustCompile(`(?m)^\d+ +([a-z_][a-z_0-9]*)\(`)

// daemonSyscalls runs the daemon built for goarch under qemu-user with
// -strace through a day of its life — start, a check over HTTPS with its DNS
// lookup, an update, its state, mail over STARTTLS, the hook, a reload
// (SIGHUP), a check now (SIGUSR1), a stop (SIGTERM) — and returns the names of
// the system calls it made, as qemu names them (the kernel's names).
func daemonSyscalls(t *testing.T, goarch string) []string {
	q, ok := qemuOf[goarch]
	if !ok {
		t.Fatalf("no qemu for %s", goarch)
	}
	if _, err := exec.LookPath(q[0]); err != nil {
		t.Skipf("needs %s (Debian qemu-user-static)", q[0])
	}
	bin := buildFor(t, goarch)
	w := provtest.Start(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	ran := filepath.Join(dir, "ran")
	hook := filepath.Join(dir, "hook")
	os.WriteFile(hook, []byte("#!/bin/sh\necho \"$ACTION\" >> "+ran+"\n"), 0o755)
	cfg := filepath.Join(dir, "ddns-updater")
	os.WriteFile(cfg, []byte(w.Config(state, "a", "\toption hook '"+hook+"'\n")), 0o600)
	var out syncbuf.Buffer
	trace := filepath.Join(dir, "trace")
	cmd := testexec.Command(t, q[0], "-D", trace, "-strace", bin, "--config", cfg) // the trace apart from the daemon's own stderr
	if q[0] == "strace" {
		cmd = testexec.Command(t, "strace", "-f", "-qq", "-o", trace, bin, "--config", cfg)
	}
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	daemon := cmd.Process.Pid // under qemu-user, the process is the daemon; under strace, its first traced child
	if q[0] == "strace" {
		provtest.Eventually(func() bool { data, _ := os.ReadFile(trace); return len(data) > 0 })
		data, _ := os.ReadFile(trace)
		fmt.Sscan(string(data), &daemon)
	}
	signal := func(sig syscall.Signal) { syscall.Kill(daemon, sig) }
	w.Updated(t, state, "a", &out)
	if !provtest.Eventually(func() bool { data, _ := os.ReadFile(ran); return strings.Contains(string(data), "update") }) {
		t.Errorf("the hook did not run")
	}
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGUSR1} {
		before := strings.Count(out.String(), "\n")
		if q[0] == "strace" {
			before = -1 // its trace is in a file: give it the time below
		}
		signal(sig)
		provtest.Eventually(func() bool { return strings.Count(out.String(), "\n") > before }) // it acts on it
		time.Sleep(200 * time.Millisecond)                                                     // and is done (only names are collected)
	}
	signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second): // a bound on a hang
		t.Fatal("the daemon did not stop")
	}
	data, _ := os.ReadFile(trace)
	text := string(data)
	var names []string
	for _, m := range straceLine.FindAllStringSubmatch(text, -1) {
		names = append(names, m[1])
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// TestSyscallsPrint prints the system calls of DDNS_SYSCALLS_ARCH (a GOARCH):
// how the seccomp policy's list was made.
func TestSyscallsPrint(t *testing.T) {
	goarch := os.Getenv("DDNS_SYSCALLS_ARCH")
	if goarch == "" {
		t.Skip("DDNS_SYSCALLS_ARCH=GOARCH prints what the daemon of that architecture calls")
	}
	fmt.Println(goarch, strings.Join(daemonSyscalls(t, goarch), " "))
}

// policyNames are the system calls files/etc/seccomp/ddns-updater.json allows.
func policyNames(t *testing.T) map[string]bool {
	data, err := os.ReadFile("../../../files/etc/seccomp/ddns-updater.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := seccomp.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, n := range p.Allow {
		names[n] = true
	}
	return names
}

// TestSyscallsCovered: on every architecture the packages ship (qemu-user's
// -strace; x86 natively under strace), the daemon's day calls nothing the
// seccomp policy leaves out. Slow: .ci/run sets DDNS_TEST_ALL_ARCHES.
func TestSyscallsCovered(t *testing.T) {
	if os.Getenv("DDNS_TEST_ALL_ARCHES") == "" {
		t.Skip("DDNS_TEST_ALL_ARCHES=1 (.ci/run) runs the daemon of every architecture under qemu-user")
	}
	allowed := policyNames(t)
	for _, arch := range slices.Sorted(maps.Keys(qemuOf)) {
		t.Run(arch, func(t *testing.T) {
			for _, n := range daemonSyscalls(t, arch) {
				if !allowed[n] {
					t.Errorf("%s calls %s, which the seccomp policy does not allow", arch, n)
				}
			}
		})
	}
}

// TestSeccomp: the daemon under its filter (installed by itself, as the init
// script asks with option seccomp) does its whole day — update, state, mail,
// hook — even when any call outside the list kills it; without connect in
// the list it reaches no server, and says why.
func TestSeccomp(t *testing.T) {
	bin := buildBinary(t)
	data, err := os.ReadFile("../../../files/etc/seccomp/ddns-updater.json")
	if err != nil {
		t.Fatal(err)
	}
	run := func(policy string, hook bool) (*provtest.World, string, *exec.Cmd, *syncbuf.Buffer) {
		w := provtest.Start(t)
		dir := t.TempDir()
		file := filepath.Join(dir, "seccomp.json")
		os.WriteFile(file, []byte(policy), 0o644)
		state := filepath.Join(dir, "state")
		extra := ""
		if hook {
			h := filepath.Join(dir, "hook")
			os.WriteFile(h, []byte("#!/bin/sh\necho \"$ACTION\" >> "+filepath.Join(dir, "ran")+"\n"), 0o755)
			extra = "\toption hook '" + h + "'\n"
		}
		cfg := filepath.Join(dir, "ddns-updater")
		os.WriteFile(cfg, []byte(w.Config(state, "a", extra)), 0o600)
		cmd := testexec.Command(t, bin, "--config", cfg, "--seccomp", file, "--verbose")
		var out syncbuf.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
		return w, dir, cmd, &out
	}

	kill := strings.Replace(string(data), `"SCMP_ACT_ERRNO"`, `"SCMP_ACT_KILL_PROCESS"`, 1)
	w, dir, cmd, out := run(kill, true)
	w.Updated(t, filepath.Join(dir, "state"), "a", out)
	if !provtest.Eventually(func() bool {
		d, _ := os.ReadFile(filepath.Join(dir, "ran"))
		return strings.Contains(string(d), "update")
	}) {
		t.Errorf("the hook did not run under the filter\n%s", out)
	}
	cmd.Process.Signal(syscall.SIGHUP) // a reload reads the configuration again
	cmd.Process.Signal(syscall.SIGUSR1)
	time.Sleep(300 * time.Millisecond) // let it act; a forbidden call would kill it
	status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if !strings.Contains(string(status), "Seccomp:\t2") || !strings.Contains(string(status), "NoNewPrivs:\t1") {
		t.Errorf("the process is not filtered:\n%s", status)
	}
	if !strings.Contains(out.String(), "seccomp: ") {
		t.Errorf("the filter was not reported\n%s", out)
	}

	noConnect := strings.Replace(string(data), "\t\t\t\t\"connect\",\n", "", 1)
	if noConnect == string(data) {
		t.Fatal("the policy has no connect line to take out")
	}
	w, _, _, out = run(noConnect, false)
	if !provtest.Eventually(func() bool { return strings.Contains(out.String(), "operation not permitted") }) {
		t.Errorf("without connect: no error that says so\n%s", out)
	}
	select {
	case got := <-w.Requests:
		t.Errorf("without connect a request arrived: %s", got)
	default:
	}
}

// TestSeccompNotThere: where seccomp(2) is missing (qemu-user answers ENOSYS
// for its guests, as a kernel without CONFIG_SECCOMP does) the daemon says so
// once and runs: the other layers still hold.
func TestSeccompNotThere(t *testing.T) {
	if _, err := exec.LookPath("qemu-mipsel-static"); err != nil {
		t.Skip("needs qemu-mipsel-static (Debian qemu-user-static)")
	}
	bin := buildFor(t, "mipsle")
	w := provtest.Start(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "ddns-updater")
	os.WriteFile(cfg, []byte(w.Config(filepath.Join(dir, "state"), "a", "")), 0o600)
	cmd := testexec.Command(t, "qemu-mipsel-static", bin, "--config", cfg, "--seccomp", "../../../files/etc/seccomp/ddns-updater.json")
	var out syncbuf.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	w.Updated(t, filepath.Join(dir, "state"), "a", &out)
	if n := strings.Count(out.String(), "no seccomp filters here"); n != 1 {
		t.Errorf("said %d times that there is no filter\n%s", n, &out)
	}
}

// TestSeccompMuslChild: under the filter, with any call outside the list
// killing the caller, the daemon's ubus(1) — here a musl-built, dynamically
// linked stand-in, as OpenWrt's is — starts, reads, writes and answers, and
// the daemon takes the device from its answer. (Without mremap in the list,
// musl's realloc kills it: "signal: bad system call".)
func TestSeccompMuslChild(t *testing.T) {
	cc, err := exec.LookPath("musl-gcc")
	if err != nil {
		t.Skip("needs musl-gcc (Debian musl-tools; .ci/run installs it)")
	}
	dir := t.TempDir()
	ubus := filepath.Join(dir, "ubus")
	if out, err := testexec.Command(t, cc, "-O2", "-o", ubus, "testdata/ubus-musl/ubus.c").CombinedOutput(); err != nil {
		t.Fatalf("musl-gcc: %v\n%s", err, out)
	}
	fixture, err := os.ReadFile("../../../../shared/fixtures/ubus/wan-dhcp-public.json")
	if err != nil {
		t.Skip("needs ../shared/fixtures/ubus beside the project")
	}
	status := filepath.Join(dir, "wan.json")
	os.WriteFile(status, []byte(strings.Replace(string(fixture), `"l3_device": "eth1"`, `"l3_device": "lo"`, 1)), 0o644)
	data, err := os.ReadFile("../../../files/etc/seccomp/ddns-updater.json")
	if err != nil {
		t.Fatal(err)
	}
	policy := filepath.Join(dir, "seccomp.json")
	os.WriteFile(policy, []byte(strings.Replace(string(data), `"SCMP_ACT_ERRNO"`, `"SCMP_ACT_KILL_PROCESS"`, 1)), 0o644)
	cfg := filepath.Join(dir, "ddns-updater")
	os.WriteFile(cfg, []byte("config global 'global'\n\toption state_dir '"+dir+"/state'\n"+
		"config profile 'a'\n\toption enabled 1\n\toption server 'x.example.com'\n\toption username u\n\toption password p\n"+
		"\toption hostname a.example.com\n\toption ip_source interface\n\toption interface wan\n"), 0o600)
	cmd := testexec.Command(t, buildBinary(t), "--config", cfg, "--seccomp", policy, "--verbose")
	cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"), "UBUS_FIXTURE="+status)
	var out syncbuf.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	if !provtest.Eventually(func() bool { return strings.Contains(out.String(), "] lo holds") }) {
		t.Errorf("the daemon did not take the device from ubus's answer\n%s", &out)
	}
	if s := out.String(); strings.Contains(s, "bad system call") || strings.Contains(s, "ubus call") {
		t.Errorf("ubus(1) failed under the filter\n%s", s)
	}
}
