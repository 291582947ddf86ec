// Package deb writes Debian binary packages without dpkg: an ar archive of
// debian-binary, control.tar.gz (control, md5sums, conffiles, maintainer
// scripts) and data.tar.gz, reproducible (sorted, root-owned, one time).
package deb

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"
)

// File is one regular file of the package.
type File struct {
	Path string // from the root: "usr/bin/x"
	Mode int64
	Data []byte
}

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
	var b strings.Builder
	field := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	field("Package", p.Name)
	field("Version", p.Version)
	field("Architecture", p.Arch)
	field("Maintainer", p.Maintainer)
	field("Installed-Size", fmt.Sprint(p.InstalledSize()))
	field("Depends", p.Depends)
	field("Section", p.Section)
	field("Priority", p.Priority)
	field("Homepage", p.Homepage)
	lines := strings.Split(strings.TrimSpace(p.Description), "\n")
	fmt.Fprintf(&b, "Description: %s\n", lines[0])
	for _, l := range lines[1:] {
		if l = strings.TrimSpace(l); l == "" {
			l = "."
		}
		fmt.Fprintf(&b, " %s\n", l)
	}
	return []byte(b.String())
}

// Bytes returns the .deb.
func (p *Package) Bytes() ([]byte, error) {
	var sums strings.Builder
	files := append([]File(nil), p.Files...)
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
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
	control, err := p.tgz(ctl, false)
	if err != nil {
		return nil, err
	}
	data, err := p.tgz(files, true)
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

// tgz writes files as a gzip'd tar of ./-relative names; with dirs, every
// parent directory gets its own entry first, as dpkg-deb writes them.
func (p *Package) tgz(files []File, dirs bool) ([]byte, error) {
	all := append([]File(nil), files...)
	if dirs {
		seen := map[string]bool{}
		for _, f := range files {
			for d := path.Dir(f.Path); d != "." && !seen[d]; d = path.Dir(d) {
				seen[d] = true
				all = append(all, File{Path: d + "/", Mode: 0o755})
			}
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Path < all[j].Path })
	if dirs {
		all = append([]File{{Path: "", Mode: 0o755}}, all...)
	}
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	gz.Header.OS = 3
	tw := tar.NewWriter(gz)
	mtime := p.ModTime.UTC().Truncate(time.Second)
	for _, f := range all {
		h := &tar.Header{Name: "./" + f.Path, Mode: f.Mode, Size: int64(len(f.Data)), ModTime: mtime,
			Uname: "root", Gname: "root", Typeflag: tar.TypeReg, Format: tar.FormatGNU}
		if f.Path == "" || strings.HasSuffix(f.Path, "/") {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := io.Copy(tw, bytes.NewReader(f.Data)); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
