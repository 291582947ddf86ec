package adb

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// Info is a package's metadata (the package schema's "info" object).
type Info struct {
	Name, Version, Description, Arch, License, Origin, Maintainer, URL string
	Hashes                                                             []byte // unique id (package) or identity (index)
	InstalledSize, FileSize                                            uint64
	Depends                                                            []string
}

// Entry is a file or directory of a package.
type Entry struct {
	Path        string // "usr/bin/x"; directories end in "/"
	Mode        uint64
	User, Group string
	Size, MTime uint64
	SHA256      []byte
	Data        []byte
}

// Package is a parsed .apk.
type Package struct {
	File    *File
	Info    Info
	Entries []Entry // directories and files in the order of the paths array
	Scripts map[string]string
}

var scriptNames = []string{1: "trigger", "pre-install", "post-install", "pre-deinstall", "post-deinstall", "pre-upgrade", "post-upgrade"}

func readInfo(o Obj) (Info, error) {
	var in Info
	var errs []error
	str := func(i int) string {
		s, err := o.Str(i)
		errs = append(errs, err)
		return s
	}
	num := func(i int) uint64 {
		n, err := o.Int(i)
		errs = append(errs, err)
		return n
	}
	in.Name, in.Version = str(1), str(2)
	h, err := o.Blob(3)
	errs = append(errs, err)
	in.Hashes = h
	in.Description, in.Arch, in.License, in.Origin, in.Maintainer, in.URL = str(4), str(5), str(6), str(7), str(8), str(9)
	in.InstalledSize, in.FileSize = num(0x0c), num(0x0d)
	deps, err := o.Obj(0x0f)
	errs = append(errs, err)
	if err == nil {
		for i := 1; i <= deps.Len(); i++ {
			d, err := deps.Obj(i)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			n, err := d.Str(1)
			errs = append(errs, err)
			if d.Val(2) != 0 {
				v, err := d.Str(2)
				errs = append(errs, err)
				n += "=" + v
			}
			in.Depends = append(in.Depends, n)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return in, err
	}
	if in.Name == "" || in.Version == "" {
		return in, errors.New("adb: package info without name or version")
	}
	if !sort.StringsAreSorted(in.Depends) {
		return in, fmt.Errorf("adb: dependencies not sorted: %v", in.Depends)
	}
	return in, nil
}

func readACL(o Obj, i int) (mode uint64, user, group string, err error) {
	a, err := o.Obj(i)
	if err != nil {
		return 0, "", "", err
	}
	mode, err1 := a.Int(1)
	user, err2 := a.Str(2)
	group, err3 := a.Str(3)
	return mode, user, group, errors.Join(err1, err2, err3)
}

// ReadPackage parses a package and checks its data blocks against its paths:
// one per non-empty file, in path order, of the stated size and sha256.
func ReadPackage(b []byte) (*Package, error) {
	f, err := Parse(b)
	if err != nil {
		return nil, err
	}
	if f.Schema != "pckg" {
		return nil, fmt.Errorf("adb: schema %q, not pckg", f.Schema)
	}
	root, err := f.Root()
	if err != nil {
		return nil, err
	}
	p := &Package{File: f, Scripts: map[string]string{}}
	io, err := root.Obj(1)
	if err != nil {
		return nil, err
	}
	if p.Info, err = readInfo(io); err != nil {
		return nil, err
	}
	if so, err := root.Obj(3); err != nil {
		return nil, err
	} else {
		for i := 1; i <= so.Len() && i < len(scriptNames); i++ {
			if s, err := so.Str(i); err != nil {
				return nil, err
			} else if s != "" {
				p.Scripts[scriptNames[i]] = s
			}
		}
	}
	paths, err := root.Obj(2)
	if err != nil {
		return nil, err
	}
	data := f.Data
	prevDir := ""
	for i := 1; i <= paths.Len(); i++ {
		d, err := paths.Obj(i)
		if err != nil {
			return nil, err
		}
		name, err := d.Str(1)
		if err != nil {
			return nil, err
		}
		if i > 1 && name <= prevDir {
			return nil, fmt.Errorf("adb: paths not sorted: %q after %q", name, prevDir)
		}
		prevDir = name
		mode, user, group, err := readACL(d, 2)
		if err != nil {
			return nil, err
		}
		if name != "" {
			p.Entries = append(p.Entries, Entry{Path: name + "/", Mode: mode, User: user, Group: group})
		}
		files, err := d.Obj(3)
		if err != nil {
			return nil, err
		}
		prev := ""
		for j := 1; j <= files.Len(); j++ {
			fo, err := files.Obj(j)
			if err != nil {
				return nil, err
			}
			var e Entry
			fname, err := fo.Str(1)
			if err != nil {
				return nil, err
			}
			if fname == "" || bytes.ContainsRune([]byte(fname), '/') || j > 1 && fname <= prev {
				return nil, fmt.Errorf("adb: file name %q in %q empty, with a slash or out of order", fname, name)
			}
			prev = fname
			if name == "" {
				e.Path = fname
			} else {
				e.Path = name + "/" + fname
			}
			if e.Mode, e.User, e.Group, err = readACL(fo, 2); err != nil {
				return nil, err
			}
			if e.Size, err = fo.Int(3); err != nil {
				return nil, err
			}
			if e.MTime, err = fo.Int(4); err != nil {
				return nil, err
			}
			if e.SHA256, err = fo.Blob(5); err != nil {
				return nil, err
			}
			if fo.Val(6) != 0 {
				return nil, fmt.Errorf("adb: %s: links and device nodes are not expected here", e.Path)
			}
			if len(e.SHA256) != sha256.Size {
				return nil, fmt.Errorf("adb: %s: hash of %d bytes, not a sha256", e.Path, len(e.SHA256))
			}
			if e.Size > 0 {
				if len(data) == 0 {
					return nil, fmt.Errorf("adb: %s: no data block", e.Path)
				}
				blk := data[0]
				data = data[1:]
				if len(blk) < 8 || binary.LittleEndian.Uint32(blk) != uint32(i) || binary.LittleEndian.Uint32(blk[4:]) != uint32(j) {
					return nil, fmt.Errorf("adb: %s: the next data block is not for path %d file %d", e.Path, i, j)
				}
				e.Data = blk[8:]
				if uint64(len(e.Data)) != e.Size {
					return nil, fmt.Errorf("adb: %s: %d bytes of data, metadata says %d", e.Path, len(e.Data), e.Size)
				}
			} else {
				e.Data = []byte{}
			}
			if sum := sha256.Sum256(e.Data); !bytes.Equal(sum[:], e.SHA256) {
				return nil, fmt.Errorf("adb: %s: file integrity error (sha256 differs)", e.Path)
			}
			p.Entries = append(p.Entries, e)
		}
	}
	if len(data) > 0 {
		return nil, fmt.Errorf("adb: %d data blocks left over", len(data))
	}
	return p, nil
}

// Index is a parsed packages.adb.
type Index struct {
	File        *File
	Description string
	Packages    []Info
}

// ReadIndex parses a repository index.
func ReadIndex(b []byte) (*Index, error) {
	f, err := Parse(b)
	if err != nil {
		return nil, err
	}
	if f.Schema != "indx" {
		return nil, fmt.Errorf("adb: schema %q, not indx", f.Schema)
	}
	root, err := f.Root()
	if err != nil {
		return nil, err
	}
	ix := &Index{File: f}
	if ix.Description, err = root.Str(1); err != nil {
		return nil, err
	}
	pkgs, err := root.Obj(2)
	if err != nil {
		return nil, err
	}
	for i := 1; i <= pkgs.Len(); i++ {
		o, err := pkgs.Obj(i)
		if err != nil {
			return nil, err
		}
		in, err := readInfo(o)
		if err != nil {
			return nil, err
		}
		ix.Packages = append(ix.Packages, in)
	}
	return ix, nil
}

// Identity is the sha256 of the ADB block's payload: what an index records
// of a package.
func (f *File) Identity() [32]byte { return sha256.Sum256(f.ADB) }

// Verify checks that one of the file's signature blocks is pub's: a v0
// signature with SHA-512 over the schema, the signature header and the
// sha512 of the ADB payload, by the key whose id (sha512 of the uncompressed
// point, 16 bytes) it names.
func (f *File) Verify(pub *ecdsa.PublicKey) error {
	k, err := pub.ECDH()
	if err != nil {
		return err
	}
	kid := sha512.Sum512(k.Bytes())
	if len(f.Sigs) == 0 {
		return errors.New("adb: unsigned")
	}
	for _, s := range f.Sigs {
		if len(s) < 18 || s[0] != 0 || s[1] != 0x04 || !bytes.Equal(s[2:18], kid[:16]) {
			continue
		}
		md := sha512.Sum512(f.ADB)
		var msg []byte
		msg = append(msg, f.Schema...)
		msg = append(msg, s[:18]...)
		msg = append(msg, md[:]...)
		digest := sha512.Sum512(msg)
		if ecdsa.VerifyASN1(pub, digest[:], s[18:]) {
			return nil
		}
		return errors.New("adb: signature by this key does not verify")
	}
	return errors.New("adb: no signature by this key")
}
