package adb

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// tiny is a package laid out by hand from apk-v3.5.scd: name "x", version
// "1-r0", one file "f" holding "hi" at the root. Offsets are in the comments.
func tiny(t testing.TB, data string) []byte {
	sum := sha256.Sum256([]byte("hi"))
	adbHex := "00000000" + "780000e0" + // compat 0, version 0, reserved; root = object at 0x78
		"0178" + // 0x08 blob8 "x"
		"04312d7230" + "00" + // 0x0a blob8 "1-r0", pad to 0x10
		"03000000" + "08000080" + "0a000080" + // 0x10 info {name, version}
		"0166" + // 0x1c blob8 "f"
		"20" + hex.EncodeToString(sum[:]) + "00" + // 0x1e blob8 sha256, pad to 0x40
		"06000000" + "1c000080" + "00000000" + "02000010" + "00000000" + "1e000080" + // 0x40 file {name, acl null, size 2, mtime null, hash}
		"02000000" + "400000e0" + // 0x58 files array
		"04000000" + "00000000" + "00000000" + "580000d0" + // 0x60 dir {name "" = null, acl null, files}
		"02000000" + "600000e0" + // 0x70 paths array
		"03000000" + "100000e0" + "700000d0" // 0x78 root {info, paths}
	payload, err := hex.DecodeString(adbHex)
	if err != nil {
		t.Fatal(err)
	}
	if len(payload) != 132 {
		t.Fatalf("hand layout is %d bytes, want 132", len(payload))
	}
	b := []byte("ADB.pckg")
	b = append(b, 0x88, 0, 0, 0) // ADB block: type 0, 4+132 bytes, already 8-aligned
	b = append(b, payload...)
	d, _ := hex.DecodeString(data)
	return append(b, d...)
}

const hiBlock = "0e000080" + "01000000" + "01000000" + "6869" + "0000" // type 2, 4+10 bytes, path 1 file 1, "hi", pad

func TestHandMadePackage(t *testing.T) {
	p, err := ReadPackage(tiny(t, hiBlock))
	if err != nil {
		t.Fatal(err)
	}
	if p.Info.Name != "x" || p.Info.Version != "1-r0" || len(p.Entries) != 1 || p.Entries[0].Path != "f" || string(p.Entries[0].Data) != "hi" || p.Entries[0].Size != 2 {
		t.Errorf("%+v", p)
	}
	// the same, deflated after "ADBd"
	var z bytes.Buffer
	z.WriteString("ADBd")
	w, _ := flate.NewWriter(&z, 9)
	w.Write(tiny(t, hiBlock))
	w.Close()
	if p, err := ReadPackage(z.Bytes()); err != nil || !p.File.Compressed || string(p.Entries[0].Data) != "hi" {
		t.Errorf("deflated: %v", err)
	}
}

func TestRefused(t *testing.T) {
	good := tiny(t, hiBlock)
	cases := map[string][]byte{
		"no data block":         tiny(t, ""),
		"wrong content":         tiny(t, strings.Replace(hiBlock, "6869", "6968", 1)),
		"data for file 2":       tiny(t, strings.Replace(hiBlock, "0100000001000000", "0100000002000000", 1)),
		"extra data block":      tiny(t, hiBlock+hiBlock),
		"block past the end":    tiny(t, "ff000080"),
		"DATAX block":           tiny(t, "080000c000000000"),
		"truncated":             good[:len(good)-3],
		"bad magic":             append([]byte("ADBx"), good[4:]...),
		"schema indx as pckg":   append([]byte("ADB.indx"), good[8:]...),
		"compat version 1":      func() []byte { b := bytes.Clone(good); b[12] = 1; return b }(),
		"root out of bounds":    func() []byte { b := bytes.Clone(good); b[16] = 0xfc; return b }(),
		"short":                 []byte("AD"),
		"gzip, not raw deflate": append([]byte("ADBd"), 0x1f, 0x8b, 8, 0),
	}
	for name, b := range cases {
		if _, err := ReadPackage(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestValues(t *testing.T) {
	// an object whose slots are: inline int, int32 at 0x1c, blob16 at 0x20, blob32 at 0x24
	b, _ := hex.DecodeString("00000000" + "080000e0" +
		"05000000" + "2a000010" + "1c000020" + "20000090" + "240000a0" + // 0x08
		"00000010" + // 0x1c int32 0x10000000
		"02006869" + // 0x20 blob16 "hi"
		"03000000" + "616263") // 0x24 blob32 "abc"
	o, err := obj(b, 0xe0000008)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := o.Int(1); n != 42 {
		t.Errorf("inline %d", n)
	}
	if n, _ := o.Int(2); n != 0x10000000 {
		t.Errorf("int32 %#x", n)
	}
	if s, _ := o.Str(3); s != "hi" {
		t.Errorf("blob16 %q", s)
	}
	if s, _ := o.Str(4); s != "abc" {
		t.Errorf("blob32 %q", s)
	}
	if s, err := o.Str(9); s != "" || err != nil {
		t.Errorf("a slot past the count is null: %q %v", s, err)
	}
	if _, err := o.Int(3); err == nil {
		t.Error("a blob read as an int")
	}
	if _, err := obj(b, 0xe0000009); err == nil {
		t.Error("a misaligned object accepted")
	}
	if _, err := obj(b, 0x80000008); err == nil {
		t.Error("a blob read as an object")
	}
}

func FuzzReadPackage(f *testing.F) {
	f.Add(tiny(f, hiBlock))
	f.Add(tiny(f, ""))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ReadPackage(b)
		if err != nil {
			return
		}
		// what is accepted is whole: every file's data matches its hash and size
		for _, e := range p.Entries {
			if strings.HasSuffix(e.Path, "/") {
				continue
			}
			sum := sha256.Sum256(e.Data)
			if !bytes.Equal(sum[:], e.SHA256) || uint64(len(e.Data)) != e.Size {
				t.Fatalf("%s accepted with a wrong hash or size", e.Path)
			}
		}
		ReadIndex(b)
	})
}
