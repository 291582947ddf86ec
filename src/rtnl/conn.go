package rtnl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// Conn is a NETLINK_ROUTE socket subscribed to link and address notifications.
type Conn struct {
	f   *os.File
	seq atomic.Uint32
	buf []byte
}

// ErrOverrun says the kernel dropped notifications (ENOBUFS): dump again.
var ErrOverrun = errors.New("rtnetlink: notifications lost (receive buffer overrun)")

// Dial opens a socket in the calling thread's network namespace.
func Dial() (*Conn, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("rtnetlink socket: %w", err)
	}
	groups := uint32(unix.RTMGRP_LINK | unix.RTMGRP_IPV4_IFADDR | unix.RTMGRP_IPV6_IFADDR)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: groups}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("rtnetlink bind: %w", err)
	}
	_ = unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, 1<<20) // room for bursts; best effort
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
	if errors.Is(err, unix.ENOBUFS) {
		return nil, ErrOverrun
	}
	if err != nil {
		return nil, err
	}
	return Parse(c.buf[:n], binary.NativeEndian)
}
