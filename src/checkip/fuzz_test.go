package checkip

import (
	"bufio"
	"bytes"
	"net/netip"
	"testing"
)

// FuzzRequest: no request, however broken, panics the server, and from an
// untrusted peer the answer is always the peer.
func FuzzRequest(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\nX-Forwarded-For: 203.0.113.7, 198.51.100.1\r\n\r\n"))
	f.Add([]byte("GET / HTTP/1.0\r\nForwarded: for=\"[2001:db8::7]:1\";by=x, for=unknown\r\n\r\n"))
	peer := netip.MustParseAddr("127.0.0.1")
	trusting := &Server{Trusted: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("198.51.100.0/24")}}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, header, err := readRequest(bufio.NewReader(bytes.NewReader(data)))
		if err != nil {
			return
		}
		if a, err := (&Server{}).clientAddr(peer, header); err != nil || a != peer {
			t.Errorf("untrusted peer: %v %v", a, err)
		}
		if a, err := trusting.clientAddr(peer, header); err == nil && !a.IsValid() {
			t.Error("an invalid address without an error")
		}
	})
}
