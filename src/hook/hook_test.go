package hook

import (
	"context"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ddns-updater/src/internal/syncbuf"
	"ddns-updater/src/logx"
	"ddns-updater/src/notify"
)

// shell is BusyBox ash when the machine has it (OpenWrt's /bin/sh), else sh.
func shell(t *testing.T) string {
	if p, err := exec.LookPath("busybox"); err == nil {
		dir := t.TempDir()
		if err := os.Symlink(p, filepath.Join(dir, "ash")); err == nil {
			return filepath.Join(dir, "ash")
		}
	}
	return "/bin/sh"
}

// TestHotplugScripts: what a script in /etc/hotplug.d/ddns-updater/ sees,
// through hotplug-call, for each outcome that changes something, and nothing
// for those that change nothing.
func TestHotplugScripts(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "seen")
	os.MkdirAll(filepath.Join(dir, "hotplug.d", "ddns-updater"), 0o755)
	os.WriteFile(filepath.Join(dir, "hotplug.d", "ddns-updater", "50-record"),
		[]byte(`echo "$HOTPLUG_TYPE|$ACTION|$PROFILE|$HOSTNAMES|$IPV4|$IPV6|$ANSWER" >> "`+out+`"`+"\n"), 0o644)
	t.Setenv("HOTPLUG_D", filepath.Join(dir, "hotplug.d"))
	logs := &syncbuf.Buffer{}
	h := &Hooks{Log: logx.New(logs, logx.Debug)}
	h.Set([][]string{{shell(t), "testdata/hotplug-call", "ddns-updater"}})
	hosts := []string{"a.example.com", "b.example.com"}
	ev := func(k notify.Kind, code, detail string, addrs ...string) {
		e := notify.Event{Kind: k, Profile: "home", Hostnames: hosts, Code: code, Detail: detail}
		for _, a := range addrs {
			e.New = append(e.New, netip.MustParseAddr(a))
		}
		h.Event(e)
	}
	ev(notify.OK, "", "")                                                     // nothing changed
	ev(notify.Updated, "good 203.0.113.7", "", "203.0.113.7", "2001:db8::7")  // update
	ev(notify.Failed, "", "no answer from the provider: no answer in time")   // fail
	ev(notify.Failed, "", "no answer from the provider: no answer in time")   // still failing: nothing
	ev(notify.OK, "", "")                                                     // recover
	ev(notify.Failed, "911", "the provider asks to wait")                     // fail
	ev(notify.Updated, "good 198.51.100.9", "", "198.51.100.9")               // recover, update
	ev(notify.Stopped, "badauth", "")                                         // stop
	h.Event(notify.Event{Kind: notify.Failed, Profile: "other", Detail: "x"}) // another profile's own story
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h.Wait(ctx)
	data, _ := os.ReadFile(out)
	want := `ddns-updater|update|home|a.example.com b.example.com|203.0.113.7|2001:db8::7|good 203.0.113.7
ddns-updater|fail|home|a.example.com b.example.com|||no answer from the provider: no answer in time
ddns-updater|recover|home|a.example.com b.example.com|||
ddns-updater|fail|home|a.example.com b.example.com|||the provider asks to wait
ddns-updater|recover|home|a.example.com b.example.com|198.51.100.9||good 198.51.100.9
ddns-updater|update|home|a.example.com b.example.com|198.51.100.9||good 198.51.100.9
ddns-updater|stop|home|a.example.com b.example.com|||badauth
ddns-updater|fail|other||||x
`
	if string(data) != want {
		t.Errorf("the scripts saw\n%s\nwant\n%s\nlog:\n%s", data, want, logs)
	}
}

// TestHangingHookIsKilled: a hook that hangs (and leaves a child behind) is
// killed at the timeout, the event that queued it returned at once, and the
// log says so; an exit status other than 0 is logged too.
func TestHangingHookIsKilled(t *testing.T) {
	dir := t.TempDir()
	hang := filepath.Join(dir, "hang")
	os.WriteFile(hang, []byte("#!/bin/sh\nsleep 600 &\nsleep 600\n"), 0o755)
	fail := filepath.Join(dir, "fail")
	os.WriteFile(fail, []byte("#!/bin/sh\necho \"cannot reach $PROFILE\"\nexit 3\n"), 0o755)
	logs := &syncbuf.Buffer{}
	h := &Hooks{Log: logx.New(logs, logx.Debug), Timeout: 200 * time.Millisecond}
	h.Set([][]string{{hang}, {fail}})
	start := time.Now()
	h.Event(notify.Event{Kind: notify.Stopped, Profile: "home", Code: "abuse"})
	if took := time.Since(start); took > 100*time.Millisecond {
		t.Errorf("Event waited %v for the hook", took)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h.Wait(ctx)
	for _, want := range []string{
		"warn: hook " + hang + " (ACTION=stop, PROFILE=home) ran longer than 200ms and was killed",
		"warn: hook " + fail + " (ACTION=stop, PROFILE=home) failed: exit status 3 output=\"cannot reach home\"",
	} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}
	if out, _ := exec.Command("pgrep", "-f", "sleep 600").Output(); len(out) > 0 {
		exec.Command("pkill", "-f", "sleep 600").Run()
		t.Errorf("the hook's child outlived it (pids %s)", strings.TrimSpace(string(out)))
	}
}

// TestPrograms: hotplug-call on a router, and then option hook is not
// honoured; option hook elsewhere.
func TestPrograms(t *testing.T) {
	_, err := os.Stat(HotplugCall)
	progs, ignored := Programs("/usr/local/bin/ddns-hook")
	if err == nil {
		if len(progs) != 1 || progs[0][0] != HotplugCall || !ignored {
			t.Errorf("on a router: %v, ignored %v", progs, ignored)
		}
		return
	}
	if len(progs) != 1 || progs[0][0] != "/usr/local/bin/ddns-hook" || ignored {
		t.Errorf("off a router: %v, ignored %v", progs, ignored)
	}
	if progs, _ := Programs(""); progs != nil {
		t.Errorf("no hook: %v", progs)
	}
}
