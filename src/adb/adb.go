// Package adb reads apk-tools v3 files (packages and indexes), written from
// the format's description (apk-tools doc/apk-v3.5.scd, ../shared/openwrt/APK.md)
// and not from src/apk, the writer it checks. It refuses what apk refuses:
// a bad prefix or magic, blocks out of bounds or out of order, values
// pointing outside the ADB block, data blocks for files out of order or whose
// sha256 differs from the metadata's.
package adb

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// File is a parsed ADB file.
type File struct {
	Compressed bool
	Schema     string   // "pckg", "indx"
	ADB        []byte   // the ADB block's payload
	Sigs       [][]byte // signature blocks' payloads
	Data       [][]byte // data blocks' payloads
	Padding    bool     // every block's padding is zeros
}

// maxSize bounds what a file may inflate to.
const maxSize = 256 << 20

// Parse reads a file: "ADB." and the blocks, or "ADBd" and that deflated.
func Parse(b []byte) (*File, error) {
	f := &File{}
	if len(b) < 4 {
		return nil, errors.New("adb: too short")
	}
	switch string(b[:4]) {
	case "ADB.":
	case "ADBd":
		f.Compressed = true
		var out bytes.Buffer
		r := flate.NewReader(bytes.NewReader(b[4:]))
		n, err := out.ReadFrom(io.LimitReader(r, maxSize+1))
		if err != nil {
			return nil, fmt.Errorf("adb: inflate: %w", err)
		}
		if n > maxSize {
			return nil, errors.New("adb: inflates to more than 256 MiB")
		}
		b = out.Bytes()
		if len(b) < 4 || string(b[:4]) != "ADB." {
			return nil, errors.New("adb: no ADB. magic inside the deflate stream")
		}
	default:
		return nil, fmt.Errorf("adb: prefix %q is neither ADB. nor ADBd", b[:4])
	}
	if len(b) < 8 {
		return nil, errors.New("adb: no schema")
	}
	f.Schema = string(b[4:8])
	f.Padding = true
	rest := b[8:]
	seenADB, seenData := false, false
	for len(rest) > 0 {
		if len(rest) < 4 {
			return nil, errors.New("adb: truncated block header")
		}
		h := binary.LittleEndian.Uint32(rest)
		typ, size := h>>30, int(h&0x3fffffff)
		if size < 4 || size > len(rest) {
			return nil, fmt.Errorf("adb: block size %d out of bounds (%d left)", size, len(rest))
		}
		payload := rest[4:size]
		padded := (size + 7) &^ 7
		if padded > len(rest) {
			return nil, errors.New("adb: block padding past the end")
		}
		for _, c := range rest[size:padded] {
			if c != 0 {
				f.Padding = false
			}
		}
		rest = rest[padded:]
		switch typ {
		case 0:
			if seenADB {
				return nil, errors.New("adb: a second ADB block")
			}
			if len(payload) < 8 {
				return nil, errors.New("adb: ADB block shorter than its header")
			}
			if payload[0] != 0 {
				return nil, fmt.Errorf("adb: ADB compat version %d", payload[0])
			}
			seenADB, f.ADB = true, payload
		case 1:
			if !seenADB || seenData {
				return nil, errors.New("adb: signature block out of place")
			}
			f.Sigs = append(f.Sigs, payload)
		case 2:
			if !seenADB {
				return nil, errors.New("adb: data block before the ADB block")
			}
			seenData = true
			f.Data = append(f.Data, payload)
		default:
			return nil, errors.New("adb: extended (DATAX) block")
		}
	}
	if !seenADB {
		return nil, errors.New("adb: no ADB block")
	}
	return f, nil
}

// Value kinds (the top 4 bits of a value word).
const (
	kindSpecial = 0x0
	kindInt     = 0x1
	kindInt32   = 0x2
	kindInt64   = 0x3
	kindBlob8   = 0x8
	kindBlob16  = 0x9
	kindBlob32  = 0xa
	kindArray   = 0xd
	kindObject  = 0xe
)

// Obj is an object or array: its slots, slot 0 being the count.
type Obj struct {
	adb   []byte
	slots []uint32
}

// Root is the ADB block's root object.
func (f *File) Root() (Obj, error) {
	return obj(f.ADB, binary.LittleEndian.Uint32(f.ADB[4:]))
}

func obj(adb []byte, v uint32) (Obj, error) {
	if v == 0 {
		return Obj{adb: adb, slots: []uint32{1}}, nil // null: an empty object
	}
	kind, off := v>>28, int(v&0x0fffffff)
	if kind != kindArray && kind != kindObject {
		return Obj{}, fmt.Errorf("adb: value %#08x is not an object", v)
	}
	if off%4 != 0 || off+4 > len(adb) {
		return Obj{}, fmt.Errorf("adb: object at %#x misaligned or out of bounds", off)
	}
	n := int(binary.LittleEndian.Uint32(adb[off:]))
	if n < 1 || off+4*n > len(adb) || n > len(adb)/4 {
		return Obj{}, fmt.Errorf("adb: object at %#x with %d slots out of bounds", off, n)
	}
	s := make([]uint32, n)
	for i := range s {
		s[i] = binary.LittleEndian.Uint32(adb[off+4*i:])
	}
	return Obj{adb: adb, slots: s}, nil
}

// Len is the number of items of an array (or slots after the count).
func (o Obj) Len() int { return len(o.slots) - 1 }

// Val is slot i's raw value word (0 when out of range: null).
func (o Obj) Val(i int) uint32 {
	if i <= 0 || i >= len(o.slots) {
		return 0
	}
	return o.slots[i]
}

// Obj is slot i as an object or array.
func (o Obj) Obj(i int) (Obj, error) { return obj(o.adb, o.Val(i)) }

// Blob is slot i as bytes (nil when null).
func (o Obj) Blob(i int) ([]byte, error) {
	v := o.Val(i)
	if v == 0 {
		return nil, nil
	}
	off := int(v & 0x0fffffff)
	var n, w int
	switch v >> 28 {
	case kindBlob8:
		w = 1
	case kindBlob16:
		w = 2
	case kindBlob32:
		w = 4
	default:
		return nil, fmt.Errorf("adb: value %#08x is not a blob", v)
	}
	if off%w != 0 || off+w > len(o.adb) {
		return nil, fmt.Errorf("adb: blob at %#x misaligned or out of bounds", off)
	}
	switch w {
	case 1:
		n = int(o.adb[off])
	case 2:
		n = int(binary.LittleEndian.Uint16(o.adb[off:]))
	case 4:
		n = int(binary.LittleEndian.Uint32(o.adb[off:]))
	}
	if n < 0 || n > len(o.adb)-off-w {
		return nil, fmt.Errorf("adb: blob at %#x of %d bytes out of bounds", off, n)
	}
	return o.adb[off+w : off+w+n], nil
}

// Str is slot i as a string.
func (o Obj) Str(i int) (string, error) {
	b, err := o.Blob(i)
	return string(b), err
}

// Int is slot i as a number (0 when null).
func (o Obj) Int(i int) (uint64, error) {
	v := o.Val(i)
	off := int(v & 0x0fffffff)
	switch v >> 28 {
	case kindSpecial:
		if v != 0 {
			return 0, fmt.Errorf("adb: special value %#x is not a number", v)
		}
		return 0, nil
	case kindInt:
		return uint64(off), nil
	case kindInt32:
		if off%4 != 0 || off+4 > len(o.adb) {
			return 0, fmt.Errorf("adb: int32 at %#x misaligned or out of bounds", off)
		}
		return uint64(binary.LittleEndian.Uint32(o.adb[off:])), nil
	case kindInt64:
		if off%4 != 0 || off+8 > len(o.adb) {
			return 0, fmt.Errorf("adb: int64 at %#x misaligned or out of bounds", off)
		}
		return binary.LittleEndian.Uint64(o.adb[off:]), nil
	}
	return 0, fmt.Errorf("adb: value %#08x is not a number", v)
}
