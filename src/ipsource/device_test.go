package ipsource

import (
	"net/netip"
	"testing"

	"ddns-updater/src/rtnl"
)

func addr(ip string, flags uint32, preferred uint32) rtnl.Addr {
	return rtnl.Addr{IP: netip.MustParseAddr(ip), Flags: flags, Preferred: preferred, Valid: rtnl.Forever}
}

func TestFromDevice(t *testing.T) {
	docs := Policy{AllowDocumentation: true}
	perm := uint32(rtnl.FlagPermanent)
	for _, tc := range []struct {
		name   string
		addrs  []rtnl.Addr
		v6     bool
		suffix string
		want   string // "" = none
	}{
		{"public v4", []rtnl.Addr{addr("203.0.113.10", 0, rtnl.Forever)}, false, "", "203.0.113.10"},
		{"public beside private", []rtnl.Addr{addr("192.168.1.2", 0, rtnl.Forever), addr("203.0.113.10", 0, rtnl.Forever)}, false, "", "203.0.113.10"},
		{"public secondary only", []rtnl.Addr{addr("10.0.0.2", 0, rtnl.Forever), addr("203.0.113.11", rtnl.FlagSecondary, rtnl.Forever)}, false, "", "203.0.113.11"},
		{"CGNAT: returned so the caller can fall back", []rtnl.Addr{addr("100.67.227.167", 0, rtnl.Forever)}, false, "", "100.67.227.167"},
		{"no v4", []rtnl.Addr{addr("2001:db8::1", perm, rtnl.Forever)}, false, "", ""},
		{"stable beside temporary and deprecated", []rtnl.Addr{
			addr("2001:db8::aaaa", rtnl.FlagTemporary, 86400),
			addr("2001:db8:2::1", rtnl.FlagDeprecated, 0),
			addr("2001:db8:1::1", 0, 3600),
		}, true, "", "2001:db8:1::1"},
		{"permanent first", []rtnl.Addr{addr("2001:db8:1::1", 0, rtnl.Forever-1), addr("2001:db8:3::1", perm, 10)}, true, "", "2001:db8:3::1"},
		{"longest preferred lifetime", []rtnl.Addr{addr("2001:db8:1::1", 0, 100), addr("2001:db8:3::1", 0, 5000)}, true, "", "2001:db8:3::1"},
		{"preferred lifetime 0 without the flag", []rtnl.Addr{addr("2001:db8:1::1", 0, 0)}, true, "", ""},
		{"ULA and link-local skipped", []rtnl.Addr{addr("fd00::1", perm, rtnl.Forever), addr("fe80::1", perm, rtnl.Forever)}, true, "", ""},
		{"tentative and dadfailed skipped", []rtnl.Addr{addr("2001:db8::1", rtnl.FlagTentative, 100), addr("2001:db8::2", rtnl.FlagDADFailed, 100)}, true, "", ""},
		{"suffix", []rtnl.Addr{addr("2001:db8:3498:278f::1", perm, rtnl.Forever)}, true, "::1234", "2001:db8:3498:278f::1234"},
	} {
		var suffix netip.Addr
		if tc.suffix != "" {
			suffix = netip.MustParseAddr(tc.suffix)
		}
		got, ok := FromDevice(tc.addrs, tc.v6, suffix, docs)
		if tc.want == "" {
			if ok {
				t.Errorf("%s: picked %v, want none", tc.name, got)
			}
			continue
		}
		if !ok || got != netip.MustParseAddr(tc.want) {
			t.Errorf("%s: %v %v, want %s", tc.name, got, ok, tc.want)
		}
	}
	// ULA stays out even with allow_private.
	if _, ok := FromDevice([]rtnl.Addr{addr("fd00::1", perm, rtnl.Forever)}, true, netip.Addr{}, Policy{AllowPrivate: true}); ok {
		t.Error("ULA picked with allow_private")
	}
}
