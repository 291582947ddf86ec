// Package ipk writes OpenWrt packages: a gzip'd tar of ./debian-binary,
// ./data.tar.gz and ./control.tar.gz, as opkg reads them. The output is
// reproducible: sorted entries, root-owned, one fixed modification time, gzip
// without name or time.
package ipk

import (
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	"strings"
	"time"

	"ddns-updater/src/internal/memo"
	"ddns-updater/src/internal/pkgtar"
)

// File is one file of the package, with its path from the root ("usr/bin/x").
type File = pkgtar.File

// Control is the package's control file.
type Control struct {
	Package, Version, Depends, Source, License, Section, Maintainer, Architecture, Description string
	// RequireUser is OpenWrt's Require-User (USERID): "user=uid:group=gid",
	// ids left out to take free ones; default_postinst makes them.
	RequireUser string
}

// Package is what goes into an ipk.
type Package struct {
	Control   Control
	Files     []File
	Conffiles []string          // absolute paths
	Scripts   map[string]string // postinst, prerm, ...
	ModTime   time.Time
	Cache     *Cache // shares data.tar.gz between packages of the same files
}

// Cache holds data.tar.gz by content: one binary packed for many
// architectures is compressed once.
type Cache = memo.Cache[[32]byte, []byte]

// filesKey identifies a file list by its paths, modes and contents and the package time.
func (p *Package) filesKey() [32]byte {
	h := sha256.New()
	fmt.Fprintf(h, "%d\n", p.ModTime.Unix())
	for _, f := range p.Files {
		sum := sha256.Sum256(f.Data)
		fmt.Fprintf(h, "%q %o %x\n", f.Path, f.Mode, sum)
	}
	var k [32]byte
	copy(k[:], h.Sum(nil))
	return k
}

// InstalledSize is the sum of the file sizes, as opkg shows it.
func (p *Package) InstalledSize() int {
	n := 0
	for _, f := range p.Files {
		n += len(f.Data)
	}
	return n
}

// ControlText is the control file as it goes into control.tar.gz and, with
// Filename, Size and SHA256sum added, into a feed's Packages.
func (p *Package) ControlText() []byte {
	c := p.Control
	return pkgtar.Control([][2]string{
		{"Package", c.Package}, {"Version", c.Version}, {"Depends", c.Depends}, {"Source", c.Source},
		{"SourceName", c.Package}, {"License", c.License}, {"Section", c.Section}, {"Require-User", c.RequireUser}, {"Maintainer", c.Maintainer},
		{"Architecture", c.Architecture}, {"Installed-Size", fmt.Sprint(p.InstalledSize())},
	}, c.Description)
}

// Write writes the ipk to w.
func (p *Package) Write(w io.Writer) error {
	data, err := p.Cache.Get(p.filesKey(), func() ([]byte, error) { return p.tgz(p.Files, true) })
	if err != nil {
		return err
	}
	ctl := []File{{Path: "control", Mode: 0o644, Data: p.ControlText()}}
	if len(p.Conffiles) > 0 {
		ctl = append(ctl, File{Path: "conffiles", Mode: 0o644, Data: []byte(strings.Join(p.Conffiles, "\n") + "\n")})
	}
	for name, body := range p.Scripts {
		ctl = append(ctl, File{Path: name, Mode: 0o755, Data: []byte(body)})
	}
	control, err := p.tgz(ctl, false)
	if err != nil {
		return err
	}
	outer := []File{
		{Path: "debian-binary", Mode: 0o644, Data: []byte("2.0\n")},
		{Path: "data.tar.gz", Mode: 0o644, Data: data},
		{Path: "control.tar.gz", Mode: 0o644, Data: control},
	}
	// the order ipkg-build writes, and opkg expects: debian-binary first
	b, err := pkgtar.Gzip(outer, p.ModTime, gzip.BestCompression)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// tgz writes the data archive (files under their directories, at gzip's
// default level, as ipkg-build's gzip: 0.4 % larger than -9, 3 times faster)
// or, without dirs, the control archive.
func (p *Package) tgz(files []File, dirs bool) ([]byte, error) {
	if dirs {
		return pkgtar.Gzip(pkgtar.Tree(files), p.ModTime, gzip.DefaultCompression)
	}
	return pkgtar.Gzip(pkgtar.Sorted(files), p.ModTime, gzip.BestCompression)
}
