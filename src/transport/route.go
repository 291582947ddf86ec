package transport

import (
	"net"
	"net/netip"
	"sync"
	"syscall"
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

// prepare sets d up for the route to host and returns the network to dial: a
// dial for either family ("tcp") takes the family the device has an address
// of, IPv4 first. A loopback host is not routed: it never leaves the router.
func (r *Route) prepare(d *net.Dialer, network, host string) string {
	r.mu.Lock()
	dev, src4, src6 := r.dev, r.src4, r.src6
	r.mu.Unlock()
	if a, err := netip.ParseAddr(host); dev == "" || host == "localhost" || err == nil && a.IsLoopback() {
		return network
	}
	src := netip.Addr{}
	switch {
	case network == "tcp4" || network == "tcp" && src4.IsValid():
		network, src = "tcp4", src4
	case network == "tcp6" || network == "tcp" && src6.IsValid():
		network, src = "tcp6", src6
	}
	if src.IsValid() {
		d.LocalAddr = &net.TCPAddr{IP: src.AsSlice()}
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
