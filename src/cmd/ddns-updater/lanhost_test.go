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
	"ddns-updater/src/internal/provtest"
	"ddns-updater/src/internal/syncbuf"
	"ddns-updater/src/internal/testexec"
)

// TestLANHostRenumbered: the router's LAN is a veth in a namespace; its
// global /64 changes as when the ISP delegates a new prefix (the new address
// added, the old one deprecated, as netifd does). The daemon, woken by the
// address events on the LAN device alone, sends the host's address in the
// new prefix, once. The prefix comes from the device (lan_device) or from
// netifd (a ubus stand-in whose lan status the test rewrites, as netifd
// would).
func TestLANHostRenumbered(t *testing.T) {
	bin := buildBinary(t)
	for _, viaNetifd := range []bool{false, true} {
		name := map[bool]string{false: "lan_device", true: "netifd's assignment"}[viaNetifd]
		t.Run(name, func(t *testing.T) {
			router := netns.New(t)
			router.IP("link", "add", "br-lan", "type", "veth", "peer", "name", "lanhost")
			router.IP("link", "set", "br-lan", "up")
			router.IP("link", "set", "lanhost", "up")
			router.IP("addr", "add", "2001:db8:4400::1/64", "dev", "br-lan", "nodad")
			router.IP("addr", "add", "fd12:3456:789a::1/64", "dev", "br-lan", "nodad")
			// the WAN: a device of its own, whose events are not the LAN's
			router.IP("link", "add", "wan0", "type", "veth", "peer", "name", "wan0p")
			router.IP("link", "set", "wan0", "up")
			router.IP("link", "set", "wan0p", "up")
			router.IP("addr", "add", "198.51.100.1/24", "dev", "wan0")
			var werr error
			if err := router.Do(func() { werr = os.WriteFile("/proc/sys/net/ipv6/conf/wan0/disable_ipv6", []byte("1"), 0o644) }); err != nil || werr != nil {
				t.Fatal(err, werr) // no link-local address coming up on it later, as an event of its own
			}
			var ln net.Listener
			var dns *dnstest.Server
			var lerr error
			if err := router.Do(func() {
				if ln, lerr = net.Listen("tcp", "127.0.0.1:0"); lerr == nil {
					dns, lerr = dnstest.Start(nil)
				}
			}); err != nil || lerr != nil {
				t.Fatal(err, lerr)
			}
			t.Cleanup(dns.Close)
			updates := make(chan string, 10)
			go (&http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				updates <- r.URL.Query().Get("myip")
				fmt.Fprint(w, "good "+r.URL.Query().Get("myip"))
			})}).Serve(ln)
			t.Cleanup(func() { ln.Close() })

			dir := t.TempDir()
			lanSource := "\toption lan_device br-lan\n"
			env := os.Environ()
			status := filepath.Join(dir, "network.interface.lan.json")
			writeLAN := func(prefixes ...string) {
				var as []string
				for _, p := range prefixes {
					as = append(as, fmt.Sprintf(`{"address": "%s", "mask": 64, "local-address": {"address": "%s1", "mask": 64}}`, p, p))
				}
				os.WriteFile(status+".new", []byte(`{"up": true, "l3_device": "br-lan", "device": "br-lan", "ipv6-prefix-assignment": [`+strings.Join(as, ", ")+`]}`), 0o644)
				os.Rename(status+".new", status)
			}
			if viaNetifd {
				lanSource = ""
				writeLAN("2001:db8:4400::", "fd12:3456:789a::")
				os.WriteFile(filepath.Join(dir, "ubus"), []byte("#!/bin/sh\n"+
					"[ \"$1\" = call ] && [ -f \""+dir+"/$2.json\" ] && exec cat \""+dir+"/$2.json\"\n"+
					"echo 'Command failed: Not found' >&2\nexit 4\n"), 0o755)
				env = append(env, "PATH="+dir+":"+os.Getenv("PATH"))
			}
			cfg := filepath.Join(dir, "ddns-updater")
			os.WriteFile(cfg, []byte("config global 'global'\n\toption state_dir '"+dir+"/state'\n\toption log_level debug\n"+
				"config profile 'nas'\n\toption enabled 1\n\toption server '"+ln.Addr().String()+"'\n\toption username u\n\toption password p\n"+
				"\toption hostname nas.example.com\n\toption use_https 0\n\toption ip_version 6\n\toption bind 0\n"+
				"\toption dns_server '"+dns.Addr.String()+"'\n\toption lan_host '::1234'\n\toption device wan0\n"+lanSource), 0o600)
			cmd := testexec.Command(t, "ip", "netns", "exec", router.Name, bin, "--config", cfg)
			cmd.Env = env
			var out syncbuf.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
			next := func(want string) {
				t.Helper()
				select {
				case got := <-updates:
					if got != want {
						t.Fatalf("update myip=%s; want %s\n%s", got, want, out.String())
					}
				case <-time.After(10 * time.Second): // a bound on a hang
					t.Fatalf("no update with %s\n%s", want, out.String())
				}
			}
			next("2001:db8:4400::1234")

			// renumbered: netifd assigns the new /64 first and keeps the old
			// one, deprecated, until its valid lifetime ends
			if viaNetifd {
				writeLAN("2001:db8:5500::", "2001:db8:4400::", "fd12:3456:789a::")
			}
			router.IP("addr", "add", "2001:db8:5500::1/64", "dev", "br-lan", "nodad")
			router.IP("addr", "change", "2001:db8:4400::1/64", "dev", "br-lan", "preferred_lft", "0", "valid_lft", "7200", "nodad")
			next("2001:db8:5500::1234")

			// and only once: a check now finds nothing to send
			looked := func() int {
				return strings.Count(out.String(), "already registered") + strings.Count(out.String(), "nothing to do")
			}
			checks := looked()
			cmd.Process.Signal(syscall.SIGUSR1)
			if !provtest.Eventually(func() bool { return looked() > checks }) {
				t.Fatalf("no check after SIGUSR1\n%s", out.String())
			}
			select {
			case got := <-updates:
				t.Errorf("a second update for the same prefix: %s\n%s", got, out.String())
			default:
			}
		})
	}
}
