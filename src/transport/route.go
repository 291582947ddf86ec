package transport

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Route is the uplink a profile's requests leave through: its device, bound
// with SO_BINDTODEVICE, and per family the device's address as the source, so
// that policy routing (mwan3's "from ADDR lookup TABLE" rules) sends them out
// there as well. The zero value binds nothing; the runner sets it at each
// check from the profile's interface.
type Route struct {
	mu         sync.Mutex
	dev        string
	src4, src6 netip.Addr
	refused    error // why the kernel would not bind the device (an old kernel, qemu-user)
	said       bool
}

// Set makes requests leave through dev from src4 or src6 (an invalid address:
// none of that family); dev "" unbinds.
func (r *Route) Set(dev string, src4, src6 netip.Addr) {
	r.mu.Lock()
	r.dev, r.src4, r.src6 = dev, src4, src6
	r.mu.Unlock()
}

// Refused says, the first time only, why the device could not be bound: the
// source address still applies.
func (r *Route) Refused() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.refused == nil || r.said {
		return nil
	}
	r.said = true
	return r.refused
}

// Dial connects as a net.Dialer would (tcp or udp, either family or one),
// through the route; what DNS lookups of a profile dial.
func (r *Route) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	d := &net.Dialer{Timeout: 10 * time.Second}
	host, _, _ := net.SplitHostPort(address)
	return d.DialContext(ctx, r.prepare(d, network, host), address)
}

// prepare sets d up for the route to host and returns the network to dial:
// the family is the host's when it is an address, else what the network
// names, else the family the device has an address of, IPv4 first. A
// loopback host is not routed: it never leaves the router.
func (r *Route) prepare(d *net.Dialer, network, host string) string {
	r.mu.Lock()
	dev, src4, src6 := r.dev, r.src4, r.src6
	r.mu.Unlock()
	a, err := netip.ParseAddr(host)
	if dev == "" || host == "localhost" || err == nil && a.IsLoopback() {
		return network
	}
	proto := strings.TrimRight(network, "46") // tcp or udp
	v6 := strings.HasSuffix(network, "6") || !strings.HasSuffix(network, "4") && !src4.IsValid() && src6.IsValid()
	if err == nil {
		v6 = !a.Unmap().Is4()
	}
	src := src4
	if network = proto + "4"; v6 {
		src, network = src6, proto+"6"
	}
	if src.IsValid() {
		if proto == "udp" {
			d.LocalAddr = &net.UDPAddr{IP: src.AsSlice()}
		} else {
			d.LocalAddr = &net.TCPAddr{IP: src.AsSlice()}
		}
	}
	d.Control = func(_, _ string, c syscall.RawConn) error {
		var err error
		c.Control(func(fd uintptr) {
			err = syscall.SetsockoptString(int(fd), syscall.SOL_SOCKET, syscall.SO_BINDTODEVICE, dev)
		})
		if err != nil {
			r.mu.Lock()
			r.refused = err
			r.mu.Unlock()
		}
		return nil // the source address still leads the way
	}
	return network
}
