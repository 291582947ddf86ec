// Command benchreport regenerates BENCHMARKS.md: sizes from build.sh, the
// program's own benchmarks (go test -bench), and a side-by-side run of
// ddns-updater, inadyn and ddclient against the same kind of loopback provider.
//
//	go run ./src/cmd/benchreport            full run (about 25 minutes; root for the namespace benchmarks)
//	go run ./src/cmd/benchreport -short     shorter windows (about 8 minutes)
package main

import (
	"bufio"
	"bytes"
	"debug/elf"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"ddns-updater/src/internal/procstat"
)

func main() {
	short := flag.Bool("short", false, "shorter windows (CI)")
	out := flag.String("o", "BENCHMARKS.md", "the report")
	skipSizes := flag.Bool("skip-sizes", false, "do not run build.sh (reuse dist/sizes.md)")
	flag.Parse()
	r := &report{short: *short}
	r.machine()
	if !*skipSizes {
		r.coldBuild()
	}
	r.composition()
	sizes, _ := os.ReadFile("dist/sizes.md")
	r.benches()
	r.compare()
	if err := os.WriteFile(*out, []byte(r.render(string(sizes))), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("wrote", *out)
}

type report struct {
	build   string // the cold build's figures
	parts   string // what the mipsel binary is made of (a table)
	short   bool
	host    string
	metrics map[string]map[string]string // benchmark → unit → value
	cmds    []string
	cmp     []result
	window  time.Duration
	idle    time.Duration
}

func (r *report) run(name string, args ...string) string {
	cmd := exec.Command(name, args...)
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	if err := cmd.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "%s %v: %v\n%s", name, args, err, b.String())
	}
	return b.String()
}

func (r *report) machine() {
	cpu := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if m := regexp.MustCompile(`model name\s*:\s*(.*)`).FindSubmatch(data); m != nil {
			cpu = string(m[1])
		}
	}
	kernel := strings.TrimSpace(r.run("uname", "-r"))
	r.host = fmt.Sprintf("%s, %d cores (%s), Linux %s, %s, %s", runtime.GOARCH, runtime.NumCPU(), cpu, kernel,
		runtime.Version(), time.Now().UTC().Format("2006-01-02"))
}

var benchLine = regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+\d+\s+\d+ ns/op\s+(.*)$`)

// bench runs go test -bench and keeps the metrics of each benchmark line.
func (r *report) bench(env []string, pattern, pkg, label string) {
	args := []string{"test", "-run", "^$", "-bench", pattern, "-benchtime=1x", pkg}
	r.cmds = append(r.cmds, strings.Join(append(env, append([]string{"go"}, args...)...), " "))
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), env...)
	outb, err := cmd.CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "go %v: %v\n%s", args, err, outb)
	}
	sc := bufio.NewScanner(bytes.NewReader(outb))
	found := false
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		found = true
		f := strings.Fields(m[3])
		vals := map[string]string{}
		for i := 0; i+1 < len(f); i += 2 {
			vals[f[i+1]] = f[i]
		}
		r.metrics[m[1]+label] = vals
	}
	if !found && err == nil { // skipped: say why, else the report's "n/a" is a riddle
		fmt.Fprintf(os.Stderr, "go %v: no result\n%s", args, outb)
	}
}

func (r *report) benches() {
	r.metrics = map[string]map[string]string{}
	idle := "60s"
	if r.short {
		idle = "10s"
	}
	for _, n := range []string{"1", "10", "100"} {
		r.bench([]string{"DDNS_BENCH_PROFILES=" + n}, "DaemonRSS", "./src/cmd/ddns-updater", "/"+n)
	}
	r.bench([]string{"DDNS_BENCH_PROFILES=1", "DDNS_BENCH_HTTP=1"}, "DaemonRSS", "./src/cmd/ddns-updater", "/1-http")
	r.bench(nil, "TLSClientFloor", "./src/cmd/ddns-updater", "")
	r.bench([]string{"DDNS_BENCH_IDLE=" + idle}, "IdleInterface|HundredAtOnce", "./src/cmd/ddns-updater", "")
	r.bench(nil, "NetnsReaction", "./src/daemon", "")
}

func (r *report) metric(bench, unit string) string {
	if v, ok := r.metrics[bench][unit]; ok {
		return v
	}
	return "n/a"
}

// ---- the side-by-side run ----

// provider is a plain-HTTP loopback dyndns2 server and checkip server for one client.
type provider struct {
	mu       sync.Mutex
	answer   string // "" = good with the address
	current  string
	updates  atomic.Int32
	checks   atomic.Int32
	updAddr  string
	chkAddr  string
	firstUpd time.Time
}

func newProvider() *provider {
	p := &provider{current: "203.0.113.7"}
	serve := func(h http.HandlerFunc) string {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			panic(err)
		}
		go http.Serve(ln, h)
		return ln.Addr().String()
	}
	p.updAddr = serve(func(w http.ResponseWriter, req *http.Request) {
		p.updates.Add(1)
		p.mu.Lock()
		a := p.answer
		if p.firstUpd.IsZero() {
			p.firstUpd = time.Now()
		}
		p.mu.Unlock()
		if a == "" {
			a = "good " + req.URL.Query().Get("myip")
		}
		fmt.Fprintln(w, a)
	})
	p.chkAddr = serve(func(w http.ResponseWriter, req *http.Request) {
		p.checks.Add(1)
		p.mu.Lock()
		defer p.mu.Unlock()
		fmt.Fprintf(w, "<html><body>Current IP Address: %s</body></html>\n", p.current)
	})
	return p
}

func (p *provider) set(current, answer string) {
	p.mu.Lock()
	p.current, p.answer, p.firstUpd = current, answer, time.Time{}
	p.mu.Unlock()
}

type client struct {
	name   string
	p      *provider
	cmd    *exec.Cmd
	exited chan struct{}
	poke   func() // what the hotplug hook would do; nil: the client polls
}

type phase struct {
	name             string
	updates, checks  int32
	cpu              time.Duration
	rss, hwm         int
	firstUpdateAfter time.Duration
	exited           bool
}

type result struct {
	client string
	phases []phase
}

func procStat(pid int) (cpu time.Duration, rss, hwm int) {
	st := procstat.Status(pid, "VmRSS", "VmHWM")
	return procstat.CPU(pid), st["VmRSS"], st["VmHWM"]
}

// startClients starts ddns-updater, inadyn and ddclient (those installed), each
// with a fresh state and its own provider, whose first answer is answer.
func (r *report) startClients(bin, answer string) (clients []*client, stop func()) {
	dir, _ := os.MkdirTemp("", "benchreport")
	{
		p := newProvider()
		p.answer = answer
		conf := filepath.Join(dir, "ddns-updater.conf")
		os.WriteFile(conf, []byte(fmt.Sprintf("config global 'global'\n\toption state_dir '%s/state'\n"+
			"config profile 'home'\n\toption enabled 1\n\toption server '%s'\n\toption username u\n\toption password p\n"+
			"\toption hostname home.example.com\n\toption ip_source web\n\toption external_ip_server '%s'\n\toption use_https 0\n"+
			"\toption dns_server '127.0.0.1:9'\n", dir, p.updAddr, p.chkAddr)), 0o600)
		cmd := exec.Command(bin, "--config", conf)
		cmd.Env = append(os.Environ(), "GOMAXPROCS=1") // as the init script and the systemd unit start it
		c := &client{name: "ddns-updater", p: p, cmd: cmd}
		c.poke = func() { cmd.Process.Signal(syscall.SIGUSR1) }
		clients = append(clients, c)
	}
	if path, err := exec.LookPath("inadyn"); err == nil {
		p := newProvider()
		p.answer = answer
		conf := filepath.Join(dir, "inadyn.conf")
		host, port, _ := net.SplitHostPort(p.updAddr)
		chost, cport, _ := net.SplitHostPort(p.chkAddr)
		os.WriteFile(conf, []byte(fmt.Sprintf("period = 60\ncustom bench {\n    username = u\n    password = p\n"+
			"    ddns-server = %s:%s\n    ddns-path = \"/nic/update?hostname=%%h&myip=%%i\"\n    checkip-server = %s:%s\n"+
			"    checkip-path = \"/\"\n    checkip-ssl = false\n    ssl = false\n    hostname = home.example.com\n}\n",
			host, port, chost, cport)), 0o600)
		cmd := exec.Command(path, "-f", conf, "--foreground", "--cache-dir", filepath.Join(dir, "inadyn-cache"), "-l", "info", "-P", filepath.Join(dir, "inadyn.pid"))
		clients = append(clients, &client{name: "inadyn " + strings.TrimSpace(r.run(path, "--version")), p: p, cmd: cmd})
	}
	if path, err := exec.LookPath("ddclient"); err == nil {
		p := newProvider()
		p.answer = answer
		conf := filepath.Join(dir, "ddclient.conf")
		os.WriteFile(conf, []byte(fmt.Sprintf("daemon=60\nsyslog=no\npid=%s/ddclient.pid\nssl=no\nuse=web, web=http://%s/\n"+
			"protocol=dyndns2\nserver=%s\nlogin=u\npassword=p\nhome.example.com\n", dir, p.chkAddr, p.updAddr)), 0o600)
		cmd := exec.Command(path, "-foreground", "-file", conf, "-cache", filepath.Join(dir, "ddclient.cache"))
		clients = append(clients, &client{name: "ddclient 3.10", p: p, cmd: cmd})
	}
	for _, c := range clients {
		if err := c.cmd.Start(); err != nil {
			fmt.Fprintln(os.Stderr, c.name, err)
		}
		c.exited = make(chan struct{})
		go func(c *client) { c.cmd.Wait(); close(c.exited) }(c)
	}
	return clients, func() {
		for _, c := range clients {
			c.cmd.Process.Signal(syscall.SIGTERM)
			<-c.exited
		}
		os.RemoveAll(dir)
	}
}

func (r *report) compare() {
	r.window, r.idle = 150*time.Second, 10*time.Minute
	if r.short {
		r.window, r.idle = 70*time.Second, 2*time.Minute
	}
	dir, _ := os.MkdirTemp("", "benchreport-bin")
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "ddns-updater")
	build := exec.Command("go", "build", "-tags", "nethttpomithttp2,ddnstest", "-trimpath", "-ldflags=-s -w", "-o", bin, "./src/cmd/ddns-updater")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		return
	}
	byName := map[string]*result{}
	var order []string
	// measure runs one phase: setup changes what the servers say, then (for
	// ddns-updater, as its hotplug hook would) a poke; then the window passes.
	// A fresh run's first phase counts from the clients' start.
	measure := func(clients []*client, name string, length time.Duration, setup func(p *provider), poke, fresh bool) {
		before := make([]phase, len(clients))
		for i, c := range clients {
			if setup != nil {
				setup(c.p)
			}
			cpu, _, _ := procStat(c.cmd.Process.Pid)
			before[i] = phase{updates: c.p.updates.Load(), checks: c.p.checks.Load(), cpu: cpu}
			if fresh {
				before[i] = phase{}
			}
		}
		start := time.Now()
		for _, c := range clients {
			if c.poke != nil && poke {
				c.poke()
			}
		}
		time.Sleep(length)
		for i, c := range clients {
			cpu, rss, hwm := procStat(c.cmd.Process.Pid)
			ph := phase{name: name, updates: c.p.updates.Load() - before[i].updates, checks: c.p.checks.Load() - before[i].checks,
				cpu: cpu - before[i].cpu, rss: rss, hwm: hwm}
			select {
			case <-c.exited:
				ph.exited = true
			default:
			}
			c.p.mu.Lock()
			if !c.p.firstUpd.IsZero() && (fresh || c.p.firstUpd.After(start)) {
				ph.firstUpdateAfter = max(c.p.firstUpd.Sub(start), time.Millisecond)
			}
			c.p.mu.Unlock()
			res, ok := byName[c.name]
			if !ok {
				res = &result{client: c.name}
				byName[c.name] = res
				order = append(order, c.name)
			}
			res.phases = append(res.phases, ph)
		}
	}
	// A: start, idle, an address change
	clients, stop := r.startClients(bin, "")
	measure(clients, "start", r.window, nil, false, true)
	measure(clients, "idle", r.idle, nil, false, false)
	measure(clients, "address change", r.window, func(p *provider) { p.set("203.0.113.8", "") }, true, false)
	stop()
	// B and C: fresh clients whose provider answers 911, or badauth, from the first request on
	for _, answer := range []string{"911", "badauth"} {
		clients, stop := r.startClients(bin, answer)
		measure(clients, "answer "+answer, r.window, nil, false, true)
		measure(clients, "answer "+answer+", address changed", r.window, func(p *provider) { p.set("203.0.113.9", answer) }, true, false)
		stop()
	}
	for _, name := range order {
		r.cmp = append(r.cmp, *byName[name])
	}
}

// ---- the report ----

func (r *report) render(sizes string) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("# Benchmarks\n\nRegenerated by `go run ./src/cmd/benchreport` (as root, for the network-namespace parts; `-short` for shorter windows).\n")
	w("Machine: %s.\nThese are measurements, not tests: they vary with the machine and are not checked by CI.\n\n", r.host)
	w("## Build time (cold `./build.sh`)\n\n")
	w("Every architecture and every format (.ipk, .apk, feeds, .deb), `GOCACHE` empty, modules already downloaded: %s.\n\n", r.build)
	w("Before one binary per GOARCH (at commit 58b7c0b: 14 Go targets, one per FPU variant, .ipk only, packed one\n" +
		"architecture at a time, each compressing its binary anew), the same measurement took 148.3 s wall (218.5 s user,\n" +
		"47.4 s system) on this kind of machine on 2026-11-30, and 201.7 s wall (297.7 s user) when issue 14 was written.\n" +
		"What is left is mostly the compiler: each of the 10 GOARCHes compiles the standard library afresh (about 8 s\n" +
		"on 2 cores); packing every target takes about 3 s (`dist/bin/mkpkg`, one binary compressed once per format).\n\n")
	w("## Size (`./build.sh`)\n\n%s\n", sizes)
	w("### What the mipsel binary is made of\n\n`go tool nm -size` on the mipsel build unstripped (build.sh's flags without `-s -w`), grouped by package:\n"+
		"text, read-only and initialised data, not BSS (crypto/internal/fips140/drbg alone reserves 33.5 MB of BSS, which\n"+
		"costs no flash and only the pages it touches). The issue's reference, before net/http left: 6 881 473 bytes stripped.\n\n%s\n", r.parts)
	w("## ddns-updater alone\n\n| what | figure |\n|---|---|\n")
	for _, n := range []string{"1", "10", "100"} {
		k := "BenchmarkDaemonRSS/" + n
		w("| RSS after 100 update cycles, %s profile(s) (amd64) | VmRSS %s MiB, VmHWM %s MiB (anonymous %s, file-backed %s) |\n", n,
			r.metric(k, "VmRSS-MiB"), r.metric(k, "VmHWM-MiB"), r.metric(k, "RssAnon-MiB"), r.metric(k, "RssFile-MiB"))
	}
	w("| reaction latency, address change → request at the provider, 50 changes in a network namespace | p50 %s ms, p99 %s ms |\n",
		r.metric("BenchmarkNetnsReaction", "p50-ms"), r.metric("BenchmarkNetnsReaction", "p99-ms"))
	w("| idle window of %s s, 3 profiles reading a public WAN address | %s checkip requests, %s ms CPU, %s wake-ups/s |\n",
		r.metric("BenchmarkIdleInterface", "window-s"), r.metric("BenchmarkIdleInterface", "checkip-requests"),
		r.metric("BenchmarkIdleInterface", "cpu-ms"), r.metric("BenchmarkIdleInterface", "wakeups/s"))
	w("| 100 profiles, one new address, one SIGUSR1 → all 100 updates at the provider | %s ms |\n\n", r.metric("BenchmarkHundredAtOnce", "ms-all-100"))
	r.memory(w)
	w("Commands:\n\n```sh\n%s\n```\n\n", strings.Join(r.cmds, "\n"))

	w("## Side by side: ddns-updater, inadyn, ddclient\n\n")
	w("All three run at once, each against its own loopback dyndns2 server and checkip server (plain HTTP, as all three\n"+
		"can be set up alike), with their shortest usual periods: inadyn `period = 60`, ddclient `daemon=60`,\n"+
		"ddns-updater a web profile (its timer never below 5 min; it is woken by SIGUSR1 when the address changes, as\n"+
		"its hotplug hook would be on ifup/ifupdate). Phases of %s (idle: %s). Three runs with fresh clients: (A) start,\n"+
		"idle, an address change; (B) a provider answering `911` from the first request on, then an address change;\n"+
		"(C) the same with `badauth`.\n\n", r.window, r.idle)
	w("| client | phase | update requests | checkip requests | first update after | CPU | VmRSS / VmHWM |\n|---|---|---:|---:|---:|---:|---:|\n")
	for _, res := range r.cmp {
		for _, ph := range res.phases {
			first := "—"
			if ph.firstUpdateAfter > 0 {
				first = ph.firstUpdateAfter.Round(time.Millisecond).String()
			}
			mem := fmt.Sprintf("%.1f / %.1f MiB", float64(ph.rss)/1024, float64(ph.hwm)/1024)
			if ph.exited {
				mem = "exited"
			}
			w("| %s | %s | %d | %d | %s | %d ms | %s |\n", res.client, ph.name, ph.updates, ph.checks, first,
				ph.cpu.Milliseconds(), mem)
		}
	}
	w("\n%s\n", r.ratios())
	w("\"first update after\" counts from the start of the phase (from the client's start in a run's first phase). " +
		"\"exited\": the client was no longer running at the end of the phase.\n\n")
	w("What the protocol asks (Dyn's and No-IP's client rules): after `911` no new attempt for 30 minutes; after\n" +
		"`badauth` none until the settings change; an unchanged address is not re-sent.\n")
	return b.String()
}

// memory says where the anonymous memory of the 1-profile run goes, against
// the floor of a bare Go HTTPS client, and how it came down (issue 15).
func (r *report) memory(w func(string, ...any)) {
	k := "BenchmarkDaemonRSS/1"
	w("### Where the anonymous memory goes (1 HTTPS profile)\n\n")
	w("| part | KiB |\n|---|---:|\n")
	for _, c := range []struct{ name, unit string }{
		{"live heap objects (the program's data: the netlink buffer 64 KiB, configuration, clients, timers)", "heap-objects-KiB"},
		{"free slots in the heap's spans (one partly used span per size class in use)", "heap-unused-KiB"},
		{"goroutine and thread stacks (" + r.metric(k, "threads") + " threads: each has a 16 KiB scheduler and a 32 KiB signal stack)", "heap-stacks-KiB"},
		{"freed heap not yet handed back", "heap-free-KiB"},
	} {
		w("| %s | %s |\n", c.name, r.metric(k, c.unit))
	}
	w("\nThose classes are what the runtime set aside; RSS counts the pages touched. The rest of the anonymous part is the\n" +
		"runtime's own bookkeeping, measured in the daemon's memory map (/proc/PID/pagemap): about 1 MiB of span-set\n" +
		"blocks (4.5 KiB each) and spines (2 KiB each) for the heap's size classes, allocated once per size class and\n" +
		"list in use at the same time and never handed back to the system; the GC's mark bits, the poller's descriptors,\n" +
		"and the written pages of the binary's data (about 0.15 MiB).\n\n")
	w("| run | anonymous MiB |\n|---|---:|\n")
	w("| ddns-updater, 1 HTTPS profile, 100 cycles | %s |\n", r.metric(k, "RssAnon-MiB"))
	w("| ddns-updater, the same in plain HTTP (`use_https 0`) | %s |\n", r.metric(k+"-http", "RssAnon-MiB"))
	w("| a bare Go program making 100 HTTPS GETs (`src/cmd/ddns-updater/testdata/floor`, GOGC 25, GOMAXPROCS 1) | %s |\n\n",
		r.metric("BenchmarkTLSClientFloor", "RssAnon-MiB"))
	w("How it came down (1 HTTPS profile, 100 cycles, amd64, `BenchmarkDaemonRSS`):\n\n" +
		"| state | VmRSS MiB | anonymous MiB |\n|---|---:|---:|\n" +
		"| when issue 15 was written (net/http, `x509.SystemCertPool`) | 9.4 | 3.55 |\n" +
		"| roots from the one bundle file, loaded at the first HTTPS request, held while a profile needs them | 8.44 | 3.09 |\n" +
		"| no resident roots: each handshake picks the bundle's roots that can sign the server's chain | 7.8–7.97 | 2.48–2.56 |\n" +
		"| one P from the start (`GOMAXPROCS=1` from procd and systemd) | 7.5–7.65 | 2.22–2.36 |\n\n" +
		"The program's own data is under 0.2 MiB; what remains is the Go runtime's floor for a process that speaks TLS.\n\n")
}

// coldBuild runs ./build.sh (every architecture, every format) on an empty
// build cache and records its wall, user and system time.
func (r *report) coldBuild() {
	cache, err := os.MkdirTemp("", "benchreport-gocache-")
	if err != nil {
		r.build = err.Error()
		return
	}
	defer os.RemoveAll(cache)
	cmd := exec.Command("./build.sh")
	cmd.Env = append(os.Environ(), "GOCACHE="+cache)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if err != nil {
		r.build = fmt.Sprintf("build.sh failed: %v", err)
		fmt.Fprintf(os.Stderr, "build.sh: %v\n%s", err, out.String())
		return
	}
	ps := cmd.ProcessState
	r.build = fmt.Sprintf("%.1f s wall, %.1f s user, %.1f s system", wall.Seconds(), ps.UserTime().Seconds(), ps.SystemTime().Seconds())
}

// composition builds the mipsel binary as build.sh does but unstripped and
// groups `go tool nm -size` by package: the bytes each package puts in the
// file (text, read-only and initialised data; not BSS).
func (r *report) composition() {
	dir, err := os.MkdirTemp("", "benchreport-nm-")
	if err != nil {
		r.parts = err.Error()
		return
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "ddns-updater")
	build := exec.Command("go", "build", "-tags", "nethttpomithttp2", "-trimpath", "-gcflags=all=-dwarf=false", "-o", bin, "./src/cmd/ddns-updater")
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=mipsle", "GOMIPS=softfloat")
	if out, err := build.CombinedOutput(); err != nil {
		r.parts = fmt.Sprintf("build failed: %v %s", err, out)
		return
	}
	f, err := elf.Open(bin)
	if err != nil {
		r.parts = err.Error()
		return
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		r.parts = err.Error()
		return
	}
	var in []symbol
	for _, s := range syms {
		// only what the file holds: not .bss/.noptrbss (SHT_NOBITS), which
		// go tool nm marks D like initialised data
		if int(s.Section) <= 0 || int(s.Section) >= len(f.Sections) || f.Sections[s.Section].Type == elf.SHT_NOBITS {
			continue
		}
		in = append(in, symbol{s.Name, int(s.Size)})
	}
	r.parts = compositionTable(in)
}

type symbol struct {
	name string
	size int
}

// compositionTable groups symbols by package, biggest first.
func compositionTable(syms []symbol) string {
	by := map[string]int{}
	total := 0
	for _, s := range syms {
		by[pkgOf(s.name)] += s.size
		total += s.size
	}
	type row struct {
		pkg  string
		size int
	}
	var rows []row
	for p, n := range by {
		rows = append(rows, row{p, n})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].size > rows[j].size })
	var b strings.Builder
	b.WriteString("| package | bytes |\n|---|---:|\n")
	rest := 0
	for i, r := range rows {
		if i < 25 {
			fmt.Fprintf(&b, "| %s | %d |\n", r.pkg, r.size)
		} else {
			rest += r.size
		}
	}
	if len(rows) > 25 {
		fmt.Fprintf(&b, "| (%d more packages) | %d |\n", len(rows)-25, rest)
	}
	fmt.Fprintf(&b, "| **all symbols** | **%d** |\n", total)
	return b.String()
}

// pkgOf is the package a symbol belongs to: "crypto/tls.(*Conn).Read" →
// "crypto/tls"; type descriptors, itabs and go: tables are one group.
func pkgOf(sym string) string {
	switch {
	case strings.HasPrefix(sym, "type:"), strings.HasPrefix(sym, "go:"), strings.HasPrefix(sym, "go."),
		strings.HasPrefix(sym, "runtime.text"), strings.HasPrefix(sym, "runtime.etext"):
		return "(type descriptors, itabs, go: tables)"
	}
	slash := strings.LastIndex(sym, "/")
	if dot := strings.Index(sym[slash+1:], "."); dot >= 0 {
		return sym[:slash+1+dot]
	}
	return sym
}

// ratios compares the others with ddns-updater: RSS, CPU and requests.
func (r *report) ratios() string {
	if len(r.cmp) < 2 {
		return "(inadyn or ddclient not installed: no comparison)"
	}
	sum := func(res result, f func(phase) float64) float64 {
		t := 0.0
		for _, ph := range res.phases {
			t += f(ph)
		}
		return t
	}
	// the largest VmRSS seen while the client ran
	last := func(res result) phase {
		var best phase
		for _, ph := range res.phases {
			if !ph.exited && ph.rss > best.rss {
				best = ph
			}
		}
		return best
	}
	ours := r.cmp[0]
	var lines []string
	for _, other := range r.cmp[1:] {
		ratio := func(a, b float64) string {
			if b == 0 {
				return "∞"
			}
			return fmt.Sprintf("%.1f×", a/b)
		}
		lines = append(lines, fmt.Sprintf("- %s against ddns-updater: largest VmRSS %s, CPU over all phases %s, requests (update + checkip) %s.",
			other.client, ratio(float64(last(other).rss), float64(last(ours).rss)),
			ratio(sum(other, func(p phase) float64 { return float64(p.cpu) }), sum(ours, func(p phase) float64 { return float64(p.cpu) })),
			ratio(sum(other, func(p phase) float64 { return float64(p.updates + p.checks) }), sum(ours, func(p phase) float64 { return float64(p.updates + p.checks) }))))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}
