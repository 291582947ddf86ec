// Package lanhost works out the global IPv6 address of a host behind the
// router: the prefix the router has assigned to its LAN, joined with the
// host's interface identifier — given as a suffix, derived from its MAC
// address (EUI-64, for SLAAC hosts), or taken from its DHCPv6 lease at odhcpd.
//
// Everything here is pure: the netifd statuses and the leases come in as
// values, so that each decision is table-tested.
package lanhost

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// Kind says how a host is named.
type Kind int

// The ways to name a LAN host.
const (
	Suffix Kind = iota // an interface identifier, ::1234
	MAC                // a MAC address: the EUI-64 interface identifier
	DUID               // a DHCPv6 client's DUID, as odhcpd knows it
	Name               // the host name of a DHCPv6 lease
)

// Ident is a LAN host as the configuration names it.
type Ident struct {
	Kind   Kind
	Suffix netip.Addr // Suffix: the identifier's bits
	MAC    [6]byte    // MAC
	Text   string     // as given; DUID: lower-case hex without separators; Name: lower case
}

// String is the host as the configuration names it.
func (id Ident) String() string {
	switch id.Kind {
	case Suffix:
		return id.Suffix.String()
	case MAC:
		return fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", id.MAC[0], id.MAC[1], id.MAC[2], id.MAC[3], id.MAC[4], id.MAC[5])
	case DUID:
		return "DUID " + id.Text
	}
	return id.Text
}

// ParseIdent reads how a LAN host is named: an interface identifier (::1234),
// a MAC address (02:11:22:33:44:55, 02-11-22-33-44-55 or 021122334455), a
// DUID (hex, at least 7 bytes, colons allowed) or a DHCPv6 lease's host name.
func ParseIdent(s string) (Ident, error) {
	const expected = "expected an interface ID (::1234), a MAC address (02:11:22:33:44:55), a DHCPv6 DUID (hex) or the host name of a DHCPv6 lease"
	switch {
	case s == "":
		return Ident{}, errors.New("empty; " + expected)
	case strings.Contains(s, "::") || strings.Count(s, ":") == 7 && !isHexPairs(s, ':'):
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is6() || a.Is4In6() || a.Zone() != "" {
			return Ident{}, fmt.Errorf("%q is not an IPv6 interface ID; %s", s, expected)
		}
		if a.IsUnspecified() {
			return Ident{}, fmt.Errorf("%q is no host; expected an interface ID such as ::1234", s)
		}
		return Ident{Kind: Suffix, Suffix: a, Text: s}, nil
	}
	for _, sep := range []byte{':', '-'} {
		if !strings.ContainsRune(s, rune(sep)) || sep == '-' && (!isHexPairs(s, sep) || strings.Count(s, "-") != 5) {
			continue // a host name may hold '-'
		}
		if !isHexPairs(s, sep) {
			return Ident{}, fmt.Errorf("%q is not a MAC address (six hex octets such as 02:11:22:33:44:55); %s", s, expected)
		}
		if n := strings.Count(s, string(sep)) + 1; n != 6 {
			if n >= 7 && sep == ':' {
				return duid(strings.ReplaceAll(s, ":", ""))
			}
			return Ident{}, fmt.Errorf("%q is not a MAC address: %d octets, not 6", s, n)
		}
		return mac(strings.ReplaceAll(s, string(sep), ""), s)
	}
	if isHex(s) && len(s) == 12 {
		return mac(s, s)
	}
	if isHex(s) && len(s) >= 14 && len(s)%2 == 0 {
		return duid(s)
	}
	if len(s) > 253 || strings.HasPrefix(s, "-") || strings.HasPrefix(s, ".") {
		return Ident{}, fmt.Errorf("%q; %s", s, expected)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return Ident{}, fmt.Errorf("%q; %s", s, expected)
		}
	}
	return Ident{Kind: Name, Text: strings.ToLower(s)}, nil
}

func mac(hexDigits, given string) (Ident, error) {
	b, err := hex.DecodeString(hexDigits)
	if err != nil || len(b) != 6 {
		return Ident{}, fmt.Errorf("%q is not a MAC address", given)
	}
	id := Ident{Kind: MAC, Text: given}
	copy(id.MAC[:], b)
	switch {
	case id.MAC == [6]byte{}:
		return Ident{}, fmt.Errorf("%q is the all-zero MAC address, no host's", given)
	case id.MAC[0]&1 != 0:
		return Ident{}, fmt.Errorf("%q is a multicast MAC address, no host's", given)
	}
	return id, nil
}

func duid(hexDigits string) (Ident, error) {
	if len(hexDigits) > 260 || len(hexDigits)%2 != 0 || !isHex(hexDigits) {
		return Ident{}, fmt.Errorf("%q is not a DUID (at most 130 bytes of hex)", hexDigits)
	}
	return Ident{Kind: DUID, Text: strings.ToLower(hexDigits)}, nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return s != ""
}

// isHexPairs reports whether s is hex octets of two digits joined by sep.
func isHexPairs(s string, sep byte) bool {
	for _, p := range strings.Split(s, string(sep)) {
		if len(p) != 2 || !isHex(p) {
			return false
		}
	}
	return true
}

// EUI64 is the modified EUI-64 interface identifier of a MAC address (RFC
// 4291, appendix A): ff:fe in the middle, the universal/local bit inverted.
func EUI64(mac [6]byte) [8]byte {
	return [8]byte{mac[0] ^ 0x02, mac[1], mac[2], 0xff, 0xfe, mac[3], mac[4], mac[5]}
}

// Lease is one DHCPv6 address lease of odhcpd.
type Lease struct {
	Device   string // the LAN device it was given on (br-lan)
	DUID     string // lower-case hex
	Hostname string
	Addrs    []netip.Addr
}

// Candidate is a global prefix the LAN might hold.
type Candidate struct {
	Prefix     netip.Prefix
	Deprecated bool // its preferred lifetime is over (the prefix the ISP took back)
}

// ErrNoPrefix is the error of a LAN that holds no global prefix.
var ErrNoPrefix = errors.New("no global IPv6 prefix")

// ChoosePrefix picks the LAN prefix to publish from: an IPv6 prefix of /64 or
// shorter whose addresses publishable accepts (the caller's policy: never a
// ULA, link-local or multicast prefix), not deprecated when another is not,
// the first of equals (netifd lists the newest assignment first).
func ChoosePrefix(cands []Candidate, publishable func(netip.Addr) error) (netip.Prefix, error) {
	var best *Candidate
	var skipped []string
	for i := range cands {
		c := &cands[i]
		a := c.Prefix.Masked().Addr()
		if !a.Is6() || c.Prefix.Bits() > 64 || publishable(a) != nil {
			skipped = append(skipped, c.Prefix.String())
			continue
		}
		if best == nil || best.Deprecated && !c.Deprecated {
			best = c
		}
	}
	if best == nil {
		if len(skipped) > 0 {
			return netip.Prefix{}, fmt.Errorf("%w (only %s: a ULA or link-local prefix is never published)", ErrNoPrefix, strings.Join(skipped, ", "))
		}
		return netip.Prefix{}, ErrNoPrefix
	}
	return best.Prefix.Masked(), nil
}

func isULA(a netip.Addr) bool { return a.As16()[0]&0xfe == 0xfc }

// Address is the address of host id in prefix. leases are odhcpd's, already
// narrowed to the LAN's device; a lease with no address in prefix yet (just
// after a prefix change) gives its host part, which odhcpd keeps across
// prefixes.
func Address(prefix netip.Prefix, id Ident, leases []Lease) (netip.Addr, error) {
	bits := prefix.Bits()
	switch id.Kind {
	case Suffix:
		s := id.Suffix.As16()
		for i := 0; i < bits; i++ {
			if s[i/8]&(0x80>>(i%8)) != 0 {
				return netip.Addr{}, fmt.Errorf("the interface ID %s is longer than the /%d prefix %s leaves room for", id.Suffix, bits, prefix)
			}
		}
		return join(prefix, s), nil
	case MAC:
		if bits > 64 {
			return netip.Addr{}, fmt.Errorf("the prefix %s is longer than /64: no room for a MAC-derived (EUI-64) interface ID", prefix)
		}
		var s [16]byte
		e := EUI64(id.MAC)
		copy(s[8:], e[:])
		return join(prefix, s), nil
	}
	var hostPart []netip.Addr
	found := false
	for _, l := range leases {
		if id.Kind == DUID && l.DUID != id.Text || id.Kind == Name && !strings.EqualFold(l.Hostname, id.Text) {
			continue
		}
		found = true
		for _, a := range l.Addrs {
			if prefix.Contains(a) {
				return a, nil
			}
			if a.Is6() && a.IsGlobalUnicast() && !isULA(a) {
				hostPart = append(hostPart, a)
			}
		}
	}
	switch {
	case len(hostPart) > 0:
		return join(prefix, hostPart[0].As16()), nil
	case found:
		return netip.Addr{}, fmt.Errorf("odhcpd's lease of %s holds no global address", id)
	case id.Kind == DUID:
		return netip.Addr{}, fmt.Errorf("odhcpd has no DHCPv6 lease for DUID %s (ubus call dhcp ipv6leases lists them)", id.Text)
	}
	return netip.Addr{}, fmt.Errorf("odhcpd has no DHCPv6 lease for a host named %s (ubus call dhcp ipv6leases lists them; a SLAAC-only host is named by its MAC address)", id.Text)
}

// join is prefix's bits followed by host's bits after them.
func join(prefix netip.Prefix, host [16]byte) netip.Addr {
	p := prefix.Masked().Addr().As16()
	bits := prefix.Bits()
	for i := 0; i < 16; i++ {
		keep := min(max(bits-8*i, 0), 8) // bits of byte i that are the prefix's
		mask := byte(0xff << (8 - keep))
		p[i] = p[i]&mask | host[i]&^mask
	}
	return netip.AddrFrom16(p)
}
