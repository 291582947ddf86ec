package checkip

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ddns-updater/src/internal/testexec"
)

// php serves contrib/checkip.php with $trusted set as given, through PHP's
// own web server on loopback, and returns its address.
func php(t *testing.T, network, trusted string) string {
	t.Helper()
	bin, err := exec.LookPath("php")
	if err != nil {
		t.Skip("php is not installed (apt install php-cli); contrib/checkip.php is not tried")
	}
	src, err := os.ReadFile("../../contrib/checkip.php")
	if err != nil {
		t.Fatal(err)
	}
	const line = "$trusted = array();"
	if !strings.Contains(string(src), line) {
		t.Fatalf("contrib/checkip.php lacks %q", line)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "checkip.php"), []byte(strings.Replace(string(src), line, "$trusted = array("+trusted+");", 1)), 0o644)
	host := "127.0.0.1:0"
	if network == "tcp6" {
		host = "[::1]:0"
	}
	ln, err := net.Listen(network, host)
	if err != nil {
		t.Skip("no loopback for ", network)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := testexec.Command(t, bin, "-S", addr, "-t", dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Cancel(); cmd.Wait() })
	for i := 0; ; i++ { // until PHP listens
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return addr
		}
		if i == 500 {
			t.Fatal("php -S did not start: ", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCheckipPHP: contrib/checkip.php answers as checkip-server does.
func TestCheckipPHP(t *testing.T) {
	direct := php(t, "tcp4", "")
	for _, extra := range []string{"", "X-Forwarded-For: 203.0.113.7\r\n"} {
		if status, body := get(t, direct, extra); !strings.Contains(status, " 200 ") || body != "127.0.0.1" {
			t.Errorf("direct, %q: %s %q; want 127.0.0.1 (spoofed headers ignored)", extra, status, body)
		}
	}
	proxied := php(t, "tcp4", "'127.0.0.0/8', '198.51.100.10'")
	for _, tc := range []struct{ extra, body string }{
		{"", "127.0.0.1"},
		{"X-Forwarded-For: 203.0.113.7\r\n", "203.0.113.7"},
		{"X-Forwarded-For: 192.0.2.66, 203.0.113.7, 198.51.100.10\r\n", "203.0.113.7"},
		{"X-Forwarded-For: 2001:db8::7\r\n", "2001:db8::7"},
	} {
		if status, body := get(t, proxied, tc.extra); !strings.Contains(status, " 200 ") || body != tc.body {
			t.Errorf("behind a proxy, %q: %s %q; want %q", tc.extra, status, body, tc.body)
		}
	}
	if status, _ := get(t, proxied, "X-Forwarded-For: unknown\r\n"); !strings.Contains(status, " 400 ") {
		t.Errorf("an unreadable hop: %s; want 400", status)
	}
	v6 := php(t, "tcp6", "")
	if _, body := get(t, v6, ""); body != "::1" {
		t.Errorf("IPv6: %q", body)
	}
}
