// Package netifd asks OpenWrt's network daemon which kernel device carries a
// logical interface (wan → pppoe-wan), through `ubus call network.interface.NAME status`.
package netifd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
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
	return s, nil
}

// Ubus runs the ubus command line tool.
type Ubus struct {
	Command []string      // nil: ubus; tests point it at a script
	Timeout time.Duration // 0: 5 s
}

// Status asks netifd for the status of the logical interface name.
func (u *Ubus) Status(ctx context.Context, name string) (Status, error) {
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
	args := append(append([]string{}, argv[1:]...), "call", Object+name, Method)
	cmd := exec.CommandContext(ctx, argv[0], args...)
	var stdout, stderr capped
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee) && (ee.ExitCode() == 4 || strings.Contains(stderr.String(), "Not found")):
		return Status{}, fmt.Errorf("interface %q: %w", name, ErrNotFound)
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist):
		return Status{}, fmt.Errorf("no %s here to ask netifd (not an OpenWrt router?)", argv[0])
	case err != nil:
		msg := strings.TrimSpace(stderr.String())
		if msg != "" {
			msg = " (" + msg + ")"
		}
		return Status{}, fmt.Errorf("ubus call %s%s %s: %v%s", Object, name, Method, err, msg)
	}
	s, err := ParseStatus(stdout.Bytes())
	if err != nil {
		return Status{}, fmt.Errorf("ubus call %s%s %s: %w", Object, name, Method, err)
	}
	return s, nil
}
