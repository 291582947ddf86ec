package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"ddns-updater/src/deb"
)

// debVersion is the OpenWrt version as Debian writes it: 0.3.0-r1 → 0.3.0-1.
func debVersion(v string) string {
	if up, rel, ok := strings.Cut(v, "-r"); ok {
		return up + "-" + rel
	}
	return v
}

// gz compresses as gzip -9n: no name, no time.
func gz(b []byte) []byte {
	var out bytes.Buffer
	w, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
	w.Header.OS = 3
	w.Write(b)
	w.Close()
	return out.Bytes()
}

// copyright is debian/copyright in the machine-readable format, from LICENSE.
func copyright(license []byte) []byte {
	var b strings.Builder
	b.WriteString("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n")
	b.WriteString("Upstream-Name: ddns-updater\nSource: " + homepage + "\n\n")
	b.WriteString("Files: *\nCopyright: 2026 ddns-updater developers\nLicense: Expat\n\n")
	b.WriteString("License: Expat\n")
	text := strings.TrimSpace(string(license))
	// the MIT text after its title and copyright line
	if i := strings.Index(text, "Permission is hereby granted"); i >= 0 {
		text = text[i:]
	}
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimRight(l, " "); l == "" {
			l = "."
		}
		b.WriteString(" " + l + "\n")
	}
	return []byte(b.String())
}

// changelog is the one entry of changelog.Debian, dated at the commit.
func (p *packer) changelog(version string) []byte {
	return []byte(fmt.Sprintf("%s (%s) unstable; urgency=medium\n\n  * Release %s, built from the ddns-updater sources.\n\n -- %s  %s\n",
		name, version, version, maintainer, p.mtime.UTC().Format("Mon, 02 Jan 2006 15:04:05 -0700")))
}

// debian makes ddns-updater_VERSION_ARCH.deb: the binary, the systemd unit,
// the original program's INI file as a conffile, the man page, the docs and
// the maintainer scripts of contrib/debian.
func (p *packer) debian(t target) (made, error) {
	m := made{target: t}
	bin, err := os.ReadFile(t.bin)
	if err != nil {
		return m, err
	}
	m.binSize = len(bin)
	read := func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(p.o.debian, name)) }
	var errs []error
	must := func(name string) []byte {
		b, err := read(name)
		errs = append(errs, err)
		return b
	}
	license, err := os.ReadFile(p.o.license)
	if err != nil {
		return m, err
	}
	version := debVersion(p.o.version)
	doc := "usr/share/doc/" + name + "/"
	pkg := &deb.Package{
		Name: name, Version: version, Arch: t.arch, Maintainer: maintainer, Section: "net", Priority: "optional",
		Homepage: homepage, Depends: "ca-certificates",
		Description: "dynamic DNS client (dyndns2) that follows the public address\n" +
			"Tells a dynamic DNS provider (the dyndns2 protocol of DynDNS, No-IP,\n" +
			"Strato, deSEC, dynv6 and many others) the public address of this host\n" +
			"whenever it changes, and obeys the providers' rules so that the account\n" +
			"is never blocked: no repeated updates, a stop on badauth or abuse.\n" +
			"\n" +
			"It reads the original DDNS Updater's INI file, /etc/ddns-updater/ddns.conf,\n" +
			"and runs as a hardened systemd service or from cron (--once).",
		Files: []deb.File{
			{Path: "usr/bin/" + name, Mode: 0o755, Data: bin},
			{Path: "usr/lib/systemd/system/" + name + ".service", Mode: 0o644, Data: must(name + ".service")},
			{Path: "etc/ddns-updater/ddns.conf", Mode: 0o600, Data: must("ddns.conf")},
			{Path: "usr/share/man/man8/" + name + ".8.gz", Mode: 0o644, Data: gz(must(name + ".8"))},
			{Path: doc + "copyright", Mode: 0o644, Data: copyright(license)},
			{Path: doc + "changelog.Debian.gz", Mode: 0o644, Data: gz(p.changelog(version))},
			{Path: "usr/share/lintian/overrides/" + name, Mode: 0o644, Data: must("lintian-overrides")},
		},
		Conffiles: []string{"/etc/ddns-updater/ddns.conf"},
		Scripts:   map[string]string{"postinst": string(must("postinst")), "prerm": string(must("prerm")), "postrm": string(must("postrm"))},
		ModTime:   p.mtime,
	}
	for _, err := range errs {
		if err != nil {
			return m, err
		}
	}
	b, err := pkg.Bytes()
	if err != nil {
		return m, err
	}
	file := fmt.Sprintf("%s_%s_%s.deb", name, version, t.arch)
	m.debSize, m.files = len(b), []string{file}
	return m, writeFile(filepath.Join(p.o.out, file), b)
}

// tables writes sizes.md (bytes per target) and SHA256SUMS (every package).
func (p *packer) tables(results []made) error {
	var sizes strings.Builder
	sizes.WriteString("| architecture | Go target | binary bytes | ipk bytes | apk bytes |\n|---|---|---:|---:|---:|\n")
	var debs strings.Builder
	var files []string
	for _, r := range results {
		files = append(files, r.files...)
		if r.deb {
			fmt.Fprintf(&debs, "| %s | %d | %d |\n", r.arch, r.binSize, r.debSize)
			continue
		}
		goTarget := strings.TrimPrefix(filepath.Base(r.bin), name+"-")
		fmt.Fprintf(&sizes, "| %s | %s | %d | %d | %d |\n", r.arch, goTarget, r.binSize, r.ipkSize, r.apkSize)
	}
	fmt.Fprintf(&sizes, "| %s | (all) | | %d | %d |\n", luciName, len(p.luciIPK), len(p.luciAPK))
	files = append(files, fmt.Sprintf("%s_%s_all.ipk", luciName, p.o.version))
	if debs.Len() > 0 {
		sizes.WriteString("\n| Debian architecture | binary bytes | deb bytes |\n|---|---:|---:|\n" + debs.String())
	}
	if err := writeFile(filepath.Join(p.o.out, "sizes.md"), []byte(sizes.String())); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(p.o.out, fmt.Sprintf("%s_%s_all.ipk", luciName, p.o.version)), p.luciIPK); err != nil {
		return err
	}
	sort.Strings(files)
	var sums strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(p.o.out, f))
		if err != nil {
			return err
		}
		fmt.Fprintf(&sums, "%x  %s\n", sha256.Sum256(b), filepath.ToSlash(f))
	}
	fmt.Print(sizes.String())
	return writeFile(filepath.Join(p.o.out, "SHA256SUMS"), []byte(sums.String()))
}
