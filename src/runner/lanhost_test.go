package runner

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ddns-updater/src/config"
	"ddns-updater/src/lanhost"
	"ddns-updater/src/netifd"
	"ddns-updater/src/rtnl"
)

// ubusStatus reads a captured `ubus call network.interface.X status`.
func ubusStatus(t *testing.T, path string) netifd.Status {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := netifd.ParseStatus(data)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func odhcpdLeases(t *testing.T) []lanhost.Lease {
	t.Helper()
	data, err := os.ReadFile("../lanhost/testdata/ipv6leases.json")
	if err != nil {
		t.Fatal(err)
	}
	l, err := lanhost.ParseLeases(data)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// lanRouter is a router as netifd and the kernel describe it (the captured
// statuses): wan on pppoe-wan with a public IPv4 address, wan6 with the
// delegated /56, lan on br-lan with its /64 of it.
func lanRouter(t *testing.T, lan, wan6 string) *fakeIfaces {
	lanSt, wan6St := ubusStatus(t, filepath.Join("../netifd/testdata", lan)), ubusStatus(t, filepath.Join("../netifd/testdata", wan6))
	brLan := []rtnl.Addr{lanAddr("fd12:3456:789a::1")}
	for _, p := range lanSt.Assigned {
		if !strings.HasPrefix(p.String(), "fd") {
			brLan = append(brLan, lanAddr(p.Addr().Next().String()))
		}
	}
	return &fakeIfaces{
		status: map[string]netifd.Status{"wan": {Up: true, L3Device: "pppoe-wan"}, "wan6": wan6St, "lan": lanSt},
		addrs:  map[string][]rtnl.Addr{"pppoe-wan": {ifaceAddr("198.51.100.7")}, "br-lan": brLan},
		leases: odhcpdLeases(t),
	}
}

// lanAddr is the router's own address in a LAN /64, as netifd sets it.
func lanAddr(ip string) rtnl.Addr {
	a := ifaceAddr(ip)
	a.PrefixLen = 64
	return a
}

// TestLANHost: each way of naming a host behind the router publishes its
// address in the LAN's delegated prefix, as netifd and odhcpd describe them.
func TestLANHost(t *testing.T) {
	for _, tc := range []struct {
		name, extra string
		want        string // the myip sent; "" for none
		log         string
	}{
		{"interface ID", "\toption lan_host '::1234'\n", "2001:db8:4400::1234", "for ::1234 in 2001:db8:4400::/64"},
		{"MAC: EUI-64", "\toption lan_host '02:11:22:33:44:5a'\n", "2001:db8:4400:0:11:22ff:fe33:445a", "for 02:11:22:33:44:5a in 2001:db8:4400::/64"},
		{"lease by host name", "\toption lan_host nas\n", "2001:db8:4400::d1c", "for nas in 2001:db8:4400::/64"},
		{"lease by DUID", "\toption lan_host '00020000ab11d2a3e8f1c0b9'\n", "2001:db8:4400::abf", "for DUID 00020000ab11d2a3e8f1c0b9"},
		{"lan_device: the prefix from br-lan's addresses", "\toption lan_host '::1234'\n\toption lan_interface nosuch\n\toption lan_device br-lan\n", "2001:db8:4400::1234", "in 2001:db8:4400::/64"},
		{"no such lease", "\toption lan_host printer\n", "", "[home] lan_host printer: odhcpd has no DHCPv6 lease for a host named printer (ubus call dhcp ipv6leases lists them; a SLAAC-only host is named by its MAC address); no update sent"},
		{"no such LAN", "\toption lan_host '::1234'\n\toption lan_interface guest\n", "", "[home] lan_interface guest: interface \"guest\": no such interface in /etc/config/network; no update sent"},
		{"the LAN holds only a ULA", "\toption lan_host '::1234'\n\toption lan_device lo\n", "", "lan_device lo (lo): no global IPv6 prefix (only fd12:3456:789a::/64: a ULA or link-local prefix is never published); no update sent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.prov.answer(200, "good")
			r := e.runner()
			ifs := lanRouter(t, "lan-static.json", "wan6-dhcpv6-pd.json")
			ifs.addrs["lo"] = []rtnl.Addr{lanAddr("fd12:3456:789a::1")}
			r.Ifaces = ifs
			p := e.profile("\toption ip_version 6\n\toption interface wan6\n" + tc.extra)
			res := r.Run(context.Background(), p, nil)
			if tc.want == "" && e.prov.count() != 0 || tc.want != "" && (e.prov.count() != 1 || e.prov.last().MyIP != tc.want) {
				t.Errorf("%d requests (%+v), want myip=%q\n%s", e.prov.count(), e.prov.reqs, tc.want, e.logs)
			}
			if !strings.Contains(e.logs.String(), tc.log) {
				t.Errorf("log lacks %q:\n%s", tc.log, e.logs)
			}
			if res.LAN != "br-lan" && tc.want != "" {
				t.Errorf("the LAN device: %q", res.LAN)
			}
			if e.checkCount() != 0 {
				t.Error("a LAN host's address is no question for checkip")
			}
		})
	}
}

// TestLANHostRenumbered: the ISP delegates a new prefix; netifd keeps the old
// one, deprecated, beside it. The host's address in the new prefix is sent,
// once; the checks after it send nothing.
func TestLANHostRenumbered(t *testing.T) {
	for _, host := range []string{"::1234", "nas", "02:11:22:33:44:5a"} {
		t.Run(host, func(t *testing.T) {
			e := newEnv(t, nil)
			e.prov.answer(200, "good")
			r := e.runner()
			r.Ifaces = lanRouter(t, "lan-static.json", "wan6-dhcpv6-pd.json")
			p := e.profile("\toption ip_version 6\n\toption interface wan6\n\toption lan_host '" + host + "'\n")
			r.Run(context.Background(), p, nil)
			if e.prov.count() != 1 || !strings.HasPrefix(e.prov.last().MyIP, "2001:db8:4400:") {
				t.Fatalf("first update: %+v", e.prov.reqs)
			}
			before := e.prov.last().MyIP
			e.advance(time.Minute)
			r.Run(context.Background(), p, nil)
			if e.prov.count() != 1 {
				t.Fatalf("an unchanged prefix sent again: %+v", e.prov.reqs)
			}
			// renumbered: the router's address in the old /64 is deprecated too
			ifs := lanRouter(t, "lan-renumbered.json", "wan6-pd-renumbered.json")
			for i, a := range ifs.addrs["br-lan"] {
				if strings.HasPrefix(a.IP.String(), "2001:db8:4400:") {
					ifs.addrs["br-lan"][i].Preferred = 0
				}
			}
			r.Ifaces = ifs
			for range 3 {
				e.advance(time.Minute)
				r.Run(context.Background(), p, nil)
			}
			want := strings.Replace(before, "2001:db8:4400:", "2001:db8:5500:", 1)
			if e.prov.count() != 2 || e.prov.last().MyIP != want {
				t.Errorf("after the renumbering: %+v; want one more update, myip=%s\n%s", e.prov.reqs, want, e.logs)
			}
		})
	}
	// only the delegation says which prefix is old (the router holds no
	// address in it), found on the profile's interface or on wan6
	for _, wan := range []string{"wan6", "wan"} {
		e := newEnv(t, nil)
		e.prov.answer(200, "good")
		r := e.runner()
		ifs := lanRouter(t, "lan-renumbered.json", "wan6-pd-renumbered.json")
		ifs.addrs["br-lan"] = nil
		ifs.status["lan"] = netifd.Status{Up: true, L3Device: "br-lan", Assigned: []netip.Prefix{
			netip.MustParsePrefix("2001:db8:4400::/64"), netip.MustParsePrefix("2001:db8:5500::/64")}} // the old one first
		r.Ifaces = ifs
		r.Run(context.Background(), e.profile("\toption ip_version 6\n\toption interface "+wan+"\n\toption lan_host '::1234'\n"), nil)
		if e.prov.count() != 1 || e.prov.last().MyIP != "2001:db8:5500::1234" {
			t.Errorf("interface %s: %+v", wan, e.prov.reqs)
		}
	}
}

// TestLANHostBothFamilies: with ip_version both, the A record follows the
// router's public IPv4 address (the host is reached through a port forward)
// and the AAAA record the host.
func TestLANHostBothFamilies(t *testing.T) {
	e := newEnv(t, nil)
	e.prov.answer(200, "good")
	r := e.runner()
	r.Ifaces = lanRouter(t, "lan-static.json", "wan6-dhcpv6-pd.json")
	r.Run(context.Background(), e.profile("\toption ip_version both\n\toption lan_host nas\n"), nil)
	var sent []string
	for _, q := range e.prov.reqs {
		sent = append(sent, q.MyIP)
	}
	if strings.Join(sent, " ") != "198.51.100.7 2001:db8:4400::d1c" {
		t.Errorf("sent %q", sent)
	}
}

// TestLANPrefix: lan_prefix sends the LAN's prefix in its parameter; with the
// ipv64.net preset, onlyprefix=1 where no address goes with it; an answer
// naming the IPv4 address the request came from confirms it.
func TestLANPrefix(t *testing.T) {
	for _, tc := range []struct {
		name, extra, answer string
		want                []string // raw queries, without the credentials
	}{
		{"ip_version 6", "\toption ip_version 6\n", "good",
			[]string{"hostname=home.example.com&ipv6prefix=2001:db8:4400::/64"}},
		{"its own parameter", "\toption ip_version 6\n\toption prefix_param ip6lanprefix\n", "good 2001:db8:4400::",
			[]string{"hostname=home.example.com&ip6lanprefix=2001:db8:4400::/64"}},
		{"the preset's way", "\toption ip_version 6\n\toption service ipv64.net\n\toption server_path /nic/update\n\toption dual_stack separate\n\toption min_interval 0\n", "good 198.51.100.99",
			[]string{"hostname=home.example.com&ipv6prefix=2001:db8:4400::/64&onlyprefix=1"}},
		{"both families, one request", "\toption ip_version both\n\toption dual_stack param\n", "good 198.51.100.7",
			[]string{"hostname=home.example.com&myip=198.51.100.7&ipv6prefix=2001:db8:4400::/64"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.prov.answer(200, tc.answer)
			r := e.runner()
			r.Ifaces = lanRouter(t, "lan-static.json", "wan6-dhcpv6-pd.json")
			p := e.profile("\toption lan_prefix 1\n" + tc.extra)
			r.Run(context.Background(), p, nil)
			var got []string
			for _, q := range e.prov.query {
				got = append(got, q)
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("sent %q; want %q\n%s", got, tc.want, e.logs)
			}
			if strings.Contains(e.logs.String(), "did not confirm") || strings.Contains(e.logs.String(), "where") {
				t.Errorf("the answer was not read as confirming the prefix:\n%s", e.logs)
			}
			e.advance(time.Minute)
			r.Run(context.Background(), p, nil)
			if len(e.prov.query) != len(tc.want) {
				t.Errorf("an unchanged prefix sent again: %q", e.prov.query)
			}
		})
	}
}

// TestLANHostList: list lan_host entries HOSTNAME=HOST are profiles of their
// own: one request per host name, each with its host's address, each with
// its own state.
func TestLANHostList(t *testing.T) {
	e := newEnv(t, nil)
	e.prov.answer(200, "good")
	r := e.runner()
	r.Ifaces = lanRouter(t, "lan-static.json", "wan6-dhcpv6-pd.json")
	text := "config profile 'home'\n\toption enabled 1\n\toption server '" + e.provSrv.Listener.Addr().String() + "'\n" +
		"\toption username u\n\toption password p\n\toption ca_file '" + e.cert.CAFile + "'\n\toption dns_server '" + e.dns.Addr.String() + "'\n" +
		"\toption bind 0\n\toption ip_version 6\n\tlist lan_host 'nas.example.com=nas'\n\tlist lan_host 'printer.example.com=02:11:22:33:44:5a'\n"
	c, err := config.Parse("/etc/config/ddns-updater", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	profiles, _, err := c.Select(nil)
	if err != nil || len(profiles) != 2 {
		t.Fatalf("%d profiles, %v", len(profiles), err)
	}
	for _, p := range profiles {
		r.Run(context.Background(), p, nil)
	}
	var got []string
	for _, q := range e.prov.reqs {
		got = append(got, q.Hostname+"="+q.MyIP)
	}
	if strings.Join(got, " ") != "nas.example.com=2001:db8:4400::d1c printer.example.com=2001:db8:4400:0:11:22ff:fe33:445a" {
		t.Errorf("sent %q", got)
	}
	for _, name := range []string{"home@nas.example.com", "home@printer.example.com"} {
		if _, err := os.Stat(filepath.Join(e.stateDir, name+".state")); err != nil {
			t.Errorf("no state of its own: %v", err)
		}
	}
}
