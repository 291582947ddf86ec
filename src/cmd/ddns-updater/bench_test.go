package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"ddns-updater/src/internal/netns"
	"ddns-updater/src/internal/procstat"
	"ddns-updater/src/internal/testcert"
	"ddns-updater/src/internal/testexec"
)

type fakeNet struct {
	mu       sync.Mutex
	current  string
	requests chan string
	checks   atomic.Int32
	prov     *httptest.Server
	check    *httptest.Server
	cert     *testcert.Cert
}

// newFakeNet starts a provider and a checkip server on listeners made by listen
// (the loopback of the test, or of a network namespace).
func newFakeNet(b testing.TB, listen func() (net.Listener, error)) *fakeNet {
	n := &fakeNet{current: "203.0.113.7", requests: make(chan string, 1000), cert: testcert.New(b, time.Now().Add(-time.Hour))}
	n.prov = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ip := r.URL.Query().Get("myip")
		fmt.Fprint(w, "good "+ip)
		n.requests <- r.URL.Query().Get("hostname") + "=" + ip
	}))
	n.check = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.checks.Add(1)
		n.mu.Lock()
		defer n.mu.Unlock()
		fmt.Fprint(w, n.current)
	}))
	for _, s := range []*httptest.Server{n.prov, n.check} {
		ln, err := listen()
		if err != nil {
			b.Fatal(err)
		}
		s.Listener = ln
		if os.Getenv("DDNS_BENCH_HTTP") != "" {
			s.Start()
			continue
		}
		s.TLS = n.cert.Server
		s.StartTLS()
		b.Cleanup(s.Close)
	}
	return n
}

func (n *fakeNet) config(b testing.TB, dir string, profiles int, extra string) string {
	var c strings.Builder
	fmt.Fprintf(&c, "config global 'global'\n\toption state_dir '%s/state'\n", dir)
	for i := 0; i < profiles; i++ {
		fmt.Fprintf(&c, "config profile 'p%d'\n\toption enabled 1\n\toption server '%s'\n\toption username u\n\toption password p\n"+
			"\toption hostname h%d.example.com\n\toption external_ip_server '%s'\n\toption ca_file '%s'\n\toption ip '203.0.113.1'\n%s",
			i, n.prov.Listener.Addr(), i, n.check.Listener.Addr(), n.cert.CAFile, extra)
	}
	file := filepath.Join(dir, "ddns-updater")
	if err := os.WriteFile(file, []byte(c.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	return file
}

func (n *fakeNet) await(b testing.TB, count int) {
	b.Helper()
	for i := 0; i < count; i++ {
		select {
		case <-n.requests:
		case <-time.After(10 * time.Second): // a bound on a hang
			b.Fatalf("only %d of %d update requests arrived", i, count)
		}
	}
}

// benchProfiles is 3, or DDNS_BENCH_PROFILES.
func benchProfiles() int {
	if n, err := strconv.Atoi(os.Getenv("DDNS_BENCH_PROFILES")); err == nil && n > 0 {
		return n
	}
	return 3
}

// BenchmarkDaemonRSS: the daemon binary with 3 profiles (DDNS_BENCH_PROFILES),
// after 100 update cycles (each: a new checkip answer, SIGUSR1, an update per
// profile), over HTTPS (DDNS_BENCH_HTTP=1: plain HTTP). Run with -benchtime=1x.
func BenchmarkDaemonRSS(b *testing.B) {
	profiles := benchProfiles()
	bin := buildBinary(b)
	n := newFakeNet(b, func() (net.Listener, error) { return net.Listen("tcp4", "127.0.0.1:0") })
	dir := b.TempDir()
	// As on a router without ca_file: the system's roots (here Debian's bundle
	// plus the test CA, through SSL_CERT_FILE), read at each handshake.
	bundle := filepath.Join(dir, "roots.pem")
	system, _ := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	testCA, _ := os.ReadFile(n.cert.CAFile)
	os.WriteFile(bundle, append(system, testCA...), 0o600)
	extra := "\toption ip_source web\n\toption ca_file ''\n"
	if os.Getenv("DDNS_BENCH_HTTP") != "" {
		extra += "\toption use_https 0\n" // what TLS costs: the same run in plain HTTP
	}
	cmd := testexec.Command(b, bin, "--config", n.config(b, dir, profiles, extra))
	memstats := filepath.Join(dir, "memstats")
	// GOMAXPROCS=1 as the init script and the systemd unit start it
	cmd.Env = append(os.Environ(), "SSL_CERT_FILE="+bundle, "DDNS_MEMSTATS="+memstats, "GOMAXPROCS=1")
	if os.Getenv("DDNS_BENCH_SMAPS") != "" {
		cmd.Stderr = os.Stderr
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	n.await(b, profiles)
	for i := 0; i < 100; i++ {
		n.mu.Lock()
		n.current = fmt.Sprintf("203.0.113.%d", 10+i%2)
		n.mu.Unlock()
		cmd.Process.Signal(syscall.SIGUSR1)
		n.await(b, profiles)
	}
	time.Sleep(4 * time.Second) // steady state: the daemon hands freed memory back once quiet
	st := procstat.Status(cmd.Process.Pid, "VmRSS", "VmHWM", "RssAnon", "RssFile", "Threads")
	if os.Getenv("DDNS_BENCH_SMAPS") != "" {
		data, _ := testexec.Command(b, "sh", "-c", fmt.Sprintf("awk '/^[0-9a-f]+-/{name=$1\" \"$6} /^Anonymous:/{print $2, name}' /proc/%d/smaps | sort -rn | head -8", cmd.Process.Pid)).Output()
		b.Logf("%s", data)
	}
	// what the runtime says the memory is (after /proc was read: this allocates)
	cmd.Process.Signal(syscall.SIGUSR2)
	for i := 0; i < 50; i++ {
		if _, err := os.Stat(memstats); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if data, err := os.ReadFile(memstats); err == nil {
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			name, v, _ := strings.Cut(l, " ")
			n, _ := strconv.ParseUint(v, 10, 64)
			switch name {
			case "/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes", "/memory/classes/heap/free:bytes",
				"/memory/classes/heap/stacks:bytes", "/memory/classes/metadata/other:bytes", "/memory/classes/other:bytes",
				"/memory/classes/profiling/buckets:bytes":
				unit := strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(name, "/memory/classes/"), ":bytes"), "/", "-") + "-KiB"
				b.ReportMetric(float64(n)/1024, unit)
			}
		}
		if os.Getenv("DDNS_BENCH_SMAPS") != "" {
			b.Logf("%s", data)
		}
	}
	b.ReportMetric(float64(st["VmRSS"])/1024, "VmRSS-MiB")
	b.ReportMetric(float64(st["VmHWM"])/1024, "VmHWM-MiB")
	b.ReportMetric(float64(st["RssAnon"])/1024, "RssAnon-MiB")
	b.ReportMetric(float64(st["RssFile"])/1024, "RssFile-MiB")
	b.ReportMetric(float64(st["Threads"]), "threads")
}

// BenchmarkTLSClientFloor: the anonymous memory of testdata/floor, a bare Go
// program that makes 100 HTTPS GETs one at a time (GOGC 25, GOMAXPROCS 1, its
// freed memory handed back, as the daemon): what the Go runtime and crypto/tls
// keep of such work, whatever the program around them (BENCHMARKS.md).
func BenchmarkTLSClientFloor(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "floor")
	build := testexec.Command(b, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "./testdata/floor")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	cert := testcert.New(b, time.Now().Add(-time.Hour))
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "203.0.113.7") }))
	srv.TLS = cert.Server
	srv.StartTLS()
	defer srv.Close()
	cmd := testexec.Command(b, bin, srv.Listener.Addr().String(), cert.CAFile, "100")
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	out, err := cmd.Output()
	if err != nil {
		b.Fatal(err)
	}
	kib, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil {
		b.Fatalf("floor printed %q", out)
	}
	b.ReportMetric(float64(kib)/1024, "RssAnon-MiB")
}

// idleWindow is 60 s, or DDNS_BENCH_IDLE (e.g. 5s) for a short run.
func idleWindow() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("DDNS_BENCH_IDLE")); err == nil {
		return d
	}
	return time.Minute
}

// BenchmarkIdleInterface: the daemon binary in a network namespace whose WAN
// device holds a public address, 3 profiles reading it (ip_source auto): checkip
// requests, CPU time and wake-ups over an idle window. Run with -benchtime=1x.
func BenchmarkIdleInterface(b *testing.B) {
	bin := buildBinary(b)
	ns := netns.New(b)
	ns.IP("link", "add", "wan0", "type", "veth", "peer", "name", "wan0p")
	ns.IP("link", "set", "wan0", "up")
	ns.IP("link", "set", "wan0p", "up") // a carrier: a link without one is down to the daemon
	ns.IP("addr", "add", "203.0.113.10/24", "dev", "wan0")
	n := newFakeNet(b, func() (ln net.Listener, err error) {
		if e := ns.Do(func() { ln, err = net.Listen("tcp4", "127.0.0.1:0") }); e != nil {
			return nil, e
		}
		return ln, err
	})
	dir := b.TempDir()
	cmd := testexec.Command(b, "ip", "netns", "exec", ns.Name, bin, "--config", n.config(b, dir, 3, "\toption ip_source auto\n\toption device wan0\n"))
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	n.await(b, 3)
	time.Sleep(time.Second) // the start-up settles
	checks0 := n.checks.Load()
	cpu0, wake0 := procstat.CPU(cmd.Process.Pid), procstat.Wakeups(cmd.Process.Pid)
	window := idleWindow()
	time.Sleep(window)
	cpu1, wake1 := procstat.CPU(cmd.Process.Pid), procstat.Wakeups(cmd.Process.Pid)
	b.ReportMetric(float64(n.checks.Load()-checks0), "checkip-requests")
	b.ReportMetric(float64(n.checks.Load()), "checkip-total")
	b.ReportMetric(float64((cpu1 - cpu0).Milliseconds()), "cpu-ms")
	b.ReportMetric(float64(wake1-wake0)/window.Seconds(), "wakeups/s")
	b.ReportMetric(window.Seconds(), "window-s")
}

// BenchmarkHundredAtOnce: 100 profiles, one new address, one SIGUSR1: the time
// until all 100 updates have arrived at the provider. Run with -benchtime=1x.
func BenchmarkHundredAtOnce(b *testing.B) {
	bin := buildBinary(b)
	n := newFakeNet(b, func() (net.Listener, error) { return net.Listen("tcp4", "127.0.0.1:0") })
	dir := b.TempDir()
	cmd := testexec.Command(b, bin, "--config", n.config(b, dir, 100, "\toption ip_source web\n"))
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	n.await(b, 100)
	time.Sleep(4 * time.Second) // quiet again
	n.mu.Lock()
	n.current = "203.0.113.99"
	n.mu.Unlock()
	start := time.Now()
	cmd.Process.Signal(syscall.SIGUSR1)
	n.await(b, 100)
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "ms-all-100")
}
