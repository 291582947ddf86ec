package rtnl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
)

// Conn is a NETLINK_ROUTE socket subscribed to link and address notifications.
type Conn struct {
	f   *os.File
	seq atomic.Uint32
	buf []byte
}

// The notification groups (linux/rtnetlink.h; the same on every architecture).
const (
	rtmgrpLink       = 0x1
	rtmgrpIPv4IfAddr = 0x10
	rtmgrpIPv6IfAddr = 0x100
)

// ErrOverrun says the kernel dropped notifications (ENOBUFS): dump again.
var ErrOverrun = errors.New("rtnetlink: notifications lost (receive buffer overrun)")

// Dial opens a socket in the calling thread's network namespace. The package
// syscall has all it takes (golang.org/x/sys/unix, a large package to compile
// for every architecture, is left to the tests).
func Dial() (*Conn, error) {
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_RAW|syscall.SOCK_CLOEXEC|syscall.SOCK_NONBLOCK, syscall.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("rtnetlink socket: %w", err)
	}
	groups := uint32(rtmgrpLink | rtmgrpIPv4IfAddr | rtmgrpIPv6IfAddr)
	if err := syscall.Bind(fd, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK, Groups: groups}); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("rtnetlink bind: %w", err)
	}
	_ = syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, 1<<20) // room for bursts; best effort
	// A non-blocking descriptor joins Go's poller: Read parks the goroutine and
	// Close wakes it, so that a watcher stops at once.
	return &Conn{f: os.NewFile(uintptr(fd), "rtnetlink"), buf: make([]byte, 64<<10)}, nil
}

// Close closes the socket; a Read in progress returns.
func (c *Conn) Close() error { return c.f.Close() }

// Dump asks for every link (RTMGetLink) or every address (RTMGetAddr); the
// answers arrive through Read, ending with a Done message of the returned seq.
func (c *Conn) Dump(typ uint16) (uint32, error) {
	seq := c.seq.Add(1)
	_, err := c.f.Write(request(typ, seq, binary.NativeEndian))
	return seq, err
}

// Read returns the messages of the next datagram.
func (c *Conn) Read() ([]Message, error) {
	n, err := c.f.Read(c.buf)
	if errors.Is(err, syscall.ENOBUFS) {
		return nil, ErrOverrun
	}
	if err != nil {
		return nil, err
	}
	return Parse(c.buf[:n], binary.NativeEndian)
}
