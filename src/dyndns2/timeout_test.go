package dyndns2

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"ddns-updater/src/transport"
)

// TestTimeout: a provider that accepts the request and never answers. The network
// is in memory (net.Pipe) inside a synctest bubble, so the 30 s pass in fake time.
func TestTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var conns []net.Conn
		pipe := &transport.Client{Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			client, server := net.Pipe()
			conns = append(conns, server)
			go io.Copy(io.Discard, server) // read the request, answer nothing
			return client, nil
		}}
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		c := &Client{HTTP: pipe}
		start := time.Now()
		_, err := c.Update(context.Background(), Request{Server: "provider.example", Path: "/nic/update",
			Hostnames: []string{"home.example.com"}, IPs: []netip.Addr{netip.MustParseAddr("203.0.113.7")}})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want a deadline error", err)
		}
		if waited := time.Since(start); waited != 30*time.Second {
			t.Errorf("gave up after %v, want the 30 s default timeout", waited)
		}
	})
}
