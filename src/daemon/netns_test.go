package daemon

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"ddns-updater/src/config"
	"ddns-updater/src/internal/dnstest"
	"ddns-updater/src/internal/netns"
	"ddns-updater/src/internal/testcert"
	"ddns-updater/src/ipsource"
	"ddns-updater/src/logx"
	"ddns-updater/src/netifd"
	"ddns-updater/src/rtnl"
	"ddns-updater/src/runner"
	"ddns-updater/src/state"
)

// router is a daemon whose WAN device lives in a network namespace of the
// test's own: the kernel's notifications are real; the provider and the
// checkip server listen on the test's loopback.
type router struct {
	t        testing.TB
	ns       *netns.NS
	mu       sync.Mutex
	myips    []string
	arrived  chan string
	checkips int
	logs     strings.Builder
	mark     int // the log's length when the last update request arrived
	stop     func()
}

func (r *router) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.logs.Write(p)
}

func startRouter(t testing.TB, profile string, coalesce time.Duration) *router {
	r := &router{t: t, ns: netns.New(t), arrived: make(chan string, 100)}
	r.ns.IP("link", "add", "wan0", "type", "veth", "peer", "name", "wan0p")
	r.ns.IP("link", "set", "wan0", "up")
	r.ns.IP("link", "set", "wan0p", "up")
	cert := testcert.New(t, time.Now().Add(-time.Hour))
	prov := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		ip := req.URL.Query().Get("myip")
		r.mu.Lock()
		r.myips = append(r.myips, ip)
		r.mark = r.logs.Len() // what the daemon logs of this request comes after
		r.mu.Unlock()
		fmt.Fprint(w, "good "+ip)
		r.arrived <- ip
	}))
	check := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.checkips++
		r.mu.Unlock()
		fmt.Fprint(w, "Current IP Address: 203.0.113.99")
	}))
	for _, s := range []*httptest.Server{prov, check} {
		s.TLS = cert.Server
		s.StartTLS()
		t.Cleanup(s.Close)
	}
	dns, err := dnstest.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dns.Close)
	conf := fmt.Sprintf("config global 'global'\n\toption state_dir '%s'\n"+
		"config profile 'home'\n\toption enabled 1\n\toption server '%s'\n\toption username u\n\toption password p\n"+
		"\toption hostname home.example.com\n\toption external_ip_server '%s'\n\toption ca_file '%s'\n\toption dns_server '%s'\n"+
		"\toption device wan0\n%s", t.TempDir(), prov.Listener.Addr(), check.Listener.Addr(), cert.CAFile, dns.Addr, profile)
	log := logx.New(r, logx.Debug)
	table := rtnl.NewTable()
	dial := func() (c *rtnl.Conn, err error) {
		if e := r.ns.Do(func() { c, err = rtnl.Dial() }); e != nil {
			return nil, e
		}
		return c, err
	}
	d := &Daemon{
		Load: func() (*config.Config, error) { return config.Parse("/etc/config/ddns-updater", []byte(conf)) },
		NewRunner: func(cfg *config.Config) *runner.Runner {
			return &runner.Runner{Store: state.Open(cfg.Global.StateDir), Ifaces: runner.Host{Ubus: &netifd.Ubus{}, Table: table},
				Log: log, Policy: ipsource.Policy{AllowDocumentation: true}}
		},
		Watch: func(ctx context.Context, ready func(), changed func(string)) error {
			return table.Watch(ctx, dial, ready, changed)
		},
		Log:      log,
		Coalesce: coalesce,
	}
	sigs := make(chan os.Signal, 1)
	done := make(chan error, 1)
	go func() { done <- d.Run(context.Background(), sigs) }()
	r.stop = func() {
		sigs <- syscall.SIGTERM
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(r.stop)
	return r
}

// expect waits for the next update request and checks its address.
func (r *router) expect(want string) {
	r.t.Helper()
	select {
	case got := <-r.arrived:
		if got != want {
			r.t.Fatalf("update with myip=%s, want %s\n%s", got, want, r.log())
		}
	case <-time.After(10 * time.Second): // a bound on a hang, not a timing assertion
		r.t.Fatalf("no update with myip=%s arrived\n%s", want, r.log())
	}
}

// waitLog waits until the log holds s (the request arrives before its answer is logged).
func (r *router) waitLog(s string) {
	r.t.Helper()
	if !eventually(func() bool { return strings.Contains(r.log(), s) }) {
		r.t.Errorf("the log lacks %q:\n%s", s, r.log())
	}
}

// settled waits until the daemon has said, since the last update request
// arrived, that address changes are settled: nothing more is coming.
func (r *router) settled() {
	r.t.Helper()
	if !eventually(func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return strings.Contains(r.logs.String()[r.mark:], Settled)
	}) {
		r.t.Fatalf("the daemon did not settle after the last update request:\n%s", r.log())
	}
}

func (r *router) log() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.logs.String()
}

func (r *router) requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.myips...)
}

func TestNetnsAddressChange(t *testing.T) {
	r := startRouter(t, "", 100*time.Millisecond) // shortened, so that the test need not wait 2 s between changes
	r.ns.IP("addr", "add", "203.0.113.10/24", "dev", "wan0")
	r.expect("203.0.113.10")
	// a new address: the old one goes, the new one comes (as when PPPoE reconnects)
	r.ns.IP("addr", "del", "203.0.113.10/24", "dev", "wan0")
	r.ns.IP("addr", "add", "198.51.100.20/24", "dev", "wan0")
	r.expect("198.51.100.20")
	r.waitLog("address changed from 203.0.113.10 to 198.51.100.20 on wan0; update sent; answer: good 198.51.100.20")
	// a private address: ip_source auto asks the checkip server
	r.ns.IP("addr", "del", "198.51.100.20/24", "dev", "wan0")
	r.ns.IP("addr", "add", "192.168.7.2/24", "dev", "wan0")
	r.expect("203.0.113.99")
	r.waitLog("wan0 holds 192.168.7.2 is a private address") // the fallback is explained
}

func TestNetnsFlappingLink(t *testing.T) {
	const window = 300 * time.Millisecond // shortened: the flaps below take a few milliseconds
	r := startRouter(t, "", window)
	r.ns.IP("addr", "add", "203.0.113.10/24", "dev", "wan0")
	r.expect("203.0.113.10")
	r.settled() // the window of that update has closed
	// 20 changes in one burst: the address moves back and forth, ending on .11
	var batch strings.Builder
	for i := 0; i < 10; i++ {
		batch.WriteString("addr del 203.0.113.10/24 dev wan0\naddr add 203.0.113.11/24 dev wan0\n")
		if i < 9 {
			batch.WriteString("addr del 203.0.113.11/24 dev wan0\naddr add 203.0.113.10/24 dev wan0\n")
		}
	}
	file := t.TempDir() + "/batch"
	os.WriteFile(file, []byte(batch.String()), 0o600)
	r.ns.IP("-batch", file)
	deadline := time.Now().Add(10 * time.Second)
	for {
		reqs := r.requests()
		if reqs[len(reqs)-1] == "203.0.113.11" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the final address was never sent: %v\n%s", reqs, r.log())
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.settled() // the burst is dealt with: nothing more is coming
	if reqs := r.requests(); reqs[len(reqs)-1] != "203.0.113.11" {
		t.Errorf("the last request sent %s, not the final address: %v", reqs[len(reqs)-1], reqs)
	}
	if n := len(r.requests()) - 1; n > 2 {
		t.Errorf("a flapping link caused %d update requests (at most 2): %v", n, r.requests())
	}
}

func TestNetnsIPv6Choice(t *testing.T) {
	r := startRouter(t, "\toption ip_version 6\n\toption ip_source interface\n", 0)
	if out, err := r.ns.Exec("sysctl", "-qw", "net.ipv6.conf.wan0.use_tempaddr=2"); err != nil {
		t.Skipf("cannot enable privacy addresses: %v %s", err, out)
	}
	// The deprecated and the temporary address come first; the stable one last.
	r.ns.IP("addr", "add", "2001:db8:2::10/64", "dev", "wan0", "nodad", "preferred_lft", "0", "valid_lft", "3600")
	r.ns.IP("addr", "add", "2001:db8:1::10/64", "dev", "wan0", "mngtmpaddr", "nodad", "preferred_lft", "3600", "valid_lft", "7200")
	r.expect("2001:db8:1::10")
	r.settled() // nothing more is coming
	out, _ := r.ns.TryIP("-6", "addr", "show", "dev", "wan0")
	if !strings.Contains(out, "temporary") {
		t.Logf("the kernel made no temporary address here:\n%s", out)
	}
	for _, ip := range r.requests() {
		if ip != "2001:db8:1::10" {
			t.Errorf("sent %s", ip)
		}
	}
}

// BenchmarkNetnsReaction measures the time from an address change (the `ip addr
// add` that brings the new address, started after the old one went away) to the
// update request arriving at the provider, over 50 changes. Run it with
// -benchtime=1x: one measurement of 50 changes, reported as p50 and p99.
func BenchmarkNetnsReaction(b *testing.B) {
	const window = 50 * time.Millisecond // each change below comes after a quiet spell
	r := startRouter(b, "", window)
	r.ns.IP("addr", "add", "203.0.113.10/24", "dev", "wan0")
	r.expect("203.0.113.10")
	prev := "203.0.113.10"
	var lat []time.Duration
	for i := 0; i < 50; i++ {
		r.settled() // each change comes after a quiet spell
		next := fmt.Sprintf("198.51.100.%d", 10+i)
		r.ns.IP("addr", "del", prev+"/24", "dev", "wan0")
		start := time.Now()
		r.ns.IP("addr", "add", next+"/24", "dev", "wan0")
		r.expect(next)
		lat = append(lat, time.Since(start))
		prev = next
	}
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
	b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
}
