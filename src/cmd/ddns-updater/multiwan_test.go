package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"ddns-updater/src/internal/dnstest"
	"ddns-updater/src/internal/netns"
	"ddns-updater/src/internal/syncbuf"
	"ddns-updater/src/internal/testexec"
)

// TestBindToUplink: a router with two uplinks to one ISP (namespaces joined
// by two veth pairs), the default route through the first, the second
// reachable as mwan3 arranges it ("from its address lookup table 2"). The
// checkip server and the provider, behind both, answer the address a request
// comes from. A profile on the second uplink must learn and publish the
// second uplink's address, its requests leaving through it; with bind 0 they
// take the default route. The start-up DNS lookup goes the same way.
func TestBindToUplink(t *testing.T) {
	router, isp := netns.New(t), netns.New(t)
	router.IP("link", "add", "wan1", "type", "veth", "peer", "name", "wan1p", "netns", isp.Name)
	router.IP("link", "add", "wan2", "type", "veth", "peer", "name", "wan2p", "netns", isp.Name)
	for _, c := range [][]string{
		{"addr", "add", "198.51.100.1/24", "dev", "wan1"}, {"addr", "add", "203.0.113.1/24", "dev", "wan2"},
		{"link", "set", "wan1", "up"}, {"link", "set", "wan2", "up"},
		{"route", "add", "default", "via", "198.51.100.254", "dev", "wan1"},
		{"rule", "add", "from", "203.0.113.1", "lookup", "2"},
		{"route", "add", "default", "via", "203.0.113.254", "dev", "wan2", "table", "2"},
	} {
		router.IP(c...)
	}
	for _, c := range [][]string{
		{"addr", "add", "198.51.100.254/24", "dev", "wan1p"}, {"addr", "add", "203.0.113.254/24", "dev", "wan2p"},
		{"link", "set", "wan1p", "up"}, {"link", "set", "wan2p", "up"},
		{"addr", "add", "192.0.2.1/32", "dev", "lo"},
	} {
		isp.IP(c...)
	}
	var checkLn, provLn net.Listener
	var dns *dnstest.Server
	var lerr error
	if err := isp.Do(func() {
		if checkLn, lerr = net.Listen("tcp4", "192.0.2.1:80"); lerr == nil {
			if provLn, lerr = net.Listen("tcp4", "192.0.2.1:8080"); lerr == nil {
				dns, lerr = dnstest.StartAt("192.0.2.1:53", nil)
			}
		}
	}); err != nil || lerr != nil {
		t.Fatalf("listen in the ISP's namespace: %v %v", err, lerr)
	}
	t.Cleanup(dns.Close)
	from := func(r *http.Request) string { h, _, _ := net.SplitHostPort(r.RemoteAddr); return h }
	updates := make(chan string, 10)
	go (&http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, from(r)) })}).Serve(checkLn)
	go (&http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		updates <- "from " + from(r) + " myip=" + r.URL.Query().Get("myip")
		fmt.Fprint(w, "good "+r.URL.Query().Get("myip"))
	})}).Serve(provLn)
	t.Cleanup(func() { checkLn.Close(); provLn.Close() })

	bin := buildBinary(t)
	for _, tc := range []struct {
		name, extra, want, dnsFrom string
	}{
		{"bound to wan2", "", "from 203.0.113.1 myip=203.0.113.1", "203.0.113.1"},
		{"bind 0: the default route", "\toption bind 0\n", "from 198.51.100.1 myip=198.51.100.1", "198.51.100.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := filepath.Join(dir, "ddns-updater")
			os.WriteFile(cfg, []byte("config global 'global'\n\toption state_dir '"+dir+"/state'\n"+
				"config profile 'lte'\n\toption enabled 1\n\toption server '192.0.2.1:8080'\n\toption username u\n\toption password p\n"+
				"\toption hostname home.example.com\n\toption ip_source web\n\toption use_https 0\n\toption device wan2\n"+
				"\toption external_ip_server '192.0.2.1'\n\toption dns_server '192.0.2.1:53'\n"+tc.extra), 0o600)
			cmd := testexec.Command(t, "ip", "netns", "exec", router.Name, bin, "--config", cfg)
			var out syncbuf.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
			select {
			case got := <-updates:
				if got != tc.want {
					t.Errorf("update %s; want %s\n%s", got, tc.want, out.String())
				}
			case <-time.After(10 * time.Second): // a bound on a hang
				t.Fatalf("no update\n%s", out.String())
			}
			// the start-up DNS lookup (no state yet) took the same way
			if src := dns.Sources(); len(src) == 0 || src[len(src)-1].String() != tc.dnsFrom {
				t.Errorf("DNS questions from %v; want from %s", src, tc.dnsFrom)
			}
			if strings.Contains(out.String(), "cannot be bound") {
				t.Errorf("the device was not bound\n%s", out.String())
			}
		})
	}
}
