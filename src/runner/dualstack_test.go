package runner

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"ddns-updater/src/netifd"
	"ddns-updater/src/rtnl"
)

// dnsServer is a dyndns2 server that keeps an A and an AAAA record, the way
// the real ones do it:
//   - "one": one address per request (docker-ddns servers): a comma list is not
//     an address, so it sets A to the connection's source address and says so;
//   - "comma": myip=V4,V6 (Dyn);
//   - "param": myip=V4 and the IPv6 address in myipv6;
//   - "source": ignores myip and always takes the connection's source address.
type dnsServer struct {
	mode   string
	source netip.Addr // the connection's source address, as the server sees it
	mu     sync.Mutex
	a, aaa netip.Addr
	myips  []string // each request's myip (and &myipv6=)
}

func (s *dnsServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	myip := q.Get("myip")
	if v6 := q.Get("myipv6"); v6 != "" {
		myip += "&myipv6=" + v6
	}
	s.myips = append(s.myips, myip)
	set := func(a netip.Addr) {
		if a.Is6() {
			s.aaa = a
		} else {
			s.a = a
		}
	}
	switch s.mode {
	case "source":
		set(s.source)
		fmt.Fprintf(w, "good %s", s.source)
	case "comma":
		var done []string
		for _, f := range strings.Split(q.Get("myip"), ",") {
			a := netip.MustParseAddr(f)
			set(a)
			done = append(done, a.String())
		}
		fmt.Fprintf(w, "good %s", strings.Join(done, ","))
	case "param":
		var named []string
		for _, f := range []string{q.Get("myip"), q.Get("myipv6")} {
			if f != "" {
				set(netip.MustParseAddr(f))
				named = append(named, f)
			}
		}
		fmt.Fprintf(w, "good %s", named[0]) // names the first only
	default: // one
		a, err := netip.ParseAddr(q.Get("myip"))
		if err != nil {
			a = s.source
		}
		set(a)
		fmt.Fprintf(w, "good %s", a)
	}
}

func (s *dnsServer) records() (a, aaaa netip.Addr, myips []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.a, s.aaa, append([]string(nil), s.myips...)
}

var (
	v4  = netip.MustParseAddr("203.0.113.7")
	v6  = netip.MustParseAddr("2001:db8::7")
	v6b = netip.MustParseAddr("2001:db8::8")
	src = netip.MustParseAddr("198.51.100.99")
)

// TestDualStack runs profiles with both families against each kind of server:
// what DNS holds at the end, the exact requests, the warnings, and that the
// next runs send nothing while the addresses stay.
func TestDualStack(t *testing.T) {
	for _, tc := range []struct {
		name, mode, dual string
		a, aaaa          netip.Addr
		myips            []string
		ok               bool
		warn             string
	}{
		{"separate to a server of one address per request", "one", "", v4, v6, []string{"203.0.113.7", "2001:db8::7"}, true, ""},
		{"comma to a server that takes comma lists", "comma", "\toption dual_stack comma\n", v4, v6, []string{"203.0.113.7,2001:db8::7"}, true, ""},
		{"param to a server that takes myipv6", "param", "\toption dual_stack param\n\toption dual_stack_param myipv6\n", v4, v6,
			[]string{"203.0.113.7&myipv6=2001:db8::7", "&myipv6=2001:db8::7"}, true, ""},
		{"comma to a server of one address per request", "one", "\toption dual_stack comma\n", src, v6,
			[]string{"203.0.113.7,2001:db8::7", "2001:db8::7"}, true, "the provider set 198.51.100.99 where 203.0.113.7 was sent"},
		{"a server that takes the source address", "source", "", src, netip.Addr{},
			[]string{"203.0.113.7", "2001:db8::7"}, true, "the provider's answers did not confirm 2001:db8::7 (IPv6), not even when it was sent alone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			srv := &dnsServer{mode: tc.mode, source: src}
			e.provSrv.Config.Handler = srv
			r := e.runner()
			ifs := &fakeIfaces{status: map[string]netifd.Status{"wan": {Up: true, L3Device: "wan0"}},
				addrs: map[string][]rtnl.Addr{"wan0": {ifaceAddr(v4.String()), ifaceAddr(v6.String())}}}
			r.Ifaces = ifs
			p := e.profile("\toption ip_source interface\n\toption ip_version both\n" + tc.dual)
			res := r.Run(context.Background(), p, nil)
			a, aaaa, myips := srv.records()
			if res.OK != tc.ok || a != tc.a || aaaa != tc.aaaa || strings.Join(myips, " ") != strings.Join(tc.myips, " ") {
				t.Errorf("OK %v, DNS holds A %v AAAA %v after the requests %q\n%s", res.OK, a, aaaa, myips, e.logs)
			}
			if tc.warn != "" && strings.Count(e.logs.String(), tc.warn) != 1 {
				t.Errorf("want one warning %q:\n%s", tc.warn, e.logs)
			}
			if tc.warn == "" && strings.Contains(e.logs.String(), "warn:") {
				t.Errorf("warnings:\n%s", e.logs)
			}
			// the next checks send nothing while the addresses stay: no update storm
			for i := 0; i < 3; i++ {
				e.advance(10 * time.Minute)
				r.Run(context.Background(), p, nil)
			}
			if _, _, again := srv.records(); len(again) != len(myips) {
				t.Errorf("sent again while nothing changed: %q\n%s", again[len(myips):], e.logs)
			}
			if tc.warn != "" && strings.Count(e.logs.String(), tc.warn) != 1 {
				t.Errorf("the warning must be said once:\n%s", e.logs)
			}
			// a new IPv6 address goes out (alone, when the server takes one per request)
			ifs.addrs["wan0"] = []rtnl.Addr{ifaceAddr(v4.String()), ifaceAddr(v6b.String())}
			e.advance(time.Minute)
			r.Run(context.Background(), p, nil)
			_, aaaa, after := srv.records()
			if len(after) == len(myips) || (tc.mode != "source" && aaaa != v6b) {
				t.Errorf("a new IPv6 address: requests %q, AAAA %v\n%s", after[len(myips):], aaaa, e.logs)
			}
			if tc.dual == "" && after[len(after)-1] != "2001:db8::8" {
				t.Errorf("separate: only the changed family is sent, got %q", after[len(myips):])
			}
		})
	}
}

// TestPlainCheckipBesideHTTPSProvider: external_ip_server as an http:// URL
// (the original program's self-hosted checkip.php) asks checkip over HTTP at
// the URL's path while the update goes over HTTPS.
func TestPlainCheckipBesideHTTPSProvider(t *testing.T) {
	e := newEnv(t, nil)
	var path string
	check := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.RequestURI()
		fmt.Fprint(w, "203.0.113.7")
	}))
	defer check.Close()
	p := e.profile(fmt.Sprintf("\toption ip_source web\n\toption external_ip_server 'http://%s/checkip.php?format=text'\n", check.Listener.Addr()))
	if res := e.run(p); !res.OK || e.prov.count() != 1 {
		t.Fatalf("%+v\n%s", res, e.logs)
	}
	if path != "/checkip.php?format=text" {
		t.Errorf("checkip asked for %q", path)
	}
	if !strings.Contains(e.logs.String(), `checkip url="http://`+check.Listener.Addr().String()+`/checkip.php?format=text"`) {
		t.Errorf("log:\n%s", e.logs)
	}
}
