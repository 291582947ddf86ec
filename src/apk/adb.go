// Package apk writes apk-tools v3 packages and repository indexes (the ADB
// format of OpenWrt 25.x and later), as `apk mkpkg` and `apk mkndx` make them:
// an ADB block holding the metadata tree, optional signature blocks, one data
// block per non-empty regular file, deflated after an "ADBd" prefix.
//
// The format is described in apk-tools' doc/apk-v3.5.scd and
// ../shared/openwrt/APK.md; the reader that holds this writer to it is
// src/adb, written separately from that description.
package apk

import "encoding/binary"

// Value types: the top 4 bits of a 32-bit value word.
const (
	typeInt    = 0x1 << 28 // inline, up to 0x0fffffff
	typeInt32  = 0x2 << 28 // offset of a 4-aligned uint32
	typeInt64  = 0x3 << 28 // offset of a 4-aligned uint64
	typeBlob8  = 0x8 << 28 // offset of a 1-byte length and the bytes
	typeBlob16 = 0x9 << 28 // offset of a 2-aligned 2-byte length and the bytes
	typeBlob32 = 0xa << 28 // offset of a 4-aligned 4-byte length and the bytes
	typeArray  = 0xd << 28 // offset of a 4-aligned slot list
	typeObject = 0xe << 28
)

// Block types: the top 2 bits of a block's 32-bit header.
const (
	blockADB  = 0
	blockSig  = 1
	blockData = 2
)

// Schemas, as the file header's second word (little-endian "pckg", "indx").
const (
	schemaPackage = 0x676b6370
	schemaIndex   = 0x78646e69
)

// val is one value word; 0 is null.
type val uint32

// tree builds the ADB block's payload: a 8-byte header {compat 0, version 0,
// reserved, root} followed by the values, each at its alignment. Offsets count
// from the payload's start.
type tree struct{ buf []byte }

func newTree() *tree { return &tree{buf: make([]byte, 8)} }

func (t *tree) align(n int) {
	for len(t.buf)%n != 0 {
		t.buf = append(t.buf, 0)
	}
}

// at aligns, then returns the offset the next bytes go to.
func (t *tree) at(align int) uint32 {
	t.align(align)
	if len(t.buf) > 0x0fffffff {
		panic("apk: ADB block over 256 MiB")
	}
	return uint32(len(t.buf))
}

// blob stores b with the smallest length prefix that holds it; empty is null.
func (t *tree) blob(b []byte) val {
	n := len(b)
	var off uint32
	var typ uint32
	switch {
	case n == 0:
		return 0
	case n <= 0xff:
		off, typ = t.at(1), typeBlob8
		t.buf = append(t.buf, byte(n))
	case n <= 0xffff:
		off, typ = t.at(2), typeBlob16
		t.buf = binary.LittleEndian.AppendUint16(t.buf, uint16(n))
	default:
		off, typ = t.at(4), typeBlob32
		t.buf = binary.LittleEndian.AppendUint32(t.buf, uint32(n))
	}
	t.buf = append(t.buf, b...)
	return val(typ | off)
}

func (t *tree) str(s string) val { return t.blob([]byte(s)) }

// int stores n inline when it fits in 28 bits, else indirectly.
func (t *tree) int(n uint64) val {
	switch {
	case n < 0x10000000:
		return val(typeInt | uint32(n))
	case n <= 0xffffffff:
		off := t.at(4)
		t.buf = binary.LittleEndian.AppendUint32(t.buf, uint32(n))
		return val(typeInt32 | off)
	default:
		off := t.at(4)
		t.buf = binary.LittleEndian.AppendUint64(t.buf, n)
		return val(typeInt64 | off)
	}
}

// slots stores an object or array: slots[0] is replaced by the count, trailing
// nulls are trimmed, and an object with nothing set is null.
func (t *tree) slots(typ uint32, slots []val) val {
	n := len(slots)
	for n > 1 && slots[n-1] == 0 {
		n--
	}
	if n <= 1 {
		return 0
	}
	off := t.at(4)
	t.buf = binary.LittleEndian.AppendUint32(t.buf, uint32(n))
	for _, v := range slots[1:n] {
		t.buf = binary.LittleEndian.AppendUint32(t.buf, uint32(v))
	}
	return val(typ | off)
}

func (t *tree) object(slots []val) val { return t.slots(typeObject, slots) }

// array stores items (already in the order apk expects) as an array.
func (t *tree) array(items []val) val {
	return t.slots(typeArray, append([]val{0}, items...))
}

// root sets the header's root value and returns the payload.
func (t *tree) root(v val) []byte {
	binary.LittleEndian.PutUint32(t.buf[4:], uint32(v))
	return t.buf
}

// block appends one block: a 32-bit header (type, and the length counting the
// header itself), the payload, and zeros up to 8-byte alignment.
func block(out []byte, typ uint32, payload ...[]byte) []byte {
	n := 4
	for _, p := range payload {
		n += len(p)
	}
	if n > 0x3fffffff {
		panic("apk: block over 1 GiB")
	}
	out = binary.LittleEndian.AppendUint32(out, typ<<30|uint32(n))
	for _, p := range payload {
		out = append(out, p...)
	}
	for n%8 != 0 {
		out = append(out, 0)
		n++
	}
	return out
}

// header is the file's first 8 bytes: the "ADB." magic and the schema.
func header(schema uint32) []byte {
	b := []byte("ADB.")
	return binary.LittleEndian.AppendUint32(b, schema)
}
