package ipsource

import (
	"context"
	"crypto/x509"
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

	"ddns-updater/src/transport"
)

func TestExtract(t *testing.T) {
	dyn := "<html><head><title>Current IP Check</title></head><body>Current IP Address: 203.0.113.7</body></html>\r\n"
	for _, tc := range []struct {
		body         string
		v6, anywhere bool
		want         string // "" = error
	}{
		{dyn, false, true, "203.0.113.7"},
		{dyn, false, false, ""},
		{dyn, true, true, ""},
		{"203.0.113.7\n", false, false, "203.0.113.7"},
		{"  2001:db8::7 \n", true, false, "2001:db8::7"},
		{"2001:db8::7", false, false, ""},
		{"203.0.113.7", true, false, ""},
		{"::ffff:203.0.113.7", false, false, "203.0.113.7"},
		{"Address:2001:db8:0:1::7</b>", true, true, "2001:db8:0:1::7"},
		{"ip=203.0.113.7.", false, true, "203.0.113.7"},
		{"version 1.2 at 10:30, ip 198.51.100.20", false, true, "198.51.100.20"},
		{"999.1.1.1 then 198.51.100.20", false, true, "198.51.100.20"},
		{"dead:beef is not an address; 2001:db8::1 is", true, true, "2001:db8::1"},
		{"garbage", false, true, ""},
		{"", false, false, ""},
		{"\xff\xfe203.0.113.9\xff", false, true, "203.0.113.9"},
	} {
		a, err := Extract([]byte(tc.body), tc.v6, tc.anywhere)
		if tc.want == "" {
			if err == nil {
				t.Errorf("Extract(%q, v6=%v, anywhere=%v) = %v, want an error", tc.body, tc.v6, tc.anywhere, a)
			}
			continue
		}
		if err != nil || a != netip.MustParseAddr(tc.want) {
			t.Errorf("Extract(%q, v6=%v, anywhere=%v) = %v, %v; want %s", tc.body, tc.v6, tc.anywhere, a, err, tc.want)
		}
	}
}

func TestPolicy(t *testing.T) {
	strict, priv, doc := Policy{}, Policy{AllowPrivate: true}, Policy{AllowDocumentation: true}
	for _, tc := range []struct {
		addr                 string
		strict, priv, docsOK bool
	}{
		{"8.8.8.8", true, true, true},
		{"2a00:1450::1", true, true, true},
		{"10.1.2.3", false, true, false},
		{"172.16.0.1", false, true, false},
		{"192.168.1.1", false, true, false},
		{"100.64.0.1", false, true, false},
		{"127.0.0.1", false, false, false},
		{"169.254.1.1", false, false, false},
		{"224.0.0.1", false, false, false},
		{"0.0.0.0", false, false, false},
		{"255.255.255.255", false, false, false},
		{"203.0.113.7", false, false, true},
		{"198.51.100.7", false, false, true},
		{"192.0.2.7", false, false, true},
		{"2001:db8::7", false, false, true},
		{"fd00::1", false, true, false},
		{"fe80::1", false, false, false},
		{"::1", false, false, false},
		{"::", false, false, false},
		{"ff02::1", false, false, false},
		{"::ffff:8.8.8.8", false, false, false},
		{"3fff::1", true, true, true},
		{"4000::1", false, false, false},
	} {
		a := netip.MustParseAddr(tc.addr)
		for _, c := range []struct {
			p    Policy
			want bool
		}{{strict, tc.strict}, {priv, tc.priv}, {doc, tc.docsOK}} {
			if err := c.p.Check(a); (err == nil) != c.want {
				t.Errorf("%+v.Check(%s) = %v, want ok=%v", c.p, a, err, c.want)
			}
		}
	}
	if err := strict.Check(netip.MustParseAddr("100.64.0.1")); err == nil || !strings.Contains(err.Error(), "carrier-grade NAT") {
		t.Errorf("CGNAT must be named: %v", err)
	}
}

func newWeb() *Web {
	return &Web{V4: transport.New(nil, "tcp4"), V6: transport.New(nil, "tcp6"), UserAgent: "ua-test"}
}

func TestLookup(t *testing.T) {
	var ua string
	big := strings.Repeat("x", MaxBody) + " 198.51.100.1"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua = r.UserAgent()
		switch r.URL.Path {
		case "/":
			w.Write([]byte("Current IP Address: 203.0.113.7"))
		case "/500":
			http.Error(w, "203.0.113.8", http.StatusInternalServerError)
		case "/big":
			w.Write([]byte(big))
		case "/hop":
			http.Redirect(w, r, "/", http.StatusFound)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		}
	}))
	defer srv.Close()
	w := newWeb()
	ctx := context.Background()
	a, err := w.Lookup(ctx, srv.URL+"/", false, true)
	if err != nil || a != netip.MustParseAddr("203.0.113.7") || ua != "ua-test" {
		t.Errorf("Lookup = %v, %v (User-Agent %q)", a, err, ua)
	}
	if a, err := w.Lookup(ctx, srv.URL+"/hop", false, true); err != nil || !a.IsValid() {
		t.Errorf("one redirect must be followed: %v, %v", a, err)
	}
	for _, path := range []string{"/500", "/big", "/loop"} {
		if a, err := w.Lookup(ctx, srv.URL+path, false, true); err == nil {
			t.Errorf("%s: accepted %v", path, a)
		}
	}
	// The IPv6 check dials tcp6 only: a server on 127.0.0.1 cannot be reached by it.
	if a, err := w.Lookup(ctx, srv.URL+"/", true, true); err == nil {
		t.Errorf("an IPv6 lookup reached an IPv4-only server: %v", a)
	}
}

func TestLookupIPv6(t *testing.T) {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skip("no IPv6 loopback here: ", err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		w.Write([]byte("you are " + host)) // like a real checkip server: the peer address
	}))
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	a, err := newWeb().Lookup(context.Background(), srv.URL+"/", true, true)
	if err != nil || a != netip.MustParseAddr("::1") {
		t.Errorf("Lookup over tcp6 = %v, %v", a, err)
	}
}

func TestNoDowngrade(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("203.0.113.7"))
	}))
	defer plain.Close()
	tls := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+"/", http.StatusFound)
	}))
	defer tls.Close()
	pool := x509.NewCertPool()
	pool.AddCert(tls.Certificate())
	w := &Web{V4: &transport.Client{Network: "tcp4", Roots: pool}}
	if _, err := w.Lookup(context.Background(), tls.URL+"/", false, true); err == nil || !strings.Contains(err.Error(), "refused redirect from https") {
		t.Errorf("https to http redirect: %v", err)
	}
}

// inFlight and waiting say how many runs are going on and how many callers
// wait on them.
func (f *Flight) inFlight() int { f.mu.Lock(); defer f.mu.Unlock(); return len(f.calls) }

func (f *Flight) waiting() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += c.waiters
	}
	return n
}

// TestSharedLookups: lookups of one URL and family that run at the same time
// under one key go out as one request, and each gets the answer; lookups one
// after the other, of another family or under another key, ask anew; a
// lookup whose caller gave up does not end the others'.
func TestSharedLookups(t *testing.T) {
	var mu sync.Mutex
	requests := 0
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		mu.Unlock()
		<-release
		fmt.Fprint(w, "203.0.113.7")
	}))
	defer srv.Close()
	var share Flight
	web := func(key string) *Web {
		return &Web{V4: &transport.Client{Network: "tcp4"}, V6: &transport.Client{Network: "tcp4"}, Share: &share, ShareKey: key}
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return requests }
	lookups := func(n int, key string, v6 bool) []error {
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				a, err := web(key).Lookup(context.Background(), srv.URL, v6, false)
				if err == nil && a != netip.MustParseAddr("203.0.113.7") {
					err = fmt.Errorf("address %v", a)
				}
				errs[i] = err
			})
		}
		for share.inFlight() == 0 || count() == 0 {
			time.Sleep(time.Millisecond) // the first request reached the server
		}
		for share.waiting() < n-1 {
			time.Sleep(time.Millisecond) // the others wait for it
		}
		release <- struct{}{}
		wg.Wait()
		return errs
	}
	if errs := lookups(5, "", false); count() != 1 || errors.Join(errs...) != nil {
		t.Errorf("5 lookups at once: %d requests, %v", count(), errs)
	}
	go func() { release <- struct{}{} }()
	if _, err := web("").Lookup(context.Background(), srv.URL, false, false); err != nil || count() != 2 {
		t.Errorf("a lookup after them: %d requests, %v", count(), err)
	}
	go func() { release <- struct{}{}; release <- struct{}{} }()
	var wg sync.WaitGroup
	for _, key := range []string{"/etc/a.pem", "/etc/b.pem"} {
		wg.Go(func() { web(key).Lookup(context.Background(), srv.URL, false, false) })
	}
	wg.Wait()
	if count() != 4 {
		t.Errorf("two keys: %d requests in all, want 4", count())
	}

	// the first caller gives up; the one waiting on it asks for itself
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() { _, err := web("").Lookup(ctx, srv.URL, false, false); first <- err }()
	for count() != 5 {
		time.Sleep(time.Millisecond)
	}
	second := make(chan error, 1)
	go func() { _, err := web("").Lookup(context.Background(), srv.URL, false, false); second <- err }()
	for share.waiting() != 1 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Errorf("the caller that gave up: %v", err)
	}
	release <- struct{}{} // the first request's handler
	release <- struct{}{} // the second caller's own
	if err := <-second; err != nil || count() != 6 {
		t.Errorf("the caller left waiting: %v, %d requests", err, count())
	}
}
