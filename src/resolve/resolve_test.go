package resolve

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"ddns-updater/src/internal/dnstest"
)

func TestHolds(t *testing.T) {
	a, b, v6 := netip.MustParseAddr("203.0.113.7"), netip.MustParseAddr("203.0.113.8"), netip.MustParseAddr("2001:db8::7")
	srv, err := dnstest.Start(map[string][]netip.Addr{
		"home.example.com":  {a, v6},
		"www.example.com":   {a},
		"multi.example.com": {a, b},
	})
	if err != nil {
		t.Skip("cannot listen on loopback UDP: ", err)
	}
	defer srv.Close()
	r := New(srv.Addr, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		names []string
		addrs []netip.Addr
		want  bool
	}{
		{[]string{"home.example.com"}, []netip.Addr{a}, true},
		{[]string{"home.example.com"}, []netip.Addr{a, v6}, true},
		{[]string{"home.example.com", "www.example.com"}, []netip.Addr{a}, true},
		{[]string{"home.example.com"}, []netip.Addr{b}, false},
		{[]string{"www.example.com"}, []netip.Addr{a, v6}, false},
		{[]string{"multi.example.com"}, []netip.Addr{a}, false},
		{[]string{"home.example.com", "nx.example.com"}, []netip.Addr{a}, false},
	} {
		got, err := Holds(ctx, r, tc.names, tc.addrs)
		if err != nil || got != tc.want {
			t.Errorf("Holds(%v, %v) = %v, %v; want %v", tc.names, tc.addrs, got, err, tc.want)
		}
	}
	if srv.Queries() == 0 {
		t.Error("the test server was not asked: the resolver did not use dns_server")
	}

	srv.SetFail(true)
	if _, err := Holds(ctx, r, []string{"home.example.com"}, []netip.Addr{a}); err == nil {
		t.Error("SERVFAIL must be an error, not a verdict")
	} else if !strings.Contains(err.Error(), " on "+srv.Addr.String()+":") {
		t.Errorf("the error must name the server really asked (%s): %v", srv.Addr, err)
	}
	srv.SetFail(false)
	srv.SetSilent(true)
	select { // drop the signal of the earlier questions
	case <-srv.Queried():
	default:
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { <-srv.Queried(); cancel() }() // the question reached a server that will never answer
	if _, err := Holds(ctx, r, []string{"home.example.com"}, []netip.Addr{a}); err == nil {
		t.Error("a silent server must end in an error")
	} else if !strings.Contains(err.Error(), srv.Addr.String()) {
		t.Errorf("the error must name the server really asked (%s): %v", srv.Addr, err)
	}
}
