package openwrt

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"ddns-updater/src/internal/testcert"
)

// machine is what an ELF for a GOARCH must say.
var machine = map[string]struct {
	m     elf.Machine
	class elf.Class
	order binary.ByteOrder
	qemu  string // qemu-user program, "" when the test does not run it
}{
	"amd64":    {elf.EM_X86_64, elf.ELFCLASS64, binary.LittleEndian, "native"},
	"386":      {elf.EM_386, elf.ELFCLASS32, binary.LittleEndian, ""},
	"arm":      {elf.EM_ARM, elf.ELFCLASS32, binary.LittleEndian, "qemu-arm-static"},
	"arm64":    {elf.EM_AARCH64, elf.ELFCLASS64, binary.LittleEndian, "qemu-aarch64-static"},
	"mips":     {elf.EM_MIPS, elf.ELFCLASS32, binary.BigEndian, "qemu-mips-static"},
	"mipsle":   {elf.EM_MIPS, elf.ELFCLASS32, binary.LittleEndian, "qemu-mipsel-static"},
	"mips64":   {elf.EM_MIPS, elf.ELFCLASS64, binary.BigEndian, ""},
	"mips64le": {elf.EM_MIPS, elf.ELFCLASS64, binary.LittleEndian, ""},
	"riscv64":  {elf.EM_RISCV, elf.ELFCLASS64, binary.LittleEndian, ""},
	"loong64":  {elf.EM_LOONGARCH, elf.ELFCLASS64, binary.LittleEndian, ""},
}

type arch struct{ name, goarch, variant string }

func arches(t *testing.T) []arch {
	data, err := os.ReadFile(repoFile("openwrt/arches.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var out []arch
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Split(line, "\t"); len(f) >= 3 && !strings.HasPrefix(line, "#") {
			out = append(out, arch{f[0], f[1], f[2]})
		}
	}
	return out
}

func TestArchesMatchShared(t *testing.T) {
	shared, err := os.ReadFile(repoFile("../shared/openwrt/arches.tsv"))
	if err != nil {
		t.Skip("shared/openwrt is not beside the checkout")
	}
	if ours, _ := os.ReadFile(repoFile("openwrt/arches.tsv")); !bytes.Equal(ours, shared) {
		t.Error("openwrt/arches.tsv differs from shared/openwrt/arches.tsv")
	}
}

func build(t *testing.T, dist string, names ...string) {
	t.Helper()
	cmd := command(t, repoFile("build.sh"), names...)
	cmd.Env = append(os.Environ(), "DIST="+dist)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build.sh: %v\n%s", err, out)
	}
}

// runTargets are the architectures whose binaries the tests run, natively or
// under qemu-user: the default test run builds these, each once.
var runTargets = []string{"x86_64", "mips_24kc", "mipsel_24kc", "arm_arm926ej-s", "arm_cortex-a15_neon-vfpv4", "aarch64_cortex-a53"}

// debArches are the Debian architectures build.sh packs, with their GOARCH.
var debArches = map[string]string{"amd64": "amd64", "arm64": "arm64", "armhf": "arm"}

// allArches: DDNS_TEST_ALL_ARCHES=1 (set by .ci/run) builds every architecture
// of arches.tsv twice and compares the builds; it takes minutes on a cold cache.
var allArches = os.Getenv("DDNS_TEST_ALL_ARCHES") == "1"

var shared struct {
	once sync.Once
	dir  string
	err  string
}

// built is a dist directory holding the packages of runTargets, made by
// build.sh once per test process (removed by TestMain).
func built(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the packages")
	}
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "ddns-updater-dist-")
		if err != nil {
			shared.err = err.Error()
			return
		}
		shared.dir = dir
		cmd := command(t, repoFile("build.sh"), runTargets...)
		cmd.Env = append(os.Environ(), "DIST="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			shared.err = fmt.Sprintf("build.sh: %v\n%s", err, out)
		}
	})
	if shared.err != "" {
		t.Fatal(shared.err)
	}
	return shared.dir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

func untgz(t *testing.T, data []byte) map[string]*entry {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*entry{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		out[h.Name] = &entry{h, body}
	}
}

type entry struct {
	h    *tar.Header
	body []byte
}

// TestPackages checks what opkg and the router will see in the packages
// build.sh makes: by default those of runTargets, with one architecture built a
// second time and compared; with DDNS_TEST_ALL_ARCHES=1 every architecture,
// built twice and compared.
func TestPackages(t *testing.T) {
	if raceEnabled {
		t.Skip("runs once, without the race detector")
	}
	if testing.Short() {
		t.Skip("builds the packages")
	}
	all := arches(t)
	var dist string
	if allArches {
		var names []string
		for _, a := range all {
			names = append(names, a.name)
		}
		again := t.TempDir()
		dist = t.TempDir()
		build(t, dist, names...)
		build(t, again, names...)
		sums, _ := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
		sums2, _ := os.ReadFile(filepath.Join(again, "SHA256SUMS"))
		if len(sums) == 0 || !bytes.Equal(sums, sums2) {
			t.Errorf("two builds of the same source differ:\n%s\n%s", sums, sums2)
		}
	} else {
		dist = built(t)
		var some []arch
		for _, a := range all {
			if slices.Contains(runTargets, a.name) {
				some = append(some, a)
			}
		}
		all = some
		again := t.TempDir()
		build(t, again, "mipsel_24kc")
		for _, pattern := range []string{"ddns-updater_*_mipsel_24kc.ipk", "luci-app-ddns-updater_*_all.ipk",
			"feed/mipsel_24kc/ddns-updater-*.apk", "feed/mipsel_24kc/luci-app-ddns-updater-*.apk", "feed/mipsel_24kc/packages.adb", "feed/mipsel_24kc/Packages.gz"} {
			a, _ := filepath.Glob(filepath.Join(dist, pattern))
			b, _ := filepath.Glob(filepath.Join(again, pattern))
			if len(a) != 1 || len(b) != 1 {
				t.Fatalf("%s: %v %v", pattern, a, b)
			}
			x, _ := os.ReadFile(a[0])
			y, _ := os.ReadFile(b[0])
			if !bytes.Equal(x, y) {
				t.Errorf("two builds of %s differ", filepath.Base(a[0]))
			}
		}
	}
	if len(all) == 0 {
		t.Fatal("no architecture to check")
	}
	sums, _ := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	sizes, _ := os.ReadFile(filepath.Join(dist, "sizes.md"))
	version := makefileVersion(t)
	for _, a := range all {
		t.Run(a.name, func(t *testing.T) {
			files, _ := filepath.Glob(filepath.Join(dist, "ddns-updater_*_"+a.name+".ipk"))
			if len(files) != 1 {
				t.Fatalf("ipk for %s: %v", a.name, files)
			}
			if !strings.Contains(string(sizes), "| "+a.name+" |") {
				t.Errorf("size table lacks %s", a.name)
			}
			data, _ := os.ReadFile(files[0])
			outer := untgz(t, data)
			if len(outer) != 3 || string(outer["./debian-binary"].body) != "2.0\n" || outer["./data.tar.gz"] == nil || outer["./control.tar.gz"] == nil {
				t.Fatalf("outer layout: %v", outer)
			}
			ctl := untgz(t, outer["./control.tar.gz"].body)
			control := string(ctl["./control"].body)
			for _, field := range []string{"Package: ddns-updater\n", "Depends: libc, ca-bundle\n", "Source: ", "License: MIT\n",
				"Section: net\n", "Maintainer: ", "Architecture: " + a.name + "\n", "Installed-Size: ", "Description: ",
				// what OpenWrt's add_group_and_user reads: the daemon's user and group, free ids
				"Require-User: ddns-updater:ddns-updater\n"} {
				if !strings.Contains(control, field) {
					t.Errorf("control lacks %q:\n%s", field, control)
				}
			}
			v := strings.SplitN(strings.SplitN(control, "Version: ", 2)[1], "\n", 2)[0]
			if v != version || !strings.HasSuffix(files[0], "_"+v+"_"+a.name+".ipk") {
				t.Errorf("version %q in %s", v, files[0])
			}
			if string(ctl["./conffiles"].body) != "/etc/config/ddns-updater\n" {
				t.Errorf("conffiles %q", ctl["./conffiles"].body)
			}
			for _, s := range []string{"./postinst", "./prerm"} {
				if ctl[s] == nil || ctl[s].h.Mode != 0o755 || !strings.Contains(string(ctl[s].body), ". ${IPKG_INSTROOT}/lib/functions.sh") {
					t.Errorf("%s missing or wrong", s)
				}
			}
			if !strings.Contains(string(ctl["./postinst"].body), "default_postinst $0 $@") || !strings.Contains(string(ctl["./prerm"].body), "default_prerm $0 $@") {
				t.Error("maintainer scripts must call default_postinst / default_prerm")
			}
			payload := untgz(t, outer["./data.tar.gz"].body)
			for path, mode := range map[string]int64{
				"./usr/bin/ddns-updater": 0o755, "./etc/init.d/ddns-updater": 0o755,
				"./etc/hotplug.d/iface/95-ddns-updater": 0o755, "./etc/config/ddns-updater": 0o600,
			} {
				e := payload[path]
				if e == nil || e.h.Mode != mode || e.h.Uid != 0 || e.h.Uname != "root" {
					t.Errorf("%s: %+v", path, e)
				}
			}
			bin := payload["./usr/bin/ddns-updater"].body
			f, err := elf.NewFile(bytes.NewReader(bin))
			if err != nil {
				t.Fatal(err)
			}
			want := machine[a.goarch]
			if f.Machine != want.m || f.Class != want.class || f.ByteOrder != want.order || f.Type != elf.ET_EXEC {
				t.Errorf("ELF %v %v %v %v, want %v %v %v", f.Machine, f.Class, f.ByteOrder, f.Type, want.m, want.class, want.order)
			}
			for _, p := range f.Progs {
				if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
					t.Error("the binary is not static")
				}
			}
			checkAPK(t, dist, a, version, payload)
			checkFeed(t, dist, a.name, version, nil)
			if !strings.Contains(string(sums), "  feed/"+a.name+"/ddns-updater-"+version+".apk\n") {
				t.Error("SHA256SUMS lacks the apk")
			}
		})
	}
	t.Run("luci", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join(dist, "luci-app-ddns-updater_"+version+"_all.ipk"))
		if err != nil {
			t.Fatal(err)
		}
		outer := untgz(t, data)
		control := string(untgz(t, outer["./control.tar.gz"].body)["./control"].body)
		for _, field := range []string{"Package: luci-app-ddns-updater\n", "Version: " + version + "\n", "Architecture: all\n", "Depends: libc, ddns-updater\n", "Section: luci\n"} {
			if !strings.Contains(control, field) {
				t.Errorf("control lacks %q:\n%s", field, control)
			}
		}
		payload := untgz(t, outer["./data.tar.gz"].body)
		for _, f := range []string{"./www/luci-static/resources/view/ddns-updater/overview.js", "./www/luci-static/resources/view/ddns-updater/log.js",
			"./www/luci-static/resources/ddns-updater/validate.js", "./www/luci-static/resources/ddns-updater/rules.js",
			"./usr/share/luci/menu.d/luci-app-ddns-updater.json", "./usr/share/rpcd/acl.d/luci-app-ddns-updater.json"} {
			if e := payload[f]; e == nil || e.h.Mode != 0o644 {
				t.Errorf("%s missing or not 0644", f)
			}
		}
		if !strings.Contains(string(sums), "luci-app-ddns-updater_"+version+"_all.ipk") {
			t.Error("SHA256SUMS lacks the LuCI app")
		}
		checkLuciAPK(t, dist, all[0].name, version, payload)
	})
	t.Run("deb", func(t *testing.T) { checkDebs(t, dist, version, sums) })
	t.Run("qemu", func(t *testing.T) { runUnderQemu(t, built(t), version) })
}

// makefileVersion is PKG_VERSION-rPKG_RELEASE from openwrt/Makefile, as build.sh stamps it.
func makefileVersion(t *testing.T) string {
	data, err := os.ReadFile(repoFile("openwrt/Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	field := func(k string) string {
		for _, l := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(l, k+":="); ok {
				return v
			}
		}
		t.Fatalf("openwrt/Makefile has no %s", k)
		return ""
	}
	return field("PKG_VERSION") + "-r" + field("PKG_RELEASE")
}

// runUnderQemu runs the built binaries of mips, mipsel, arm (GOARM=5, which
// every ARM architecture ships), aarch64 and x86_64: --version, and --once --dry-run against a test config
// whose checkip server (HTTPS on loopback) answers a documentation address,
// which the shipped binary must refuse to publish.
func runUnderQemu(t *testing.T, dist, version string) {
	cert := testcert.New(t, time.Now().Add(-time.Hour))
	check := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<html><body>Current IP Address: 203.0.113.7</body></html>")
	}))
	check.TLS = cert.Server
	check.StartTLS()
	defer check.Close()
	conf := filepath.Join(t.TempDir(), "ddns-updater")
	os.WriteFile(conf, []byte(fmt.Sprintf("config global 'global'\n\toption state_dir '%s'\n"+
		"config profile 'DDNS'\n\toption enabled 1\n\toption server 'members.dyndns.org'\n\toption username u\n\toption password p\n"+
		"\toption hostname home.example.com\n\toption ip_source web\n\toption external_ip_server '%s'\n\toption ca_file '%s'\n",
		t.TempDir(), check.Listener.Addr(), cert.CAFile)), 0o600)
	for _, bin := range []string{"amd64", "mips", "mipsle", "arm", "arm64"} {
		goarch := strings.SplitN(bin, "-", 2)[0]
		t.Run(bin, func(t *testing.T) {
			path := filepath.Join(dist, "bin", "ddns-updater-"+bin)
			argv := []string{path}
			if q := machine[goarch].qemu; q != "native" {
				qp, err := exec.LookPath(q)
				if err != nil {
					t.Skipf("%s not installed (Debian package qemu-user-static; .ci/run installs it)", q)
				}
				argv = []string{qp, path}
			}
			out, err := command(t, argv[0], append(argv[1:], "--version")...).CombinedOutput()
			if err != nil || string(out) != "ddns-updater "+version+"\n" {
				t.Errorf("--version: %v %q", err, out)
			}
			cmd := command(t, argv[0], append(argv[1:], "--config", conf, "--once", "--dry-run")...)
			out, err = cmd.CombinedOutput()
			ee, _ := err.(*exec.ExitError)
			if ee == nil || ee.ExitCode() != 1 || !strings.Contains(string(out), "203.0.113.7 is a documentation address (203.0.113.0/24), not a public address; no update sent") {
				t.Errorf("--once --dry-run: %v\n%s", err, out)
			}
		})
	}
}

// TestSizeTables: the README copies no per-architecture sizes (they went stale
// there) and points at the generated tables; the report's table, generated by
// benchreport from build.sh's sizes.md, has a row for every architecture.
func TestSizeTables(t *testing.T) {
	readme, err := os.ReadFile(repoFile("README.md"))
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\| [a-z0-9_.-]+ \| (amd64|386|arm|arm64|mips|mipsle|mips64|mips64le|riscv64|loong64)\b.*\| *[0-9]+ *\|`)
	if m := row.Find(readme); m != nil {
		t.Errorf("the README copies a size row (it goes stale there): %s", m)
	}
	if !strings.Contains(string(readme), "dist/sizes.md") || !strings.Contains(string(readme), "BENCHMARKS.md") {
		t.Error("the README must point at the generated size tables")
	}
	report, err := os.ReadFile(repoFile("BENCHMARKS.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range arches(t) {
		if !regexp.MustCompile(`(?m)^\| ` + regexp.QuoteMeta(a.name) + ` \| ` + a.goarch + ` .*\| [0-9]+ \| [0-9]+ \|$`).Match(report) {
			t.Errorf("BENCHMARKS.md has no size row for %s", a.name)
		}
	}
}
