package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"ddns-updater/src/internal/dnstest"
	"ddns-updater/src/internal/netns"
	"ddns-updater/src/internal/provtest"
	"ddns-updater/src/internal/syncbuf"
	"ddns-updater/src/internal/testexec"
)

// TestBindToUplink: a router with two uplinks to one ISP (namespaces joined
// by two veth pairs), the default route through the first, the second
// reachable as mwan3 arranges it ("from its address lookup table 2"). The
// checkip server and the provider, behind both, answer the address a request
// comes from. A profile on the second uplink must learn and publish the
// second uplink's address, its requests leaving through it; with bind 0 they
// take the default route. The start-up DNS lookup goes the same way. netifd
// is a ubus(1) stand-in answering with captured statuses (interface wan2 is
// device wan2; qmi's wwan has its address on wwan_4, here wan2 too).
func TestBindToUplink(t *testing.T) {
	router, isp := netns.New(t), netns.New(t)
	router.IP("link", "add", "wan1", "type", "veth", "peer", "name", "wan1p", "netns", isp.Name)
	router.IP("link", "add", "wan2", "type", "veth", "peer", "name", "wan2p", "netns", isp.Name)
	router.IP("link", "add", "wan3", "type", "veth", "peer", "name", "wan3p", "netns", isp.Name)
	for _, c := range [][]string{
		{"addr", "add", "198.51.100.1/24", "dev", "wan1"}, {"addr", "add", "203.0.113.1/24", "dev", "wan2"},
		{"link", "set", "wan1", "up"}, {"link", "set", "wan2", "up"},
		{"route", "add", "default", "via", "198.51.100.254", "dev", "wan1"},
		{"rule", "add", "from", "203.0.113.1", "lookup", "2"},
		{"route", "add", "default", "via", "203.0.113.254", "dev", "wan2", "table", "2"},
		// IPv6, the same way
		{"addr", "add", "2001:db8:1::1/64", "dev", "wan1", "nodad"}, {"addr", "add", "2001:db8:2::1/64", "dev", "wan2", "nodad"},
		{"-6", "route", "add", "default", "via", "2001:db8:1::ffff", "dev", "wan1"},
		{"-6", "rule", "add", "from", "2001:db8:2::1", "lookup", "2"},
		{"-6", "route", "add", "default", "via", "2001:db8:2::ffff", "dev", "wan2", "table", "2"},
		// wan3 is behind a carrier's NAT: a CGNAT address on the device
		{"addr", "add", "100.64.3.1/24", "dev", "wan3"}, {"link", "set", "wan3", "up"},
		{"rule", "add", "from", "100.64.3.1", "lookup", "3"},
		{"route", "add", "default", "via", "100.64.3.254", "dev", "wan3", "table", "3"},
		// and behind the carrier's NAT66: only a ULA on the device
		{"addr", "add", "fd00:3::1/64", "dev", "wan3", "nodad"},
		{"-6", "rule", "add", "from", "fd00:3::1", "lookup", "3"},
		{"-6", "route", "add", "default", "via", "fd00:3::ffff", "dev", "wan3", "table", "3"},
	} {
		router.IP(c...)
	}
	for _, c := range [][]string{
		{"addr", "add", "198.51.100.254/24", "dev", "wan1p"}, {"addr", "add", "203.0.113.254/24", "dev", "wan2p"},
		{"link", "set", "wan1p", "up"}, {"link", "set", "wan2p", "up"},
		{"addr", "add", "192.0.2.1/32", "dev", "lo"},
		{"addr", "add", "2001:db8:1::ffff/64", "dev", "wan1p", "nodad"}, {"addr", "add", "2001:db8:2::ffff/64", "dev", "wan2p", "nodad"},
		{"addr", "add", "2001:db8:ff::1/128", "dev", "lo"},
		{"addr", "add", "100.64.3.254/24", "dev", "wan3p"}, {"link", "set", "wan3p", "up"},
		{"addr", "add", "fd00:3::ffff/64", "dev", "wan3p", "nodad"},
	} {
		isp.IP(c...)
	}
	var lns []net.Listener
	var dns *dnstest.Server
	var lerr error
	if err := isp.Do(func() {
		for _, a := range []string{"192.0.2.1:80", "192.0.2.1:8080", "[2001:db8:ff::1]:80", "[2001:db8:ff::1]:8080"} {
			ln, err := net.Listen("tcp", a)
			if err != nil {
				lerr = err
				return
			}
			lns = append(lns, ln)
		}
		dns, lerr = dnstest.StartAt("192.0.2.1:53", nil)
	}); err != nil || lerr != nil {
		t.Fatalf("listen in the ISP's namespace: %v %v", err, lerr)
	}
	t.Cleanup(dns.Close)
	from := func(r *http.Request) string { h, _, _ := net.SplitHostPort(r.RemoteAddr); return h }
	// the checkip server answers the address a request comes from; from behind
	// the carrier's NAT (100.64.3.0/24, fd00:3::/64) that is the NAT's public address
	check := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch a := from(r); a {
		case "100.64.3.1":
			fmt.Fprint(w, "203.0.113.3")
		case "fd00:3::1":
			fmt.Fprint(w, "2001:db8:3::3")
		default:
			fmt.Fprint(w, a)
		}
	})
	updates := make(chan string, 10)
	prov := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		updates <- "from " + from(r) + " myip=" + r.URL.Query().Get("myip")
		fmt.Fprint(w, "good "+r.URL.Query().Get("myip"))
	})
	for i, ln := range lns {
		h := check
		if i%2 == 1 {
			h = prov
		}
		go (&http.Server{Handler: h}).Serve(ln)
		t.Cleanup(func() { ln.Close() })
	}

	// the daemon as built here and, in .ci/run, the big-endian MIPS one under
	// qemu-user, whose socket options are numbered otherwise (SOL_SOCKET 0xffff)
	daemons := []struct {
		name string
		argv []string
	}{{"native", []string{buildBinary(t)}}}
	if os.Getenv("DDNS_TEST_ALL_ARCHES") == "1" {
		if _, err := exec.LookPath("qemu-mips-static"); err != nil {
			t.Fatal("DDNS_TEST_ALL_ARCHES=1 needs qemu-mips-static")
		}
		daemons = append(daemons, struct {
			name string
			argv []string
		}{"mips under qemu", []string{"qemu-mips-static", buildFor(t, "mips")}})
	}
	// netifd, as ubus(1) answers on the router: interface wan2 is device wan2
	ubus := t.TempDir()
	fixture, err := os.ReadFile("../../netifd/testdata/wan-dhcp-public.json")
	if err != nil {
		t.Fatal(err)
	}
	wan2 := strings.NewReplacer(`"eth1"`, `"wan2"`, "203.0.113.77", "203.0.113.1").Replace(string(fixture))
	os.WriteFile(filepath.Join(ubus, "network.interface.wan2.json"), []byte(wan2), 0o644)
	// and qmi's wwan, whose address is on its dynamic wwan_4: here wan2
	for name, file := range map[string]string{"wwan": "wwan-qmi.json", "wwan_4": "wwan_4.json"} {
		data, err := os.ReadFile(filepath.Join("../../runner/testdata/ubus", file))
		if err != nil {
			t.Fatal(err)
		}
		data = []byte(strings.NewReplacer(`"wwan0"`, `"wan2"`, "198.51.100.44", "203.0.113.1").Replace(string(data)))
		os.WriteFile(filepath.Join(ubus, "network.interface."+name+".json"), data, 0o644)
	}
	os.WriteFile(filepath.Join(ubus, "ubus"), []byte("#!/bin/sh\n"+
		"[ \"$1\" = call ] && [ -f \""+ubus+"/$2.json\" ] && exec cat \""+ubus+"/$2.json\"\n"+
		"echo 'Command failed: Not found' >&2\nexit 4\n"), 0o755)
	// start runs the daemon (its command line) in the router's namespace
	// with a profile "lte" on interface wan2, plus extra
	start := func(t *testing.T, daemon []string, extra string) (*exec.Cmd, *syncbuf.Buffer) {
		dir := t.TempDir()
		cfg := filepath.Join(dir, "ddns-updater")
		os.WriteFile(cfg, []byte("config global 'global'\n\toption state_dir '"+dir+"/state'\n"+
			"config profile 'lte'\n\toption enabled 1\n\toption server '192.0.2.1:8080'\n\toption username u\n\toption password p\n"+
			"\toption hostname home.example.com\n\toption ip_source web\n\toption use_https 0\n\toption interface wan2\n"+
			"\toption external_ip_server '192.0.2.1'\n\toption dns_server '192.0.2.1:53'\n"+extra), 0o600)
		cmd := testexec.Command(t, "ip", append(append([]string{"netns", "exec", router.Name}, daemon...), "--config", cfg)...)
		cmd.Env = append(os.Environ(), "PATH="+ubus+":"+os.Getenv("PATH"))
		out := &syncbuf.Buffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
		return cmd, out
	}
	v6 := "\toption ip_version 6\n\toption server '[2001:db8:ff::1]:8080'\n\toption external_ip_server '[2001:db8:ff::1]'\n"
	for _, d := range daemons {
		t.Run(d.name, func(t *testing.T) {
			for _, tc := range []struct {
				name, extra, want, dnsFrom string
			}{
				{"bound to wan2, netifd's device for interface wan2", "", "from 203.0.113.1 myip=203.0.113.1", "203.0.113.1"},
				{"bound to wan2, found through wwan's virtual wwan_4", "\toption interface wwan\n", "from 203.0.113.1 myip=203.0.113.1", "203.0.113.1"},
				{"bound to wan2, named by device", "\toption interface nosuch\n\toption device wan2\n", "from 203.0.113.1 myip=203.0.113.1", "203.0.113.1"},
				{"bind 0: the default route", "\toption bind 0\n", "from 198.51.100.1 myip=198.51.100.1", "198.51.100.1"},
				{"IPv6 bound to wan2", v6, "from 2001:db8:2::1 myip=2001:db8:2::1", "203.0.113.1"},
				{"IPv6, bind 0", v6 + "\toption bind 0\n", "from 2001:db8:1::1 myip=2001:db8:1::1", "198.51.100.1"},
				// ip_source auto on wan3: its address is the carrier's, so checkip is asked, through wan3
				{"auto behind CGNAT on wan3", "\toption ip_source auto\n\toption device wan3\n", "from 100.64.3.1 myip=203.0.113.3", "100.64.3.1"},
				{"auto behind CGNAT, bind 0: the other uplink's address", "\toption ip_source auto\n\toption device wan3\n\toption bind 0\n", "from 198.51.100.1 myip=198.51.100.1", "198.51.100.1"},
				// IPv6 behind the carrier's NAT66: only a ULA on wan3, so checkip is asked from it
				{"IPv6 auto behind NAT66 on wan3", v6 + "\toption ip_source auto\n\toption device wan3\n", "from fd00:3::1 myip=2001:db8:3::3", "100.64.3.1"},
				{"IPv6 auto behind NAT66, bind 0: the other uplink's address", v6 + "\toption ip_source auto\n\toption device wan3\n\toption bind 0\n", "from 2001:db8:1::1 myip=2001:db8:1::1", "198.51.100.1"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					_, out := start(t, d.argv, tc.extra)
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
		})
	}

	// wan2's link down (its IPv4 address stays): no request goes out, not
	// even an attempt, and it is said once; when the link is back, a web
	// profile checks on the hotplug hook's SIGUSR1, an auto profile at the
	// link event itself (IPv6 off on wan2, whose addresses coming back would
	// be an event of their own)
	var werr error
	if err := router.Do(func() { werr = os.WriteFile("/proc/sys/net/ipv6/conf/wan2/disable_ipv6", []byte("1"), 0o644) }); err != nil || werr != nil {
		t.Fatal(err, werr)
	}
	for _, d := range daemons {
		t.Run(d.name+", uplink down", func(t *testing.T) {
			for _, tc := range []struct {
				name, extra string
				kick        bool
			}{
				// netifd still says wan2 is up: the link is what counts
				{"wan2 down, then up: web, on SIGUSR1", "", true},
				{"wan2 down, then up: auto, on the link event", "\toption ip_source auto\n\toption device wan2\n", false},
			} {
				t.Run(tc.name, func(t *testing.T) {
					router.IP("link", "set", "wan2", "down")
					cmd, out := start(t, d.argv, tc.extra)
					const down = "device wan2 is down (link down or no carrier); no update sent"
					if !provtest.Eventually(func() bool { return strings.Contains(out.String(), down) }) {
						t.Fatalf("no word of the down uplink\n%s", out.String())
					}
					select {
					case got := <-updates:
						t.Errorf("with wan2 down an update went out: %s", got)
					default:
					}
					if strings.Contains(out.String(), "unreachable") {
						t.Errorf("a request was tried with wan2 down\n%s", out.String())
					}
					router.IP("link", "set", "wan2", "up")
					if tc.kick {
						cmd.Process.Signal(syscall.SIGUSR1)
					}
					select {
					case got := <-updates:
						if got != "from 203.0.113.1 myip=203.0.113.1" {
							t.Errorf("update %s", got)
						}
					case <-time.After(10 * time.Second): // a bound on a hang
						t.Fatalf("no update once wan2 was back\n%s", out.String())
					}
					if n := strings.Count(out.String(), down); n != 1 {
						t.Errorf("the down uplink said %d times\n%s", n, out.String())
					}
				})
			}
		})
	}
}
