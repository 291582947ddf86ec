package rtnl

import (
	"encoding/binary"
	"testing"
)

// FuzzParse: any datagram, in either byte order, gives messages or an error,
// never a panic; every address has a valid IP of its family.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"links", "addrs"} {
		for _, d := range datagramsF(f, "testdata/"+name+".le.bin") {
			f.Add(d, false)
		}
		for _, d := range datagramsF(f, "testdata/"+name+".be.bin") {
			f.Add(d, true)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte, big bool) {
		var order binary.ByteOrder = binary.LittleEndian
		if big {
			order = binary.BigEndian
		}
		msgs, _ := Parse(b, order)
		table := NewTable()
		for _, m := range msgs {
			if m.Addr != nil && !m.Addr.IP.IsValid() {
				t.Fatalf("address message without a valid IP: %+v", m.Addr)
			}
			table.Apply(m)
		}
	})
}
