package openwrt

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"ddns-updater/src/internal/testexec"
)

// command starts a child that ends with the test.
var command = testexec.Command

func busybox(t testing.TB) string {
	t.Helper()
	bb, err := exec.LookPath("busybox")
	if err != nil {
		t.Skip("needs BusyBox (OpenWrt's /bin/sh); .ci/run installs Debian's busybox")
	}
	return bb
}

func repoFile(p string) string {
	abs, _ := filepath.Abs(filepath.Join("..", "..", p))
	return abs
}

// router is an OpenWrt userland of stand-ins in a temporary directory, for the
// init script and the hotplug hook: BusyBox as sh (and pidof), testdata's
// rc.common, functions.sh, procd.sh, ubus and logger, and a copy of the init
// script that runs through its shebang as on the router, so that its process
// is named ddns-updater. Its ubus delivers signals the way procd does, with
// kill(2) of the router's architecture (target: "" for this machine).
type router struct {
	t       testing.TB
	dir     string
	initd   string // holds the init script; bound over /etc/init.d for the hook
	log     string // what the stand-ins record
	pidFile string // the instance procd runs
	env     []string
}

// newRouter sets up the stand-ins with the init script's PROG and CONF
// pointing at prog and conf; env describes the UCI configuration
// (SECTIONS, CFG_<section>_<option>) and the service (SERVICE_ENABLED).
func newRouter(t testing.TB, prog, conf, targetKill string, env ...string) *router {
	bb := busybox(t)
	dir := t.TempDir()
	r := &router{t: t, dir: dir, initd: filepath.Join(dir, "init.d"), log: filepath.Join(dir, "log"), pidFile: filepath.Join(dir, "procd.pid")}
	os.Mkdir(r.initd, 0o755)
	for _, applet := range []string{"sh", "pidof", "sed", "cat", "basename", "rm"} {
		os.Symlink(bb, filepath.Join(dir, applet))
	}
	for _, f := range []string{"rc.common", "functions.sh", "procd.sh", "ubus", "logger", "chown", "chgrp"} {
		data, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), data, 0o755)
	}
	script, err := os.ReadFile(repoFile("files/etc/init.d/ddns-updater"))
	if err != nil {
		t.Fatal(err)
	}
	body := strings.SplitN(string(script), "\n", 2)
	if body[0] != "#!/bin/sh /etc/rc.common" {
		t.Fatalf("the init script starts with %q", body[0])
	}
	text := "#!" + filepath.Join(dir, "sh") + " " + filepath.Join(dir, "rc.common") + "\n" + body[1]
	text = strings.Replace(text, "\nPROG=/usr/bin/ddns-updater\n", "\nPROG="+prog+"\n", 1)
	text = strings.Replace(text, "\nCONF=/etc/config/ddns-updater\n", "\nCONF="+conf+"\n", 1)
	// the router's user list (with the daemon's user, as the package makes it)
	// and ujail, absent until a test puts it there (withUjail)
	os.WriteFile(filepath.Join(dir, "passwd"), []byte("root:x:0:0:root:/root:/bin/ash\nddns-updater:x:32768:32768:ddns-updater:/var/run/ddns-updater:/bin/false\n"), 0o644)
	text = strings.Replace(text, "\nPASSWD=/etc/passwd\n", "\nPASSWD="+filepath.Join(dir, "passwd")+"\n", 1)
	text = strings.Replace(text, "\nUJAIL=/sbin/ujail\n", "\nUJAIL="+filepath.Join(dir, "ujail")+"\n", 1)
	text = strings.Replace(text, "\nSECCOMP=/etc/seccomp/ddns-updater.json\n", "\nSECCOMP="+repoFile("files/etc/seccomp/ddns-updater.json")+"\n", 1)
	os.WriteFile(filepath.Join(r.initd, "ddns-updater"), []byte(text), 0o755)
	r.env = append([]string{"LOG=" + r.log, "STANDINS=" + dir, "PROCD_PID=" + r.pidFile, "TARGET_KILL=" + targetKill,
		"PATH=" + dir + ":/usr/sbin:/usr/bin:/sbin:/bin", "SERVICE_ENABLED=1", "CFG_global_state_dir=" + filepath.Join(dir, "state")}, env...)
	return r
}

// withUjail puts ujail on the router (procd-ujail installed).
func (r *router) withUjail() {
	os.WriteFile(filepath.Join(r.dir, "ujail"), []byte("#!/bin/sh\nexit 0\n"), 0o755)
}

// withoutUser takes the daemon's user off the router.
func (r *router) withoutUser() {
	os.WriteFile(filepath.Join(r.dir, "passwd"), []byte("root:x:0:0:root:/root:/bin/ash\n"), 0o644)
}

// initScript runs /etc/init.d/ddns-updater ACTION through its shebang.
func (r *router) initScript(action string, env ...string) (out string, code int) {
	cmd := command(r.t, filepath.Join(r.initd, "ddns-updater"), action)
	cmd.Env = append(append([]string{}, r.env...), env...)
	cmd.Dir = r.dir
	o, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(o), ee.ExitCode()
	} else if err != nil {
		r.t.Fatalf("init script %s: %v\n%s", action, err, o)
	}
	return string(o), 0
}

// hotplug runs the hook as hotplug-call does: sourced in a subshell with
// /lib/functions.sh loaded, for one event, with /etc/init.d being the router's
// (a private mount namespace: it needs root and unshare(1)).
func (r *router) hotplug(env ...string) string {
	r.t.Helper()
	if os.Geteuid() != 0 {
		r.t.Skip("needs root for a private mount namespace (CI runs as root)")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		r.t.Skip("needs unshare(1) from util-linux")
	}
	script := `. "$STANDINS/functions.sh"; ( . ` + repoFile("files/etc/hotplug.d/iface/95-ddns-updater") + ` ); echo sourced-and-returned`
	cmd := command(r.t, "unshare", "-m", "--", "/bin/sh", "-c", `mount --bind "$1" /etc/init.d && exec "$2" -c "$3"`,
		"sh", r.initd, filepath.Join(r.dir, "sh"), script)
	cmd.Env = append(append([]string{}, r.env...), env...)
	cmd.Dir = r.dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("hotplug: %v\n%s", err, out)
	}
	return string(out)
}

// records is what the stand-ins recorded so far.
func (r *router) records() string {
	data, _ := os.ReadFile(r.log)
	return string(data)
}

// signals are the numbers procd's stand-in delivered to the instance.
func (r *router) signals() []string {
	data, _ := os.ReadFile(r.pidFile + ".signals")
	return strings.Fields(string(data))
}

// runs tells procd's stand-in that pid is the instance.
func (r *router) runs(pid int) { os.WriteFile(r.pidFile, []byte(strconv.Itoa(pid)), 0o644) }

// stubProgram writes a stand-in for /usr/bin/ddns-updater that records its
// arguments, prints output on stderr and exits with code.
func stubProgram(t testing.TB, code int, output string) string {
	dir := t.TempDir()
	p := filepath.Join(dir, "ddns-updater")
	os.WriteFile(p+".out", []byte(output), 0o644)
	os.WriteFile(p, []byte("#!/bin/sh\necho \"program $*\" >> \"$LOG\"\ncat \"$0.out\" >&2\nexit "+strconv.Itoa(code)+"\n"), 0o755)
	return p
}

const conf = "/etc/config/ddns-updater"

func TestInitScriptStarts(t *testing.T) {
	stub := stubProgram(t, 0, "")
	r := newRouter(t, stub, conf, "",
		"SECTIONS=global:global profile:DDNS profile:v6 profile:off profile:web2",
		"CFG_DDNS_enabled=1", "CFG_v6_enabled=1", "CFG_v6_interface=wan6", "CFG_web2_enabled=1", "CFG_off_interface=wwan")
	if out, code := r.initScript("start"); code != 0 {
		t.Fatalf("start: exit %d\n%s", code, out)
	}
	log := r.records()
	for _, want := range []string{
		"extra_command update Check every profile now",
		"program --check --config " + conf,
		"open_service ddns-updater",
		"open_instance main",
		"set_param command " + stub + " --config " + conf + " --syslog /dev/log",
		"set_param env GOMAXPROCS=1",
		"set_param file " + conf,
		"set_param reload_signal 1", // HUP is 1 on every architecture
		"set_param respawn 3600 10 5",
		"set_param stdout 1",
		"set_param stderr 1",
		"close_instance",
		"reload_trigger ddns-updater",
		"close_service",
	} {
		if !strings.Contains(log, want+"\n") {
			t.Errorf("the init script did not %q:\n%s", want, log)
		}
	}
	// interface events come through the hotplug hook alone: one wake-up per ifup
	if strings.Contains(log, "interface_trigger") {
		t.Errorf("an interface trigger wakes the daemon a second time on every ifup:\n%s", log)
	}
	daemon := command(t, "sleep", "60") // only the number procd is asked to send matters here
	daemon.Start()
	defer daemon.Process.Kill()
	r.runs(daemon.Process.Pid)
	r.initScript("update")
	if !strings.Contains(r.records(), `ubus call service signal {"name":"ddns-updater","instance":"main","signal":`+strconv.Itoa(int(syscall.SIGUSR1))+`}`) {
		t.Errorf("update must send SIGUSR1 by name, through procd:\n%s", r.records())
	}
}

// TestInitScriptLeastPrivilege: the daemon runs as its own user, which gets
// the state directory and the files the daemon keeps there (nothing else in
// it) and group read access to the configuration, still closed to others;
// where ujail exists, with no capabilities and no_new_privs. Without the user
// it runs as root and says so.
func TestInitScriptLeastPrivilege(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "ddns-updater")
	os.WriteFile(conf, []byte("config profile 'DDNS'\n"), 0o600)
	state := filepath.Join(t.TempDir(), "state")
	os.Mkdir(state, 0o755)
	for _, f := range []string{"DDNS.state", "DDNS.run", "daemon.lock", "unrelated.txt"} {
		os.WriteFile(filepath.Join(state, f), nil, 0o600)
	}
	start := func(r *router) string {
		t.Helper()
		out, code := r.initScript("start")
		if code != 0 {
			t.Fatalf("start: exit %d\n%s", code, out)
		}
		return out
	}
	r := newRouter(t, stubProgram(t, 0, ""), conf, "", "SECTIONS=global:global profile:DDNS", "CFG_DDNS_enabled=1", "CFG_global_state_dir="+state)
	start(r)
	log := r.records()
	for _, want := range []string{
		"chown ddns-updater:ddns-updater " + state,
		"chown ddns-updater:ddns-updater " + state + "/DDNS.state",
		"chown ddns-updater:ddns-updater " + state + "/DDNS.run",
		"chown ddns-updater:ddns-updater " + state + "/daemon.lock",
		"chgrp ddns-updater " + conf,
		"set_param user ddns-updater",
		"set_param group ddns-updater",
	} {
		if !strings.Contains(log, want+"\n") {
			t.Errorf("the init script did not %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "unrelated.txt") || strings.Contains(log, "add_jail") {
		t.Errorf("chowned a file that is not the daemon's, or asked for a jail without ujail:\n%s", log)
	}
	if fi, _ := os.Stat(conf); fi.Mode().Perm() != 0o640 {
		t.Errorf("configuration mode %v; want 0640 (group: the daemon's; others: nothing)", fi.Mode().Perm())
	}
	if fi, _ := os.Stat(state); fi.Mode().Perm() != 0o700 {
		t.Errorf("state directory mode %v; want 0700", fi.Mode().Perm())
	}
	// the open instance must come before the user: procd takes params per instance
	if i, j := strings.Index(log, "open_instance main"), strings.Index(log, "set_param user"); i < 0 || j < i {
		t.Errorf("user set outside the instance:\n%s", log)
	}

	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, []byte("a certificate\n"), 0o644)
	r = newRouter(t, stubProgram(t, 0, ""), conf, "", "SECTIONS=global:global profile:DDNS profile:gone mail:mail", "CFG_DDNS_enabled=1",
		"CFG_global_state_dir="+state, "CFG_DDNS_ca_file="+ca, "CFG_gone_ca_file=/nonexistent/ca.pem")
	r.withUjail()
	start(r)
	log = r.records()
	var system []string // what this machine has of the router's system directories
	for _, p := range []string{"/etc/ssl", "/bin", "/sbin", "/lib", "/usr", "/etc/hotplug.d/ddns-updater"} {
		if _, err := os.Stat(p); err == nil {
			system = append(system, p)
		}
	}
	for _, want := range []string{
		"set_param user ddns-updater",
		"add_jail ddns-updater log ubus",
		"add_jail_mount " + conf + " " + repoFile("files/etc/seccomp/ddns-updater.json") + " " + strings.Join(system, " ") + " " + ca, // a ca_file that does not exist is left out
		"add_jail_mount_rw " + state,
		"set_param capabilities /etc/capabilities/ddns-updater.json",
		"set_param no_new_privs 1",
	} {
		if !strings.Contains(log, want+"\n") {
			t.Errorf("with ujail, the init script did not %q:\n%s", want, log)
		}
	}

	// option seccomp: the daemon gets the filter to install
	stub := stubProgram(t, 0, "")
	r = newRouter(t, stub, conf, "", "SECTIONS=global:global profile:DDNS", "CFG_DDNS_enabled=1",
		"CFG_global_state_dir="+state, "CFG_global_seccomp=1")
	start(r)
	if log := r.records(); !strings.Contains(log, "set_param command "+stub+" --config "+conf+" --syslog /dev/log --seccomp "+repoFile("files/etc/seccomp/ddns-updater.json")+"\n") {
		t.Errorf("option seccomp 1 must give the daemon --seccomp:\n%s", log)
	}

	// a state_dir that is no directory of its own (here /tmp) is not handed over
	r = newRouter(t, stubProgram(t, 0, ""), conf, "", "SECTIONS=global:global profile:DDNS", "CFG_DDNS_enabled=1", "CFG_global_state_dir=/tmp/")
	if out := start(r); strings.Contains(r.records(), "set_param user") || strings.Contains(r.records(), "chown") ||
		!strings.Contains(out, "cannot hand /tmp/ to ddns-updater") {
		t.Errorf("state_dir /tmp: the init script must leave it alone and say so:\n%s\n%s", out, r.records())
	}

	r = newRouter(t, stubProgram(t, 0, ""), conf, "", "SECTIONS=global:global profile:DDNS", "CFG_DDNS_enabled=1", "CFG_global_state_dir="+state)
	r.withoutUser()
	out := start(r)
	if log := r.records(); strings.Contains(log, "set_param user") || !strings.Contains(out, "no user ddns-updater") ||
		!strings.Contains(log, "logger -t ddns-updater -p daemon.warn no user ddns-updater") {
		t.Errorf("without its user the daemon must run as root and say so:\n%s\n%s", out, log)
	}
}

func TestInitScriptStartsNothing(t *testing.T) {
	r := newRouter(t, stubProgram(t, 0, ""), conf, "", "SECTIONS=profile:DDNS", "CFG_DDNS_enabled=0")
	out, _ := r.initScript("start")
	if strings.Contains(r.records(), "open_instance") || !strings.Contains(out, "no profile is enabled") ||
		!strings.Contains(r.records(), "logger -t ddns-updater -p daemon.notice no profile is enabled") {
		t.Errorf("no enabled profile must start nothing and say so:\n%s\n%s", r.records(), out)
	}
}

// TestInitScriptUnusableConfiguration: a configuration --check refuses starts
// nothing when no daemon runs, whatever else is named ddns-updater (the init
// script's own shell is: busybox pidof finds it), by start, restart or reload;
// a running daemon is left alone on a reload.
func TestInitScriptUnusableConfiguration(t *testing.T) {
	broken := stubProgram(t, 2, "error: /etc/config/ddns-updater: profile 'DDNS': option server: empty\nerror: /etc/config/ddns-updater: no usable profile\n")
	for _, action := range []string{"start", "restart", "reload"} {
		t.Run(action, func(t *testing.T) {
			r := newRouter(t, broken, conf, "", "SECTIONS=profile:DDNS", "CFG_DDNS_enabled=1")
			out, _ := r.initScript(action)
			if strings.Contains(r.records(), "open_instance") || !strings.Contains(out, "configuration unusable; not starting") {
				t.Errorf("an unusable configuration must not start (and so not respawn):\n%s\n%s", r.records(), out)
			}
		})
	}
	t.Run("reload while running", func(t *testing.T) {
		r := newRouter(t, broken, conf, "", "SECTIONS=profile:DDNS", "CFG_DDNS_enabled=1")
		daemon := command(t, "sleep", "60")
		daemon.Start()
		defer daemon.Process.Kill()
		r.runs(daemon.Process.Pid)
		out, _ := r.initScript("reload")
		if !strings.Contains(r.records(), "open_instance main") || !strings.Contains(out, "configuration unusable; the running daemon keeps the one it has") {
			t.Errorf("a reload with an unusable configuration must not stop the running daemon:\n%s\n%s", r.records(), out)
		}
		// restart: stop ends it first, so nothing runs and nothing starts
		out, _ = r.initScript("restart")
		if n := strings.Count(r.records(), "open_instance"); n != 1 || !strings.Contains(out, "configuration unusable; not starting") {
			t.Errorf("restart with an unusable configuration:\n%s\n%s", r.records(), out)
		}
	})
	t.Run("enabled yess", func(t *testing.T) {
		r := newRouter(t, broken, conf, "", "SECTIONS=profile:DDNS", "CFG_DDNS_enabled=yess")
		out, _ := r.initScript("start")
		if !strings.Contains(r.records(), "program --check") || strings.Contains(out, "no profile is enabled") {
			t.Errorf("a value enabled cannot be read as must go to --check, which names it:\n%s\n%s", r.records(), out)
		}
	})
}

// TestInitScriptLogsEachLine: what --check says reaches the log one message per
// line, at the priority of its level.
func TestInitScriptLogsEachLine(t *testing.T) {
	stub := stubProgram(t, 2, "warn: /etc/config/ddns-updater: profile 'DDNS': option bogus: unknown option (line 9); ignored\n"+
		"error: /etc/config/ddns-updater: profile 'DDNS': option server: empty\nerror: /etc/config/ddns-updater: no usable profile\n")
	r := newRouter(t, stub, conf, "", "SECTIONS=profile:DDNS", "CFG_DDNS_enabled=1")
	r.initScript("start")
	var logged []string
	for _, l := range strings.Split(r.records(), "\n") {
		if strings.HasPrefix(l, "logger ") {
			logged = append(logged, l)
		}
	}
	want := []string{
		"logger -t ddns-updater -p daemon.warn /etc/config/ddns-updater: profile 'DDNS': option bogus: unknown option (line 9); ignored",
		"logger -t ddns-updater -p daemon.err /etc/config/ddns-updater: profile 'DDNS': option server: empty",
		"logger -t ddns-updater -p daemon.err /etc/config/ddns-updater: no usable profile",
		"logger -t ddns-updater -p daemon.err configuration unusable; not starting",
	}
	if strings.Join(logged, "\n") != strings.Join(want, "\n") {
		t.Errorf("logged\n%s\nwant\n%s", strings.Join(logged, "\n"), strings.Join(want, "\n"))
	}
}

// TestStatusCommand: `status` is the program's, and its exit status (3:
// inactive) is the init script's.
func TestStatusCommand(t *testing.T) {
	r := newRouter(t, stubProgram(t, 3, "inactive"), conf, "")
	if _, code := r.initScript("status"); code != 3 || !strings.Contains(r.records(), "program status --config "+conf) {
		t.Errorf("status: exit %d\n%s", code, r.records())
	}
}

// TestHotplug sources the hotplug hook the way hotplug-call does, for each
// event: the running daemon gets SIGUSR1, by name, through the init script.
func TestHotplug(t *testing.T) {
	usr1 := `ubus call service signal {"name":"ddns-updater","instance":"main","signal":` + strconv.Itoa(int(syscall.SIGUSR1)) + `}`
	profiles := []string{"SECTIONS=profile:DDNS profile:v6 profile:off",
		"CFG_DDNS_enabled=1", "CFG_v6_enabled=1", "CFG_v6_interface=wan6", "CFG_off_interface=wwan"}
	// a profile for a LAN host, one for the LAN prefix, one for a LAN host but disabled
	lan := []string{"SECTIONS=profile:nas profile:pfx profile:old",
		"CFG_nas_enabled=1", "CFG_nas_lan_host=::1234", "CFG_nas_interface=wan6",
		"CFG_pfx_enabled=1", "CFG_pfx_lan_prefix=1", "CFG_pfx_lan_interface=lan2",
		"CFG_old_enabled=0", "CFG_old_lan_host=nas", "CFG_old_lan_interface=guest"}
	for _, tc := range []struct {
		name    string
		env     []string
		enabled bool
		signal  bool
		config  []string // nil: profiles
	}{
		{"ifup wan", []string{"ACTION=ifup", "INTERFACE=wan"}, true, true, nil},
		{"ifupdate with new addresses", []string{"ACTION=ifupdate", "INTERFACE=wan", "IFUPDATE_ADDRESSES=1"}, true, true, nil},
		{"ifupdate with new prefixes", []string{"ACTION=ifupdate", "INTERFACE=wan6", "IFUPDATE_PREFIXES=1"}, true, true, nil},
		{"ifupdate of routes only", []string{"ACTION=ifupdate", "INTERFACE=wan", "IFUPDATE_ROUTES=1"}, true, false, nil},
		{"ifupdate saying nothing", []string{"ACTION=ifupdate", "INTERFACE=wan"}, true, true, nil},
		{"ifdown", []string{"ACTION=ifdown", "INTERFACE=wan"}, true, false, nil},
		{"another interface", []string{"ACTION=ifup", "INTERFACE=lan"}, true, false, nil},
		{"service disabled", []string{"ACTION=ifup", "INTERFACE=wan"}, false, false, nil},
		{"interface of a disabled profile", []string{"ACTION=ifup", "INTERFACE=wwan"}, true, false, nil},
		{"second profile's interface", []string{"ACTION=ifup", "INTERFACE=wan6"}, true, true, nil},
		{"LAN host: its WAN", []string{"ACTION=ifup", "INTERFACE=wan6"}, true, true, lan},
		{"LAN host: ifup of its LAN", []string{"ACTION=ifup", "INTERFACE=lan"}, true, true, lan},
		{"LAN host: new prefixes on the LAN", []string{"ACTION=ifupdate", "INTERFACE=lan", "IFUPDATE_PREFIXES=1"}, true, true, lan},
		{"LAN host: new prefixes on another WAN", []string{"ACTION=ifupdate", "INTERFACE=wan_6", "IFUPDATE_PREFIXES=1"}, true, true, lan},
		{"LAN host: routes of another WAN", []string{"ACTION=ifupdate", "INTERFACE=wan_6", "IFUPDATE_ROUTES=1"}, true, false, lan},
		{"LAN prefix: its LAN", []string{"ACTION=ifup", "INTERFACE=lan2"}, true, true, lan},
		{"LAN host of a disabled profile", []string{"ACTION=ifup", "INTERFACE=guest"}, true, false, lan},
		{"LAN host: another interface", []string{"ACTION=ifup", "INTERFACE=wwan"}, true, false, lan},
	} {
		t.Run(tc.name, func(t *testing.T) {
			enabled := "SERVICE_ENABLED=0"
			if tc.enabled {
				enabled = "SERVICE_ENABLED=1"
			}
			cfg := tc.config
			if cfg == nil {
				cfg = profiles
			}
			r := newRouter(t, stubProgram(t, 0, ""), conf, "", append(append([]string{}, cfg...), enabled)...)
			daemon := command(t, "sleep", "60")
			daemon.Start()
			defer daemon.Process.Kill()
			r.runs(daemon.Process.Pid)
			if out := r.hotplug(tc.env...); out != "sourced-and-returned\n" {
				t.Errorf("the hook must print nothing and return to its caller; output %q", out)
			}
			if signalled := strings.Contains(r.records(), usr1); signalled != tc.signal {
				t.Errorf("signalled=%v, want %v\n%s", signalled, tc.signal, r.records())
			}
		})
	}
}

// TestNoNumericSignals: no script or view names a signal by number (numbers
// differ per architecture: 10 is SIGUSR1 on x86 and ARM, SIGBUS on MIPS).
func TestNoNumericSignals(t *testing.T) {
	numeric := regexp.MustCompile(`"signal" *: *[0-9]|\bkill +-(s +)?[0-9]+\b|procd_send_signal\b.*\b[0-9]+\s*$|reload_signal +[0-9]|signal\(\s*[0-9]`)
	var files []string
	for _, root := range []string{"files", "luci", "openwrt"} {
		filepath.WalkDir(repoFile(root), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				files = append(files, p)
			}
			return nil
		})
	}
	if len(files) < 5 {
		t.Fatalf("only %d files found", len(files))
	}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		for i, line := range strings.Split(string(data), "\n") {
			if numeric.MatchString(line) && !strings.HasPrefix(strings.TrimSpace(line), "#") {
				t.Errorf("%s:%d names a signal by number: %s", f, i+1, line)
			}
		}
	}
	if !numeric.MatchString(`ubus call service signal '{"name":"ddns-updater","signal":10}'`) || !numeric.MatchString("kill -10 $pid") {
		t.Error("the pattern misses the forms it must catch")
	}
}
