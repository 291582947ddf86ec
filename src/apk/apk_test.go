package apk

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"ddns-updater/src/adb"
)

// Golden bytes of the small values, as apk-v3.5.scd lays them out.
func TestValueEncoding(t *testing.T) {
	tr := newTree()
	checks := []struct {
		name string
		v    val
		want uint32
	}{
		{"empty blob is null", tr.blob(nil), 0},
		{"blob8 at 8", tr.str("abc"), 0x80000008},
		{"inline int", tr.int(0x0fffffff), 0x1fffffff},
		{"int32 indirect, 4-aligned after the blob (8+4 → 12)", tr.int(0x10000000), 0x2000000c},
		{"blob16 2-aligned", tr.blob(bytes.Repeat([]byte{'x'}, 256)), 0x90000010},
	}
	for _, c := range checks {
		if uint32(c.v) != c.want {
			t.Errorf("%s: %#08x, want %#08x", c.name, uint32(c.v), c.want)
		}
	}
	want := "00000000" + "00000000" + // header
		"03616263" + // blob8 "abc"
		"00000010" + // int32 0x10000000 LE
		"0001" + strings.Repeat("78", 256) // blob16 length 256 LE
	if got := hex.EncodeToString(tr.buf); got != want {
		t.Errorf("payload\n got %s\nwant %s", got, want)
	}

	o := newTree()
	if v := o.object([]val{0, 0, 0}); v != 0 {
		t.Errorf("an object with nothing set is %#x, want null", v)
	}
	v := o.object([]val{0, o.int(5), 0, 0})
	if uint32(v) != 0xe0000008 {
		t.Errorf("object value %#08x, want 0xe0000008", uint32(v))
	}
	// count 2 (itself and one slot: trailing nulls trimmed), then the inline int 5
	if got := hex.EncodeToString(o.buf[8:]); got != "02000000"+"05000010" {
		t.Errorf("object slots %s", got)
	}
	if got := hex.EncodeToString(block(nil, blockData, []byte{1, 2, 3})); got != "07000080"+"010203"+"00" {
		t.Errorf("data block %s: header is type<<30 | (4+3), padded to 8", got)
	}
	if got := hex.EncodeToString(block(nil, blockSig, []byte{1, 2, 3, 4, 5})); got != "09000040"+"0102030405"+"00000000000000" {
		t.Errorf("sig block %s", got)
	}
	if got := string(header(schemaPackage)); got != "ADB.pckg" {
		t.Errorf("header %q", got)
	}
}

func sample() *Package {
	return &Package{
		Name: "ddns-updater", Version: "0.3.0-r1", Description: "Dynamic DNS client", Arch: "mipsel_24kc",
		License: "MIT", Origin: "ddns-updater", URL: "https://example.com/", Maintainer: "dev <dev@example.com>",
		Depends: []string{"libc", "ca-bundle", "libc"},
		Files: []File{
			{Path: "usr/bin/ddns-updater", Mode: 0o755, Data: bytes.Repeat([]byte("\x7fELF"), 3000)},
			{Path: "etc/config/ddns-updater", Mode: 0o600, Data: []byte("config x\n")},
			{Path: "etc/init.d/ddns-updater", Mode: 0o755, Data: []byte("#!/bin/sh /etc/rc.common\n")},
			{Path: "lib/apk/packages/ddns-updater.list", Mode: 0o644, Data: []byte("/usr/bin/ddns-updater\n")},
			{Path: "etc/empty", Mode: 0o644, Data: nil},
		},
		Scripts: map[string]string{"post-install": "#!/bin/sh\ndefault_postinst\n", "pre-deinstall": "#!/bin/sh\ndefault_prerm\n"},
		ModTime: time.Unix(1764460800, 0),
	}
}

func TestPackageReadsBack(t *testing.T) {
	p := sample()
	b, err := p.Bytes(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("ADBd")) {
		t.Fatalf("prefix %q, want ADBd (mkpkg's deflate)", b[:4])
	}
	got, err := adb.ReadPackage(b)
	if err != nil {
		t.Fatal(err)
	}
	in := got.Info
	if in.Name != p.Name || in.Version != p.Version || in.Arch != p.Arch || in.License != "MIT" || in.Origin != p.Origin ||
		in.URL != p.URL || in.Maintainer != p.Maintainer || in.Description != p.Description {
		t.Errorf("info %+v", in)
	}
	if strings.Join(in.Depends, " ") != "ca-bundle libc" {
		t.Errorf("depends %v, want sorted and unique", in.Depends)
	}
	// installed size: each file rounded up to 4096 (12000 → 12288; the empty file 0)
	if in.InstalledSize != 3*4096+3*4096 {
		t.Errorf("installed size %d", in.InstalledSize)
	}
	if len(in.Hashes) != 20 {
		t.Errorf("unique id of %d bytes, want 20", len(in.Hashes))
	}
	var paths []string
	for _, e := range got.Entries {
		paths = append(paths, e.Path)
		if e.User != "root" || e.Group != "root" {
			t.Errorf("%s owned by %s:%s", e.Path, e.User, e.Group)
		}
	}
	want := "etc/ etc/empty etc/config/ etc/config/ddns-updater etc/init.d/ etc/init.d/ddns-updater lib/ lib/apk/ lib/apk/packages/ lib/apk/packages/ddns-updater.list usr/ usr/bin/ usr/bin/ddns-updater"
	if strings.Join(paths, " ") != want {
		t.Errorf("paths\n got %s\nwant %s", strings.Join(paths, " "), want)
	}
	byPath := map[string]adb.Entry{}
	for _, e := range got.Entries {
		byPath[e.Path] = e
	}
	for _, f := range p.Files {
		e := byPath[f.Path]
		sum := sha256.Sum256(f.Data)
		if !bytes.Equal(e.Data, f.Data) || !bytes.Equal(e.SHA256, sum[:]) || e.Mode != uint64(f.Mode) || e.MTime != 1764460800 {
			t.Errorf("%s: mode %o mtime %d, %d bytes", f.Path, e.Mode, e.MTime, len(e.Data))
		}
	}
	if byPath["etc/config/"].Mode != 0o755 {
		t.Errorf("directory mode %o", byPath["etc/config/"].Mode)
	}
	if got.Scripts["post-install"] != p.Scripts["post-install"] || got.Scripts["pre-deinstall"] != p.Scripts["pre-deinstall"] || len(got.Scripts) != 2 {
		t.Errorf("scripts %q", got.Scripts)
	}
	if len(got.File.Sigs) != 0 || !got.File.Padding {
		t.Errorf("unsigned package has %d signatures; padding zero: %v", len(got.File.Sigs), got.File.Padding)
	}
	// the unique id is mkpkg's: sha256 of the ADB block with the id zeroed, 20 bytes
	zeroed := bytes.Replace(got.File.ADB, in.Hashes, make([]byte, 20), 1)
	if sum := sha256.Sum256(zeroed); !bytes.Equal(sum[:20], in.Hashes) {
		t.Errorf("unique id %x is not the zeroed block's sha256", in.Hashes)
	}
}

func TestReproducible(t *testing.T) {
	a, _ := sample().Bytes(nil)
	p := sample()
	p.Files[0], p.Files[1] = p.Files[1], p.Files[0] // order of input does not matter
	b, _ := p.Bytes(nil)
	if !bytes.Equal(a, b) {
		t.Error("the same package twice gave different bytes")
	}
	p.ModTime = p.ModTime.Add(time.Second)
	c, _ := p.Bytes(nil)
	if bytes.Equal(a, c) {
		t.Error("a different mtime gave the same bytes")
	}
}

func TestBadPaths(t *testing.T) {
	for _, bad := range []string{"/usr/bin/x", "usr//x", "../x", "usr/bin/", "."} {
		p := sample()
		p.Files = append(p.Files, File{Path: bad, Data: []byte("x")})
		if _, err := p.Bytes(nil); err == nil {
			t.Errorf("path %q accepted", bad)
		}
	}
	p := sample()
	p.Files = append(p.Files, p.Files[0])
	if _, err := p.Bytes(nil); err == nil {
		t.Error("a file twice accepted")
	}
}

func TestSignedPackageAndIndex(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s, err := NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	p := sample()
	b, err := p.Bytes(s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := adb.ReadPackage(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := got.File.Verify(&key.PublicKey); err != nil {
		t.Fatalf("signature: %v", err)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err := got.File.Verify(&other.PublicKey); err == nil {
		t.Error("verified with another key")
	}
	unsigned, _ := p.Bytes(nil)
	id, _ := Identity(unsigned)
	if id2, _ := Identity(b); id != id2 {
		t.Error("signing changed the package's identity (the ADB block)")
	}
	// a flipped bit in the ADB block breaks the signature
	f, _ := adb.Parse(b)
	f.ADB[len(f.ADB)-1] ^= 1
	if err := f.Verify(&key.PublicKey); err == nil {
		t.Error("a changed ADB block still verified")
	}

	luci := &Package{Name: "luci-app-ddns-updater", Version: "0.3.0-r1", Arch: "noarch", Depends: []string{"libc", "ddns-updater"},
		Files: []File{{Path: "www/x.js", Mode: 0o644, Data: []byte("x")}}, ModTime: p.ModTime}
	lb, _ := luci.Bytes(nil)
	ixb, err := Index("ddns-updater mipsel_24kc", []Indexed{{luci, lb}, {p, b}}, s)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := adb.ReadIndex(ixb)
	if err != nil {
		t.Fatal(err)
	}
	if err := ix.File.Verify(&key.PublicKey); err != nil {
		t.Errorf("index signature: %v", err)
	}
	if ix.Description != "ddns-updater mipsel_24kc" || len(ix.Packages) != 2 || ix.Packages[0].Name != "ddns-updater" || ix.Packages[1].Name != "luci-app-ddns-updater" {
		t.Fatalf("index %+v", ix)
	}
	for i, file := range [][]byte{b, lb} {
		e := ix.Packages[i]
		pf, _ := adb.Parse(file)
		idn := pf.Identity()
		if e.FileSize != uint64(len(file)) || !bytes.Equal(e.Hashes, idn[:]) {
			t.Errorf("%s: size %d hash %x, want %d %x", e.Name, e.FileSize, e.Hashes, len(file), idn)
		}
	}
}

func TestKeyID(t *testing.T) {
	// the key whose point is P-256's generator: the id is the first 16 bytes of
	// sha512(04 ‖ Gx ‖ Gy), computed outside Go (python3 hashlib)
	c := elliptic.P256().Params()
	id, err := KeyID(&ecdsa.PublicKey{Curve: elliptic.P256(), X: c.Gx, Y: c.Gy})
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(id[:]); got != "cf4685e609b1d0af89e5aa1d1ec5ae60" {
		t.Errorf("key id %s", got)
	}
	if _, err := NewSigner(&ecdsa.PrivateKey{PublicKey: ecdsa.PublicKey{Curve: elliptic.P384()}}); err == nil {
		t.Error("a P-384 key accepted")
	}
}
