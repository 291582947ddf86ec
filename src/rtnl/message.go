// Package rtnl reads network devices and their addresses from the Linux kernel
// over rtnetlink: a dump at start (RTM_GETLINK, RTM_GETADDR) and then the
// kernel's notifications (RTM_NEWADDR, RTM_DELADDR, RTM_NEWLINK, RTM_DELLINK).
// Parsing is separate from the socket and takes the byte order explicitly, so
// that it is tested from captured bytes in both orders.
package rtnl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"syscall"
)

// Message types and flags of the protocol (linux/netlink.h, linux/rtnetlink.h).
const (
	msgError   = 2
	msgDone    = 3
	RTMNewLink = 16
	RTMDelLink = 17
	RTMGetLink = 18
	RTMNewAddr = 20
	RTMDelAddr = 21
	RTMGetAddr = 22

	hdrLen    = 16
	ifinfoLen = 16
	ifaddrLen = 8

	iflaIfname   = 3
	ifaAddress   = 1
	ifaLocal     = 2
	ifaLabel     = 3
	ifaCacheinfo = 6
	ifaFlags     = 8

	iffUp      = 0x1
	iffLowerUp = 0x10000 // the driver reports a carrier
)

// Address flags (linux/if_addr.h).
const (
	FlagSecondary  = 0x01 // IPv4: not the primary address of its subnet
	FlagTemporary  = 0x01 // IPv6: a privacy (temporary) address
	FlagDADFailed  = 0x08
	FlagDeprecated = 0x20
	FlagTentative  = 0x40
	FlagPermanent  = 0x80
)

// Forever is the lifetime of an address that does not expire.
const Forever = 0xffffffff

// Addr is one address of a device.
type Addr struct {
	Index     int // the device's index
	IP        netip.Addr
	PrefixLen int
	Flags     uint32
	Scope     uint8
	Preferred uint32 // seconds left; Forever when it does not expire
	Valid     uint32
	Label     string // IPv4 only: the device name or an alias
}

// Link is one network device.
type Link struct {
	Index int
	Name  string
	Up    bool // administratively up (IFF_UP) with a carrier (IFF_LOWER_UP)
}

// Message is one parsed netlink message.
type Message struct {
	Type  uint16
	Seq   uint32
	Addr  *Addr // RTMNewAddr, RTMDelAddr
	Link  *Link // RTMNewLink, RTMDelLink
	Done  bool  // the end of a dump
	Errno int   // a negative errno from the kernel, with Type msgError (0: an acknowledgement)
}

// Err is the kernel's error of a msgError message, nil for an acknowledgement.
// Errno numbers differ per architecture (EOPNOTSUPP is 95 on x86 and ARM, 122
// on MIPS): the kernel sends its own, and syscall.Errno names them by the
// running architecture's table.
func (m Message) Err() error {
	if m.Errno >= 0 {
		return nil
	}
	return syscall.Errno(-m.Errno)
}

var errShort = errors.New("rtnetlink: message too short")

// Parse splits a datagram into messages. Message types it does not know are
// returned with only Type and Seq set.
func Parse(b []byte, order binary.ByteOrder) ([]Message, error) {
	var out []Message
	for len(b) >= hdrLen {
		n := int(order.Uint32(b))
		if n < hdrLen || n > len(b) {
			return out, fmt.Errorf("rtnetlink: message length %d with %d bytes left", n, len(b))
		}
		m := Message{Type: order.Uint16(b[4:]), Seq: order.Uint32(b[8:])}
		body := b[hdrLen:n]
		var err error
		switch m.Type {
		case msgDone:
			m.Done = true
		case msgError:
			if len(body) < 4 {
				return out, errShort
			}
			m.Errno = int(int32(order.Uint32(body)))
		case RTMNewAddr, RTMDelAddr:
			m.Addr, err = parseAddr(body, order)
		case RTMNewLink, RTMDelLink:
			m.Link, err = parseLink(body, order)
		}
		if err != nil {
			return out, err
		}
		out = append(out, m)
		if align(n) >= len(b) {
			break
		}
		b = b[align(n):]
	}
	return out, nil
}

func align(n int) int { return (n + 3) &^ 3 }

// attrs walks rtattrs, calling f with each type and payload.
func attrs(b []byte, order binary.ByteOrder, f func(typ uint16, v []byte)) error {
	for len(b) >= 4 {
		n := int(order.Uint16(b))
		if n < 4 || n > len(b) {
			return fmt.Errorf("rtnetlink: attribute length %d with %d bytes left", n, len(b))
		}
		f(order.Uint16(b[2:])&0x3fff, b[4:n]) // strip NLA_F_NESTED and NLA_F_NET_BYTEORDER
		if align(n) >= len(b) {
			return nil
		}
		b = b[align(n):]
	}
	return nil
}

func parseAddr(b []byte, order binary.ByteOrder) (*Addr, error) {
	if len(b) < ifaddrLen {
		return nil, errShort
	}
	a := &Addr{PrefixLen: int(b[1]), Flags: uint32(b[2]), Scope: b[3], Index: int(order.Uint32(b[4:])),
		Preferred: Forever, Valid: Forever}
	family := b[0]
	var address, local netip.Addr
	err := attrs(b[ifaddrLen:], order, func(typ uint16, v []byte) {
		switch typ {
		case ifaAddress:
			address, _ = netip.AddrFromSlice(v)
		case ifaLocal:
			local, _ = netip.AddrFromSlice(v)
		case ifaLabel:
			a.Label = cstring(v)
		case ifaFlags:
			if len(v) >= 4 {
				a.Flags = order.Uint32(v)
			}
		case ifaCacheinfo:
			if len(v) >= 8 {
				a.Preferred, a.Valid = order.Uint32(v), order.Uint32(v[4:])
			}
		}
	})
	if err != nil && !address.IsValid() && !local.IsValid() {
		return nil, err // a bad attribute after the address costs nothing; before it, the message
	}
	// On a point-to-point device (PPPoE) IFA_ADDRESS is the peer and IFA_LOCAL ours.
	a.IP = address
	if local.IsValid() {
		a.IP = local
	}
	switch {
	case !a.IP.IsValid():
		return nil, errors.New("rtnetlink: address message without an address")
	case family == 2 && !a.IP.Is4(), family == 10 && !a.IP.Is6():
		return nil, fmt.Errorf("rtnetlink: family %d with address %s", family, a.IP)
	}
	return a, nil
}

func parseLink(b []byte, order binary.ByteOrder) (*Link, error) {
	if len(b) < ifinfoLen {
		return nil, errShort
	}
	flags := order.Uint32(b[8:])
	l := &Link{Index: int(int32(order.Uint32(b[4:]))), Up: flags&iffUp != 0 && flags&iffLowerUp != 0}
	err := attrs(b[ifinfoLen:], order, func(typ uint16, v []byte) {
		if typ == iflaIfname {
			l.Name = cstring(v)
		}
	})
	if err != nil && l.Name == "" {
		return nil, err // a bad attribute after the name (links carry dozens) costs nothing
	}
	return l, nil
}

func cstring(v []byte) string {
	for i, c := range v {
		if c == 0 {
			return string(v[:i])
		}
	}
	return string(v)
}

// request builds a dump request for typ (RTMGetLink or RTMGetAddr) for every family.
func request(typ uint16, seq uint32, order binary.ByteOrder) []byte {
	bodyLen := ifaddrLen
	if typ == RTMGetLink {
		bodyLen = ifinfoLen
	}
	b := make([]byte, hdrLen+bodyLen)
	order.PutUint32(b, uint32(len(b)))
	order.PutUint16(b[4:], typ)
	order.PutUint16(b[6:], 0x1|0x300) // NLM_F_REQUEST | NLM_F_DUMP
	order.PutUint32(b[8:], seq)
	return b // family AF_UNSPEC: every family
}
