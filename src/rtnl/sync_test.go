package rtnl

import (
	"encoding/binary"
	"os"
	"syscall"
	"testing"
)

// fakeKernel answers dump requests on the other end of a socket pair with the
// captured datagrams, their sequence numbers set to the request's. Before
// answering an address dump it calls beforeAddrs.
func fakeKernel(t *testing.T, beforeAddrs func(n int)) *Conn {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Skipf("socketpair: %v", err)
	}
	kernel := os.NewFile(uintptr(fds[1]), "kernel")
	t.Cleanup(func() { kernel.Close() })
	links := datagramsF(t, "testdata/links.le.bin")
	addrs := datagramsF(t, "testdata/addrs.le.bin")
	go func() {
		buf := make([]byte, 4096)
		for n := 0; ; {
			k, err := kernel.Read(buf)
			if err != nil {
				return
			}
			typ, seq := binary.NativeEndian.Uint16(buf[4:]), binary.NativeEndian.Uint32(buf[8:k])
			answer := links
			if typ == RTMGetAddr {
				n++
				beforeAddrs(n)
				answer = addrs
			}
			for _, d := range answer {
				d = append([]byte(nil), d...)
				for off := 0; off+16 <= len(d); {
					l := int(binary.LittleEndian.Uint32(d[off:]))
					binary.LittleEndian.PutUint32(d[off+8:], seq)
					if l < 16 {
						break
					}
					off += (l + 3) &^ 3
				}
				if _, err := kernel.Write(d); err != nil {
					return
				}
			}
		}
	}()
	return &Conn{f: os.NewFile(uintptr(fds[0]), "rtnetlink"), buf: make([]byte, 64<<10)}
}

// A re-read (after ENOBUFS) swaps the new table in when it is complete: a
// lookup during the dump still finds the device and its addresses.
func TestSyncSwapsWhenComplete(t *testing.T) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("the captured datagrams are little-endian")
	}
	tbl := NewTable()
	seen := make(chan [2]int, 1)
	c := fakeKernel(t, func(n int) {
		if n == 2 { // the second dump is under way: links read, addresses not yet
			addrs, ok := tbl.Addrs("wan0")
			seen <- [2]int{len(addrs), map[bool]int{true: 1}[ok]}
		}
	})
	defer c.Close()
	if err := tbl.sync(c, nil); err != nil {
		t.Fatal(err)
	}
	before, ok := tbl.Addrs("wan0")
	if !ok || len(before) == 0 {
		t.Fatalf("wan0 after the first dump: %v %v", before, ok)
	}
	if err := tbl.sync(c, nil); err != nil {
		t.Fatal(err)
	}
	got := <-seen
	if got[1] != 1 || got[0] != len(before) {
		t.Errorf("during the re-read wan0 had %d addresses (exists %v), want the %d of the previous table", got[0], got[1] == 1, len(before))
	}
	if after, ok := tbl.Addrs("wan0"); !ok || len(after) != len(before) {
		t.Errorf("after the re-read: %v %v", after, ok)
	}
}
