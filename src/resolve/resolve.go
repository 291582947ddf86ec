// Package resolve asks DNS what a host name points to, through the system's
// resolver or one named server (dns_server).
package resolve

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
)

// Lookuper is what Holds needs of a resolver; *net.Resolver is one.
type Lookuper interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// New returns a resolver that asks server, or the system's resolvers when server is zero.
func New(server netip.AddrPort) *net.Resolver {
	if !server.IsValid() {
		return &net.Resolver{PreferGo: true}
	}
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, server.String())
	}}
}

// Holds reports whether DNS already answers every name with exactly addrs: for
// each family present in addrs, the records of that family are that address.
// A name that does not exist is simply not holding; other failures are errors.
func Holds(ctx context.Context, r Lookuper, names []string, addrs []netip.Addr) (bool, error) {
	for _, name := range names {
		for _, want := range addrs {
			network := "ip4"
			if want.Is6() {
				network = "ip6"
			}
			got, err := r.LookupNetIP(ctx, network, name)
			var de *net.DNSError
			if errors.As(err, &de) && de.IsNotFound {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			for i := range got {
				got[i] = got[i].Unmap()
			}
			slices.SortFunc(got, netip.Addr.Compare)
			if !slices.Equal(slices.Compact(got), []netip.Addr{want}) {
				return false, nil
			}
		}
	}
	return true, nil
}
