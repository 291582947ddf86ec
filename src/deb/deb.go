// Package deb writes Debian binary packages without dpkg: an ar archive of
// debian-binary, control.tar.gz (control, md5sums, conffiles, maintainer
// scripts) and data.tar.gz, reproducible (sorted, root-owned, one time).
package deb

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"fmt"
	"strings"
	"time"

	"ddns-updater/src/internal/pkgtar"
)

// File is one regular file of the package, with its path from the root.
type File = pkgtar.File

// Package is what goes into a .deb.
type Package struct {
	Name, Version, Arch, Maintainer, Section, Priority, Homepage, Depends string
	Description                                                           string // first line short, the rest long
	Files                                                                 []File
	Conffiles                                                             []string          // absolute paths
	Scripts                                                               map[string]string // postinst, prerm, postrm, preinst
	ModTime                                                               time.Time
}

// InstalledSize is the Installed-Size field: KiB, each file rounded up.
func (p *Package) InstalledSize() int64 {
	var n int64
	for _, f := range p.Files {
		n += (int64(len(f.Data)) + 1023) / 1024
	}
	return n
}

// Control is the control file.
func (p *Package) Control() []byte {
	return pkgtar.Control([][2]string{
		{"Package", p.Name}, {"Version", p.Version}, {"Architecture", p.Arch}, {"Maintainer", p.Maintainer},
		{"Installed-Size", fmt.Sprint(p.InstalledSize())}, {"Depends", p.Depends}, {"Section", p.Section},
		{"Priority", p.Priority}, {"Homepage", p.Homepage},
	}, p.Description)
}

// Bytes returns the .deb.
func (p *Package) Bytes() ([]byte, error) {
	var sums strings.Builder
	files := pkgtar.Sorted(p.Files)
	for _, f := range files {
		if !strings.HasSuffix(f.Path, "/") {
			fmt.Fprintf(&sums, "%x  %s\n", md5.Sum(f.Data), f.Path)
		}
	}
	ctl := []File{{Path: "control", Mode: 0o644, Data: p.Control()}, {Path: "md5sums", Mode: 0o644, Data: []byte(sums.String())}}
	if len(p.Conffiles) > 0 {
		ctl = append(ctl, File{Path: "conffiles", Mode: 0o644, Data: []byte(strings.Join(p.Conffiles, "\n") + "\n")})
	}
	for name, body := range p.Scripts {
		ctl = append(ctl, File{Path: name, Mode: 0o755, Data: []byte(body)})
	}
	control, err := pkgtar.Gzip(pkgtar.Sorted(ctl), p.ModTime, gzip.BestCompression)
	if err != nil {
		return nil, err
	}
	data, err := pkgtar.Gzip(pkgtar.Tree(files), p.ModTime, gzip.DefaultCompression)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.WriteString("!<arch>\n")
	for _, m := range []struct {
		name string
		data []byte
	}{{"debian-binary", []byte("2.0\n")}, {"control.tar.gz", control}, {"data.tar.gz", data}} {
		fmt.Fprintf(&out, "%-16s%-12d%-6d%-6d%-8s%-10d`\n", m.name, p.ModTime.Unix(), 0, 0, "100644", len(m.data))
		out.Write(m.data)
		if len(m.data)%2 == 1 {
			out.WriteByte('\n')
		}
	}
	return out.Bytes(), nil
}
