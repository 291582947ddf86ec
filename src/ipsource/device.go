package ipsource

import (
	"cmp"
	"net/netip"
	"slices"

	"ddns-updater/src/rtnl"
)

// FromDevice picks the address to publish from a device's addresses.
//
// IPv4: the first primary address that policy accepts, else the first secondary
// one it accepts, else the first primary address at all, so that the caller sees
// why it is not public (a private or CGNAT WAN, where checkip must answer).
//
// IPv6: global unicast only; never ULA, link-local, deprecated (or with no
// preferred lifetime left), tentative, DAD-failed or temporary (privacy)
// addresses; permanent ones first, then the longest preferred lifetime. With a
// valid suffix, the chosen address's /64 prefix is published with that
// interface ID instead.
func FromDevice(addrs []rtnl.Addr, v6 bool, suffix netip.Addr, policy Policy) (netip.Addr, bool) {
	if !v6 {
		return pick4(addrs, policy)
	}
	strict := policy.Global()
	var cands []rtnl.Addr
	for _, a := range addrs {
		bad := uint32(rtnl.FlagDeprecated | rtnl.FlagTentative | rtnl.FlagDADFailed | rtnl.FlagTemporary)
		if a.IP.Is6() && !a.IP.Is4In6() && a.Flags&bad == 0 && a.Preferred > 0 && strict.Check(a.IP) == nil {
			cands = append(cands, a)
		}
	}
	if len(cands) == 0 {
		return netip.Addr{}, false
	}
	best := slices.MinFunc(cands, func(x, y rtnl.Addr) int {
		xp, yp := x.Flags&rtnl.FlagPermanent != 0, y.Flags&rtnl.FlagPermanent != 0
		if xp != yp {
			if xp {
				return -1
			}
			return 1
		}
		return cmp.Compare(y.Preferred, x.Preferred) // longer first
	}).IP
	if suffix.IsValid() {
		hi, lo := best.As16(), suffix.As16()
		copy(hi[8:], lo[8:])
		best = netip.AddrFrom16(hi)
	}
	return best, true
}

func pick4(addrs []rtnl.Addr, policy Policy) (netip.Addr, bool) {
	var firstPrimary netip.Addr
	for _, secondary := range []bool{false, true} {
		for _, a := range addrs {
			if !a.IP.Is4() || (a.Flags&rtnl.FlagSecondary != 0) != secondary {
				continue
			}
			if policy.Check(a.IP) == nil {
				return a.IP, true
			}
			if !secondary && !firstPrimary.IsValid() {
				firstPrimary = a.IP
			}
		}
	}
	return firstPrimary, firstPrimary.IsValid()
}
