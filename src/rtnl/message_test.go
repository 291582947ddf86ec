package rtnl

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"reflect"
	"syscall"
	"testing"
)

// The fixtures are datagrams captured from a Linux 6.18 kernel (x86_64, so
// little-endian) answering RTM_GETLINK and RTM_GETADDR dumps in a network
// namespace set up with ip(8); each datagram is prefixed by its length as a
// big-endian uint32. The .be.bin files are the same datagrams with every field
// this package reads converted to big-endian (see swap), as a MIPS router's
// kernel would send them.

func datagrams(t *testing.T, file string) [][]byte { return datagramsF(t, file) }

func datagramsF(t testing.TB, file string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for len(data) >= 4 {
		n := int(binary.BigEndian.Uint32(data))
		out = append(out, data[4:4+n])
		data = data[4+n:]
	}
	return out
}

func parseAll(t *testing.T, file string, order binary.ByteOrder) []Message {
	t.Helper()
	var all []Message
	for _, d := range datagrams(t, file) {
		msgs, err := Parse(d, order)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		all = append(all, msgs...)
	}
	return all
}

// swap converts a little-endian datagram to big-endian in every field Parse reads.
func swap(b []byte) []byte {
	out := append([]byte(nil), b...)
	u16 := func(o int) { out[o], out[o+1] = out[o+1], out[o] }
	u32 := func(o int) { out[o], out[o+1], out[o+2], out[o+3] = out[o+3], out[o+2], out[o+1], out[o] }
	for off := 0; off+hdrLen <= len(b); {
		n := int(binary.LittleEndian.Uint32(b[off:]))
		typ := binary.LittleEndian.Uint16(b[off+4:])
		u32(off)
		u16(off + 4)
		u16(off + 6)
		u32(off + 8)
		u32(off + 12)
		body, fixed := off+hdrLen, 0
		switch typ {
		case RTMNewAddr, RTMDelAddr:
			u32(body + 4)
			fixed = ifaddrLen
		case RTMNewLink, RTMDelLink:
			u16(body + 2)
			u32(body + 4)
			u32(body + 8)
			u32(body + 12)
			fixed = ifinfoLen
		case msgError:
			u32(body)
		}
		if fixed > 0 {
			for a := body + fixed; a+4 <= off+n; {
				alen := int(binary.LittleEndian.Uint16(b[a:]))
				atyp := binary.LittleEndian.Uint16(b[a+2:])
				u16(a)
				u16(a + 2)
				if typ == RTMNewAddr || typ == RTMDelAddr {
					switch atyp {
					case ifaFlags:
						u32(a + 4)
					case ifaCacheinfo:
						for i := 0; i < 4; i++ {
							u32(a + 4 + 4*i)
						}
					}
				}
				if alen < 4 {
					break
				}
				a += align(alen)
			}
		}
		off += align(n)
	}
	return out
}

func TestBigEndianFixturesAreSwapped(t *testing.T) {
	for _, name := range []string{"links", "addrs"} {
		le, be := datagrams(t, "testdata/"+name+".le.bin"), datagrams(t, "testdata/"+name+".be.bin")
		if len(le) != len(be) {
			t.Fatalf("%s: %d datagrams vs %d", name, len(le), len(be))
		}
		for i := range le {
			if !reflect.DeepEqual(swap(le[i]), be[i]) {
				t.Errorf("%s datagram %d: the .be.bin file is not the swapped capture", name, i)
			}
		}
	}
}

func TestParseBothOrders(t *testing.T) {
	for _, name := range []string{"links", "addrs"} {
		le := parseAll(t, "testdata/"+name+".le.bin", binary.LittleEndian)
		be := parseAll(t, "testdata/"+name+".be.bin", binary.BigEndian)
		if !reflect.DeepEqual(le, be) {
			t.Errorf("%s: the two byte orders parse differently", name)
		}
		if len(le) == 0 || !le[len(le)-1].Done {
			t.Errorf("%s: the dump must end with NLMSG_DONE", name)
		}
	}
}

func TestParseLinks(t *testing.T) {
	names := map[int]Link{}
	for _, m := range parseAll(t, "testdata/links.le.bin", binary.LittleEndian) {
		if m.Link != nil {
			names[m.Link.Index] = *m.Link
		}
	}
	// captured flags: lo and wan0 UP|LOWER_UP, pppx down, pppoe-wan UP without
	// LOWER_UP (a device whose carrier is gone: nothing leaves through it)
	for idx, want := range map[int]Link{1: {1, "lo", true}, 3: {3, "wan0", true}, 4: {4, "pppx", false}, 5: {5, "pppoe-wan", false}} {
		if names[idx] != want {
			t.Errorf("link %d = %+v, want %+v", idx, names[idx], want)
		}
	}
}

func TestParseAddrs(t *testing.T) {
	got := map[netip.Addr]Addr{}
	for _, m := range parseAll(t, "testdata/addrs.le.bin", binary.LittleEndian) {
		if m.Addr != nil {
			got[m.Addr.IP] = *m.Addr
		}
	}
	check := func(ip string, index, plen int, set, unset uint32, preferred uint32) {
		t.Helper()
		a, ok := got[netip.MustParseAddr(ip)]
		if !ok {
			t.Errorf("%s missing", ip)
			return
		}
		if a.Index != index || a.PrefixLen != plen || a.Flags&set != set || a.Flags&unset != 0 || a.Preferred != preferred {
			t.Errorf("%s: %+v", ip, a)
		}
	}
	check("203.0.113.10", 3, 24, 0, FlagSecondary, Forever)
	check("192.168.1.2", 3, 24, 0, FlagSecondary, Forever)
	check("203.0.113.11", 3, 24, FlagSecondary, 0, Forever)
	check("2001:db8:1::10", 3, 64, FlagPermanent, FlagDeprecated, Forever)
	check("2001:db8:2::10", 3, 64, FlagDeprecated, FlagPermanent, 0)
	check("fd00::10", 3, 64, FlagPermanent, 0, Forever)
	check("198.51.100.7", 5, 32, 0, 0, Forever) // IFA_LOCAL, not the peer 198.51.100.1
	if _, ok := got[netip.MustParseAddr("198.51.100.1")]; ok {
		t.Error("the PPP peer address was taken as ours")
	}
	if got[netip.MustParseAddr("203.0.113.10")].Label != "wan0" {
		t.Error("IPv4 label")
	}
}

func TestParseDamaged(t *testing.T) {
	d := datagrams(t, "testdata/addrs.le.bin")[0]
	for _, cut := range []int{3, 17, 20, 30} {
		if cut < len(d) {
			// a length field that promises more than the datagram holds
			b := append([]byte(nil), d[:cut]...)
			if _, err := Parse(b, binary.LittleEndian); err == nil && cut >= hdrLen {
				t.Errorf("a datagram cut at %d bytes parsed without error", cut)
			}
		}
	}
	bad := append([]byte(nil), d...)
	binary.LittleEndian.PutUint16(bad[hdrLen+ifaddrLen:], 2) // attribute length below its header
	if _, err := Parse(bad, binary.LittleEndian); err == nil {
		t.Error("a bad attribute length parsed without error")
	}
}

func TestRequestRoundTrip(t *testing.T) {
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		b := request(RTMGetAddr, 42, order)
		msgs, err := Parse(b, order)
		if err != nil || len(msgs) != 1 || msgs[0].Type != RTMGetAddr || msgs[0].Seq != 42 || order.Uint16(b[6:]) != 0x301 {
			t.Errorf("%v: %+v, %v", order, msgs, err)
		}
	}
}

// TestBadAttributeAfterTheName: a link message with an attribute this package
// cannot walk, after IFLA_IFNAME, still yields the link (qemu-user's netlink
// translation and newer kernels both produce such messages).
func TestBadAttributeAfterTheName(t *testing.T) {
	order := binary.LittleEndian
	msg := make([]byte, hdrLen+ifinfoLen)
	order.PutUint16(msg[4:], RTMNewLink)
	order.PutUint32(msg[hdrLen+4:], 7)
	name := []byte{12, 0, iflaIfname, 0, 'w', 'a', 'n', '0', 0, 0, 0, 0}
	msg = append(msg, name...)
	msg = append(msg, 0x00, 0x04, 0x99, 0x00) // a length of 1024 with 4 bytes left
	order.PutUint32(msg, uint32(len(msg)))
	msgs, err := Parse(msg, order)
	if err != nil || len(msgs) != 1 || msgs[0].Link == nil || msgs[0].Link.Name != "wan0" || msgs[0].Link.Index != 7 {
		t.Errorf("%+v, %v", msgs, err)
	}
	msg = msg[:hdrLen+ifinfoLen]
	msg = append(msg, 0x00, 0x04, 0x99, 0x00)
	order.PutUint32(msg, uint32(len(msg)))
	if _, err := Parse(msg, order); err == nil {
		t.Error("a link whose name cannot be read must be an error")
	}
}

// TestErrorMessage: a kernel error names the error by the running
// architecture's numbers (under qemu-mips in .ci/run: EOPNOTSUPP is 122 there,
// 95 on x86), never as a bare number.
func TestErrorMessage(t *testing.T) {
	b := make([]byte, hdrLen+4+hdrLen)
	binary.NativeEndian.PutUint32(b, uint32(len(b)))
	binary.NativeEndian.PutUint16(b[4:], msgError)
	binary.NativeEndian.PutUint32(b[8:], 7)
	errno := -int32(syscall.EOPNOTSUPP) // the kernel sends it negated
	binary.NativeEndian.PutUint32(b[hdrLen:], uint32(errno))
	msgs, err := Parse(b, binary.NativeEndian)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("%v %v", msgs, err)
	}
	got := msgs[0].Err()
	if !errors.Is(got, syscall.EOPNOTSUPP) || got.Error() != "operation not supported" {
		t.Errorf("errno %d: %v", -msgs[0].Errno, got)
	}
	if (Message{Type: msgError}).Err() != nil {
		t.Error("an acknowledgement (errno 0) is no error")
	}
}
