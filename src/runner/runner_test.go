package runner

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"ddns-updater/src/config"
	"ddns-updater/src/dyndns2"
	"ddns-updater/src/internal/dnstest"
	"ddns-updater/src/internal/syncbuf"
	"ddns-updater/src/internal/testcert"
	"ddns-updater/src/ipsource"
	"ddns-updater/src/lanhost"
	"ddns-updater/src/logx"
	"ddns-updater/src/netifd"
	"ddns-updater/src/notify"
	"ddns-updater/src/rtnl"
	"ddns-updater/src/state"
	"ddns-updater/src/transport"
	"ddns-updater/src/updater"
)

const password = "S3cr3t-pä'ss\"word"

var (
	ipA = netip.MustParseAddr("203.0.113.7")
	ipB = netip.MustParseAddr("203.0.113.8")
	t0  = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
)

// seen is one request as the provider received it.
type seen struct {
	Path, Hostname, MyIP, User, Pass, UA string
	Auth                                 bool
}

// provider is a loopback dyndns2 server whose answer the test sets.
type provider struct {
	mu     sync.Mutex
	reqs   []seen
	query  []string // the raw query of each request
	status int
	body   string
	header http.Header
}

func (p *provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u, pw, ok := r.BasicAuth()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reqs = append(p.reqs, seen{r.URL.Path, r.URL.Query().Get("hostname"), r.URL.Query().Get("myip"), u, pw, r.UserAgent(), ok})
	p.query = append(p.query, r.URL.RawQuery)
	for k, v := range p.header {
		w.Header()[k] = v
	}
	w.WriteHeader(p.status)
	w.Write([]byte(p.body))
}

func (p *provider) answer(status int, body string) {
	p.mu.Lock()
	p.status, p.body, p.header = status, body, nil
	p.mu.Unlock()
}

func (p *provider) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.reqs)
}

func (p *provider) last() seen {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reqs[len(p.reqs)-1]
}

type env struct {
	t        *testing.T
	cert     *testcert.Cert
	prov     *provider
	provSrv  *httptest.Server
	checkSrv *httptest.Server
	mu       sync.Mutex
	current  netip.Addr // what the checkip server answers
	checks   int
	dns      *dnstest.Server
	stateDir string
	now      time.Time
	logs     *syncbuf.Buffer
}

func newEnv(t *testing.T, dnsRecords map[string][]netip.Addr) *env {
	e := &env{t: t, cert: testcert.New(t, t0.Add(-time.Hour)), prov: &provider{status: 200, body: "good 203.0.113.7"},
		current: ipA, stateDir: t.TempDir(), now: t0, logs: &syncbuf.Buffer{}}
	e.provSrv = httptest.NewUnstartedServer(e.prov)
	e.provSrv.TLS = e.cert.Server
	e.provSrv.StartTLS()
	t.Cleanup(e.provSrv.Close)
	e.checkSrv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.checks++
		fmt.Fprintf(w, "<html><body>Current IP Address: %s</body></html>", e.current)
	}))
	e.checkSrv.TLS = e.cert.Server
	e.checkSrv.StartTLS()
	t.Cleanup(e.checkSrv.Close)
	if dnsRecords == nil {
		dnsRecords = map[string][]netip.Addr{}
	}
	dns, err := dnstest.Start(dnsRecords)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(dns.Close)
	e.dns = dns
	return e
}

func (e *env) setIP(a netip.Addr) {
	e.mu.Lock()
	e.current = a
	e.mu.Unlock()
}

// profile builds a profile the way users do: from UCI text.
// profile is a profile of the test's servers; its requests are not bound to
// the interfaces of fakeIfaces, which exist in memory only (binding is
// tested on real devices: TestBindToUplink).
func (e *env) profile(extra string) *config.Profile {
	text := fmt.Sprintf(`config profile 'home'
	option enabled 1
	option server '%s'
	option username 'me@example.com'
	option password '%s'
	option hostname 'home.example.com'
	option external_ip_server '%s'
	option ca_file '%s'
	option dns_server '%s'
	option bind 0
%s`, e.provSrv.Listener.Addr(), strings.ReplaceAll(password, "'", `'\''`), e.checkSrv.Listener.Addr(), e.cert.CAFile, e.dns.Addr, extra)
	c, err := config.Parse("/etc/config/ddns-updater", []byte(text))
	if err != nil {
		e.t.Fatal(err)
	}
	p := c.Profiles[0]
	if !p.Usable() {
		e.t.Fatalf("test profile unusable: %v", p.Problems)
	}
	return p
}

// runner is the program as started anew: a fresh runner and state directory handle.
func (e *env) runner() *Runner {
	return &Runner{
		Store: state.Open(e.stateDir), Now: func() time.Time { return e.now },
		Log: logx.New(e.logs, logx.Debug), UserAgent: "ddns-updater/test (OpenWrt; linux/test)",
		Policy: ipsource.Policy{AllowDocumentation: true}, Out: e.logs,
	}
}

// run is one run of the program.
func (e *env) run(p *config.Profile) Result {
	return e.runner().Run(context.Background(), p, nil)
}

func (e *env) checkCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.checks
}

func (e *env) advance(d time.Duration) { e.now = e.now.Add(d) }

func (e *env) noPasswordInLogs() {
	e.t.Helper()
	if strings.Contains(e.logs.String(), password) || strings.Contains(e.logs.String(), "S3cr3t") {
		e.t.Errorf("the password appears in the log:\n%s", e.logs)
	}
}

func TestFirstRequestIsExact(t *testing.T) {
	e := newEnv(t, nil)
	res := e.run(e.profile(""))
	if !res.OK || e.prov.count() != 1 {
		t.Fatalf("result %+v, %d requests\n%s", res, e.prov.count(), e.logs)
	}
	got := e.prov.last()
	want := seen{Path: "/nic/update", Hostname: "home.example.com", MyIP: "203.0.113.7", User: "me@example.com",
		Pass: password, UA: "ddns-updater/test (OpenWrt; linux/test)", Auth: true}
	if got != want {
		t.Errorf("request\n got %+v\nwant %+v", got, want)
	}
	if !strings.Contains(e.logs.String(), "update sent; answer: good 203.0.113.7") {
		t.Errorf("log lacks the outcome:\n%s", e.logs)
	}
	e.noPasswordInLogs()
}

// TestAnswers: for every answer, what the next runs do.
func TestAnswers(t *testing.T) {
	type step struct {
		after time.Duration
		ip    netip.Addr
		sends bool
	}
	registered := []step{{time.Minute, ipA, false}, {24 * time.Hour, ipA, false}, {time.Minute, ipB, true}}
	stopped := []step{{time.Minute, ipA, false}, {time.Minute, ipB, false}, {1000 * time.Hour, ipB, false}}
	waits := []step{{29 * time.Minute, ipA, false}, {time.Minute, ipA, true}}
	// not dyndns2: asked again after 30 minutes, then after an hour; never a stop
	badAnswers := []step{{29 * time.Minute, ipA, false}, {time.Minute, ipA, true}, {59 * time.Minute, ipA, false}, {time.Minute, ipA, true}}
	for _, tc := range []struct {
		status int
		body   string
		ok     bool
		next   []step
	}{
		{200, "good 203.0.113.7", true, registered},
		{200, "nochg 203.0.113.7", true, registered},
		{200, "badauth", false, stopped},
		{200, "!donator", false, stopped},
		{200, "notfqdn", false, stopped},
		{200, "nohost", false, stopped},
		{200, "numhost", false, stopped},
		{200, "abuse", false, stopped},
		{200, "badagent", false, stopped},
		{200, "good 127.0.0.1", false, stopped},
		{200, "badsys", false, stopped},
		{200, "!yours", false, stopped},
		{200, "!active", false, stopped},
		{200, "<html>hello</html>", false, badAnswers},
		{200, "", false, badAnswers},
		{200, "maybe", false, badAnswers},
		{404, "<html><body>Not Found</body></html>", false, badAnswers},
		{200, "<html><head><title>Update</title></head><body>good 203.0.113.7</body></html>", true, registered},
		{401, "", false, stopped},
		{401, `{"message": "Unauthorized"}`, false, stopped},
		{403, "Forbidden", false, stopped},
		{200, "servererror", false, waits},
		{200, "w30m", false, waits},
		{200, "dnserr", false, waits},
		{200, "911", false, waits},
		{500, "", false, waits},
		{502, "Bad Gateway", false, waits},
		{503, "", false, waits},
	} {
		t.Run(fmt.Sprintf("%d %s", tc.status, tc.body), func(t *testing.T) {
			e := newEnv(t, nil)
			e.prov.answer(tc.status, tc.body)
			p := e.profile("")
			if res := e.run(p); res.OK != tc.ok || e.prov.count() != 1 {
				t.Fatalf("first run: %+v, %d requests", res, e.prov.count())
			}
			want := seen{Path: "/nic/update", Hostname: "home.example.com", MyIP: "203.0.113.7", User: "me@example.com",
				Pass: password, UA: "ddns-updater/test (OpenWrt; linux/test)", Auth: true}
			if got := e.prov.last(); got != want {
				t.Errorf("request\n got %+v\nwant %+v", got, want)
			}
			for i, s := range tc.next {
				e.advance(s.after)
				e.setIP(s.ip)
				before := e.prov.count()
				e.run(p)
				if sent := e.prov.count() > before; sent != s.sends {
					t.Fatalf("step %d (+%v, %s): sent=%v, want %v\n%s", i, s.after, s.ip, sent, s.sends, e.logs)
				}
			}
			if stopped := !tc.ok && !tc.next[len(tc.next)-1].sends; stopped {
				// a change of the settings resumes at once
				e.prov.answer(200, "good 203.0.113.8")
				e.advance(time.Minute)
				if res := e.run(e.profile("\toption password 'new'\n")); !res.OK || e.prov.last().Pass != "new" {
					t.Fatalf("after a settings change: %+v\n%s", res, e.logs)
				}
			}
			e.noPasswordInLogs()
		})
	}
}

func TestStopLiftedBySettingsChange(t *testing.T) {
	e := newEnv(t, nil)
	e.prov.answer(200, "badauth")
	e.run(e.profile(""))
	if !strings.Contains(e.logs.String(), "username or password wrong") {
		t.Errorf("the log must say what to fix:\n%s", e.logs)
	}
	e.advance(time.Hour)
	if res := e.run(e.profile("\toption enabled 1\n")); res.OK || res.Action != updater.Stopped || e.prov.count() != 1 {
		t.Fatalf("same settings must stay stopped: %+v", res)
	}
	e.prov.answer(200, "good 203.0.113.7")
	p := e.profile("\toption password 'fixed'\n")
	if res := e.run(p); !res.OK || e.prov.count() != 2 || e.prov.last().Pass != "fixed" {
		t.Fatalf("changed settings must resume: %+v, %d requests", res, e.prov.count())
	}
	if !strings.Contains(e.logs.String(), "the stop after the answer badauth is lifted") {
		t.Errorf("the log must say the stop was lifted:\n%s", e.logs)
	}
}

func TestForceInterval(t *testing.T) {
	e := newEnv(t, nil)
	p := e.profile("\toption force_interval 2d\n")
	e.run(p)
	e.advance(2*24*time.Hour - time.Minute)
	e.run(p)
	if e.prov.count() != 1 {
		t.Fatal("sent before force_interval")
	}
	e.advance(time.Minute)
	e.run(p)
	if e.prov.count() != 2 {
		t.Fatal("not re-sent after force_interval")
	}
}

func TestNetworkErrorBacksOff(t *testing.T) {
	e := newEnv(t, nil)
	p := e.profile("")
	e.provSrv.Close() // nothing answers now
	if res := e.run(p); res.OK {
		t.Fatal("a refused connection must fail")
	}
	if !strings.Contains(e.logs.String(), "retry 1 not before 2026-11-26T12:01:00Z") {
		t.Errorf("log:\n%s", e.logs)
	}
	// nothing reached the provider: the log says what happened, never "sent"
	refused := "; update not sent: connection to " + e.provSrv.Listener.Addr().String() + " refused; retry 1"
	if !strings.Contains(e.logs.String(), refused) || strings.Contains(e.logs.String(), "update sent") {
		t.Errorf("want %q in the log:\n%s", refused, e.logs)
	}
	e.advance(30 * time.Second)
	if res := e.run(p); res.Action != updater.Wait {
		t.Errorf("within the backoff: %+v", res)
	}
	e.advance(30 * time.Second)
	e.run(p)
	if !strings.Contains(e.logs.String(), "retry 2 not before 2026-11-26T12:03:00Z") {
		t.Errorf("the second wait must double:\n%s", e.logs)
	}
}

func TestStartupDNS(t *testing.T) {
	for _, tc := range []struct {
		name    string
		records map[string][]netip.Addr
		fail    bool
		sends   bool
	}{
		{"DNS holds the address", map[string][]netip.Addr{"home.example.com": {ipA}}, false, false},
		{"DNS holds another", map[string][]netip.Addr{"home.example.com": {ipB}}, false, true},
		{"NXDOMAIN", nil, false, true},
		{"DNS fails", map[string][]netip.Addr{"home.example.com": {ipA}}, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.records)
			e.dns.SetFail(tc.fail)
			p := e.profile("")
			if res := e.run(p); !res.OK {
				t.Fatalf("%+v\n%s", res, e.logs)
			}
			if sent := e.prov.count() == 1; sent != tc.sends {
				t.Fatalf("sent=%v, want %v\n%s", sent, tc.sends, e.logs)
			}
			// After that the state is the truth: DNS is not asked again, even when it disagrees.
			q := e.dns.Queries()
			e.dns.SetFail(false)
			e.advance(time.Hour)
			e.run(p)
			if e.dns.Queries() != q || e.prov.count() > 1 {
				t.Errorf("second run asked DNS (%d→%d) or sent (%d)", q, e.dns.Queries(), e.prov.count())
			}
		})
	}
}

func TestLegacyOptionIP(t *testing.T) {
	e := newEnv(t, nil)
	p := e.profile("\toption ip '203.0.113.7'\n")
	if res := e.run(p); !res.OK || e.prov.count() != 0 || e.dns.Queries() != 0 {
		t.Fatalf("option ip equal to the current address: nothing to send or ask (%+v)", res)
	}
	e.setIP(ipB)
	e.advance(time.Minute)
	e.run(p)
	if e.prov.count() != 1 {
		t.Fatal("a changed address must be sent")
	}
}

func TestCheckipRejected(t *testing.T) {
	e := newEnv(t, nil)
	e.setIP(netip.MustParseAddr("192.168.1.2"))
	p := e.profile("")
	if res := e.run(p); res.OK || e.prov.count() != 0 || !strings.Contains(res.Summary, "private address") {
		t.Errorf("a private address must not be sent: %+v", res)
	}
	if !strings.Contains(e.logs.String(), "192.168.1.2 is a private address (192.168.0.0/16), not a public address (allow_private 1 publishes it anyway); no update sent") {
		t.Errorf("log:\n%s", e.logs)
	}
	if res := e.run(e.profile("\toption allow_private 1\n")); !res.OK || e.prov.count() != 1 {
		t.Errorf("allow_private 1 opts in: %+v", res)
	}
}

func TestMultiHost(t *testing.T) {
	e := newEnv(t, nil)
	e.prov.answer(200, "good 203.0.113.7\nnohost\n")
	p := e.profile("\toption hostname 'a.example.com,b.example.com'\n")
	if res := e.run(p); res.OK || res.Action != updater.Send {
		t.Fatalf("%+v", res)
	}
	if got := e.prov.last().Hostname; got != "a.example.com,b.example.com" {
		t.Errorf("hostname=%q", got)
	}
	if !strings.Contains(e.logs.String(), "nohost: a host name does not exist in this account") {
		t.Errorf("log:\n%s", e.logs)
	}
	e.advance(time.Hour)
	e.run(p)
	if e.prov.count() != 1 {
		t.Error("one fatal host stops the profile (the request carries all hosts)")
	}
}

func TestDryRun(t *testing.T) {
	e := newEnv(t, nil)
	p := e.profile("")
	r := e.runner()
	r.DryRun = true
	res := r.Run(context.Background(), p, nil)
	if !res.OK || e.prov.count() != 0 {
		t.Fatalf("dry run sent something: %+v", res)
	}
	out := e.logs.String()
	if !strings.Contains(out, "would send: GET https://"+e.provSrv.Listener.Addr().String()+"/nic/update?hostname=home.example.com&myip=203.0.113.7") ||
		!strings.Contains(out, "password ********") {
		t.Errorf("output:\n%s", out)
	}
	if st, _ := state.Open(e.stateDir).Load("home"); st.Fingerprint != "" {
		t.Error("a dry run must not write state")
	}
	e.noPasswordInLogs()
}

func TestPlainHTTPWarns(t *testing.T) {
	e := newEnv(t, nil)
	e.provSrv.Close()
	e.checkSrv.Close()
	plainProv := httptest.NewServer(e.prov)
	defer plainProv.Close()
	plainCheck := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, ipA) }))
	defer plainCheck.Close()
	text := fmt.Sprintf("config profile 'home'\n\toption server '%s'\n\toption username u\n\toption password '%s'\n"+
		"\toption hostname home.example.com\n\toption external_ip_server '%s'\n\toption use_https 0\n\toption use_regex 0\n\toption dns_server '%s'\n",
		plainProv.Listener.Addr(), "S3cr3t", plainCheck.Listener.Addr(), e.dns.Addr)
	c, err := config.Parse("f", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if res := e.run(c.Profiles[0]); !res.OK || e.prov.count() != 1 {
		t.Fatalf("%+v\n%s", res, e.logs)
	}
	if !strings.Contains(e.logs.String(), "use_https 0: the password travels in clear text") {
		t.Errorf("no warning:\n%s", e.logs)
	}
	e.noPasswordInLogs()
}

// TestBothFamilies: ip_version both asks over tcp4 and tcp6 and sends one request per family.
func TestBothFamilies(t *testing.T) {
	ln6, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback: ", err)
	}
	e := newEnv(t, nil)
	v6 := netip.MustParseAddr("2001:db8::7")
	check6 := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "your address: ", v6) }))
	check6.Listener = ln6
	check6.TLS = e.cert.Server
	check6.StartTLS()
	defer check6.Close()
	// One checkip name with an A and an AAAA record, as on the Internet: tcp4 reaches
	// the IPv4 server and tcp6 the IPv6 one.
	dialer := func(target string) *transport.Client {
		return &transport.Client{Roots: e.cert.Pool, ServerName: "localhost",
			Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, "tcp", target)
			}}
	}
	t4, t6 := dialer(e.checkSrv.Listener.Addr().String()), dialer(ln6.Addr().String())
	p := e.profile("\toption ip_version both\n")
	r := e.runner()
	r.Clients = func(p *config.Profile) (Clients, error) {
		c, err := NetClients(p, "ua")
		c.Web = &ipsource.Web{V4: t4, V6: t6}
		return c, err
	}
	e.provSrv.Config.Handler = &dnsServer{mode: "one"}
	if res := r.Run(context.Background(), p, nil); !res.OK {
		t.Fatalf("%+v\n%s", res, e.logs)
	}
	a, aaaa, myips := e.provSrv.Config.Handler.(*dnsServer).records()
	if a != ipA || aaaa != v6 || strings.Join(myips, " ") != "203.0.113.7 2001:db8::7" {
		t.Errorf("one request per family: A %v AAAA %v after %q\n%s", a, aaaa, myips, e.logs)
	}
}

// TestOutcomeOfTimeout: a provider that does not answer in time is a network
// error (backoff), never a stop. (dyndns2's tests time the timeout itself.)
func TestOutcomeOfTimeout(t *testing.T) {
	o := outcome(dyndns2.Answer{}, context.DeadlineExceeded, nil)
	if o.Kind != updater.NetworkError || o.Reason != "the provider did not answer in time" {
		t.Errorf("%+v", o)
	}
}

// fakeIfaces is a router's netifd and address table, in memory.
type fakeIfaces struct {
	status map[string]netifd.Status
	addrs  map[string][]rtnl.Addr
	down   map[string]bool // links down
	leases []lanhost.Lease // odhcpd's
}

func (f *fakeIfaces) Leases(context.Context) ([]lanhost.Lease, error) {
	if f.leases == nil {
		return nil, errors.New("ubus call dhcp ipv6leases: exit status 4 (Command failed: Not found)")
	}
	return f.leases, nil
}

func (f *fakeIfaces) Status(_ context.Context, name string) (netifd.Status, error) {
	s, ok := f.status[name]
	if !ok {
		return netifd.Status{}, fmt.Errorf("interface %q: %w", name, netifd.ErrNotFound)
	}
	return s, nil
}

func (f *fakeIfaces) Addrs(dev string) ([]rtnl.Addr, bool) {
	a, ok := f.addrs[dev]
	return a, ok
}

func (f *fakeIfaces) LinkUp(dev string) bool { return !f.down[dev] }

func ifaceAddr(ip string) rtnl.Addr {
	return rtnl.Addr{IP: netip.MustParseAddr(ip), Flags: rtnl.FlagPermanent, Preferred: rtnl.Forever, Valid: rtnl.Forever}
}

func TestInterfaceSource(t *testing.T) {
	wanUp := map[string]netifd.Status{"wan": {Up: true, L3Device: "pppoe-wan", Device: "eth0.2"}, "wwan": {Up: false}}
	for _, tc := range []struct {
		name, extra string
		addrs       map[string][]rtnl.Addr
		ok          bool
		myip        string // "" = nothing sent
		checkip     bool
		logs        string
	}{
		{"public on the device", "", map[string][]rtnl.Addr{"pppoe-wan": {ifaceAddr("198.51.100.7")}}, true, "198.51.100.7", false, "on pppoe-wan; update sent"},
		{"CGNAT: auto asks checkip", "", map[string][]rtnl.Addr{"pppoe-wan": {ifaceAddr("100.67.227.167")}}, true, "203.0.113.7", true,
			"pppoe-wan holds 100.67.227.167 is a carrier-grade NAT address (100.64.0.0/10), not a public address (allow_private 1 publishes it anyway) (double NAT?): asking the checkip server"},
		{"CGNAT: interface refuses", "\toption ip_source interface\n", map[string][]rtnl.Addr{"pppoe-wan": {ifaceAddr("100.67.227.167")}}, false, "", false, "pppoe-wan holds 100.67.227.167 is a carrier-grade NAT address"},
		{"down", "\toption interface wwan\n", nil, false, "", false, "interface wwan is down; no update sent"},
		{"unknown interface: auto asks checkip", "\toption interface nosuch\n", nil, true, "203.0.113.7", true, "ip_source auto: interface information unavailable: interface \"nosuch\": no such interface"},
		{"unknown interface: interface fails", "\toption interface nosuch\n\toption ip_source interface\n", nil, false, "", false, "no such interface"},
		{"device option", "\toption device eth1\n\toption interface nosuch\n", map[string][]rtnl.Addr{"eth1": {ifaceAddr("198.51.100.9")}}, true, "198.51.100.9", false, "on eth1"},
		{"device missing", "\toption device eth9\n", nil, false, "", false, "device eth9 does not exist (interface down?)"},
		{"no IPv6 on the device", "\toption ip_version 6\n", map[string][]rtnl.Addr{"pppoe-wan": {ifaceAddr("198.51.100.7")}}, false, "", false, "pppoe-wan has no usable IPv6 address"},
		// bound to an uplink without an address of the family, checkip is not asked another way
		{"web, bound, no IPv4 to ask from", "\toption ip_source web\n\toption bind 1\n", map[string][]rtnl.Addr{"pppoe-wan": {ifaceAddr("2001:db8::7")}}, false, "", false, "pppoe-wan has no IPv4 address to ask from (uplink down?)"},
		{"auto, only a link-local IPv6: not asked", "\toption ip_version 6\n", map[string][]rtnl.Addr{"pppoe-wan": {ifaceAddr("fe80::1")}}, false, "", false, "pppoe-wan has no usable IPv6 address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			r := e.runner()
			r.Ifaces = &fakeIfaces{status: wanUp, addrs: tc.addrs}
			res := r.Run(context.Background(), e.profile(tc.extra), nil)
			if res.OK != tc.ok {
				t.Errorf("OK = %v: %s", res.OK, res.Summary)
			}
			if tc.myip == "" && e.prov.count() != 0 || tc.myip != "" && (e.prov.count() != 1 || e.prov.last().MyIP != tc.myip) {
				t.Errorf("%d requests, want myip=%q", e.prov.count(), tc.myip)
			}
			if n := e.checkCount(); (n > 0) != tc.checkip {
				t.Errorf("%d checkip requests", n)
			}
			if !strings.Contains(e.logs.String(), tc.logs) {
				t.Errorf("log lacks %q:\n%s", tc.logs, e.logs)
			}
		})
	}
}

// TestLinkDown: a device whose link is down keeps its IPv4 address, but
// nothing leaves through it: no checkip request, no update, whatever the
// source, and netifd saying the interface is up does not change that.
func TestLinkDown(t *testing.T) {
	for _, extra := range []string{"\toption device eth1\n", "\toption ip_source web\n\toption bind 1\n\toption device eth1\n", "\toption ip_source interface\n"} {
		t.Run(extra, func(t *testing.T) {
			e := newEnv(t, nil)
			r := e.runner()
			dev := "eth1"
			if !strings.Contains(extra, "eth1") {
				dev = "pppoe-wan"
			}
			r.Ifaces = &fakeIfaces{
				status: map[string]netifd.Status{"wan": {Up: true, L3Device: "pppoe-wan"}},
				addrs:  map[string][]rtnl.Addr{dev: {ifaceAddr("198.51.100.9")}},
				down:   map[string]bool{dev: true},
			}
			res := r.Run(context.Background(), e.profile(extra), nil)
			if res.OK || e.prov.count() != 0 || e.checkCount() != 0 {
				t.Errorf("OK %v, %d updates, %d checkip requests: %s", res.OK, e.prov.count(), e.checkCount(), res.Summary)
			}
			if want := "device " + dev + " is down (link down or no carrier); no update sent"; !strings.Contains(e.logs.String(), want) {
				t.Errorf("log lacks %q:\n%s", want, e.logs)
			}
		})
	}
}

// TestVirtualInterfaces: an uplink netifd splits into IFACE_4 / IFACE_6 (here
// qmi: the interface itself holds no network device, its dynamic wwan_4 does;
// statuses as ubus prints them) is found through them, as mwan3 does.
func TestVirtualInterfaces(t *testing.T) {
	wwan, wwan4 := ubusStatus(t, "testdata/ubus/wwan-qmi.json"), ubusStatus(t, "testdata/ubus/wwan_4.json")
	for _, tc := range []struct {
		name   string
		status map[string]netifd.Status
		ok     bool
		logs   string
	}{
		{"wwan_4 holds the address", map[string]netifd.Status{"wwan": wwan, "wwan_4": wwan4}, true, "on wwan0; update sent"},
		{"no wwan_4: the device itself is named", map[string]netifd.Status{"wwan": wwan}, false, "device /dev/cdc-wdm0 does not exist"},
		{"wwan_4 down", map[string]netifd.Status{"wwan": wwan, "wwan_4": {Up: false, L3Device: "wwan0"}}, false, "device /dev/cdc-wdm0 does not exist"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			r := e.runner()
			r.Ifaces = &fakeIfaces{status: tc.status, addrs: map[string][]rtnl.Addr{"wwan0": {ifaceAddr("198.51.100.44")}}}
			res := r.Run(context.Background(), e.profile("\toption interface wwan\n\toption ip_source interface\n"), nil)
			if res.OK != tc.ok || tc.ok && (e.prov.count() != 1 || e.prov.last().MyIP != "198.51.100.44" || res.Device != "wwan0") {
				t.Errorf("OK %v, %d requests, device %q: %s", res.OK, e.prov.count(), res.Device, res.Summary)
			}
			if !strings.Contains(e.logs.String(), tc.logs) {
				t.Errorf("log lacks %q:\n%s", tc.logs, e.logs)
			}
		})
	}
}

// TestLastingConditionsAreSaidOnce: a down interface, checked every few minutes,
// is one warning, not one per check; it is said again after it cleared.
func TestLastingConditionsAreSaidOnce(t *testing.T) {
	e := newEnv(t, nil)
	ifs := &fakeIfaces{status: map[string]netifd.Status{"wan": {Up: false}}}
	r := e.runner()
	r.Ifaces = ifs
	p := e.profile("")
	for i := 0; i < 5; i++ {
		r.Run(context.Background(), p, nil)
		e.advance(10 * time.Minute)
	}
	if n := strings.Count(e.logs.String(), "warn: [home] interface wan is down"); n != 1 {
		t.Errorf("said %d times at warn level:\n%s", n, e.logs)
	}
	ifs.status["wan"] = netifd.Status{Up: true, L3Device: "eth1"}
	ifs.addrs = map[string][]rtnl.Addr{"eth1": {ifaceAddr("198.51.100.7")}}
	r.Run(context.Background(), p, nil)
	ifs.status["wan"] = netifd.Status{Up: false}
	r.Run(context.Background(), p, nil)
	if n := strings.Count(e.logs.String(), "warn: [home] interface wan is down"); n != 2 {
		t.Errorf("after recovering, going down again must be said again (%d):\n%s", n, e.logs)
	}
}

func TestInterruptedUpdateRecordsNothing(t *testing.T) {
	e := newEnv(t, nil)
	p := e.profile("")
	ctx, cancel := context.WithCancel(context.Background())
	r := e.runner()
	r.Clients = func(p *config.Profile) (Clients, error) {
		c, err := NetClients(p, "ua")
		c.Provider = providerFunc(func(ctx context.Context, _ dyndns2.Request) (dyndns2.Answer, error) {
			cancel() // SIGTERM arrives mid-request
			<-ctx.Done()
			return dyndns2.Answer{}, ctx.Err()
		})
		return c, err
	}
	res := r.Run(ctx, p, nil)
	if res.OK || !strings.Contains(res.Summary, "interrupted") {
		t.Errorf("%+v", res)
	}
	if st, _ := state.Open(e.stateDir).Load("home"); st.Failures != 0 || !st.NotBefore.IsZero() || st.Fingerprint == "" {
		t.Errorf("an interrupted request is no failure, but the state is saved: %+v", st)
	}
}

type providerFunc func(context.Context, dyndns2.Request) (dyndns2.Answer, error)

func (f providerFunc) Update(ctx context.Context, r dyndns2.Request) (dyndns2.Answer, error) {
	return f(ctx, r)
}

func TestNotifyEvents(t *testing.T) {
	for _, tc := range []struct {
		name, answer, extra string
		setIP               string
		want                []notify.Kind
	}{
		{"good", "good 203.0.113.7", "", "", []notify.Kind{notify.Updated}},
		{"nochg", "nochg 203.0.113.7", "", "", []notify.Kind{notify.OK}},
		{"badauth", "badauth", "", "", []notify.Kind{notify.Stopped}},
		{"911", "911", "", "", []notify.Kind{notify.Failed}},
		{"checkip answers a private address", "good", "", "192.168.1.1", []notify.Kind{notify.Failed}},
		{"notify 0", "badauth", "\toption notify 0\n", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.prov.answer(200, tc.answer)
			if tc.setIP != "" {
				e.setIP(netip.MustParseAddr(tc.setIP))
			}
			var got []notify.Event
			r := e.runner()
			r.Notify = func(ev notify.Event) { got = append(got, ev) }
			r.Run(context.Background(), e.profile(tc.extra), nil)
			if len(got) != len(tc.want) {
				t.Fatalf("events %+v, want kinds %v", got, tc.want)
			}
			for i, ev := range got {
				if ev.Kind != tc.want[i] || ev.Profile != "home" || ev.Hostnames[0] != "home.example.com" || !ev.At.Equal(e.now) {
					t.Errorf("event %+v", ev)
				}
			}
			if tc.name == "good" && (got[0].New[0] != ipA || got[0].Code != "good 203.0.113.7") {
				t.Errorf("update event %+v", got[0])
			}
			if tc.name == "badauth" && !strings.Contains(got[0].Meaning, "username or password wrong") {
				t.Errorf("stop event %+v", got[0])
			}
		})
	}
}
