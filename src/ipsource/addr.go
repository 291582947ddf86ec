// Package ipsource finds the address to publish: from a device's addresses as
// rtnetlink reports them (device.go) or from a checkip web server (web.go), and
// decides which addresses may be published (this file, for every source).
package ipsource

import (
	"fmt"
	"net/netip"
)

// Policy says which addresses may be published.
type Policy struct {
	// AllowPrivate accepts private, CGNAT, ULA and benchmarking addresses (allow_private 1).
	AllowPrivate bool
	// AllowDocumentation accepts the documentation ranges. For tests only: no
	// configuration option sets it.
	AllowDocumentation bool
}

type special struct {
	prefix  netip.Prefix
	what    string
	private bool // allowed by AllowPrivate
	doc     bool // allowed by AllowDocumentation
}

var specials = func() []special {
	table := [...]struct {
		prefix, what string
		private, doc bool
	}{
		{"0.0.0.0/8", "an unspecified address (0.0.0.0/8)", false, false},
		{"10.0.0.0/8", "a private address (10.0.0.0/8)", true, false},
		{"100.64.0.0/10", "a carrier-grade NAT address (100.64.0.0/10)", true, false},
		{"127.0.0.0/8", "a loopback address", false, false},
		{"169.254.0.0/16", "a link-local address", false, false},
		{"172.16.0.0/12", "a private address (172.16.0.0/12)", true, false},
		{"192.0.0.0/24", "an IETF protocol address (192.0.0.0/24)", false, false},
		{"192.0.2.0/24", "a documentation address (192.0.2.0/24)", false, true},
		{"192.168.0.0/16", "a private address (192.168.0.0/16)", true, false},
		{"198.18.0.0/15", "a benchmarking address (198.18.0.0/15)", true, false},
		{"198.51.100.0/24", "a documentation address (198.51.100.0/24)", false, true},
		{"203.0.113.0/24", "a documentation address (203.0.113.0/24)", false, true},
		{"224.0.0.0/4", "a multicast address", false, false},
		{"240.0.0.0/4", "a reserved address (240.0.0.0/4)", false, false},
		{"::/128", "the unspecified address", false, false},
		{"::1/128", "a loopback address", false, false},
		{"::ffff:0:0/96", "an IPv4-mapped address", false, false},
		{"fc00::/7", "a unique local address (fc00::/7, ULA)", true, false},
		{"fe80::/10", "a link-local address", false, false},
		{"ff00::/8", "a multicast address", false, false},
		{"2001:db8::/32", "a documentation address (2001:db8::/32)", false, true},
	}
	out := make([]special, len(table)) // parsed in one loop: an inlined parse per row costs kilobytes of binary
	for i, t := range table {
		out[i] = special{netip.MustParsePrefix(t.prefix), t.what, t.private, t.doc}
	}
	return out
}()

// Global is p without allow_private: the policy for an IPv6 address or prefix
// taken from a device or the LAN, where a ULA never counts (allow_private is
// for the IPv4 of a WAN behind NAT).
func (p Policy) Global() Policy { return Policy{AllowDocumentation: p.AllowDocumentation} }

var globalUnicast6 = netip.MustParsePrefix("2000::/3")

// Check returns nil when a may be published as the public address, else why not.
func (p Policy) Check(a netip.Addr) error {
	if !a.IsValid() {
		return fmt.Errorf("no address")
	}
	if a.Zone() != "" {
		return fmt.Errorf("%s has a zone: not a public address", a)
	}
	for _, s := range specials {
		if s.prefix.Contains(a) {
			if (s.private && p.AllowPrivate) || (s.doc && p.AllowDocumentation) {
				return nil
			}
			hint := ""
			if s.private {
				hint = " (allow_private 1 publishes it anyway)"
			}
			return fmt.Errorf("%s is %s, not a public address%s", a, s.what, hint)
		}
	}
	if a.Is6() && !globalUnicast6.Contains(a) {
		return fmt.Errorf("%s is not a global unicast IPv6 address (2000::/3)", a)
	}
	return nil
}
