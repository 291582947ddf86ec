package openwrt

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// standins replace OpenWrt's /lib/functions.sh and /lib/functions/procd.sh: every
// call is recorded in $LOG. UCI sections come from $SECTIONS ("type:name ...")
// and options from variables CFG_<section>_<option>.
const standins = `
rec() { echo "$*" >> "$LOG"; }
extra_command() { rec "extra_command $*"; }
procd_open_instance() { rec "open_instance $*"; }
procd_set_param() { rec "set_param $*"; }
procd_close_instance() { rec "close_instance"; }
procd_add_reload_trigger() { rec "reload_trigger $*"; }
procd_add_interface_trigger() { rec "interface_trigger $*"; }
procd_send_signal() { rec "send_signal $*"; }
logger() { rec "logger $*"; }
config_load() { rec "config_load $*"; }
config_foreach() {
	_fn=$1; _type=$2; shift 2
	for _s in $SECTIONS; do
		[ "${_s%%:*}" = "$_type" ] && "$_fn" "${_s#*:}" "$@"
	done
	return 0
}
config_get() { eval "_v=\${CFG_$2_$3-}"; [ -n "$_v" ] || _v=$4; eval "$1=\$_v"; }
config_get_bool() {
	config_get "$@"
	eval "_v=\$$1"
	case "$_v" in 1|on|true|yes|enabled) eval "$1=1" ;; *) eval "$1=0" ;; esac
}
`

func busybox(t *testing.T) string {
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

// shell runs script under busybox sh with the stand-ins; env adds variables.
func shell(t *testing.T, script string, env ...string) (log, out string) {
	t.Helper()
	bb := busybox(t)
	dir := t.TempDir()
	logFile := filepath.Join(dir, "log")
	os.WriteFile(filepath.Join(dir, "standins.sh"), []byte(standins), 0o644)
	cmd := exec.Command(bb, "sh", "-c", ". ./standins.sh\n"+script)
	cmd.Dir = dir
	cmd.Env = append([]string{"LOG=" + logFile, "PATH=" + dir + ":/usr/bin:/bin"}, env...)
	o, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("busybox sh: %v\n%s", err, o)
	}
	data, _ := os.ReadFile(logFile)
	return string(data), string(o)
}

// stubProgram writes a stand-in for /usr/bin/ddns-updater that exits with code
// for --check and records its arguments.
func stubProgram(t *testing.T, code int) string {
	p := filepath.Join(t.TempDir(), "ddns-updater")
	os.WriteFile(p, []byte("#!/bin/sh\necho \"program $*\" >> \"$LOG\"\necho 'error: profile broken' >&2\nexit "+string(rune('0'+code))+"\n"), 0o755)
	return p
}

func initScript(t *testing.T, stub, actions string, env ...string) (string, string) {
	script := ". " + repoFile("files/etc/init.d/ddns-updater") + "\nPROG=" + stub + "\n" + actions
	return shell(t, script, env...)
}

func TestInitScriptStarts(t *testing.T) {
	stub := stubProgram(t, 0)
	log, _ := initScript(t, stub, "start_service\nservice_triggers\nupdate\n",
		"SECTIONS=global:global profile:DDNS profile:v6 profile:off profile:web2",
		"CFG_DDNS_enabled=1", "CFG_v6_enabled=1", "CFG_v6_interface=wan6", "CFG_web2_enabled=1", "CFG_off_interface=wwan")
	for _, want := range []string{
		"extra_command update Check every profile now",
		"program --check --config /etc/config/ddns-updater",
		"open_instance main",
		"set_param command " + stub + " --config /etc/config/ddns-updater --syslog /dev/log",
		"set_param file /etc/config/ddns-updater",
		"set_param reload_signal HUP",
		"set_param respawn 3600 10 5",
		"set_param stdout 1",
		"set_param stderr 1",
		"close_instance",
		"reload_trigger ddns-updater",
		"interface_trigger interface.* wan /etc/init.d/ddns-updater update",
		"interface_trigger interface.* wan6 /etc/init.d/ddns-updater update",
		"send_signal ddns-updater main USR1",
	} {
		if !strings.Contains(log, want+"\n") {
			t.Errorf("the init script did not %q:\n%s", want, log)
		}
	}
	if strings.Count(log, "interface_trigger") != 2 || strings.Contains(log, "wwan") {
		t.Errorf("one interface trigger per distinct interface of an enabled profile:\n%s", log)
	}
}

func TestInitScriptStartsNothing(t *testing.T) {
	log, out := initScript(t, stubProgram(t, 0), "start_service\n", "SECTIONS=profile:DDNS", "CFG_DDNS_enabled=0")
	if strings.Contains(log, "open_instance") || !strings.Contains(out, "no profile is enabled") || !strings.Contains(log, "logger -t ddns-updater") {
		t.Errorf("no enabled profile must start nothing and say so:\n%s\n%s", log, out)
	}
	log, out = initScript(t, stubProgram(t, 2), "pidof() { return 1; }\nstart_service\n", "SECTIONS=profile:DDNS", "CFG_DDNS_enabled=1")
	if strings.Contains(log, "open_instance") || !strings.Contains(out, "error: profile broken") || !strings.Contains(out, "configuration unusable; not starting") {
		t.Errorf("an unusable configuration must not start (and so not respawn):\n%s\n%s", log, out)
	}
	// on a reload, with the daemon running: the instance stays, procd sends SIGHUP, the daemon keeps its configuration
	log, out = initScript(t, stubProgram(t, 2), "pidof() { return 0; }\nstart_service\n", "SECTIONS=profile:DDNS", "CFG_DDNS_enabled=1")
	if !strings.Contains(log, "open_instance") || !strings.Contains(out, "the running daemon keeps the one it has") {
		t.Errorf("a reload with an unusable configuration must not stop the running daemon:\n%s\n%s", log, out)
	}
}

func TestStatusCommand(t *testing.T) {
	log, _ := initScript(t, stubProgram(t, 0), "status_service\n")
	if !strings.Contains(log, "program status --config /etc/config/ddns-updater") {
		t.Errorf("status runs `ddns-updater status`:\n%s", log)
	}
}

// TestHotplug sources the hotplug hook the way hotplug-call does, for each
// event. /etc/init.d is replaced in a private mount namespace by a stand-in
// whose `enabled` answers as the case says; ubus is a stand-in on PATH.
func TestHotplug(t *testing.T) {
	bb := busybox(t)
	if os.Geteuid() != 0 {
		t.Skip("needs root for a private mount namespace (CI runs as root)")
	}
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("needs unshare(1) from util-linux")
	}
	hook := repoFile("files/etc/hotplug.d/iface/95-ddns-updater")
	for _, tc := range []struct {
		name    string
		env     []string
		enabled bool
		signal  bool
	}{
		{"ifup wan", []string{"ACTION=ifup", "INTERFACE=wan"}, true, true},
		{"ifupdate with new addresses", []string{"ACTION=ifupdate", "INTERFACE=wan", "IFUPDATE_ADDRESSES=1"}, true, true},
		{"ifupdate with new prefixes", []string{"ACTION=ifupdate", "INTERFACE=wan6", "IFUPDATE_PREFIXES=1"}, true, true},
		{"ifupdate of routes only", []string{"ACTION=ifupdate", "INTERFACE=wan", "IFUPDATE_ROUTES=1"}, true, false},
		{"ifupdate saying nothing", []string{"ACTION=ifupdate", "INTERFACE=wan"}, true, true},
		{"ifdown", []string{"ACTION=ifdown", "INTERFACE=wan"}, true, false},
		{"another interface", []string{"ACTION=ifup", "INTERFACE=lan"}, true, false},
		{"service disabled", []string{"ACTION=ifup", "INTERFACE=wan"}, false, false},
		{"interface of a disabled profile", []string{"ACTION=ifup", "INTERFACE=wwan"}, true, false},
		{"second profile's interface", []string{"ACTION=ifup", "INTERFACE=wan6"}, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			initd := filepath.Join(dir, "init.d")
			os.Mkdir(initd, 0o755)
			code := "1"
			if tc.enabled {
				code = "0"
			}
			os.WriteFile(filepath.Join(initd, "ddns-updater"), []byte("#!/bin/sh\n[ \"$1\" = enabled ] && exit "+code+"\nexit 3\n"), 0o755)
			os.WriteFile(filepath.Join(dir, "ubus"), []byte("#!/bin/sh\necho \"ubus $*\" >> \"$LOG\"\n"), 0o755)
			os.WriteFile(filepath.Join(dir, "standins.sh"), []byte(standins), 0o644)
			logFile := filepath.Join(dir, "log")
			script := ". ./standins.sh\n. " + hook + "\necho sourced-and-returned\n"
			cmd := exec.Command("unshare", "-m", "--", "sh", "-c",
				`mount --bind "$1" /etc/init.d && exec "$2" sh -c "$3"`, "sh", initd, bb, script)
			cmd.Dir = dir
			cmd.Env = append([]string{"LOG=" + logFile, "PATH=" + dir + ":/usr/sbin:/usr/bin:/sbin:/bin",
				"SECTIONS=profile:DDNS profile:v6 profile:off", "CFG_DDNS_enabled=1", "CFG_v6_enabled=1",
				"CFG_v6_interface=wan6", "CFG_off_interface=wwan"}, tc.env...)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if string(out) != "sourced-and-returned\n" {
				t.Errorf("the hook must print nothing and return to its caller; output %q", out)
			}
			data, _ := os.ReadFile(logFile)
			signalled := strings.Contains(string(data), `ubus call service signal {"name":"ddns-updater","signal":10}`)
			if signalled != tc.signal {
				t.Errorf("signalled=%v, want %v\n%s", signalled, tc.signal, data)
			}
		})
	}
}
