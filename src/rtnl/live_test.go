package rtnl

import (
	"context"
	"net/netip"
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
