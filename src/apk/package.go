package apk

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	"ddns-updater/src/internal/memo"
)

// File is one regular file of the package, with its path from the root ("usr/bin/x").
type File struct {
	Path string
	Mode uint32 // permission bits
	Data []byte
}

// Package is what goes into an .apk: the fields OpenWrt's package-pack.mk
// gives `apk mkpkg --info`, the files, and the scripts by apk's names
// (post-install, post-upgrade, pre-deinstall, ...).
type Package struct {
	Name, Version, Description, Arch, License, Origin, URL, Maintainer string
	Depends                                                            []string
	Files                                                              []File
	Scripts                                                            map[string]string
	ModTime                                                            time.Time
	Cache                                                              *Cache // shares the compressed data blocks
}

// Cache holds compressed data blocks by content: one binary packed for many
// architectures is deflated once.
type Cache = memo.Cache[[32]byte, []byte]

// Info slots (apk-tools' ADBI_PI_*).
const (
	piName          = 0x01
	piVersion       = 0x02
	piHashes        = 0x03 // unique-id in a package, the package's identity in an index
	piDescription   = 0x04
	piArch          = 0x05
	piLicense       = 0x06
	piOrigin        = 0x07
	piMaintainer    = 0x08
	piURL           = 0x09
	piInstalledSize = 0x0c
	piFileSize      = 0x0d
	piDepends       = 0x0f
	piMax           = 0x16
)

// scriptSlots are the script object's slots by name (ADBI_SCRPT_*).
var scriptSlots = map[string]int{
	"trigger": 1, "pre-install": 2, "post-install": 3, "pre-deinstall": 4,
	"post-deinstall": 5, "pre-upgrade": 6, "post-upgrade": 7,
}

var scriptOrder = []string{"trigger", "pre-install", "post-install", "pre-deinstall", "post-deinstall", "pre-upgrade", "post-upgrade"}

// blockSize is what mkpkg rounds each file up to for installed-size.
const blockSize = 4096

// info writes the package's info object; uid is the 20 zero bytes mkpkg
// later overwrites with the start of the ADB block's sha256.
func (p *Package) info(t *tree, extra func(slots []val)) val {
	s := make([]val, piMax)
	s[piName] = t.str(p.Name)
	s[piVersion] = t.str(p.Version)
	s[piDescription] = t.str(p.Description)
	s[piArch] = t.str(p.Arch)
	s[piLicense] = t.str(p.License)
	s[piOrigin] = t.str(p.Origin)
	s[piMaintainer] = t.str(p.Maintainer)
	s[piURL] = t.str(p.URL)
	var size uint64
	for _, f := range p.Files {
		size += (uint64(len(f.Data)) + blockSize - 1) / blockSize * blockSize
	}
	if size == 0 {
		size = blockSize
	}
	s[piInstalledSize] = t.int(size)
	// dependencies: objects {name}, sorted and unique, as apk's schema keeps them
	deps := append([]string(nil), p.Depends...)
	sort.Strings(deps)
	var items []val
	for i, d := range deps {
		if d == "" || i > 0 && d == deps[i-1] {
			continue
		}
		items = append(items, t.object([]val{0, t.str(d)}))
	}
	s[piDepends] = t.array(items)
	if extra != nil {
		extra(s)
	}
	return t.object(s)
}

// dir is one directory of the paths array, with its files sorted by name.
type dir struct {
	name  string
	files []File
}

// dirs groups the files by directory, adding every parent directory and the
// root (""), sorted by name as apk's schema keeps them.
func (p *Package) dirs() ([]dir, error) {
	byName := map[string]*dir{"": {}}
	for _, f := range p.Files {
		clean := path.Clean(f.Path)
		if clean != f.Path || strings.HasPrefix(clean, "/") || strings.HasPrefix(clean, "..") || clean == "." {
			return nil, fmt.Errorf("apk: file path %q is not a clean relative path", f.Path)
		}
		d, name := path.Split(clean)
		d = strings.TrimSuffix(d, "/")
		for p := d; p != ""; p = path.Dir(p) {
			if byName[p] == nil {
				byName[p] = &dir{name: p}
			}
			if path.Dir(p) == "." {
				break
			}
		}
		f.Path = name
		byName[d].files = append(byName[d].files, f)
	}
	var out []dir
	for _, d := range byName {
		sort.Slice(d.files, func(i, j int) bool { return d.files[i].Path < d.files[j].Path })
		for i := 1; i < len(d.files); i++ {
			if d.files[i].Path == d.files[i-1].Path {
				return nil, fmt.Errorf("apk: %s/%s twice", d.name, d.files[i].Path)
			}
		}
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// acl is a file's or directory's {mode, user, group}; everything is root's.
func acl(t *tree, mode uint32) val {
	return t.object([]val{0, t.int(uint64(mode & 0o7777)), t.str("root"), t.str("root")})
}

// build returns the package's uncompressed ADB payload and its data blocks.
func (p *Package) build() (adb []byte, data []byte, err error) {
	dirs, err := p.dirs()
	if err != nil {
		return nil, nil, err
	}
	t := newTree()
	var uidAt uint32
	info := p.info(t, func(s []val) {
		v := t.blob(make([]byte, 20))
		uidAt = uint32(v)&0x0fffffff + 1 // after the 1-byte length
		s[piHashes] = v
	})
	mtime := uint64(p.ModTime.Unix())
	var paths []val
	for _, d := range dirs {
		var files []val
		for _, f := range d.files {
			sum := sha256.Sum256(f.Data)
			files = append(files, t.object([]val{0,
				t.str(f.Path), acl(t, f.Mode), t.int(uint64(len(f.Data))), t.int(mtime), t.blob(sum[:]),
			}))
		}
		paths = append(paths, t.object([]val{0, t.str(d.name), acl(t, 0o755), t.array(files)}))
	}
	var scripts val
	if len(p.Scripts) > 0 {
		s := make([]val, 8)
		for name := range p.Scripts {
			if scriptSlots[name] == 0 {
				return nil, nil, fmt.Errorf("apk: unknown script %q", name)
			}
		}
		for _, name := range scriptOrder { // in slot order: the same bytes every time
			if body, ok := p.Scripts[name]; ok {
				s[scriptSlots[name]] = t.str(body)
			}
		}
		scripts = t.object(s)
	}
	adb = t.root(t.object([]val{0, info, t.array(paths), scripts}))
	// mkpkg's unique id: the sha256 of the block with the id zeroed, cut to 20 bytes
	sum := sha256.Sum256(adb)
	copy(adb[uidAt:uidAt+20], sum[:20])

	for i, d := range dirs {
		for j, f := range d.files {
			if len(f.Data) == 0 {
				continue
			}
			var hdr [8]byte
			binary.LittleEndian.PutUint32(hdr[0:], uint32(i+1))
			binary.LittleEndian.PutUint32(hdr[4:], uint32(j+1))
			data = block(data, blockData, hdr[:], f.Data)
		}
	}
	return adb, data, nil
}

// Bytes returns the .apk: "ADBd" and the deflated file, signed when s is not nil.
func (p *Package) Bytes(s *Signer) ([]byte, error) {
	adb, data, err := p.build()
	if err != nil {
		return nil, err
	}
	raw := append(header(schemaPackage), block(nil, blockADB, adb)...)
	if s != nil {
		sig, err := s.sign(schemaPackage, adb)
		if err != nil {
			return nil, err
		}
		raw = block(raw, blockSig, sig)
	}
	return compress(raw, data, p.Cache)
}

// Identity is what an index records of a package and apk checks on download:
// the sha256 of the package's ADB block payload. Only the head is inflated.
func Identity(apkFile []byte) ([32]byte, error) {
	var r io.Reader
	switch {
	case bytes.HasPrefix(apkFile, []byte("ADB.")):
		r = bytes.NewReader(apkFile)
	case bytes.HasPrefix(apkFile, []byte("ADBd")):
		r = flate.NewReader(bytes.NewReader(apkFile[4:]))
	default:
		return [32]byte{}, fmt.Errorf("apk: not an ADB file")
	}
	head := make([]byte, 12)
	if _, err := io.ReadFull(r, head); err != nil || string(head[:4]) != "ADB." {
		return [32]byte{}, fmt.Errorf("apk: not an ADB file")
	}
	h := binary.LittleEndian.Uint32(head[8:])
	n := int(h & 0x3fffffff)
	if h>>30 != blockADB || n < 4 {
		return [32]byte{}, fmt.Errorf("apk: no ADB block")
	}
	adb := make([]byte, n-4)
	if _, err := io.ReadFull(r, adb); err != nil {
		return [32]byte{}, fmt.Errorf("apk: ADB block: %w", err)
	}
	return sha256.Sum256(adb), nil
}

// compress is mkpkg's default: "ADBd" and one raw deflate stream of the
// file. The stream is made of two runs of blocks: the head (header, ADB and
// signature blocks) ends in a sync flush, not a final block, and the data
// blocks follow, deflated on their own (no back-reference into the head), so
// that the data of one binary is deflated once for every architecture.
func compress(head, data []byte, cache *Cache) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("ADBd")
	w, err := flate.NewWriter(&buf, flate.DefaultCompression)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(head); err != nil {
		return nil, err
	}
	if err := w.Flush(); err != nil { // byte-aligned, not final
		return nil, err
	}
	tail, err := cache.Get(sha256.Sum256(data), func() ([]byte, error) {
		var b bytes.Buffer
		w, err := flate.NewWriter(&b, flate.DefaultCompression) // zlib's default, as mkpkg's
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(data); err != nil {
			return nil, err
		}
		err = w.Close()
		return b.Bytes(), err
	})
	if err != nil {
		return nil, err
	}
	buf.Write(tail)
	return buf.Bytes(), nil
}
