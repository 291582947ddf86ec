package openwrt

import (
	"bytes"
	"crypto/md5"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// debVersion is the OpenWrt version as Debian writes it (0.3.0-r1 → 0.3.0-1).
func debVersion(v string) string { return strings.Replace(v, "-r", "-", 1) }

// need skips unless the tool is installed.
func need(t *testing.T, tool, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		t.Skipf("%s not installed (Debian package %s; .ci/run installs it)", tool, pkg)
	}
	return p
}

// checkDebs holds each .deb to Debian's own tools: dpkg-deb reads its control
// fields, files and modes; the binary is the architecture's; md5sums match;
// lintian finds no error; the unit passes systemd-analyze verify; and the
// host's architecture installs, upgrades and purges into a throw-away root.
func checkDebs(t *testing.T, dist, version string, sums []byte) {
	need(t, "dpkg-deb", "dpkg")
	dv := debVersion(version)
	for debArch, goarch := range debArches {
		t.Run(debArch, func(t *testing.T) {
			file := filepath.Join(dist, fmt.Sprintf("ddns-updater_%s_%s.deb", dv, debArch))
			if _, err := os.Stat(file); err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(sums, []byte("  "+filepath.Base(file)+"\n")) {
				t.Error("SHA256SUMS lacks it")
			}
			out, err := exec.Command("dpkg-deb", "--info", file).CombinedOutput()
			if err != nil {
				t.Fatalf("dpkg-deb --info: %v\n%s", err, out)
			}
			for _, f := range []string{"Package: ddns-updater\n", "Version: " + dv + "\n", "Architecture: " + debArch + "\n",
				"Depends: ca-certificates\n", "Section: net\n", "Maintainer: ", "Installed-Size: ", "Description: "} {
				if !strings.Contains(string(out), " "+f) {
					t.Errorf("control lacks %q:\n%s", f, out)
				}
			}
			out, err = exec.Command("dpkg-deb", "--contents", file).CombinedOutput()
			if err != nil {
				t.Fatalf("dpkg-deb --contents: %v\n%s", err, out)
			}
			for path, mode := range map[string]string{
				"./usr/bin/ddns-updater":                           "-rwxr-xr-x",
				"./etc/ddns-updater/ddns.conf":                     "-rw-------",
				"./usr/lib/systemd/system/ddns-updater.service":    "-rw-r--r--",
				"./usr/share/man/man8/ddns-updater.8.gz":           "-rw-r--r--",
				"./usr/share/doc/ddns-updater/copyright":           "-rw-r--r--",
				"./usr/share/doc/ddns-updater/changelog.Debian.gz": "-rw-r--r--",
			} {
				if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(mode) + ` root/root .* ` + regexp.QuoteMeta(path) + `$`).Match(out) {
					t.Errorf("%s is not %s root/root:\n%s", path, mode, out)
				}
			}
			x := t.TempDir()
			if out, err := exec.Command("dpkg-deb", "-R", file, x).CombinedOutput(); err != nil {
				t.Fatalf("dpkg-deb -R: %v\n%s", err, out)
			}
			if f, err := elf.Open(filepath.Join(x, "usr/bin/ddns-updater")); err != nil || f.Machine != machine[goarch].m {
				t.Errorf("the binary is not an ELF of %s: %v", goarch, err)
			}
			conff, _ := os.ReadFile(filepath.Join(x, "DEBIAN/conffiles"))
			if string(conff) != "/etc/ddns-updater/ddns.conf\n" {
				t.Errorf("conffiles %q", conff)
			}
			md5s, _ := os.ReadFile(filepath.Join(x, "DEBIAN/md5sums"))
			n := 0
			for _, l := range strings.Split(strings.TrimSpace(string(md5s)), "\n") {
				sum, path, _ := strings.Cut(l, "  ")
				b, err := os.ReadFile(filepath.Join(x, path))
				if err != nil || fmt.Sprintf("%x", md5.Sum(b)) != sum {
					t.Errorf("md5sums: %s does not match", path)
				}
				n++
			}
			if n < 6 {
				t.Errorf("md5sums lists %d files", n)
			}
			for _, s := range []string{"postinst", "prerm", "postrm"} {
				if st, err := os.Stat(filepath.Join(x, "DEBIAN", s)); err != nil || st.Mode().Perm() != 0o755 {
					t.Errorf("DEBIAN/%s: %v", s, err)
				}
			}
			unit, _ := os.ReadFile(filepath.Join(x, "usr/lib/systemd/system/ddns-updater.service"))
			for _, d := range []string{"Restart=on-failure", "NoNewPrivileges=yes", "CapabilityBoundingSet=\n", "ProtectSystem=strict",
				"ProtectHome=yes", "RuntimeDirectory=ddns-updater", "ReadOnlyPaths=/etc/ddns-updater", "SystemCallFilter=@system-service",
				"ExecStart=/usr/bin/ddns-updater --config /etc/ddns-updater/ddns.conf"} {
				if !bytes.Contains(unit, []byte("\n"+d)) {
					t.Errorf("the unit lacks %q", d)
				}
			}
			lintian(t, file)
			if goarch == runtime.GOARCH {
				verifyUnit(t, x)
				installDeb(t, file)
			}
		})
	}
}

// lintian runs Debian's package checker: no error, no warning it does not override.
func lintian(t *testing.T, file string) {
	t.Helper()
	l, err := exec.LookPath("lintian")
	if err != nil {
		t.Log("lintian not installed (Debian package lintian; .ci/run installs it): not run")
		return
	}
	out, err := exec.Command(l, "--tag-display-limit", "0", file).CombinedOutput()
	if err != nil || regexp.MustCompile(`(?m)^[EW]: `).Match(out) {
		t.Errorf("lintian: %v\n%s", err, out)
	}
}

// verifyUnit runs systemd-analyze verify on the unit inside a root that has
// the host's units (for the targets it names) and the package's files.
func verifyUnit(t *testing.T, extracted string) {
	t.Helper()
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Log("systemd-analyze not installed: the unit is not verified")
		return
	}
	if _, err := os.Stat("/usr/lib/systemd/system/multi-user.target"); err != nil {
		t.Log("no systemd units on this host: the unit is not verified")
		return
	}
	root := t.TempDir()
	if out, err := exec.Command("cp", "-r", "/usr/lib/systemd", filepath.Join(root, "usr-lib-systemd")).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	os.MkdirAll(filepath.Join(root, "usr/lib"), 0o755)
	os.Rename(filepath.Join(root, "usr-lib-systemd"), filepath.Join(root, "usr/lib/systemd"))
	os.MkdirAll(filepath.Join(root, "usr/bin"), 0o755)
	os.MkdirAll(filepath.Join(root, "bin"), 0o755)
	for f, mode := range map[string]os.FileMode{"usr/bin/ddns-updater": 0o755, "usr/lib/systemd/system/ddns-updater.service": 0o644} {
		b, _ := os.ReadFile(filepath.Join(extracted, f))
		os.WriteFile(filepath.Join(root, f), b, mode)
	}
	os.WriteFile(filepath.Join(root, "bin/kill"), []byte("#!/bin/sh\n"), 0o755)
	out, err := exec.Command(sa, "verify", "--man=no", "--root="+root, filepath.Join(root, "usr/lib/systemd/system/ddns-updater.service")).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) != 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// installDeb installs the package with the real dpkg into a throw-away root
// (maintainer scripts outside a chroot, with DPKG_ROOT, as dpkg runs them with
// --force-script-chrootless), with a stand-in deb-systemd-helper that records
// its calls: installed with no profile enabled, the unit is not enabled;
// reinstalled after the admin enabled a profile, it is, and the admin's
// config is kept; purged, the unit's state and the config go.
func installDeb(t *testing.T, file string) {
	t.Helper()
	need(t, "dpkg", "dpkg")
	if os.Geteuid() != 0 {
		t.Skip("dpkg --root needs root (CI runs as root)")
	}
	root := t.TempDir()
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/dpkg/triggers"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	os.WriteFile(filepath.Join(root, "var/lib/dpkg/status"), nil, 0o644)
	os.WriteFile(filepath.Join(root, "var/lib/dpkg/available"), nil, 0o644)
	fake := t.TempDir()
	os.WriteFile(filepath.Join(fake, "deb-systemd-helper"), []byte("#!/bin/sh\necho \"deb-systemd-helper $*\" >> \"$DPKG_ROOT/helper.log\"\n"), 0o755)
	dpkg := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("dpkg", append([]string{"--root=" + root, "--log=/dev/null", "--force-script-chrootless", "--force-depends", "--force-confold"}, args...)...)
		cmd.Env = append(os.Environ(), "PATH="+fake+":"+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("dpkg %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	helper := func() string { b, _ := os.ReadFile(filepath.Join(root, "helper.log")); return string(b) }

	out := dpkg("--install", file)
	conf := filepath.Join(root, "etc/ddns-updater/ddns.conf")
	if st, err := os.Stat(conf); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("config: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "usr/bin/ddns-updater")); err != nil {
		t.Fatal(err)
	}
	if helper() != "" || !strings.Contains(out, "no profile in /etc/ddns-updater/ddns.conf is enabled") {
		t.Errorf("installed with no enabled profile: helper %q\n%s", helper(), out)
	}
	// the admin fills in the profile and enables it; the package is installed again (an upgrade)
	b, _ := os.ReadFile(conf)
	edited := bytes.Replace(b, []byte("enabled = no"), []byte("enabled = yes"), 1)
	os.WriteFile(conf, edited, 0o600)
	dpkg("--install", file)
	if helper() != "deb-systemd-helper enable ddns-updater.service\n" {
		t.Errorf("after enabling a profile: helper %q", helper())
	}
	if now, _ := os.ReadFile(conf); !bytes.Equal(now, edited) {
		t.Error("the upgrade replaced the admin's config")
	}
	dpkg("--purge", "ddns-updater")
	if !strings.HasSuffix(helper(), "deb-systemd-helper purge ddns-updater.service\n") {
		t.Errorf("purge: helper %q", helper())
	}
	for _, f := range []string{"etc/ddns-updater/ddns.conf", "usr/bin/ddns-updater"} {
		if _, err := os.Stat(filepath.Join(root, f)); err == nil {
			t.Errorf("%s is left after purge", f)
		}
	}
}
