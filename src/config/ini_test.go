package config

import (
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"ddns-updater/src/ini"
	"ddns-updater/src/uci"
)

// TestOriginalINI: the original program's file, read as it stands: the same
// profile and mail, the checkip server over plain HTTP as the original asked it.
func TestOriginalINI(t *testing.T) {
	data, err := os.ReadFile("../ini/testdata/ddns.conf")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(OriginalPath, data)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Profiles) != 1 || len(c.Warnings) != 0 {
		t.Fatalf("profiles %d, warnings %v", len(c.Profiles), c.Warnings)
	}
	p := c.Profiles[0]
	if !p.Usable() {
		t.Fatalf("problems %v", p.Problems)
	}
	if p.Name != "DDNS" || !p.Enabled || p.Server != "dyndns.strato.com" || p.ServerPath != "/nic/update?mx=NOCHG&wildcard=NOCHG" ||
		p.Username != "home.example.com" || p.Password != `50% off: it's "secret"` || strings.Join(p.Hostnames, ",") != "home.example.com" ||
		p.ExternalIPServer != "checkip.example.com" || p.CheckIPScheme != "http" || p.ExternalIPServerPath != "/checkip.php" ||
		p.UseRegex || !p.UseHTTPS || p.IPSource != SourceWeb || len(p.LegacyIP) != 1 || p.LegacyIP[0] != netip.MustParseAddr("203.0.113.7") {
		t.Errorf("profile %+v", p)
	}
	m := c.Mail
	if len(m.Problems) != 0 || !m.Notify || m.SMTPServer != "smtp.example.com" || m.Port != 587 || m.Username != "router@example.com" ||
		m.Sender != "router@example.com" || strings.Join(m.Recipients, ",") != "me@example.com" || !m.TLS || m.AlertAfter != time.Hour {
		t.Errorf("mail %+v", m)
	}
	if usable, _, err := c.Select(nil); err != nil || len(usable) != 1 {
		t.Errorf("without --profile the [DDNS] profile runs, as in the original: %v %v", usable, err)
	}
}

// TestINIProfiles: other sections are profiles that --profile selects; the
// original's older option names; what cannot be a profile is a warning.
func TestINIProfiles(t *testing.T) {
	text := `[DDNS]
server = members.example.net
server_dir = /nic/update
username = u
password = p
hostname = a.example.com
webip_server = 192.0.2.80:8080
webip_dir = /ip
use_regex = True

[work]
server = members.example.net
username = w
password = p
hostname = b.example.com, c.example.com
external_ip_server = https://checkip.example.com
use_regex = True
check_interval = 30m
colour = blue

[My Home]
server = x

[Mail]
notify = False
stmp_server = smtp.example.com
`
	c, err := Parse("/etc/ddns-updater/ddns.conf", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Profiles) != 2 {
		t.Fatalf("profiles %v", c.Profiles)
	}
	d, w := c.Profiles[0], c.Profiles[1]
	if !d.Usable() || !d.Enabled || d.ServerPath != "/nic/update" || d.ExternalIPServer != "192.0.2.80:8080" || d.CheckIPScheme != "http" || d.ExternalIPServerPath != "/ip" {
		t.Errorf("[DDNS] with the older names: %+v %v", d, d.Problems)
	}
	if !w.Usable() || w.Enabled || w.CheckIPScheme != "https" || w.CheckInterval != 30*time.Minute || strings.Join(w.Hostnames, " ") != "b.example.com c.example.com" {
		t.Errorf("[work]: %+v %v", w, w.Problems)
	}
	if usable, _, err := c.Select([]string{"work"}); err != nil || len(usable) != 1 || usable[0] != w {
		t.Errorf("--profile work: %v %v", usable, err)
	}
	if c.Mail.SMTPServer != "smtp.example.com" {
		t.Errorf("stmp_server (the original's first spelling): %+v", c.Mail)
	}
	warn := strings.Join(c.Warnings, "\n")
	for _, want := range []string{
		"/etc/ddns-updater/ddns.conf: profile 'work': option colour: unknown option (line 19); ignored",
		"/etc/ddns-updater/ddns.conf: [My Home]: a profile's name has letters, digits and _ only",
	} {
		if !strings.Contains(warn, want) {
			t.Errorf("warnings lack %q:\n%s", want, warn)
		}
	}
	if _, err := Parse("f.conf", []byte("[DDNS]\npassword = 100%\n")); err == nil || !strings.Contains(err.Error(), "f.conf: line 2: [DDNS] option password: a lone %") {
		t.Errorf("a lone %% as configparser refuses it: %v", err)
	}
}

// TestINIFormatsToUCI: FromINI's sections written as UCI read back as the same
// profiles as the INI file itself (what `import ini` relies on).
func TestINIFormatsToUCI(t *testing.T) {
	data, _ := os.ReadFile("../ini/testdata/ddns.conf")
	f, err := ini.Parse("ddns.conf", data)
	if err != nil {
		t.Fatal(err)
	}
	u, unmapped := FromINI(f)
	if len(unmapped) != 0 {
		t.Fatal(unmapped)
	}
	text := uci.Format(u)
	if !strings.Contains(text, "\toption use_regex '0'\n") || !strings.Contains(text, "\toption notify '1'\n") {
		t.Errorf("booleans as uci writes them (0, 1):\n%s", text)
	}
	a, _ := Parse("ddns.conf", data)
	b, err := Parse("/etc/config/ddns-updater", []byte(text))
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if len(a.Profiles) != len(b.Profiles) || a.Profiles[0].Fingerprint != b.Profiles[0].Fingerprint || a.Profiles[0].Target != b.Profiles[0].Target {
		t.Errorf("INI and its UCI differ:\n%s", text)
	}
}
