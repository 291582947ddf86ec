package lanhost

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseLeases: whatever ubus prints, leases or an error, never a panic;
// every address kept is an IPv6 address.
func FuzzParseLeases(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		leases, err := ParseLeases(data)
		if err != nil && leases != nil {
			t.Fatalf("an error with leases: %+v", leases)
		}
		for _, l := range leases {
			for _, a := range l.Addrs {
				if !a.Is6() || a.Zone() != "" {
					t.Fatalf("kept %v", a)
				}
			}
		}
	})
}

// FuzzIdent: a host named any way gives an address inside the prefix, or an error.
func FuzzIdent(f *testing.F) {
	for _, s := range []string{"::1234", "02:11:22:33:44:55", "0001000129d3c5e002112233445a", "nas", "::1:0:0:0:1"} {
		f.Add(s)
	}
	prefix := netip.MustParsePrefix("2001:db8:4400::/64")
	leases := []Lease{{Device: "br-lan", DUID: "0001000129d3c5e002112233445a", Hostname: "nas", Addrs: []netip.Addr{netip.MustParseAddr("2001:db8:5500::d1c")}}}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseIdent(s)
		if err != nil {
			return
		}
		a, err := Address(prefix, id, leases)
		if err == nil && !prefix.Contains(a) {
			t.Fatalf("%q: %v is outside %v", s, a, prefix)
		}
	})
}
