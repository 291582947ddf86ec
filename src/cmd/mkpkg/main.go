// Command mkpkg packs ddns-updater from the binaries build.sh made, in one
// run for every target: per OpenWrt architecture an .ipk (opkg, OpenWrt 24.10
// and older) and an .apk (apk-tools v3, OpenWrt 25.x) and a feed directory
// holding both indexes; the LuCI app for all architectures; a .deb per Debian
// architecture. One binary's data is compressed once for every architecture
// that ships it.
//
//	mkpkg [flags] mipsel_24kc=dist/bin/ddns-updater-mipsle ... deb:amd64=dist/bin/ddns-updater-amd64
//	mkpkg keygen DIR     a usign key pair (opkg feeds) and an ECDSA P-256 key pair (apk)
//
// Signing: USIGN_KEY=FILE signs each feed's Packages (Packages.sig);
// APK_SIGN_KEY=FILE (PEM) signs the .apk packages and packages.adb.
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"ddns-updater/src/apk"
	"ddns-updater/src/ipk"
	"ddns-updater/src/usign"
)

const (
	name       = "ddns-updater"
	luciName   = "luci-app-ddns-updater"
	maintainer = "ddns-updater developers <ddns-updater@example.com>"
	homepage   = "https://github.com/ddns-updater/ddns-updater"
	summary    = "Dynamic DNS client (dyndns2) that follows the WAN address"
	longDesc   = "Reads the address from the router's interfaces (rtnetlink) or a checkip\n" +
		"server, updates it within a second of a change, and obeys the providers'\n" +
		"rules so that the account is never blocked. Configured with UCI."
	luciSummary = "LuCI support for ddns-updater"
	luciLong    = "Configure, watch and drive every ddns-updater profile from the web interface."
	conffile    = "/etc/config/ddns-updater"
	// userID is the daemon's user and group (openwrt/Makefile's USERID): the
	// ipk's Require-User and the apk's lib/apk/packages/NAME.rusers, which
	// OpenWrt's add_group_and_user reads; no ids, so free ones are taken.
	userID = "ddns-updater:ddns-updater"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "keygen" {
		if len(os.Args) != 3 {
			fail(fmt.Errorf("usage: mkpkg keygen DIR"))
		}
		fail(keygen(os.Args[2]))
		return
	}
	var o options
	flag.StringVar(&o.version, "version", "", "OpenWrt package version, e.g. 0.3.0-r1")
	flag.Int64Var(&o.mtime, "mtime", 0, "time of every entry (Unix seconds: the last commit's)")
	flag.StringVar(&o.out, "out", "dist", "output directory")
	flag.StringVar(&o.files, "files", "files", "the OpenWrt tree installed as is (etc/config, etc/init.d, ...)")
	flag.StringVar(&o.luci, "luci", "luci/luci-app-ddns-updater", "the LuCI app (htdocs/ → /www, root/ → /)")
	flag.StringVar(&o.debian, "debian", "contrib/debian", "the Debian files (unit, ddns.conf, man page, maintainer scripts)")
	flag.StringVar(&o.license, "license", "LICENSE", "the license text (Debian's copyright file)")
	flag.Parse()
	o.targets = flag.Args()
	fail(run(&o))
}

func fail(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkpkg:", err)
		os.Exit(1)
	}
}

type options struct {
	version, out, files, luci, debian, license string
	mtime                                      int64
	targets                                    []string
}

// target is one package to make: an OpenWrt architecture or a Debian one.
type target struct {
	arch, bin string
	deb       bool
}

// made is what one target produced, for the tables.
type made struct {
	target
	binSize, ipkSize, apkSize, debSize int
	files                              []string // relative to out
}

func run(o *options) error {
	if o.version == "" || len(o.targets) == 0 {
		return fmt.Errorf("-version and at least one ARCH=BINARY are required")
	}
	var targets []target
	for _, t := range o.targets {
		arch, bin, ok := strings.Cut(t, "=")
		if !ok {
			return fmt.Errorf("%q is not ARCH=BINARY", t)
		}
		d, isDeb := strings.CutPrefix(arch, "deb:")
		targets = append(targets, target{arch: d, bin: bin, deb: isDeb})
	}
	p := &packer{o: o, mtime: time.Unix(o.mtime, 0), ipkCache: &ipk.Cache{}, apkCache: &apk.Cache{}}
	var err error
	if p.apkKey, err = loadAPKKey(); err != nil {
		return err
	}
	if p.usignKey, err = loadUsignKey(); err != nil {
		return err
	}
	if err := p.prepare(); err != nil {
		return err
	}
	results := make([]made, len(targets))
	errs := make([]error, len(targets))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if t.deb {
				results[i], errs[i] = p.debian(t)
			} else {
				results[i], errs[i] = p.openwrt(t)
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("%s: %w", targets[i].arch, err)
		}
	}
	return p.tables(results)
}

// packer holds what every target shares.
type packer struct {
	o        *options
	mtime    time.Time
	ipkCache *ipk.Cache
	apkCache *apk.Cache
	apkKey   *apk.Signer
	usignKey *usign.Secret
	tree     []apk.File // files/ as it is installed
	luciTree []apk.File
	luciIPK  []byte
	luciCtl  []byte
	luciAPK  []byte
	luciPkg  *apk.Package
}

func loadAPKKey() (*apk.Signer, error) {
	f := os.Getenv("APK_SIGN_KEY")
	if f == "" {
		return nil, nil
	}
	return apk.LoadSigner(f)
}

func loadUsignKey() (*usign.Secret, error) {
	f := os.Getenv("USIGN_KEY")
	if f == "" {
		return nil, nil
	}
	return usign.LoadSecret(f)
}

// walk reads a tree of files as they are installed, with mode.
func walk(dir, prefix string, mode func(rel string) uint32) ([]apk.File, error) {
	var out []apk.File
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		rel = strings.TrimPrefix(prefix+"/"+filepath.ToSlash(rel), "/")
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		out = append(out, apk.File{Path: rel, Mode: mode(rel), Data: body})
		return nil
	})
	return out, err
}

// openwrtMode is the mode of a file of files/: the config holds passwords,
// scripts run.
func openwrtMode(rel string) uint32 {
	switch {
	case strings.HasPrefix(rel, "etc/config/"):
		return 0o600
	case strings.HasPrefix(rel, "etc/init.d/"), strings.HasPrefix(rel, "etc/hotplug.d/"):
		return 0o755
	}
	return 0o644
}

func (p *packer) prepare() error {
	var err error
	if p.tree, err = walk(p.o.files, "", openwrtMode); err != nil {
		return err
	}
	if p.luciTree, err = walk(filepath.Join(p.o.luci, "htdocs"), "www", func(string) uint32 { return 0o644 }); err != nil {
		return err
	}
	root, err := walk(filepath.Join(p.o.luci, "root"), "", func(string) uint32 { return 0o644 })
	if err != nil {
		return err
	}
	p.luciTree = append(p.luciTree, root...)
	luci := &ipk.Package{
		Control: ipk.Control{
			Package: luciName, Version: p.o.version, Depends: "libc, ddns-updater", Source: luciName,
			License: "MIT", Section: "luci", Architecture: "all", Maintainer: maintainer,
			Description: luciSummary + "\n" + luciLong,
		},
		Files:   ipkFiles(p.luciTree),
		Scripts: map[string]string{"postinst": luciPostinst},
		ModTime: p.mtime,
	}
	if p.luciIPK, err = bytesOf(luci.Write); err != nil {
		return err
	}
	p.luciCtl = luci.ControlText()
	p.luciPkg = &apk.Package{
		Name: luciName, Version: p.o.version, Description: oneLine(luciLong), Arch: "noarch",
		License: "MIT", Origin: luciName, URL: homepage, Maintainer: maintainer, Depends: []string{"libc", name},
		Files: withAPKLists(luciName, p.luciTree, nil), ModTime: p.mtime,
		Scripts: apkScripts(luciName, strings.TrimPrefix(luciPostinst, "#!/bin/sh\n")),
	}
	p.luciAPK, err = p.luciPkg.Bytes(p.apkKey)
	return err
}

func ipkFiles(fs []apk.File) []ipk.File {
	var out []ipk.File
	for _, f := range fs {
		out = append(out, ipk.File{Path: f.Path, Mode: int64(f.Mode), Data: f.Data})
	}
	return out
}

func bytesOf(write func(w io.Writer) error) ([]byte, error) {
	var b bytes.Buffer
	err := write(&b)
	return b.Bytes(), err
}

// ipk scripts: what OpenWrt's package-pack.mk writes for opkg.
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

// apkScripts are package-pack.mk's apk scripts: post-install runs
// default_postinst (which reads /lib/apk/packages/NAME.list to enable the
// init script) and then the package's own postinst; post-upgrade is the same
// with PKG_UPGRADE=1; pre-deinstall runs default_prerm.
func apkScripts(pkg, own string) map[string]string {
	head := "[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0\n" +
		". ${IPKG_INSTROOT}/lib/functions.sh\n" +
		"export root=\"${IPKG_INSTROOT}\"\n" +
		"export pkgname=\"" + pkg + "\"\n"
	install := "[ \"${IPKG_NO_SCRIPT}\" = \"1\" ] && exit 0\n" + head + "add_group_and_user\ndefault_postinst\n" + own
	return map[string]string{
		"post-install":  "#!/bin/sh\n" + install,
		"post-upgrade":  "#!/bin/sh\nexport PKG_UPGRADE=1\n" + install,
		"pre-deinstall": "#!/bin/sh\n" + head + "default_prerm\n",
	}
}

// withAPKLists adds /lib/apk/packages/NAME.list (every file), and for
// conffiles NAME.conffiles and NAME.conffiles_static (path and sha256): apk v3
// has no conffiles field, OpenWrt's default_postinst/default_prerm and
// sysupgrade read these.
func withAPKLists(pkg string, files []apk.File, conffiles []string) []apk.File {
	var list []string
	byPath := map[string][]byte{}
	for _, f := range files {
		list = append(list, "/"+f.Path)
		byPath["/"+f.Path] = f.Data
	}
	sort.Strings(list)
	dir := "lib/apk/packages/" + pkg
	out := append(append([]apk.File(nil), files...), apk.File{Path: dir + ".list", Mode: 0o644, Data: []byte(strings.Join(list, "\n") + "\n")})
	if len(conffiles) > 0 {
		var static strings.Builder
		for _, c := range conffiles {
			fmt.Fprintf(&static, "%s %x\n", c, sha256.Sum256(byPath[c]))
		}
		out = append(out,
			apk.File{Path: dir + ".conffiles", Mode: 0o644, Data: []byte(strings.Join(conffiles, "\n") + "\n")},
			apk.File{Path: dir + ".conffiles_static", Mode: 0o644, Data: []byte(static.String())})
	}
	return out
}

// openwrt makes the .ipk and the .apk of one architecture and its feed.
func (p *packer) openwrt(t target) (made, error) {
	m := made{target: t}
	bin, err := os.ReadFile(t.bin)
	if err != nil {
		return m, err
	}
	m.binSize = len(bin)
	files := append([]apk.File{{Path: "usr/bin/" + name, Mode: 0o755, Data: bin}}, p.tree...)
	ip := &ipk.Package{
		Control: ipk.Control{
			Package: name, Version: p.o.version, Depends: "libc, ca-bundle", Source: name, License: "MIT",
			Section: "net", Maintainer: maintainer, Architecture: t.arch, Description: summary + "\n" + longDesc,
			RequireUser: userID,
		},
		Files:     ipkFiles(files),
		Conffiles: []string{conffile},
		Scripts:   map[string]string{"postinst": postinst, "prerm": prerm},
		ModTime:   p.mtime,
		Cache:     p.ipkCache,
	}
	ipkBytes, err := bytesOf(ip.Write)
	if err != nil {
		return m, err
	}
	ap := &apk.Package{
		Name: name, Version: p.o.version, Description: oneLine(longDesc), Arch: t.arch, License: "MIT",
		Origin: name, URL: homepage, Maintainer: maintainer, Depends: []string{"libc", "ca-bundle"},
		Files: withAPKLists(name, append(files, apk.File{Path: "lib/apk/packages/" + name + ".rusers", Mode: 0o644, Data: []byte(userID + "\n")}),
			[]string{conffile}),
		Scripts: apkScripts(name, ""), ModTime: p.mtime,
		Cache: p.apkCache,
	}
	apkBytes, err := ap.Bytes(p.apkKey)
	if err != nil {
		return m, err
	}
	m.ipkSize, m.apkSize = len(ipkBytes), len(apkBytes)

	ipkName := fmt.Sprintf("%s_%s_%s.ipk", name, p.o.version, t.arch)
	luciIPKName := fmt.Sprintf("%s_%s_all.ipk", luciName, p.o.version)
	feed := filepath.Join("feed", t.arch)
	out := map[string][]byte{
		ipkName:                          ipkBytes,
		filepath.Join(feed, luciIPKName): p.luciIPK,
		filepath.Join(feed, apkName(name, p.o.version)):     apkBytes,
		filepath.Join(feed, apkName(luciName, p.o.version)): p.luciAPK,
	}
	// opkg feed: Packages (the control files with Filename, Size, SHA256sum), gzip'd, signed
	var packages bytes.Buffer
	for _, e := range []struct {
		file    string
		control []byte
		data    []byte
	}{{ipkName, ip.ControlText(), ipkBytes}, {luciIPKName, p.luciCtl, p.luciIPK}} {
		packages.Write(feedEntry(e.control, e.file, e.data))
		packages.WriteString("\n")
	}
	out[filepath.Join(feed, "Packages")] = packages.Bytes()
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Header.OS = 3
	zw.Write(packages.Bytes())
	zw.Close()
	out[filepath.Join(feed, "Packages.gz")] = gz.Bytes()
	if p.usignKey != nil {
		out[filepath.Join(feed, "Packages.sig")] = p.usignKey.Sign(packages.Bytes())
	}
	// apk repository: packages.adb
	index, err := apk.Index(name+" "+p.o.version+" "+t.arch, []apk.Indexed{{Package: ap, File: apkBytes}, {Package: p.luciPkg, File: p.luciAPK}}, p.apkKey)
	if err != nil {
		return m, err
	}
	out[filepath.Join(feed, "packages.adb")] = index
	for rel, b := range out {
		if err := writeFile(filepath.Join(p.o.out, rel), b); err != nil {
			return m, err
		}
	}
	// the feed's copy of the ipk is the same file: a hard link where the file system has them
	if err := link(filepath.Join(p.o.out, ipkName), filepath.Join(p.o.out, feed, ipkName)); err != nil {
		return m, err
	}
	m.files = []string{ipkName, filepath.Join(feed, apkName(name, p.o.version))}
	return m, nil
}

// oneLine is the description as OpenWrt's build gives apk mkpkg: the
// package's description with its whitespace collapsed ($(strip ...)).
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func apkName(pkg, version string) string { return pkg + "-" + version + ".apk" }

// feedEntry is a package's paragraph of a Packages file: its control fields
// with Filename, Size and SHA256sum before the description, as opkg-make-index writes it.
func feedEntry(control []byte, file string, data []byte) []byte {
	head, desc, _ := strings.Cut(string(control), "Description: ")
	// an ipk's control file counts installed size in bytes; keep it
	return []byte(fmt.Sprintf("%sFilename: %s\nSize: %d\nSHA256sum: %x\nDescription: %s", head, file, len(data), sha256.Sum256(data), desc))
}

// link makes dst the file src, or a copy where hard links fail.
func link(src, dst string) error {
	os.Remove(dst)
	if os.Link(src, dst) == nil {
		return nil
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return writeFile(dst, b)
}

func writeFile(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// keygen writes the key pairs a feed is signed with: usign's (opkg's
// Packages.sig; the public key goes to /etc/opkg/keys/FINGERPRINT) and an
// ECDSA P-256 pair for apk (the public key goes to /etc/apk/keys/).
func keygen(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	s, err := usign.Generate()
	if err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	signer, err := apk.NewSigner(key)
	if err != nil {
		return err
	}
	pub, err := signer.PublicPEM()
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		data []byte
		mode os.FileMode
	}{
		{"usign.sec", s.Marshal(), 0o600},
		{usign.FingerprintHex(s.Fingerprint), s.Public().Marshal(), 0o644},
		{"apk-private.pem", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600},
		{"ddns-updater.pem", pub, 0o644},
	} {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, f.mode); err != nil {
			return err
		}
		fmt.Println(filepath.Join(dir, f.name))
	}
	return nil
}
