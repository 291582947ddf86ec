package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"ddns-updater/src/config"
	"ddns-updater/src/hook"
	"ddns-updater/src/internal/dnstest"
	"ddns-updater/src/internal/smtptest"
	"ddns-updater/src/internal/syncbuf"
	"ddns-updater/src/internal/testcert"
	"ddns-updater/src/ipsource"
)

const secret = "Pa55-w0rd-n3ver-logged"

type world struct {
	dir      string
	requests atomic.Int32
	answer   atomic.Value
	prov     *httptest.Server
	check    *httptest.Server
	dns      *dnstest.Server
	cert     *testcert.Cert
}

func newWorld(t *testing.T) *world {
	policy = ipsource.Policy{AllowDocumentation: true}
	w := &world{dir: t.TempDir(), cert: testcert.New(t, time.Now().Add(-time.Hour))}
	w.answer.Store("good 203.0.113.7")
	w.prov = httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.requests.Add(1)
		fmt.Fprint(rw, w.answer.Load())
	}))
	w.check = httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		fmt.Fprint(rw, "Current IP Address: 203.0.113.7")
	}))
	for _, s := range []*httptest.Server{w.prov, w.check} {
		s.TLS = w.cert.Server
		s.StartTLS()
		t.Cleanup(s.Close)
	}
	dns, err := dnstest.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dns.Close)
	w.dns = dns
	return w
}

func (w *world) config(t *testing.T, profiles string) string {
	text := fmt.Sprintf("config global 'global'\n\toption state_dir '%s/state'\n\n", w.dir) + profiles
	text = strings.NewReplacer("@PROVIDER@", w.prov.Listener.Addr().String(), "@CHECKIP@", w.check.Listener.Addr().String(),
		"@CAFILE@", w.cert.CAFile, "@DNS@", w.dns.Addr.String(), "@SECRET@", secret).Replace(text)
	path := filepath.Join(w.dir, "ddns-updater")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

const goodProfile = `config profile 'DDNS'
	option enabled '1'
	option server '@PROVIDER@'
	option username 'me@example.com'
	option password '@SECRET@'
	option hostname 'home.example.com'
	option external_ip_server '@CHECKIP@'
	option ca_file '@CAFILE@'
	option dns_server '@DNS@'
`

func runMain(t *testing.T, args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(context.Background(), args, &o, &e, nil)
	if strings.Contains(o.String()+e.String(), secret) {
		t.Errorf("the password appears in the output of %v:\n%s%s", args, &o, &e)
	}
	return code, o.String(), e.String()
}

func TestOnceExitCodes(t *testing.T) {
	w := newWorld(t)
	cfg := w.config(t, goodProfile)
	if code, _, stderr := runMain(t, "--config", cfg, "--once"); code != 0 || w.requests.Load() != 1 {
		t.Fatalf("good: exit %d, %d requests\n%s", code, w.requests.Load(), stderr)
	}
	if code, _, stderr := runMain(t, "--config", cfg, "--once"); code != 0 || w.requests.Load() != 1 {
		t.Fatalf("unchanged: exit %d, %d requests\n%s", code, w.requests.Load(), stderr)
	}
	// status knows what the cron run saw, and promises no next check
	if _, stdout, _ := runMain(t, "--config", cfg, "status", "--json"); !strings.Contains(stdout, `"observed":["203.0.113.7"]`) ||
		!strings.Contains(stdout, `"last_check":"203.0.113.7 already registered`) || !strings.Contains(stdout, `"next_check":null`) {
		t.Errorf("status after --once:\n%s", stdout)
	}
	// A new hostname changes the settings: sent again; badauth then stops it.
	w.answer.Store("badauth")
	cfg = w.config(t, goodProfile+"\toption hostname 'other.example.com'\n")
	code, _, stderr := runMain(t, "--config", cfg, "--once")
	if code != 1 || w.requests.Load() != 2 || !strings.Contains(stderr, "username or password wrong") {
		t.Fatalf("badauth: exit %d, %d requests\n%s", code, w.requests.Load(), stderr)
	}
	if code, _, stderr := runMain(t, "--config", cfg, "--once"); code != 1 || w.requests.Load() != 2 || !strings.Contains(stderr, "stopped since") {
		t.Fatalf("stopped: exit %d, %d requests\n%s", code, w.requests.Load(), stderr)
	}
}

func TestDryRunMain(t *testing.T) {
	w := newWorld(t)
	cfg := w.config(t, goodProfile)
	code, stdout, stderr := runMain(t, "--config", cfg, "--dry-run")
	if code != 0 || w.requests.Load() != 0 {
		t.Fatalf("exit %d, %d requests\n%s", code, w.requests.Load(), stderr)
	}
	if !strings.Contains(stdout, "would send: GET https://"+w.prov.Listener.Addr().String()+"/nic/update?hostname=home.example.com&myip=203.0.113.7") ||
		!strings.Contains(stdout, `basic auth user "me@example.com", password ********`) ||
		!strings.Contains(stdout, "User-Agent \"ddns-updater/dev (OpenWrt; linux/") {
		t.Errorf("stdout:\n%s", stdout)
	}
}

func TestConfigErrors(t *testing.T) {
	w := newWorld(t)
	broken := "config profile 'home'\n\toption enabled 1\n\toption server ''\n\toption username 'a:b'\n"
	cfg := w.config(t, broken)
	code, _, stderr := runMain(t, "--config", cfg, "--once")
	if code != 2 {
		t.Errorf("no usable profile: exit %d, want 2", code)
	}
	for _, want := range []string{
		cfg + ": profile 'home': option server: empty; expected a host name such as members.dyndns.org",
		cfg + ": profile 'home': option username: contains ':'",
		cfg + ": profile 'home': option password: empty",
		cfg + ": profile 'home': option hostname: empty",
		"no usable profile",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	// A broken profile beside a good one: the good one runs, the exit status says something failed.
	cfg = w.config(t, goodProfile+"\n"+broken)
	if code, _, stderr := runMain(t, "--config", cfg, "--once"); code != 1 || w.requests.Load() != 1 || !strings.Contains(stderr, "option server: empty") {
		t.Errorf("exit %d, %d requests\n%s", code, w.requests.Load(), stderr)
	}
}

func TestSelection(t *testing.T) {
	w := newWorld(t)
	disabled := strings.Replace(goodProfile, "option enabled '1'", "option enabled '0'", 1)
	cfg := w.config(t, disabled)
	if code, _, stderr := runMain(t, "--config", cfg, "--once"); code != 2 || !strings.Contains(stderr, "no profile is enabled") {
		t.Errorf("nothing enabled: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runMain(t, "--config", cfg, "--once", "--profile", "DDNS"); code != 0 || w.requests.Load() != 1 {
		t.Errorf("--profile runs a disabled profile: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runMain(t, "--config", cfg, "--once", "--profile", "DDNS", "--profile", "nope"); code != 2 || !strings.Contains(stderr, "no profile 'nope'") {
		t.Errorf("unknown profile: exit %d\n%s", code, stderr)
	}
}

func TestMisc(t *testing.T) {
	if code, stdout, _ := runMain(t, "--version"); code != 0 || stdout != "ddns-updater dev\n" {
		t.Errorf("--version: %d %q", code, stdout)
	}
	if code, _, stderr := runMain(t, "--config", "/nonexistent/ddns-updater", "--once"); code != 2 || !strings.Contains(stderr, "/nonexistent/ddns-updater") {
		t.Errorf("missing file: %d %q", code, stderr)
	}
	w := newWorld(t)
	cfg := w.config(t, "config profile 'x'\n\toption password 'unterminated\n")
	if code, _, stderr := runMain(t, "--config", cfg, "--once"); code != 2 || !strings.Contains(stderr, cfg+": line 5, byte") {
		t.Errorf("syntax error: %d %q", code, stderr)
	}
	if code, _, _ := runMain(t, "--bogus"); code != 2 {
		t.Errorf("unknown flag: exit %d", code)
	}
}

func TestTestMail(t *testing.T) {
	s := smtptest.Start(t, "127.0.0.1:0", "starttls")
	conf := func(extra string) string {
		path := filepath.Join(t.TempDir(), "ddns-updater")
		os.WriteFile(path, []byte(fmt.Sprintf("config mail 'mail'\n\toption notify 0\n\toption smtp_server 127.0.0.1\n\toption port %d\n"+
			"\toption username '%s'\n\toption password '%s'\n\toption recipient me@example.com\n\toption ca_file '%s'\n%s",
			s.Mail.Port, smtptest.User, smtptest.Password, s.Cert.CAFile, extra)), 0o600)
		return path
	}
	var o, e bytes.Buffer
	code := run(context.Background(), []string{"--config", conf(""), "--test-mail"}, &o, &e, nil)
	if code != 0 || !strings.Contains(o.String(), "test mail sent to me@example.com through 127.0.0.1:") {
		t.Fatalf("exit %d\n%s%s", code, &o, &e)
	}
	if _, _, to, data := s.Received(); len(to) != 1 || !strings.Contains(string(data), "Subject: ddns-updater: test mail") {
		t.Errorf("received %v\n%s", to, data)
	}
	s.RejectAuth()
	o.Reset()
	code = run(context.Background(), []string{"--config", conf(""), "--test-mail"}, &o, &e, nil)
	if code != 1 || !strings.Contains(o.String(), `test mail failed: smtp 127.0.0.1:`) || !strings.Contains(o.String(), "535") {
		t.Errorf("rejected AUTH: exit %d\n%s", code, &o)
	}
	if strings.Contains(o.String()+e.String(), smtptest.Password) {
		t.Error("the password appears in the output")
	}
	o.Reset()
	e.Reset()
	if code := run(context.Background(), []string{"--config", conf("\toption recipient ''\n"), "--test-mail"}, &o, &e, nil); code != 2 || !strings.Contains(e.String(), "set recipient first") {
		t.Errorf("missing recipient: exit %d\n%s", code, &e)
	}
}

func TestCheckFlag(t *testing.T) {
	w := newWorld(t)
	if code, _, stderr := runMain(t, "--config", w.config(t, goodProfile), "--check"); code != 0 || !strings.Contains(stderr, "1 profile(s) can run") || w.requests.Load() != 0 {
		t.Errorf("good configuration: exit %d\n%s", code, stderr)
	}
	broken := "config profile 'home'\n\toption enabled 1\n\toption server ''\n"
	if code, _, stderr := runMain(t, "--config", w.config(t, broken), "--check"); code != 2 || !strings.Contains(stderr, "option server: empty") {
		t.Errorf("broken configuration: exit %d\n%s", code, stderr)
	}
	yess := strings.Replace(goodProfile, "option enabled '1'", "option enabled 'yess'", 1)
	cfg := w.config(t, yess)
	if code, _, stderr := runMain(t, "--config", cfg, "--check"); code != 2 || !strings.Contains(stderr, cfg+`: profile 'DDNS': option enabled: "yess"; expected 0 or 1`) ||
		strings.Contains(stderr, "no profile is enabled") {
		t.Errorf("a bad boolean in enabled: exit %d\n%s", code, stderr)
	}
	// a failover pair: two profiles for one host name, on two uplinks
	pair := goodProfile + strings.Replace(goodProfile, "config profile 'DDNS'", "config profile 'LTE'", 1)
	if code, _, stderr := runMain(t, "--config", w.config(t, pair), "--check"); code != 0 || !strings.Contains(stderr, "warn: ") ||
		!strings.Contains(stderr, "profiles 'DDNS', 'LTE' update the same host name") {
		t.Errorf("two profiles, one host name: exit %d\n%s", code, stderr)
	}
}

// TestCommandLine: --help exits 0 and lists every command and flag; global flags
// go before or after the command; a flag that does not fit the command is an error.
func TestCommandLine(t *testing.T) {
	for _, help := range []string{"--help", "-h", "help"} {
		code, stdout, stderr := runMain(t, help)
		if code != 0 || stderr != "" {
			t.Errorf("%s: exit %d, stderr %q", help, code, stderr)
		}
		for _, c := range commands {
			if !strings.Contains(stdout, "\n  "+c.name+" ") {
				t.Errorf("%s does not list the command %q:\n%s", help, c.name, stdout)
			}
		}
		newFlags(io.Discard).fs.VisitAll(func(f *flag.Flag) {
			if !strings.Contains(stdout, "\n  --"+f.Name+" ") {
				t.Errorf("%s does not list --%s:\n%s", help, f.Name, stdout)
			}
		})
	}
	w := newWorld(t)
	cfg := w.config(t, goodProfile)
	var want string
	for i, args := range [][]string{
		{"status", "--json", "--config", cfg},
		{"--config", cfg, "status", "--json"},
		{"--json", "--config", cfg, "status"},
		{"--config", cfg, "status", "--json", "--profile", "DDNS"},
	} {
		_, stdout, stderr := runMain(t, args...)
		if !strings.HasPrefix(stdout, `{"version":1,`) || !strings.Contains(stdout, `"name":"DDNS"`) {
			t.Errorf("%q: %s%s", args, stdout, stderr)
		}
		if i == 0 {
			want = stdout
		} else if stdout != want {
			t.Errorf("%q printed another status:\n%s\nthan\n%s", args, stdout, want)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--config", cfg, "status", "--once"}, "--once does not apply with status"},
		{[]string{"--config", cfg, "--json"}, "--json does not apply without a command"},
		{[]string{"--config", cfg, "stats"}, `unknown command "stats"`},
		{[]string{"--config", cfg, "status", "extra"}, `unexpected argument "extra"`},
		{[]string{"--config", cfg, "status", "--profile", "nope"}, "no profile nope"},
		{[]string{"--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"services", "--json"}, "--json does not apply with services"},
		{[]string{"services", "--once"}, "--once does not apply with services"},
		{[]string{"services", "no-ip.com"}, `unexpected argument "no-ip.com"`},
	} {
		code, _, stderr := runMain(t, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, want 2 and %q:\n%s", tc.args, code, tc.want, stderr)
		}
	}
}

// TestServicesCommand: `ddns-updater services` lists the presets, needing no
// configuration file.
func TestServicesCommand(t *testing.T) {
	code, stdout, stderr := runMain(t, "--config", "/nonexistent", "services")
	if code != 0 || !strings.HasPrefix(stdout, "SERVICE ") || !strings.Contains(stdout, "\nno-ip.com ") || stderr != "" {
		t.Errorf("exit %d\n%s%s", code, stdout, stderr)
	}
	if _, help, _ := runMain(t, "--help"); !strings.Contains(help, "  services ") {
		t.Errorf("the help lacks services:\n%s", help)
	}
}

// checkipAnswer is what checkip.dyndns.com answers (the address replaced by a
// documentation one).
const checkipAnswer = "<html><head><title>Current IP Check</title></head><body>Current IP Address: 198.51.100.77</body></html>\r\n"

// TestReadmeQuickStart runs the README's quick start as written, with only the
// network moved to loopback: the checkip server of its configuration answers as
// checkip.dyndns.com does, and DNS is a server of the test's. Offline, the
// failure is one clear line.
func TestReadmeQuickStart(t *testing.T) {
	readme, err := os.ReadFile("../../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	for _, l := range strings.Split(string(readme), "\n") {
		if rest, ok := strings.CutPrefix(l, "go run ./src/cmd/ddns-updater "); ok {
			args = strings.Fields(rest)
			break
		}
	}
	i := slices.Index(args, "--config")
	if i < 0 || i+1 >= len(args) || !slices.Contains(args, "--dry-run") {
		t.Fatalf("the README's quick start is not a dry run with --config: %q", args)
	}
	data, err := os.ReadFile(filepath.Join("../../..", args[i+1]))
	if err != nil {
		t.Fatalf("the quick start's configuration: %v", err)
	}
	cfg, err := config.Parse(args[i+1], data)
	if err != nil {
		t.Fatal(err)
	}
	usable, _, err := cfg.Select(args[slices.Index(args, "--profile")+1:][:1])
	if err != nil || len(usable) != 1 {
		t.Fatalf("the quick start's profile cannot run: %v", err)
	}
	p := usable[0]
	if p.ExternalIPServer != "checkip.dyndns.com" {
		t.Fatalf("the quick start asks %s, whose answer this test does not know", p.ExternalIPServer)
	}
	if _, err := ipsource.Extract([]byte(checkipAnswer), false, p.UseRegex); err != nil {
		t.Fatalf("the quick start's profile cannot read checkip.dyndns.com's answer: %v", err)
	}

	policy = ipsource.Policy{AllowDocumentation: true}
	cert := testcert.New(t, time.Now().Add(-time.Hour))
	check := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, checkipAnswer) }))
	check.TLS = cert.Server
	check.StartTLS()
	defer check.Close()
	dns, err := dnstest.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dns.Close()
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	offline := closed.Addr().String()
	closed.Close()
	for _, tc := range []struct {
		name, checkip string
	}{{"online", check.Listener.Addr().String()}, {"offline", offline}} {
		t.Run(tc.name, func(t *testing.T) {
			moved := strings.Replace(string(data), "option external_ip_server 'checkip.dyndns.com'",
				fmt.Sprintf("option external_ip_server '%s'\n\toption ca_file '%s'\n\toption dns_server '%s'", tc.checkip, cert.CAFile, dns.Addr), 1)
			if moved == string(data) {
				t.Fatal("the quick start's configuration has no external_ip_server line to move to loopback")
			}
			conf := filepath.Join(t.TempDir(), "ddns-updater")
			os.WriteFile(conf, []byte(moved), 0o600)
			argv := slices.Clone(args)
			argv[i+1] = conf
			code, stdout, stderr := runMain(t, argv...)
			var complaints []string
			for _, l := range strings.Split(stderr, "\n") {
				if strings.HasPrefix(l, "warn:") || strings.HasPrefix(l, "error:") {
					complaints = append(complaints, l)
				}
			}
			if tc.name == "online" {
				if code != 0 || !strings.Contains(stdout, "would send: GET https://dyndns.strato.com/nic/update?hostname=home.example.com&myip=198.51.100.77") || len(complaints) != 0 {
					t.Errorf("exit %d\n%s%s", code, stdout, stderr)
				}
				return
			}
			want := "warn: [DDNS] checkip failed: https://" + offline + "/: connection to " + offline + " refused; no update sent"
			if code != 1 || len(complaints) != 1 || complaints[0] != want {
				t.Errorf("offline: exit %d; want one line %q, got\n%s", code, want, stderr)
			}
		})
	}
}

// TestDaemonPrunesDeletedProfiles: a profile deleted from the configuration
// leaves no state file behind once the daemon (re)loads the configuration.
func TestDaemonPrunesDeletedProfiles(t *testing.T) {
	w := newWorld(t)
	gone := strings.NewReplacer("'DDNS'", "'gone'", "home.example.com", "gone.example.com").Replace(goodProfile)
	cfg := w.config(t, goodProfile+gone)
	if code, _, stderr := runMain(t, "--config", cfg, "--once"); code != 0 {
		t.Fatalf("--once: exit %d\n%s", code, stderr)
	}
	stateFile := filepath.Join(w.dir, "state", "gone.state")
	if _, err := os.Stat(stateFile); err != nil {
		t.Fatal(err)
	}
	cfg = w.config(t, goodProfile)
	sigs := make(chan os.Signal, 1)
	var stderr syncbuf.Buffer
	done := make(chan int, 1)
	go func() { done <- run(t.Context(), []string{"--config", cfg}, io.Discard, &stderr, sigs) }()
	for i := 0; ; i++ {
		if _, err := os.Stat(stateFile); errors.Is(err, fs.ErrNotExist) {
			break
		}
		if i == 500 {
			t.Fatalf("the state of the deleted profile is still there\n%s", stderr.String())
		}
		time.Sleep(10 * time.Millisecond) // polls for what the daemon does at start
	}
	sigs <- syscall.SIGTERM
	if code := <-done; code != 0 {
		t.Errorf("exit %d\n%s", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(w.dir, "state", "DDNS.state")); err != nil {
		t.Errorf("the remaining profile's state: %v", err)
	}
	if !strings.Contains(stderr.String(), "the state of profile 'gone' is removed: the profile is no longer in the configuration") {
		t.Errorf("log:\n%s", stderr.String())
	}
}

// TestImportCommand: `import` prints, or writes a new file (0600) and refuses
// to replace one without --force; what did not carry over goes to stderr.
func TestImportCommand(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "ddns-updater")
	code, stdout, stderr := runMain(t, "import", "ddns-scripts", "../../migrate/testdata/ddns")
	if code != 1 || !strings.Contains(stdout, "config profile 'home_v4'\n\toption enabled '1'\n\toption service 'no-ip.com'\n") ||
		!strings.Contains(stderr, "ddns-updater: import: ddns.cloud: service_name cloudflare.com-v4 has no dyndns2 preset here") {
		t.Errorf("exit %d (want 1: services were left out)\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = runMain(t, "--config", target, "import", "ini", "../../ini/testdata/ddns.conf", "--write")
	if code != 0 || stdout != "" || !strings.Contains(stderr, "wrote "+target+" (1 profile(s))") {
		t.Errorf("--write: exit %d\n%s%s", code, stdout, stderr)
	}
	fi, err := os.Stat(target)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("written file: %v %v", fi, err)
	}
	// What was written is a configuration the program runs with.
	if code, _, stderr := runMain(t, "--config", target, "--check"); code != 0 {
		t.Errorf("--check of the imported file: exit %d\n%s", code, stderr)
	}
	os.WriteFile(target, []byte("# mine\n"), 0o600)
	if code, _, stderr := runMain(t, "--config", target, "import", "ini", "../../ini/testdata/ddns.conf", "--write"); code != 2 || !strings.Contains(stderr, "exists; --force replaces it") {
		t.Errorf("an existing file without --force: exit %d\n%s", code, stderr)
	}
	if data, _ := os.ReadFile(target); string(data) != "# mine\n" {
		t.Error("the existing file was changed")
	}
	if code, _, _ := runMain(t, "--config", target, "import", "ini", "../../ini/testdata/ddns.conf", "--write", "--force"); code != 0 {
		t.Errorf("--force: exit %d", code)
	}
	if data, _ := os.ReadFile(target); !strings.Contains(string(data), "config profile 'DDNS'") {
		t.Errorf("--force did not replace the file:\n%s", data)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"import"}, "import needs ddns-scripts|ini [FILE]"},
		{[]string{"import", "inadyn"}, `import "inadyn": expected ddns-scripts or ini`},
		{[]string{"import", "ini", filepath.Join(dir, "none.conf")}, "no such file"},
		{[]string{"import", "ini", "a", "b"}, `unexpected argument "b"`},
		{[]string{"status", "--write"}, "--write does not apply with status"},
		{[]string{"--force"}, "--force does not apply without a command"},
	} {
		if code, _, stderr := runMain(t, tc.args...); code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, want 2 and %q:\n%s", tc.args, code, tc.want, stderr)
		}
	}
}

// TestOriginalSwappedIn: on a box where the original program ran, the binary
// swapped in finds its INI file without --config, and its cron line
// (ddns-updater --once) updates as before.
func TestOriginalSwappedIn(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	original := filepath.Join(dir, "ddns.conf")
	ini := "[global]\nstate_dir = " + filepath.Join(dir, "state") + "\n\n[DDNS]\nserver = " + w.prov.Listener.Addr().String() +
		"\nserver_path = /nic/update\nusername = me\npassword = " + strings.ReplaceAll(secret, "%", "%%") +
		"\nhostname = home.example.com\nip =\nexternal_ip_server = https://" + w.check.Listener.Addr().String() +
		"\nexternal_ip_server_path = /\nuse_regex = True\nca_file = " + w.cert.CAFile + "\ndns_server = " + w.dns.Addr.String() +
		"\n\n[Mail]\nnotify = False\n"
	os.WriteFile(original, []byte(ini), 0o600)
	saved := configPaths
	configPaths = []string{filepath.Join(dir, "absent-uci"), original}
	defer func() { configPaths = saved }()
	code, _, stderr := runMain(t, "--once")
	if code != 0 || w.requests.Load() != 1 {
		t.Errorf("exit %d, %d requests\n%s", code, w.requests.Load(), stderr)
	}
	if data, _ := os.ReadFile(original); string(data) != ini {
		t.Error("the original's file was written to")
	}
}

// TestHookOption: off the router, option hook runs after an update, with the
// outcome in its environment, even for a profile kept out of the mail
// (notify 0); --once waits for it.
func TestHookOption(t *testing.T) {
	if _, err := os.Stat(hook.HotplugCall); err == nil {
		t.Skip("this machine has " + hook.HotplugCall + ": option hook is not honoured here")
	}
	w := newWorld(t)
	seen := filepath.Join(w.dir, "seen")
	prog := filepath.Join(w.dir, "hook")
	os.WriteFile(prog, []byte("#!/bin/sh\necho \"$ACTION $PROFILE $IPV4 $ANSWER\" > "+seen+"\n"), 0o755)
	cfg := w.config(t, goodProfile+"\toption notify '0'\n")
	data, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, []byte(strings.Replace(string(data), "config global 'global'\n", "config global 'global'\n\toption hook '"+prog+"'\n", 1)), 0o600)
	if code, _, stderr := runMain(t, "--config", cfg, "--once"); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if got, _ := os.ReadFile(seen); string(got) != "update DDNS 203.0.113.7 good 203.0.113.7\n" {
		t.Errorf("the hook saw %q", got)
	}
}

// TestCheckipServerCommand: checkip-server answers, and SIGTERM stops it with exit 0.
func TestCheckipServerCommand(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skip(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	sigs := make(chan os.Signal, 1)
	var stderr syncbuf.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(context.Background(), []string{"checkip-server", "--listen", addr, "--trusted-proxy", "127.0.0.1"}, io.Discard, &stderr, sigs)
	}()
	var body []byte
	for i := 0; i < 500; i++ {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			time.Sleep(10 * time.Millisecond)
			continue
		}
		conn.Write([]byte("GET / HTTP/1.1\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n"))
		body, _ = io.ReadAll(conn)
		conn.Close()
		break
	}
	if !strings.HasSuffix(string(body), "\r\n\r\n203.0.113.7") {
		t.Errorf("answer %q", body)
	}
	sigs <- syscall.SIGTERM
	if code := <-done; code != 0 || !strings.Contains(stderr.String(), "checkip-server stopped") {
		t.Errorf("exit %d\n%s", code, stderr.String())
	}
	if code, _, stderr := runMain(t, "checkip-server", "--trusted-proxy", "proxy.example.com"); code != 2 || !strings.Contains(stderr, "expected a CIDR") {
		t.Errorf("a bad --trusted-proxy: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := runMain(t, "--listen", ":1"); code != 2 || !strings.Contains(stderr, "--listen does not apply without a command") {
		t.Errorf("--listen without the command: exit %d\n%s", code, stderr)
	}
}
