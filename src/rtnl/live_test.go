package rtnl

import (
	"context"
	"net/netip"
	"os"
	"testing"
	"time"

	"ddns-updater/src/internal/netns"
)

func dialIn(t *testing.T, ns *netns.NS) func() (*Conn, error) {
	return func() (c *Conn, err error) {
		if e := ns.Do(func() { c, err = Dial() }); e != nil {
			t.Fatal(e)
		}
		return c, err
	}
}

func hasAddr(addrs []Addr, ip string) bool {
	for _, a := range addrs {
		if a.IP == netip.MustParseAddr(ip) {
			return true
		}
	}
	return false
}

// TestWatchInNamespace: the dump sees what is there, notifications what changes.
func TestWatchInNamespace(t *testing.T) {
	ns := netns.New(t)
	ns.IP("link", "add", "wan0", "type", "veth", "peer", "name", "wan0p")
	ns.IP("link", "set", "wan0", "up")
	ns.IP("addr", "add", "203.0.113.10/24", "dev", "wan0")

	snap := NewTable()
	if err := snap.Load(dialIn(t, ns)); err != nil {
		t.Fatal(err)
	}
	if addrs, ok := snap.Addrs("wan0"); !ok || !hasAddr(addrs, "203.0.113.10") {
		t.Fatalf("snapshot: %v %v", addrs, ok)
	}
	if _, ok := snap.Addrs("eth9"); ok {
		t.Error("a device that does not exist")
	}

	table := NewTable()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	changes := make(chan string, 100)
	done := make(chan error, 1)
	go func() {
		done <- table.Watch(ctx, dialIn(t, ns), func() { close(ready) }, func(dev string) { changes <- dev })
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatal(err)
	}
	ns.IP("addr", "add", "203.0.113.20/24", "dev", "wan0")
	waitFor(t, changes, "wan0")
	if addrs, _ := table.Addrs("wan0"); !hasAddr(addrs, "203.0.113.20") {
		t.Errorf("after RTM_NEWADDR: %v", addrs)
	}
	ns.IP("addr", "del", "203.0.113.20/24", "dev", "wan0")
	waitFor(t, changes, "wan0")
	if addrs, _ := table.Addrs("wan0"); hasAddr(addrs, "203.0.113.20") {
		t.Errorf("after RTM_DELADDR: %v", addrs)
	}
	// A link that gets its carrier, then goes down keeping its IPv4 address,
	// is a change of its own (IPv6 off, so that no address event comes with it).
	var werr error
	if err := ns.Do(func() { werr = os.WriteFile("/proc/sys/net/ipv6/conf/wan0/disable_ipv6", []byte("1"), 0o644) }); err != nil || werr != nil {
		t.Fatal(err, werr)
	}
	if table.LinkUp("wan0") {
		t.Error("wan0 is up but its peer is down: no carrier")
	}
	ns.IP("link", "set", "wan0p", "up")
	waitFor(t, changes, "wan0")
	if !table.LinkUp("wan0") {
		t.Error("wan0 has its carrier now")
	}
	ns.IP("link", "set", "wan0", "down")
	waitFor(t, changes, "wan0")
	if addrs, _ := table.Addrs("wan0"); table.LinkUp("wan0") || !hasAddr(addrs, "203.0.113.10") {
		t.Errorf("wan0 down: LinkUp %v, addresses %v", table.LinkUp("wan0"), addrs)
	}
	if !table.LinkUp("eth9") {
		t.Error("a device the table does not know is not said to be down")
	}
	// A device that appears later (pppoe-wan when PPP connects) is learnt from RTM_NEWLINK.
	ns.IP("link", "add", "pppoe-wan", "type", "veth", "peer", "name", "pppx")
	ns.IP("link", "set", "pppoe-wan", "up")
	ns.IP("addr", "add", "198.51.100.7", "peer", "198.51.100.1", "dev", "pppoe-wan")
	waitFor(t, changes, "pppoe-wan")
	if addrs, ok := table.Addrs("pppoe-wan"); !ok || !hasAddr(addrs, "198.51.100.7") {
		t.Errorf("new device: %v %v", addrs, ok)
	}
	cancel()
	select {
	case err := <-done:
		if err != context.Canceled {
			t.Errorf("Watch ended with %v", err)
		}
	case <-time.After(5 * time.Second): // a bound on a hang, not a timing assertion
		t.Fatal("Watch did not stop when its context ended")
	}
}

func waitFor(t *testing.T, changes chan string, dev string) {
	t.Helper()
	timeout := time.After(5 * time.Second) // a bound on a hang, not a timing assertion
	for {
		select {
		case d := <-changes:
			if d == dev {
				return
			}
		case <-timeout:
			t.Fatalf("no notification for %s", dev)
		}
	}
}
