package checkip

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"ddns-updater/src/internal/syncbuf"
	"ddns-updater/src/ipsource"
	"ddns-updater/src/logx"
	"ddns-updater/src/transport"
)

// start serves on a loopback listener of network ("tcp4" or "tcp6") and
// returns its address and a stop that waits for Serve to return.
func start(t *testing.T, network string, trusted ...string) (addr string, logs *syncbuf.Buffer, stop func() error) {
	t.Helper()
	host := "127.0.0.1:0"
	if network == "tcp6" {
		host = "[::1]:0"
	}
	ln, err := net.Listen(network, host)
	if err != nil {
		t.Skip("no loopback for ", network, ": ", err)
	}
	prefixes, err := ParseTrusted(trusted)
	if err != nil {
		t.Fatal(err)
	}
	logs = &syncbuf.Buffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- (&Server{Trusted: prefixes, Log: logx.New(logs, logx.Debug)}).Serve(ctx, ln) }()
	var stopped bool
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		return <-done
	}
	t.Cleanup(func() { stop() })
	return ln.Addr().String(), logs, stop
}

// get sends a raw request with extra header lines and returns status and body.
func get(t *testing.T, addr, extra string) (string, string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("GET /checkip.php HTTP/1.1\r\nHost: checkip.example.com\r\n" + extra + "\r\n"))
	data, _ := io.ReadAll(conn)
	head, body, _ := strings.Cut(string(data), "\r\n\r\n")
	status, _, _ := strings.Cut(head, "\r\n")
	return status, body
}

func TestDirect(t *testing.T) {
	addr, _, _ := start(t, "tcp4")
	// Not behind a proxy: headers claiming another address are ignored.
	for _, extra := range []string{"", "X-Forwarded-For: 203.0.113.7\r\n", "Forwarded: for=203.0.113.7\r\n"} {
		if status, body := get(t, addr, extra); status != "HTTP/1.1 200 OK" || body != "127.0.0.1" {
			t.Errorf("%q: %s %q; want 127.0.0.1", extra, status, body)
		}
	}
}

func TestIPv6(t *testing.T) {
	addr, _, _ := start(t, "tcp6")
	if status, body := get(t, addr, ""); status != "HTTP/1.1 200 OK" || body != "::1" {
		t.Errorf("%s %q; want ::1", status, body)
	}
}

// TestBehindProxy: from a trusted proxy the client's address comes from its
// headers, walking back over trusted hops; spoofed entries further left are
// not believed; unreadable ones are an error, never a wrong address.
func TestBehindProxy(t *testing.T) {
	addr, logs, _ := start(t, "tcp4", "127.0.0.0/8", "198.51.100.10")
	for _, tc := range []struct{ extra, status, body string }{
		{"", "HTTP/1.1 200 OK", "127.0.0.1"}, // the proxy asking for itself
		{"X-Forwarded-For: 203.0.113.7\r\n", "HTTP/1.1 200 OK", "203.0.113.7"},
		{"X-Forwarded-For: 192.0.2.66, 203.0.113.7\r\n", "HTTP/1.1 200 OK", "203.0.113.7"},                                   // the client wrote 192.0.2.66 itself
		{"X-Forwarded-For: 192.0.2.66\r\nX-Forwarded-For: 203.0.113.7, 198.51.100.10\r\n", "HTTP/1.1 200 OK", "203.0.113.7"}, // two proxies, both trusted hops skipped
		{"X-Forwarded-For: 2001:db8::7\r\n", "HTTP/1.1 200 OK", "2001:db8::7"},
		{"Forwarded: for=192.0.2.66, for=\"[2001:db8::7]:4711\";proto=https\r\nX-Forwarded-For: 203.0.113.9\r\n", "HTTP/1.1 200 OK", "2001:db8::7"},
		{"Forwarded: for=203.0.113.7:4711;by=198.51.100.10\r\n", "HTTP/1.1 200 OK", "203.0.113.7"},
		{"X-Forwarded-For: unknown\r\n", "HTTP/1.1 400 Bad Request", "cannot read the client's address in x-forwarded-for: \"unknown\"\n"},
		{"Forwarded: for=_hidden\r\n", "HTTP/1.1 400 Bad Request", "cannot read the client's address in forwarded: \"_hidden\"\n"},
	} {
		if status, body := get(t, addr, tc.extra); status != tc.status || body != tc.body {
			t.Errorf("%q: %s %q; want %s %q", tc.extra, status, body, tc.status, tc.body)
		}
	}
	if !strings.Contains(logs.String(), "warn: request from 127.0.0.1: cannot read the client's address") {
		t.Errorf("log:\n%s", logs)
	}
}

// TestOurClientReadsIt: the client's use_regex 0 (the answer must be just the
// address) reads what the server answers.
func TestOurClientReadsIt(t *testing.T) {
	addr, _, _ := start(t, "tcp4")
	w := &ipsource.Web{V4: transport.New(nil, "tcp4")}
	a, err := w.Lookup(context.Background(), "http://"+addr+"/", false, false)
	if err != nil || a != netip.MustParseAddr("127.0.0.1") {
		t.Errorf("%v, %v", a, err)
	}
}

func TestRefusals(t *testing.T) {
	addr, _, _ := start(t, "tcp4")
	send := func(raw string) string {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		conn.Write([]byte(raw))
		line, _ := bufio.NewReader(conn).ReadString('\n')
		return strings.TrimSpace(line)
	}
	for raw, want := range map[string]string{
		"POST / HTTP/1.1\r\n\r\n":                                        "HTTP/1.1 405 Method Not Allowed",
		"SSH-2.0-OpenSSH_9.6\r\n\r\n":                                    "HTTP/1.1 400 Bad Request",
		"GET / HTTP/1.1\r\nX: " + strings.Repeat("a", 9000) + "\r\n\r\n": "HTTP/1.1 400 Bad Request",
		"HEAD / HTTP/1.0\r\n\r\n":                                        "HTTP/1.1 200 OK",
	} {
		if got := send(raw); got != want {
			t.Errorf("%.30q: %q; want %q", raw, got, want)
		}
	}
}

// TestGracefulStop: a request in flight is answered; then Serve returns and
// nothing more is accepted.
func TestGracefulStop(t *testing.T) {
	addr, _, stop := start(t, "tcp4")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("GET / HTTP/1.1\r\n")) // half a request
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	select {
	case <-stopped:
		t.Fatal("Serve returned with a request in flight")
	case <-time.After(50 * time.Millisecond):
	}
	conn.Write([]byte("\r\n"))
	data, _ := io.ReadAll(conn)
	if !strings.HasSuffix(string(data), "\r\n\r\n127.0.0.1") {
		t.Errorf("in-flight answer %q", data)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Error("still accepting after the stop")
	}
}

func TestParseTrusted(t *testing.T) {
	p, err := ParseTrusted([]string{"192.0.2.0/24, 2001:db8::/32", "198.51.100.7", "10.1.2.3/8"})
	if err != nil || len(p) != 4 || p[2].String() != "198.51.100.7/32" || p[3].String() != "10.0.0.0/8" {
		t.Errorf("%v %v", p, err)
	}
	if _, err := ParseTrusted([]string{"proxy.example.com"}); err == nil || !strings.Contains(err.Error(), `--trusted-proxy "proxy.example.com": expected a CIDR`) {
		t.Errorf("%v", err)
	}
}
