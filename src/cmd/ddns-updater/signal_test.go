package main

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ddns-updater/src/internal/dnstest"
	"ddns-updater/src/internal/logdtest"
	"ddns-updater/src/internal/smtptest"
	"ddns-updater/src/internal/testcert"
	"ddns-updater/src/internal/testexec"
)

// buildBinary builds the program as shipped, plus the test-only policy tag.
func buildBinary(t testing.TB) string {
	t.Helper()
	return build(t, "CGO_ENABLED=0") // static, as shipped
}

// buildFor builds the daemon for goarch (a key of qemuOf), as shipped.
func buildFor(t testing.TB, goarch string) string {
	t.Helper()
	env := []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=" + goarch}
	if q := qemuOf[goarch]; q[1] != "" {
		env = append(env, q[1])
	}
	return build(t, env...)
}

func build(t testing.TB, env ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ddns-updater")
	build := testexec.Command(t, "go", "build", "-tags", "nethttpomithttp2,ddnstest", "-trimpath", "-ldflags=-s -w", "-o", bin, ".")
	build.Env = append(os.Environ(), env...)
	out, err := build.CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// lineLog collects a process's stderr, line by line.
type lineLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *lineLog) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		l.mu.Lock()
		l.lines = append(l.lines, sc.Text())
		l.mu.Unlock()
	}
}

func (l *lineLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// TestSignals runs the daemon as a process and drives it through the real
// signal path: SIGUSR1 checks now, SIGHUP reloads, SIGTERM stops even mid-request.
func TestSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	cert := testcert.New(t, time.Now().Add(-time.Hour))
	var mu sync.Mutex
	current := "203.0.113.7"
	block := false
	arrived := make(chan string, 10)
	release := make(chan struct{})
	prov := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		mu.Lock()
		b := block
		mu.Unlock()
		arrived <- q.Get("hostname") + "=" + q.Get("myip")
		if b {
			select { // hang until the test ends: only SIGTERM gets the client out
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		fmt.Fprint(w, "good "+q.Get("myip"))
	}))
	check := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprint(w, current)
	}))
	for _, s := range []*httptest.Server{prov, check} {
		s.TLS = cert.Server
		s.StartTLS()
		defer s.Close()
	}
	defer close(release)
	dns, err := dnstest.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dns.Close()
	dir := t.TempDir()
	profile := func(name string) string {
		return fmt.Sprintf("config profile '%s'\n\toption enabled 1\n\toption server '%s'\n\toption username u\n\toption password %s\n"+
			"\toption hostname %s.example.com\n\toption external_ip_server '%s'\n\toption ca_file '%s'\n\toption dns_server '%s'\n\toption ip_source web\n",
			name, prov.Listener.Addr(), secret, name, check.Listener.Addr(), cert.CAFile, dns.Addr)
	}
	cfgFile := filepath.Join(dir, "ddns-updater")
	smtp := smtptest.Start(t, "127.0.0.1:0", "starttls")
	global := fmt.Sprintf("config global 'global'\n\toption state_dir '%s/state'\n"+
		"config mail 'mail'\n\toption notify 1\n\toption smtp_server 127.0.0.1\n\toption port %d\n\toption username '%s'\n"+
		"\toption password '%s'\n\toption recipient me@example.com\n\toption ca_file '%s'\n",
		dir, smtp.Mail.Port, smtptest.User, smtptest.Password, smtp.Cert.CAFile)
	os.WriteFile(cfgFile, []byte(global+profile("a")), 0o600)

	cmd := testexec.Command(t, bin, "--config", cfgFile)
	stderr, _ := cmd.StderrPipe()
	var log lineLog
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go log.read(stderr)
	defer cmd.Process.Kill()
	expect := func(want string) {
		t.Helper()
		select {
		case got := <-arrived:
			if got != want {
				t.Fatalf("request %s, want %s\n%s", got, want, &log)
			}
		case <-time.After(10 * time.Second): // a bound on a hang, not a timing assertion
			t.Fatalf("no request %s\n%s", want, &log)
		}
	}
	expect("a.example.com=203.0.113.7")

	mu.Lock()
	current = "203.0.113.8"
	mu.Unlock()
	cmd.Process.Signal(syscall.SIGUSR1)
	expect("a.example.com=203.0.113.8")

	os.WriteFile(cfgFile, []byte(global+profile("a")+profile("b")), 0o600)
	cmd.Process.Signal(syscall.SIGHUP)
	expect("b.example.com=203.0.113.8")

	waitFor := func(cond func() bool) bool {
		for i := 0; i < 200 && !cond(); i++ {
			time.Sleep(10 * time.Millisecond) // what follows a request comes just after it
		}
		return cond()
	}
	// the updates were mailed, over STARTTLS
	if !waitFor(func() bool {
		_, _, _, data := smtp.Received()
		return strings.Contains(string(data), "b.example.com now points to 203.0.113.8")
	}) {
		_, _, _, data := smtp.Received()
		t.Errorf("no mail for the update of b:\n%s\n%s", data, &log)
	}

	// `status` reads the state files while the daemon runs.
	var out []byte
	ok := waitFor(func() bool {
		out, _ = testexec.Command(t, bin, "status", "--config", cfgFile).CombinedOutput()
		return strings.Count(string(out), "registered:  203.0.113.8") == 2 && strings.Count(string(out), "next check:") == 2
	})
	if !ok {
		t.Errorf("status while running:\n%s", out)
	}
	if out, err := testexec.Command(t, bin, "--config", cfgFile, "status", "--json").Output(); err != nil || !strings.Contains(string(out), `"running":true`) {
		t.Errorf("status --json while running: %v\n%s", err, out)
	}
	// a second daemon on the same state directory is refused, naming the first
	second, err := testexec.Command(t, bin, "--config", cfgFile).CombinedOutput()
	if ee, _ := err.(*exec.ExitError); ee == nil || ee.ExitCode() != 2 ||
		!strings.Contains(string(second), fmt.Sprintf("another ddns-updater daemon uses this state directory (pid %d); not starting a second one", cmd.Process.Pid)) {
		t.Errorf("a second daemon: %v\n%s", err, second)
	}

	// SIGTERM while a request hangs: the process ends, with its state saved.
	mu.Lock()
	current, block = "203.0.113.9", true
	mu.Unlock()
	cmd.Process.Signal(syscall.SIGUSR1)
	<-arrived
	<-arrived // both profiles are now stuck in their requests
	cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("exit: %v\n%s", err, &log)
		}
	case <-time.After(10 * time.Second): // a bound on a hang; the 1 s target is checked in the daemon's synctest tests
		t.Fatalf("SIGTERM did not stop the process\n%s", &log)
	}
	// stopped: status says so first, promises no next check and exits 3, as OpenWrt's "inactive"
	out, err = testexec.Command(t, bin, "status", "--config", cfgFile).Output()
	if ee, _ := err.(*exec.ExitError); ee == nil || ee.ExitCode() != 3 || !strings.HasPrefix(string(out), "inactive: the ddns-updater daemon is not running") ||
		strings.Contains(string(out), "next check") || strings.Count(string(out), "registered:  203.0.113.8") != 2 {
		t.Errorf("status after the daemon stopped: %v\n%s", err, out)
	}
	if out, err := testexec.Command(t, bin, "status", "--json", "--config", cfgFile).Output(); err != nil || !strings.Contains(string(out), `"running":false`) {
		t.Errorf("status --json after the daemon stopped: %v\n%s", err, out)
	}
	for _, name := range []string{"a", "b"} {
		data, err := os.ReadFile(filepath.Join(dir, "state", name+".state"))
		if err != nil || !strings.Contains(string(data), "registered 203.0.113.8") {
			t.Errorf("state of %s: %v\n%s", name, err, data)
		}
	}
	if strings.Contains(log.String(), secret) || strings.Contains(log.String(), smtptest.Password) {
		t.Errorf("the password appears in the log:\n%s", &log)
	}
	if !strings.Contains(log.String(), "configuration applied: 2 profiles running; started b") || !strings.Contains(log.String(), "stopping on terminated") {
		t.Errorf("log:\n%s", &log)
	}
}

// TestSyslogDaemon runs the daemon as the init script starts it (--syslog) and
// reads what reaches the log socket as logd does: every level at its own
// priority, tagged ddns-updater[PID], and nothing on stderr (which procd would
// log at err).
func TestSyslogDaemon(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	logd := logdtest.Listen(t)
	prov := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "good "+r.URL.Query().Get("myip"))
	}))
	defer prov.Close()
	check := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "203.0.113.7") }))
	defer check.Close()
	dns, err := dnstest.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dns.Close()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "ddns-updater")
	os.WriteFile(cfg, []byte(fmt.Sprintf("config global 'global'\n\toption state_dir '%s'\n\toption log_level debug\n"+
		"config profile 'home'\n\toption enabled 1\n\toption server '%s'\n\toption username u\n\toption password %s\n"+
		"\toption hostname home.example.com\n\toption external_ip_server '%s'\n\toption dns_server '%s'\n\toption ip_source web\n\toption use_https 0\n"+
		"config profile 'broken'\n\toption enabled 1\n",
		dir, prov.Listener.Addr(), secret, check.Listener.Addr(), dns.Addr)), 0o600)
	cmd := testexec.Command(t, bin, "--config", cfg, "--syslog", logd.Path)
	var stderr strings.Builder
	cmd.Stderr, cmd.Stdout = &stderr, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tag := fmt.Sprintf("ddns-updater[%d]: ", cmd.Process.Pid)
	var lines []logdtest.Line
	wait := func(suffix string) {
		t.Helper()
		for {
			line, ok := logd.Next(10 * time.Second) // a bound on a hang
			if !ok {
				t.Fatalf("no log line ending in %q; got %v", suffix, lines)
			}
			lines = append(lines, line)
			if strings.Contains(line.Text, suffix) {
				return
			}
		}
	}
	wait("update sent; answer: good 203.0.113.7")
	cmd.Process.Signal(syscall.SIGTERM)
	wait("stopping on terminated")
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit: %v", err)
	}
	kinds := []struct {
		what  string
		prio  int
		marks []string
	}{
		{"a configuration error", logdtest.Err, []string{"option server: empty", "(profile skipped)"}},
		{"a warning", logdtest.Warn, []string{"the password travels in clear text"}},
		{"an event", logdtest.Info, []string{"update sent", "stopping on terminated"}},
		{"a debug line", logdtest.Debug, []string{"checkip url="}},
	}
	seen := map[int]bool{}
	for _, l := range lines {
		if !strings.HasPrefix(l.Text, tag) {
			t.Errorf("not tagged %q: %q", tag, l.Text)
		}
		for _, prefix := range []string{"error: ", "warn: ", "info: ", "debug: "} {
			if strings.Contains(l.Text, prefix) {
				t.Errorf("the level is the priority, not a word in the text: %q", l.Text)
			}
		}
		seen[l.Prio] = true
		for _, k := range kinds {
			for _, mark := range k.marks {
				if strings.Contains(l.Text, mark) && l.Prio != k.prio {
					t.Errorf("%s at <%d>, want <%d>: %q", k.what, l.Prio, k.prio, l.Text)
				}
			}
		}
		if strings.Contains(l.Text, secret) {
			t.Errorf("the password reached the log: %q", l.Text)
		}
	}
	for _, p := range []int{logdtest.Err, logdtest.Warn, logdtest.Info, logdtest.Debug} {
		if !seen[p] {
			t.Errorf("no line at priority <%d>: %v", p, lines)
		}
	}
	if stderr.Len() != 0 {
		t.Errorf("with --syslog nothing goes to stderr (procd logs it at err):\n%s", stderr.String())
	}
}
