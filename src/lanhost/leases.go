package lanhost

import (
	"errors"
	"net/netip"
	"sort"
	"strings"

	"ddns-updater/src/jsonlite"
)

// ParseLeases reads what `ubus call dhcp ipv6leases` prints: odhcpd's address
// leases per LAN device. Each address is an object with "address" (odhcpd of
// OpenWrt 23.05 and later; older ones left the key empty) or, in the oldest,
// a string of the list "ipv6". Prefix leases (DHCPv6-PD to routers behind
// this one) are not hosts and are left out.
func ParseLeases(data []byte) ([]Lease, error) {
	v, err := jsonlite.Parse(data)
	if err != nil {
		return nil, err
	}
	top, _ := v.(map[string]any)
	devs, ok := top["device"].(map[string]any)
	if !ok {
		return nil, errors.New(`odhcpd's lease list has no "device" object`)
	}
	names := make([]string, 0, len(devs))
	for d := range devs {
		names = append(names, d)
	}
	sort.Strings(names)
	var out []Lease
	for _, dev := range names {
		d, _ := devs[dev].(map[string]any)
		list, _ := d["leases"].([]any)
		for _, item := range list {
			m, ok := item.(map[string]any)
			if !ok {
				continue
			}
			l := Lease{Device: dev}
			l.DUID, _ = m["duid"].(string)
			l.DUID = strings.ToLower(l.DUID)
			l.Hostname, _ = m["hostname"].(string)
			addrs, _ := m["ipv6-addr"].([]any)
			if old, ok := m["ipv6"].([]any); ok {
				addrs = append(addrs, old...)
			}
			for _, a := range addrs {
				if ip, ok := leaseAddr(a); ok {
					l.Addrs = append(l.Addrs, ip)
				}
			}
			if _, pd := m["ipv6-prefix"]; pd && len(l.Addrs) == 0 {
				continue // a prefix delegated to a router behind this one
			}
			out = append(out, l)
		}
	}
	return out, nil
}

// leaseAddr reads one address of a lease: a string, or an object whose
// "address" (or, in older odhcpd, unnamed) member is one.
func leaseAddr(v any) (netip.Addr, bool) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case map[string]any:
		if a, ok := x["address"].(string); ok {
			s = a
		} else {
			s, _ = x[""].(string)
		}
	}
	a, err := netip.ParseAddr(s)
	return a, err == nil && a.Is6() && a.Zone() == ""
}

// OnDevice narrows leases to those given on device ("": all).
func OnDevice(leases []Lease, device string) []Lease {
	if device == "" {
		return leases
	}
	var out []Lease
	for _, l := range leases {
		if l.Device == device {
			out = append(out, l)
		}
	}
	return out
}
