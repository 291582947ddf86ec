// Command mkipk packs ddns-updater for one OpenWrt architecture: the binary, the
// files/ tree and the maintainer scripts, as a reproducible .ipk. build.sh runs it.
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"ddns-updater/src/ipk"
)

const postinst = `#!/bin/sh
[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0
[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0
. ${IPKG_INSTROOT}/lib/functions.sh
default_postinst $0 $@
`

const prerm = `#!/bin/sh
[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0
. ${IPKG_INSTROOT}/lib/functions.sh
default_prerm $0 $@
`

func main() {
	var (
		arch    = flag.String("arch", "", "OpenWrt package architecture, e.g. mipsel_24kc")
		version = flag.String("version", "", "package version, e.g. 0.3.0-r1")
		bin     = flag.String("bin", "", "the ddns-updater binary for that architecture")
		files   = flag.String("files", "files", "the tree installed as is (etc/config, etc/init.d, ...)")
		out     = flag.String("out", "dist", "output directory")
		mtime   = flag.Int64("mtime", 0, "modification time of every entry (Unix seconds; the commit time)")
		luci    = flag.String("luci", "", "pack the LuCI app in this directory (htdocs/ → /www, root/ → /) instead, for all architectures")
	)
	flag.Parse()
	var err error
	if *luci != "" {
		err = runLuci(*luci, *version, *out, *mtime)
	} else {
		err = run(*arch, *version, *bin, *files, *out, *mtime)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkipk:", err)
		os.Exit(1)
	}
}

// luciPostinst is what luci.mk gives LuCI apps: on a live router, drop LuCI's
// caches and have rpcd read the new ACL.
const luciPostinst = `#!/bin/sh
[ -n "${IPKG_INSTROOT}" ] || {
	rm -f /tmp/luci-indexcache.*
	rm -rf /tmp/luci-modulecache/
	killall -HUP rpcd 2>/dev/null
	exit 0
}
`

func runLuci(dir, version, out string, mtime int64) error {
	p := &ipk.Package{
		Control: ipk.Control{
			Package: "luci-app-ddns-updater", Version: version, Depends: "libc, ddns-updater",
			Source: "luci-app-ddns-updater", License: "MIT", Section: "luci", Architecture: "all",
			Maintainer:  "ddns-updater developers <ddns-updater@example.com>",
			Description: "LuCI support for ddns-updater\nConfigure, watch and drive every ddns-updater profile from the web interface.",
		},
		Scripts: map[string]string{"postinst": luciPostinst},
		ModTime: time.Unix(mtime, 0),
	}
	for _, tree := range []struct{ src, dst string }{{"htdocs", "www"}, {"root", ""}} {
		base := filepath.Join(dir, tree.src)
		err := filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(base, path)
			body, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			p.Files = append(p.Files, ipk.File{Path: strings.TrimPrefix(tree.dst+"/"+filepath.ToSlash(rel), "/"), Mode: 0o644, Data: body})
			return nil
		})
		if err != nil {
			return err
		}
	}
	return write(p, out, fmt.Sprintf("luci-app-ddns-updater_%s_all.ipk", version))
}

func write(p *ipk.Package, out, base string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	name := filepath.Join(out, base)
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := p.Write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Println(name)
	return nil
}

func run(arch, version, bin, files, out string, mtime int64) error {
	if arch == "" || version == "" || bin == "" {
		return fmt.Errorf("-arch, -version and -bin are required")
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	p := &ipk.Package{
		Control: ipk.Control{
			Package: "ddns-updater", Version: version, Depends: "libc, ca-bundle",
			Source: "ddns-updater", License: "MIT", Section: "net", Architecture: arch,
			Maintainer: "ddns-updater developers <ddns-updater@example.com>",
			Description: "Dynamic DNS client (dyndns2) that follows the WAN address\n" +
				"Reads the address from the router's interfaces (rtnetlink) or a checkip\n" +
				"server, updates it within a second of a change, and obeys the providers'\n" +
				"rules so that the account is never blocked. Configured with UCI.",
		},
		Files:     []ipk.File{{Path: "usr/bin/ddns-updater", Mode: 0o755, Data: data}},
		Conffiles: []string{"/etc/config/ddns-updater"},
		Scripts:   map[string]string{"postinst": postinst, "prerm": prerm},
		ModTime:   time.Unix(mtime, 0),
	}
	err = filepath.WalkDir(files, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(files, path)
		rel = filepath.ToSlash(rel)
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		mode := int64(0o644)
		switch {
		case strings.HasPrefix(rel, "etc/config/"):
			mode = 0o600 // it holds passwords
		case strings.HasPrefix(rel, "etc/init.d/"), strings.HasPrefix(rel, "etc/hotplug.d/"):
			mode = 0o755
		}
		p.Files = append(p.Files, ipk.File{Path: rel, Mode: mode, Data: body})
		return nil
	})
	if err != nil {
		return err
	}
	return write(p, out, fmt.Sprintf("ddns-updater_%s_%s.ipk", version, arch))
}
