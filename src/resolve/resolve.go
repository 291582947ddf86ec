// Package resolve asks DNS what a host name points to, through the system's
// resolver or one named server (dns_server).
package resolve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// Lookuper is what Holds needs of a resolver; *net.Resolver is one.
type Lookuper interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// New returns a resolver that asks server, or the system's resolvers when
// server is zero; dial (nil: a plain net.Dialer's) reaches the server, as a
// profile's uplink does.
func New(server netip.AddrPort, dial func(ctx context.Context, network, address string) (net.Conn, error)) Lookuper {
	if !server.IsValid() {
		return &net.Resolver{PreferGo: true}
	}
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	return &named{server: server, r: &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dial(ctx, network, server.String())
	}}}
}

// named asks one server. Go's resolver names in its errors the server it would
// have dialled (from resolv.conf), not the one Dial really reached: named puts
// the real one in.
type named struct {
	server netip.AddrPort
	r      *net.Resolver
}

func (n *named) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	addrs, err := n.r.LookupNetIP(ctx, network, host)
	if err == nil {
		return addrs, nil
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		c := *de
		c.Server = n.server.String()
		return addrs, &c
	}
	return addrs, fmt.Errorf("lookup %s on %s: %w", host, n.server, err)
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
			if len(got) == 0 {
				return false, nil
			}
			for _, g := range got {
				if g.Unmap() != want {
					return false, nil
				}
			}
		}
	}
	return true, nil
}
