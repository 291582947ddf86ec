// Package netifd asks OpenWrt's network daemon which kernel device carries a
// logical interface (wan → pppoe-wan), through `ubus call network.interface.NAME status`.
package netifd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os/exec"
	"strings"
	"time"

	"ddns-updater/src/jsonlite"
)

// ErrNotFound is netifd's answer for an interface it does not know.
var ErrNotFound = errors.New("no such interface in /etc/config/network")

// Status is the part of an interface's status the program uses.
type Status struct {
	Up       bool
	L3Device string // the device carrying layer 3 (pppoe-wan); empty when down
	Device   string // the underlying device (eth0.2)
	// Delegated are the IPv6 prefixes delegated to the interface (a WAN's
	// "ipv6-prefix": the ISP's /56), with their lifetimes.
	Delegated []Delegated
	// Assigned are the parts of delegated prefixes netifd gave the interface
	// (a LAN's "ipv6-prefix-assignment": its /64), newest first.
	Assigned []netip.Prefix
}

// Delegated is one prefix delegated to an interface.
type Delegated struct {
	Prefix    netip.Prefix
	Preferred int64 // seconds left; 0: deprecated (the prefix the ISP took back); -1: not said
	Valid     int64
}

// Dev returns the device whose addresses count: l3_device, else device.
func (s Status) Dev() string {
	if s.L3Device != "" {
		return s.L3Device
	}
	return s.Device
}

// Virtual names the dynamic interfaces netifd makes for logical beside it
// (IFACE_4 for IPv4, IFACE_6 for IPv6, as the qmi, ncm, mbim and 3g protocol
// handlers and some PPPoE setups do), the IPv4 one first when v4First.
func Virtual(logical string, v4First bool) []string {
	if v4First {
		return []string{logical + "_4", logical + "_6"}
	}
	return []string{logical + "_6", logical + "_4"}
}

// MaxOutput bounds what is kept of ubus's output (an interface status is a few kB).
const MaxOutput = 256 << 10

// capped keeps the first MaxOutput bytes written to it and drops the rest.
type capped struct{ bytes.Buffer }

func (c *capped) Write(p []byte) (int, error) {
	if room := MaxOutput - c.Len(); room > 0 {
		c.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// What the program asks netifd over ubus, and all it asks: the ubus ACL
// (files/usr/share/acl.d/ddns-updater.json) grants the daemon's user exactly
// this method on these objects.
const (
	Object = "network.interface." // followed by the logical interface's name
	Method = "status"
	// odhcpd's DHCPv6 leases, for LAN hosts named by lease (src/lanhost)
	LeasesObject = "dhcp"
	LeasesMethod = "ipv6leases"
)

// ParseStatus reads what `ubus call network.interface.NAME status` prints.
func ParseStatus(data []byte) (Status, error) {
	v, err := jsonlite.Parse(data)
	if err != nil {
		return Status{}, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return Status{}, errors.New("interface status is not a JSON object")
	}
	var s Status
	s.Up, _ = m["up"].(bool)
	s.L3Device, _ = m["l3_device"].(string)
	s.Device, _ = m["device"].(string)
	for _, item := range list(m["ipv6-prefix"]) {
		if p, ok := prefix(item); ok {
			d := Delegated{Prefix: p, Preferred: seconds(item, "preferred"), Valid: seconds(item, "valid")}
			s.Delegated = append(s.Delegated, d)
		}
	}
	for _, item := range list(m["ipv6-prefix-assignment"]) {
		if p, ok := prefix(item); ok {
			s.Assigned = append(s.Assigned, p)
		}
	}
	return s, nil
}

func list(v any) []any { l, _ := v.([]any); return l }

// prefix reads {"address": "2001:db8:4400::", "mask": 56}.
func prefix(v any) (netip.Prefix, bool) {
	m, _ := v.(map[string]any)
	s, _ := m["address"].(string)
	bits, ok := m["mask"].(float64)
	a, err := netip.ParseAddr(s)
	if err != nil || !ok || bits != float64(int(bits)) || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	p, err := a.Prefix(int(bits))
	return p, err == nil
}

func seconds(v any, key string) int64 {
	m, _ := v.(map[string]any)
	if n, ok := m[key].(float64); ok && n >= 0 {
		return int64(n)
	}
	return -1
}

// Ubus runs the ubus command line tool.
type Ubus struct {
	Command []string      // nil: ubus; tests point it at a script
	Timeout time.Duration // 0: 5 s
}

// Status asks netifd for the status of the logical interface name.
func (u *Ubus) Status(ctx context.Context, name string) (Status, error) {
	out, err := u.Call(ctx, Object+name, Method)
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee) && (ee.ExitCode() == 4 || strings.Contains(err.Error(), "Not found")):
		return Status{}, fmt.Errorf("interface %q: %w", name, ErrNotFound)
	case err != nil:
		return Status{}, err
	}
	s, err := ParseStatus(out)
	if err != nil {
		return Status{}, fmt.Errorf("ubus call %s%s %s: %w", Object, name, Method, err)
	}
	return s, nil
}

// Leases asks odhcpd for its DHCPv6 address leases (LeasesObject, LeasesMethod).
func (u *Ubus) Leases(ctx context.Context) ([]byte, error) {
	return u.Call(ctx, LeasesObject, LeasesMethod)
}

// callError is a failed ubus call, with what ubus said on stderr.
type callError struct {
	call string
	err  error
	msg  string
}

func (e *callError) Error() string {
	if e.msg != "" {
		return fmt.Sprintf("ubus call %s: %v (%s)", e.call, e.err, e.msg)
	}
	return fmt.Sprintf("ubus call %s: %v", e.call, e.err)
}

func (e *callError) Unwrap() error { return e.err }

// Call runs `ubus call object method` and returns what it printed.
func (u *Ubus) Call(ctx context.Context, object, method string) ([]byte, error) {
	timeout := u.Timeout
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	argv := u.Command
	if argv == nil {
		argv = []string{"ubus"}
	}
	args := append(append([]string{}, argv[1:]...), "call", object, method)
	cmd := exec.CommandContext(ctx, argv[0], args...)
	var stdout, stderr capped
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	switch {
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("no %s here to ask netifd (not an OpenWrt router?)", argv[0])
	case err != nil:
		return nil, &callError{call: object + " " + method, err: err, msg: strings.TrimSpace(stderr.String())}
	}
	return stdout.Bytes(), nil
}
