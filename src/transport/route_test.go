package transport

import (
	"net"
	"net/netip"
	"testing"
)

// TestRoute: requests leave from the device's address of the family dialed
// (either family: the one the device has, IPv4 first); a loopback host and an
// unset route are left to the routing table; a device the kernel will not
// bind is said once, and the dial goes on.
func TestRoute(t *testing.T) {
	var r Route
	d := &net.Dialer{}
	if n := r.prepare(d, "tcp", "provider.example.net"); n != "tcp" || d.LocalAddr != nil || d.Control != nil {
		t.Errorf("unset route: %s %v", n, d.LocalAddr)
	}
	r.Set("ddnsu-none", netip.MustParseAddr("198.51.100.1"), netip.MustParseAddr("2001:db8::1"))
	for _, tc := range []struct{ network, host, want, src string }{
		{"tcp", "provider.example.net", "tcp4", "198.51.100.1:0"},
		{"tcp6", "provider.example.net", "tcp6", "[2001:db8::1]:0"},
		{"tcp4", "192.0.2.1", "tcp4", "198.51.100.1:0"},
		{"tcp", "127.0.0.1", "tcp", ""},
		{"tcp", "::1", "tcp", ""},
		{"tcp", "localhost", "tcp", ""},
	} {
		d := &net.Dialer{}
		n := r.prepare(d, tc.network, tc.host)
		src := ""
		if d.LocalAddr != nil {
			src = d.LocalAddr.String()
		}
		if n != tc.want || src != tc.src || (tc.src != "") != (d.Control != nil) {
			t.Errorf("%s to %s: %s from %q; want %s from %q", tc.network, tc.host, n, src, tc.want, tc.src)
		}
	}
	r.Set("ddnsu-none", netip.MustParseAddr("198.51.100.1"), netip.Addr{})
	if n := r.prepare(&net.Dialer{}, "tcp", "provider.example.net"); n != "tcp4" {
		t.Errorf("a device with IPv4 only: %s", n)
	}
	r.Set("ddnsu-none", netip.Addr{}, netip.MustParseAddr("2001:db8::1"))
	d = &net.Dialer{}
	if n := r.prepare(d, "tcp", "provider.example.net"); n != "tcp6" {
		t.Errorf("a device with IPv6 only: %s", n)
	}
	// the kernel refuses a device that does not exist: said once, no error
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	rc, _ := pc.(*net.UDPConn).SyscallConn()
	if err := d.Control("udp4", "127.0.0.1:9", rc); err != nil {
		t.Errorf("a refused bind failed the dial: %v", err)
	}
	if r.Refused() == nil || r.Refused() != nil {
		t.Error("a refused bind must be said once")
	}
}
