package lanhost

import (
	"net/netip"
	"os"
	"reflect"
	"strings"
	"testing"

	"ddns-updater/src/ipsource"
)

func TestParseIdent(t *testing.T) {
	for _, tc := range []struct {
		in   string
		kind Kind
		text string // String() of the result
		err  string // part of the error; "" for none
	}{
		{"::1234", Suffix, "::1234", ""},
		{"::d1c", Suffix, "::d1c", ""},
		{"0:0:0:0:211:22ff:fe33:4455", Suffix, "::211:22ff:fe33:4455", ""},
		{"::1:0:0:0:1234", Suffix, "::1:0:0:0:1234", ""}, // fits a /63 or shorter: said at run time
		{"02:11:22:33:44:55", MAC, "02:11:22:33:44:55", ""},
		{"02-11-22-33-44-5A", MAC, "02:11:22:33:44:5a", ""},
		{"02112233445a", MAC, "02:11:22:33:44:5a", ""},
		{"0001000129d3c5e002112233445a", DUID, "DUID 0001000129d3c5e002112233445a", ""},
		{"00:01:00:01:29:D3:C5:E0:02:11:22:33:44:5A", DUID, "DUID 0001000129d3c5e002112233445a", ""},
		{"nas", Name, "nas", ""},
		{"NAS-2.lan", Name, "nas-2.lan", ""},
		{"", 0, "", "empty"},
		{"::", 0, "", "is no host"},
		{"::g", 0, "", "not an IPv6 interface ID"},
		{"fe80::1%br-lan", 0, "", "not an IPv6 interface ID"},
		{"02:11:22:33:44", 0, "", "not a MAC address: 5 octets"},
		{"02:11:22:33:44:5g", 0, "", "not a MAC address (six hex octets"},
		{"02:11:22:33:4:55", 0, "", "not a MAC address (six hex octets"},
		{"01:00:5e:00:00:01", 0, "", "multicast MAC"},
		{"00:00:00:00:00:00", 0, "", "all-zero MAC"},
		{"my nas", 0, "", "expected an interface ID"},
		{"-nas", 0, "", "expected an interface ID"},
	} {
		id, err := ParseIdent(tc.in)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%q: %v; want an error with %q", tc.in, err, tc.err)
		case tc.err == "" && err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case tc.err == "" && (id.Kind != tc.kind || id.String() != tc.text):
			t.Errorf("%q: kind %d %q; want %d %q", tc.in, id.Kind, id.String(), tc.kind, tc.text)
		}
	}
}

// TestEUI64: golden cases, the first from RFC 4291 appendix A.
func TestEUI64(t *testing.T) {
	for _, tc := range []struct{ mac, want string }{
		{"34:56:78:9a:bc:de", "3656:78ff:fe9a:bcde"},
		{"00:11:22:33:44:55", "0211:22ff:fe33:4455"},
		{"02:00:5e:10:00:01", "0000:5eff:fe10:0001"}, // a local address: the bit goes the other way
		{"52:54:00:12:34:56", "5054:00ff:fe12:3456"}, // qemu's
		{"fc:ff:ff:ff:ff:ff", "feff:ffff:feff:ffff"},
	} {
		id, err := ParseIdent(tc.mac)
		if err != nil {
			t.Fatal(err)
		}
		e := EUI64(id.MAC)
		got := strings.Join([]string{hex2(e[0:2]), hex2(e[2:4]), hex2(e[4:6]), hex2(e[6:8])}, ":")
		if got != tc.want {
			t.Errorf("%s: %s; want %s", tc.mac, got, tc.want)
		}
	}
}

func hex2(b []byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[b[0]>>4], digits[b[0]&15], digits[b[1]>>4], digits[b[1]&15]})
}

// publishable is the daemon's policy for an IPv6 prefix (ipsource.Policy.Global),
// with the documentation prefixes the tests use allowed.
var publishable = ipsource.Policy{AllowDocumentation: true}.Global().Check

func TestChoosePrefix(t *testing.T) {
	p := netip.MustParsePrefix
	for _, tc := range []struct {
		name  string
		cands []Candidate
		want  string // "" for an error
		err   string
	}{
		{"one", []Candidate{{Prefix: p("2001:db8:4400::/64")}}, "2001:db8:4400::/64", ""},
		{"the ULA is never taken", []Candidate{{Prefix: p("fd12:3456:789a::/64")}, {Prefix: p("2001:db8:4400::/64")}}, "2001:db8:4400::/64", ""},
		{"after a renumbering: the new one", []Candidate{{Prefix: p("2001:db8:4400::/64"), Deprecated: true}, {Prefix: p("2001:db8:5500::/64")}}, "2001:db8:5500::/64", ""},
		{"only a deprecated one: still the LAN's", []Candidate{{Prefix: p("2001:db8:4400::/64"), Deprecated: true}}, "2001:db8:4400::/64", ""},
		{"the first of equals", []Candidate{{Prefix: p("2001:db8:5500::/64")}, {Prefix: p("2001:db8:4400::/64")}}, "2001:db8:5500::/64", ""},
		{"masked", []Candidate{{Prefix: p("2001:db8:4400::1/64")}}, "2001:db8:4400::/64", ""},
		{"only a ULA", []Candidate{{Prefix: p("fd12:3456:789a::/64")}}, "", "no global IPv6 prefix (only fd12:3456:789a::/64: a ULA or link-local prefix is never published)"},
		{"only link-local", []Candidate{{Prefix: p("fe80::/64")}}, "", "only fe80::/64"},
		{"longer than /64", []Candidate{{Prefix: p("2001:db8:4400::/80")}}, "", "only 2001:db8:4400::/80"},
		{"outside 2000::/3", []Candidate{{Prefix: p("4000::/64")}}, "", "only 4000::/64"},
		{"multicast", []Candidate{{Prefix: p("ff05::/64")}}, "", "only ff05::/64"},
		{"none", nil, "", "no global IPv6 prefix"},
	} {
		got, err := ChoosePrefix(tc.cands, publishable)
		if tc.want == "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %v, %v; want an error with %q", tc.name, got, err, tc.err)
			}
			continue
		}
		if err != nil || got.String() != tc.want {
			t.Errorf("%s: %v, %v; want %s", tc.name, got, err, tc.want)
		}
	}
}

func TestAddress(t *testing.T) {
	leases := loadLeases(t, "testdata/ipv6leases.json")
	lan := OnDevice(leases, "br-lan")
	p64 := netip.MustParsePrefix("2001:db8:4400::/64")
	renumbered := netip.MustParsePrefix("2001:db8:5500::/64")
	for _, tc := range []struct {
		name   string
		prefix netip.Prefix
		ident  string
		leases []Lease
		want   string
		err    string
	}{
		{"suffix", p64, "::1234", nil, "2001:db8:4400::1234", ""},
		{"suffix, renumbered", renumbered, "::1234", nil, "2001:db8:5500::1234", ""},
		{"suffix filling 64 bits", p64, "::211:22ff:fe33:4455", nil, "2001:db8:4400:0:211:22ff:fe33:4455", ""},
		{"suffix into a /60", netip.MustParsePrefix("2001:db8:4400::/60"), "::3:0:0:0:1", nil, "2001:db8:4400:3::1", ""},
		{"suffix too long", p64, "::1:0:0:0:1234", nil, "", "the interface ID ::1:0:0:0:1234 is longer than the /64 prefix 2001:db8:4400::/64 leaves room for"},
		{"MAC: EUI-64", p64, "00:11:22:33:44:55", nil, "2001:db8:4400:0:211:22ff:fe33:4455", ""},
		{"MAC into a /72", netip.MustParsePrefix("2001:db8:4400::/72"), "00:11:22:33:44:55", nil, "", "longer than /64"},
		{"lease by name", p64, "nas", lan, "2001:db8:4400::d1c", ""},
		{"lease by name, any case", p64, "NAS", lan, "2001:db8:4400::d1c", ""},
		{"lease by DUID", p64, "00020000ab11d2a3e8f1c0b9", lan, "2001:db8:4400::abf", ""},
		{"lease by DUID with colons", p64, "00:02:00:00:ab:11:d2:a3:e8:f1:c0:b9", lan, "2001:db8:4400::abf", ""},
		// just after a renumbering odhcpd may not list the new address yet:
		// the host part it gives the lease in every prefix
		{"lease, renumbered", renumbered, "nas", lan, "2001:db8:5500::d1c", ""},
		{"lease on another device only", p64, "nas", OnDevice(leases, "br-guest"), "2001:db8:4400::4d", ""},
		{"no such lease", p64, "printer", lan, "", "odhcpd has no DHCPv6 lease for a host named printer"},
		{"no such DUID", p64, "0001000100000000aabbccddeeff", lan, "", "odhcpd has no DHCPv6 lease for DUID 0001000100000000aabbccddeeff"},
		{"a prefix lease is no host", p64, "router2", lan, "", "no DHCPv6 lease for a host named router2"},
	} {
		id, err := ParseIdent(tc.ident)
		if err != nil {
			t.Fatal(tc.ident, err)
		}
		got, err := Address(tc.prefix, id, tc.leases)
		if tc.want == "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: %v, %v; want an error with %q", tc.name, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != netip.MustParseAddr(tc.want) {
			t.Errorf("%s: %v, %v; want %s", tc.name, got, err, tc.want)
		}
	}
}

func loadLeases(t *testing.T, file string) []Lease {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ParseLeases(data)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestParseLeases(t *testing.T) {
	a := netip.MustParseAddr
	got := loadLeases(t, "testdata/ipv6leases.json")
	want := []Lease{
		{Device: "br-guest", DUID: "0001000129d3c5e0021122334499", Hostname: "NAS", Addrs: []netip.Addr{a("2001:db8:4401::4d")}},
		{Device: "br-lan", DUID: "0001000129d3c5e002112233445a", Hostname: "nas", Addrs: []netip.Addr{a("2001:db8:4400::d1c"), a("fd12:3456:789a::d1c")}},
		{Device: "br-lan", DUID: "00020000ab11d2a3e8f1c0b9", Addrs: []netip.Addr{a("2001:db8:4400::abf")}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%+v\nwant %+v", got, want)
	}
	old := loadLeases(t, "testdata/ipv6leases-19.07.json")
	if len(old) != 1 || old[0].Hostname != "nas" || !reflect.DeepEqual(old[0].Addrs, []netip.Addr{a("2001:db8:4400::d1c")}) {
		t.Errorf("19.07: %+v", old)
	}
	// an address object whose key odhcpd left empty (21.02)
	l, err := ParseLeases([]byte(`{"device":{"br-lan":{"leases":[{"duid":"00","hostname":"x","ipv6-addr":[{"":"2001:db8:4400::7","preferred-lifetime":1}]}]}}}`))
	if err != nil || len(l) != 1 || !reflect.DeepEqual(l[0].Addrs, []netip.Addr{a("2001:db8:4400::7")}) {
		t.Errorf("unnamed address: %+v, %v", l, err)
	}
	for _, bad := range []string{`[]`, `{}`, `{"device": []}`, `not json`} {
		if _, err := ParseLeases([]byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	if l, err := ParseLeases([]byte(`{"device":{}}`)); err != nil || len(l) != 0 {
		t.Errorf("odhcpd without DHCPv6 service: %v, %v", l, err)
	}
}
