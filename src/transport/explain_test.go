package transport

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"syscall"
	"testing"
	"time"

	"ddns-updater/src/internal/dnstest"
	"ddns-updater/src/internal/testcert"
)

// TestExplain sends real requests over loopback into each kind of failure and
// checks that the message says what happened, and whether anything reached the
// server.
func TestExplain(t *testing.T) {
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedAddr := closed.Addr().String()
	closed.Close()

	reset := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, buf, _ := w.(http.Hijacker).Hijack()
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\ngood")
		buf.Flush()
		conn.Close()
	}))
	defer reset.Close()
	hang := make(chan struct{})
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-hang:
		}
	}))
	defer silent.Close()
	defer close(hang)
	untrusted := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	untrusted.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
	untrusted.StartTLS()
	defer untrusted.Close()
	dns, err := dnstest.Start(map[string][]netip.Addr{})
	if err != nil {
		t.Skip("cannot listen on loopback UDP: ", err)
	}
	defer dns.Close()

	get := func(url string, c *Client, timeout time.Duration) error {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		_, err := c.Get(ctx, Request{URL: url})
		return err
	}
	roots, _ := Roots(testcert.New(t, time.Now()).CAFile) // a CA the server's certificate is not from
	viaTestDNS := New(nil, "tcp4")
	viaTestDNS.Dial = (&net.Dialer{Resolver: &net.Resolver{PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, dns.Addr.String())
		}}}).DialContext

	for _, tc := range []struct {
		name    string
		err     error
		want    string
		notSent bool
	}{
		{"refused", get("http://"+refusedAddr+"/", New(nil, "tcp"), 5*time.Second), "connection to " + refusedAddr + " refused", true},
		{"no such host", get("http://nx.example.com/", viaTestDNS, 5*time.Second), "DNS knows no address for nx.example.com", true},
		{"reset mid-answer", get(reset.URL, New(nil, "tcp"), 5*time.Second), "the connection broke before the answer was complete", false},
		{"no answer", get(silent.URL, New(nil, "tcp"), 50*time.Millisecond), "no answer in time", false},
		{"untrusted certificate", get(untrusted.URL, New(roots, "tcp"), 5*time.Second), "the server's TLS certificate was not accepted: x509: certificate signed by unknown authority", true},
		{"no route", &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(192, 0, 2, 1), Port: 443},
			Err: os.NewSyscallError("connect", syscall.ENETUNREACH)}, "192.0.2.1:443 unreachable: no route (offline, or the WAN is down?)", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil {
				t.Fatal("the request did not fail")
			}
			var errno syscall.Errno
			if errors.As(tc.err, &errno) && errno == 111 && syscall.ECONNREFUSED != 111 {
				t.Skip("qemu-user hands over the host's SO_ERROR untranslated (111, x86's ECONNREFUSED); a kernel of this architecture sends its own number")
			}
			got := Explain(tc.err)
			if got.Error() != tc.want {
				t.Errorf("Explain(%v) = %q, want %q", tc.err, got, tc.want)
			}
			if NotSent(got) != tc.notSent {
				t.Errorf("NotSent = %v, want %v", NotSent(got), tc.notSent)
			}
			if !errors.Is(got, tc.err) {
				t.Error("the original error must stay reachable (errors.Is/As)")
			}
		})
	}
	if Explain(nil) != nil {
		t.Error("Explain(nil) must be nil")
	}
}
