// Package pkgtar writes what .ipk and .deb files are made of: reproducible
// gzip'd tar archives of "./"-relative, root-owned entries dated at one time,
// and control files' fields.
package pkgtar

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"path"
	"sort"
	"strings"
	"time"
)

// File is one entry: a path from the root ("usr/bin/x"), a directory when it
// ends in "/" ("" is the root itself).
type File struct {
	Path string
	Mode int64
	Data []byte
}

// Tree is files sorted by path, after "./" itself and an entry for every
// parent directory, as ipkg-build and dpkg-deb lay out a data archive.
func Tree(files []File) []File {
	all := append([]File(nil), files...)
	seen := map[string]bool{}
	for _, f := range files {
		for d := path.Dir(f.Path); d != "." && d != "/" && !seen[d]; d = path.Dir(d) {
			seen[d] = true
			all = append(all, File{Path: d + "/", Mode: 0o755})
		}
	}
	return append([]File{{Path: "", Mode: 0o755}}, Sorted(all)...)
}

// Sorted is a copy of files sorted by path.
func Sorted(files []File) []File {
	out := append([]File(nil), files...)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Gzip writes files in the order given as a gzip'd tar (GNU format, gzip
// header without name or time) at the given level.
func Gzip(files []File, mtime time.Time, level int) ([]byte, error) {
	var buf bytes.Buffer
	gz, err := gzip.NewWriterLevel(&buf, level)
	if err != nil {
		return nil, err
	}
	gz.Header.OS = 3 // Unix
	tw := tar.NewWriter(gz)
	for _, f := range files {
		h := &tar.Header{
			Name: "./" + f.Path, Mode: f.Mode, Size: int64(len(f.Data)), ModTime: mtime.UTC().Truncate(time.Second),
			Uname: "root", Gname: "root", Typeflag: tar.TypeReg, Format: tar.FormatGNU,
		}
		if f.Path == "" || strings.HasSuffix(f.Path, "/") {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.Data); err != nil {
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

// Control writes control fields: each non-empty one as "Key: value", then the
// description, its first line on the field and the rest indented, a blank line as " .".
func Control(fields [][2]string, description string) []byte {
	var b strings.Builder
	for _, f := range fields {
		if f[1] != "" {
			fmt.Fprintf(&b, "%s: %s\n", f[0], f[1])
		}
	}
	lines := strings.Split(strings.TrimSpace(description), "\n")
	fmt.Fprintf(&b, "Description: %s\n", lines[0])
	for _, l := range lines[1:] {
		if l = strings.TrimSpace(l); l == "" {
			l = "."
		}
		fmt.Fprintf(&b, " %s\n", l)
	}
	return []byte(b.String())
}
