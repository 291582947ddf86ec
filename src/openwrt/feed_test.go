package openwrt

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"debug/elf"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"ddns-updater/src/adb"
	"ddns-updater/src/usign"
)

// checkAPK reads an architecture's .apk back with src/adb (written from the
// format's description, not from the writer) and holds it to what OpenWrt's
// build makes: the ipk's metadata, the same files with the same modes, the
// apk lists and conffiles under /lib/apk/packages, and package-pack.mk's scripts.
func checkAPK(t *testing.T, dist string, a arch, version string, ipkFiles map[string]*entry) {
	t.Helper()
	file := filepath.Join(dist, "feed", a.name, "ddns-updater-"+version+".apk")
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	p, err := adb.ReadPackage(b)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	in := p.Info
	if in.Name != "ddns-updater" || in.Version != version || in.Arch != a.name || in.License != "MIT" || in.Origin != "ddns-updater" ||
		!strings.HasPrefix(in.URL, "https://") || !strings.Contains(in.Maintainer, "<") || !strings.HasPrefix(in.Description, "Reads the address from the router's interfaces (rtnetlink) or a checkip server, updates") {
		t.Errorf("info %+v", in)
	}
	if strings.Join(in.Depends, " ") != "ca-bundle libc" {
		t.Errorf("depends %v", in.Depends)
	}
	if !p.File.Compressed || len(p.File.Sigs) != 0 {
		t.Errorf("compressed %v, %d signatures (unsigned by default)", p.File.Compressed, len(p.File.Sigs))
	}
	files := map[string]adb.Entry{}
	var list []string
	for _, e := range p.Entries {
		files[e.Path] = e
		if e.User != "root" || e.Group != "root" {
			t.Errorf("%s owned by %s:%s", e.Path, e.User, e.Group)
		}
		// OpenWrt lists every file but the list and the conffiles lists, which it writes after
		switch e.Path {
		case "lib/apk/packages/ddns-updater.list", "lib/apk/packages/ddns-updater.conffiles", "lib/apk/packages/ddns-updater.conffiles_static":
		default:
			if !strings.HasSuffix(e.Path, "/") {
				list = append(list, "/"+e.Path)
			}
		}
	}
	// the same files as the ipk, byte for byte and mode for mode
	for name, e := range ipkFiles {
		path := strings.TrimPrefix(name, "./")
		if e.h.Typeflag != '0' {
			continue
		}
		f, ok := files[path]
		if !ok || !bytes.Equal(f.Data, e.body) || int64(f.Mode) != e.h.Mode {
			t.Errorf("%s: in the apk %v, mode %o (ipk %o)", path, ok, f.Mode, e.h.Mode)
		}
	}
	sort.Strings(list)
	lists := map[string]string{
		"lib/apk/packages/ddns-updater.list":      strings.Join(list, "\n") + "\n",
		"lib/apk/packages/ddns-updater.conffiles": "/etc/config/ddns-updater\n",
		"lib/apk/packages/ddns-updater.rusers":    "ddns-updater:ddns-updater\n", // add_group_and_user's, as Require-User in the ipk
		"lib/apk/packages/ddns-updater.conffiles_static": fmt.Sprintf("/etc/config/ddns-updater %x\n",
			sha256.Sum256(files["etc/config/ddns-updater"].Data)),
	}
	for path, want := range lists {
		if got := string(files[path].Data); got != want || files[path].Mode != 0o644 {
			t.Errorf("%s:\n%s\nwant\n%s", path, got, want)
		}
	}
	if !slices.Contains(list, "/usr/bin/ddns-updater") || !slices.Contains(list, "/etc/init.d/ddns-updater") {
		t.Errorf("the list lacks the binary or the init script: %v", list)
	}
	if files["etc/config/"].Mode != 0o755 || files["usr/bin/ddns-updater"].Mode != 0o755 || files["etc/config/ddns-updater"].Mode != 0o600 {
		t.Error("modes of the config directory, binary or config file")
	}
	if f, err := elf.NewFile(bytes.NewReader(files["usr/bin/ddns-updater"].Data)); err != nil || f.Machine != machine[a.goarch].m {
		t.Errorf("the binary is not an ELF of %s: %v", a.goarch, err)
	}
	checkAPKScripts(t, p.Scripts, "ddns-updater")
}

// checkAPKScripts runs the package's scripts under BusyBox with a stand-in
// for /lib/functions.sh, as apk runs them (chrooted into the root, whose path
// IPKG_INSTROOT is empty): post-install and post-upgrade must call
// add_group_and_user and default_postinst with pkgname set (default_postinst
// reads /lib/apk/packages/$pkgname.list to enable the init script),
// post-upgrade with PKG_UPGRADE=1; pre-deinstall must call default_prerm.
func checkAPKScripts(t *testing.T, scripts map[string]string, pkg string) {
	t.Helper()
	if len(scripts) != 3 {
		t.Errorf("scripts %v, want post-install, post-upgrade, pre-deinstall", slices.Sorted(maps.Keys(scripts)))
	}
	shell, err := exec.LookPath("busybox")
	if err != nil {
		t.Log("busybox not installed (Debian package busybox; .ci/run installs it): the apk scripts are not run")
		return
	}
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "lib"), 0o755)
	os.WriteFile(filepath.Join(root, "lib", "functions.sh"), []byte(`
add_group_and_user() { echo "add_group_and_user pkgname=$pkgname" >> "$LOG"; }
default_postinst() { echo "default_postinst pkgname=$pkgname upgrade=${PKG_UPGRADE:-0} root=$root" >> "$LOG"; }
default_prerm() { echo "default_prerm pkgname=$pkgname root=$root" >> "$LOG"; }
`), 0o644)
	for name, want := range map[string]string{
		"post-install":  "add_group_and_user pkgname=%[1]s\ndefault_postinst pkgname=%[1]s upgrade=0 root=%[2]s\n",
		"post-upgrade":  "add_group_and_user pkgname=%[1]s\ndefault_postinst pkgname=%[1]s upgrade=1 root=%[2]s\n",
		"pre-deinstall": "default_prerm pkgname=%[1]s root=%[2]s\n",
	} {
		log := filepath.Join(t.TempDir(), "log")
		script := filepath.Join(t.TempDir(), name)
		os.WriteFile(script, []byte(scripts[name]), 0o755)
		cmd := command(t, shell, "sh", script, "0.3.0-r1")
		cmd.Env = append(os.Environ(), "LOG="+log, "IPKG_INSTROOT="+root)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", name, err, out)
		}
		got, _ := os.ReadFile(log)
		if w := fmt.Sprintf(want, pkg, root); string(got) != w {
			t.Errorf("%s called:\n%s\nwant\n%s", name, got, w)
		}
		if !strings.HasPrefix(scripts[name], "#!/bin/sh\n") {
			t.Errorf("%s does not start with #!/bin/sh", name)
		}
	}
}

// checkLuciAPK holds the LuCI app's .apk to its ipk.
func checkLuciAPK(t *testing.T, dist, archName, version string, ipkFiles map[string]*entry) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dist, "feed", archName, "luci-app-ddns-updater-"+version+".apk"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := adb.ReadPackage(b)
	if err != nil {
		t.Fatal(err)
	}
	if p.Info.Name != "luci-app-ddns-updater" || p.Info.Arch != "noarch" || strings.Join(p.Info.Depends, " ") != "ddns-updater libc" {
		t.Errorf("info %+v", p.Info)
	}
	files := map[string][]byte{}
	for _, e := range p.Entries {
		files[e.Path] = e.Data
	}
	n := 0
	for name, e := range ipkFiles {
		if e.h.Typeflag == '0' {
			n++
			if !bytes.Equal(files[strings.TrimPrefix(name, "./")], e.body) {
				t.Errorf("%s differs from the ipk's", name)
			}
		}
	}
	if n < 6 || files["lib/apk/packages/luci-app-ddns-updater.list"] == nil {
		t.Errorf("%d files; list %q", n, files["lib/apk/packages/luci-app-ddns-updater.list"])
	}
	if !strings.Contains(p.Scripts["post-install"], "killall -HUP rpcd") {
		t.Error("the LuCI app's post-install does not carry luci.mk's postinst")
	}
	checkAPKScripts(t, p.Scripts, "luci-app-ddns-updater")
}

// paragraphs parses a Packages file: one field map per package.
func paragraphs(t *testing.T, b []byte) []map[string]string {
	var out []map[string]string
	for _, para := range strings.Split(strings.TrimSpace(string(b)), "\n\n") {
		m := map[string]string{}
		var last string
		sc := bufio.NewScanner(strings.NewReader(para))
		for sc.Scan() {
			l := sc.Text()
			if strings.HasPrefix(l, " ") {
				m[last] += "\n" + l
				continue
			}
			k, v, ok := strings.Cut(l, ": ")
			if !ok {
				t.Errorf("line %q is not a field", l)
			}
			m[k], last = v, k
		}
		out = append(out, m)
	}
	return out
}

// checkFeed holds an architecture's feed directory to the packages in it:
// Packages (and Packages.gz) lists exactly the two .ipk files with their sizes
// and sha256, packages.adb exactly the two .apk files with their sizes and
// identities (the sha256 of each package's ADB block, which apk checks after
// download); with keys, Packages.sig and the apk signatures verify.
func checkFeed(t *testing.T, dist, archName, version string, keys *feedKeys) {
	t.Helper()
	dir := filepath.Join(dist, "feed", archName)
	packages, err := os.ReadFile(filepath.Join(dir, "Packages"))
	if err != nil {
		t.Fatal(err)
	}
	z, _ := os.ReadFile(filepath.Join(dir, "Packages.gz"))
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	unz, _ := io.ReadAll(zr)
	if !bytes.Equal(unz, packages) {
		t.Error("Packages.gz is not Packages")
	}
	var names []string
	for _, m := range paragraphs(t, packages) {
		names = append(names, m["Package"])
		b, err := os.ReadFile(filepath.Join(dir, m["Filename"]))
		if err != nil {
			t.Errorf("%s: Filename %q: %v", m["Package"], m["Filename"], err)
			continue
		}
		if m["Size"] != strconv.Itoa(len(b)) || m["SHA256sum"] != fmt.Sprintf("%x", sha256.Sum256(b)) {
			t.Errorf("%s: Size %s SHA256sum %s, the file has %d bytes", m["Package"], m["Size"], m["SHA256sum"], len(b))
		}
		if m["Version"] != version || m["Description"] == "" || m["Architecture"] == "" {
			t.Errorf("%s: %v", m["Package"], m)
		}
	}
	if strings.Join(names, " ") != "ddns-updater luci-app-ddns-updater" {
		t.Errorf("Packages lists %v", names)
	}
	ixb, err := os.ReadFile(filepath.Join(dir, "packages.adb"))
	if err != nil {
		t.Fatal(err)
	}
	ix, err := adb.ReadIndex(ixb)
	if err != nil {
		t.Fatal(err)
	}
	names = nil
	for _, in := range ix.Packages {
		names = append(names, in.Name)
		b, err := os.ReadFile(filepath.Join(dir, in.Name+"-"+in.Version+".apk")) // apk's default name spec
		if err != nil {
			t.Errorf("%s: %v", in.Name, err)
			continue
		}
		f, err := adb.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		id := f.Identity()
		if in.FileSize != uint64(len(b)) || !bytes.Equal(in.Hashes, id[:]) {
			t.Errorf("%s: index says %d bytes, hash %x; the file has %d, %s", in.Name, in.FileSize, in.Hashes, len(b), hex.EncodeToString(id[:]))
		}
		if keys != nil {
			if err := f.Verify(keys.apk); err != nil {
				t.Errorf("%s: %v", in.Name, err)
			}
		}
	}
	if strings.Join(names, " ") != "ddns-updater luci-app-ddns-updater" {
		t.Errorf("packages.adb lists %v", names)
	}
	sig, sigErr := os.ReadFile(filepath.Join(dir, "Packages.sig"))
	if keys == nil {
		if sigErr == nil || len(ix.File.Sigs) != 0 {
			t.Error("signed without a key")
		}
		return
	}
	if err := keys.usign.Verify(packages, sig); err != nil {
		t.Errorf("Packages.sig: %v", err)
	}
	if err := ix.File.Verify(keys.apk); err != nil {
		t.Errorf("packages.adb: %v", err)
	}
}

type feedKeys struct {
	usign *usign.Public
	apk   *ecdsa.PublicKey
}

// TestSignedFeed builds one architecture with keys made by `mkpkg keygen`,
// as a feed's publisher would, and verifies what a router checks: opkg's
// usign signature of Packages with the public key file named by its
// fingerprint, apk's signatures with the PEM public key.
func TestSignedFeed(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the packages")
	}
	dist := built(t)
	keyDir := t.TempDir()
	out, err := command(t, filepath.Join(dist, "bin", "mkpkg"), "keygen", keyDir).CombinedOutput()
	if err != nil {
		t.Fatalf("keygen: %v\n%s", err, out)
	}
	sec, err := usign.LoadSecret(filepath.Join(keyDir, "usign.sec"))
	if err != nil {
		t.Fatal(err)
	}
	pubFile := filepath.Join(keyDir, usign.FingerprintHex(sec.Fingerprint)) // the name opkg looks for in /etc/opkg/keys
	pubBytes, err := os.ReadFile(pubFile)
	if err != nil {
		t.Fatalf("keygen did not write %s: %v", pubFile, err)
	}
	up, err := usign.ParsePublic(pubBytes)
	if err != nil {
		t.Fatal(err)
	}
	pemBytes, _ := os.ReadFile(filepath.Join(keyDir, "ddns-updater.pem"))
	blk, _ := pem.Decode(pemBytes)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		t.Fatalf("apk public key %q", pemBytes)
	}
	pk, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	signed := t.TempDir()
	cmd := command(t, repoFile("build.sh"), "x86_64")
	cmd.Env = append(os.Environ(), "DIST="+signed, "USIGN_KEY="+filepath.Join(keyDir, "usign.sec"), "APK_SIGN_KEY="+filepath.Join(keyDir, "apk-private.pem"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build.sh: %v\n%s", err, out)
	}
	version := makefileVersion(t)
	checkFeed(t, signed, "x86_64", version, &feedKeys{usign: up, apk: pk.(*ecdsa.PublicKey)})
	// a signature changes nothing else: the packages read back as before
	b, _ := os.ReadFile(filepath.Join(signed, "feed", "x86_64", "ddns-updater-"+version+".apk"))
	if p, err := adb.ReadPackage(b); err != nil || len(p.File.Sigs) != 1 {
		t.Errorf("signed package: %v", err)
	}
	// and a feed signed with another key does not verify
	other, _ := usign.Generate()
	packages, _ := os.ReadFile(filepath.Join(signed, "feed", "x86_64", "Packages"))
	sig, _ := os.ReadFile(filepath.Join(signed, "feed", "x86_64", "Packages.sig"))
	if other.Public().Verify(packages, sig) == nil {
		t.Error("Packages.sig verified with another key")
	}
}
