package config

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFull(t *testing.T) {
	c, err := Load("testdata/full.conf")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("warnings: %q", c.Warnings)
	}
	if c.Global != (Global{StateDir: "/tmp/ddns-updater-test", LogLevel: "debug"}) {
		t.Errorf("global = %+v", c.Global)
	}
	m := c.Mail
	if !m.Notify || m.SMTPServer != "smtp.example.com" || m.Port != 465 || m.Password != `s3cr't "pw"` ||
		!reflect.DeepEqual(m.Recipients, []string{"me@example.com", "you@example.com"}) ||
		m.Sender != "alerts@example.com" || !m.TLS || len(m.Problems) != 0 {
		t.Errorf("mail = %+v", m)
	}
	if len(c.Profiles) != 2 {
		t.Fatalf("%d profiles", len(c.Profiles))
	}
	p := c.Profiles[0]
	want := Profile{
		Name: "DDNS", Enabled: true, Server: "dyndns.strato.com", ServerPath: "/nic/update",
		Username: "home.example.com", Password: "it's #not a comment",
		Hostnames:        []string{"home.example.com", "www.example.com"},
		ExternalIPServer: "checkip.dyndns.com", ExternalIPServerPath: "/", UseRegex: false,
		IPSource: SourceAuto, Interface: "wan", IPVersion: IPv4, UseHTTPS: true,
		CheckInterval: 10 * time.Minute, ForceInterval: 25 * 24 * time.Hour, Notify: true, Bind: true,
		LegacyIP:  []netip.Addr{netip.MustParseAddr("198.51.100.4")},
		DualStack: DualSeparate, DualStackParam: "myipv6", LANInterface: "lan", PrefixParam: "ipv6prefix",
		Fingerprint: p.Fingerprint, Target: p.Target,
	}
	if !reflect.DeepEqual(*p, want) {
		t.Errorf("profile DDNS\n got %+v\nwant %+v", *p, want)
	}
	v6 := c.Profiles[1]
	if v6.Enabled || v6.Server != "[2001:db8::1]:8443" || v6.Password != `pa"ss` ||
		!reflect.DeepEqual(v6.Hostnames, []string{"v6.example.com", "v6b.example.com"}) ||
		v6.IPVersion != Both || v6.IPSource != SourceAuto || v6.Interface != "wan6" ||
		v6.IPv6Suffix != netip.MustParseAddr("::1234") || v6.CheckInterval != 10*time.Minute ||
		v6.ForceInterval != 14*24*time.Hour || v6.DNSServer != netip.MustParseAddrPort("192.0.2.53:53") ||
		v6.UseHTTPS || v6.UserAgent != "test-agent/1.0" || !v6.Usable() {
		t.Errorf("profile v6 = %+v", *v6)
	}
}

func TestDefaults(t *testing.T) {
	c, err := Load("testdata/minimal.conf")
	if err != nil {
		t.Fatal(err)
	}
	p := c.Profiles[0]
	if p.Enabled || p.ServerPath != "/nic/update" || p.ExternalIPServer != "checkip.dyndns.com" ||
		p.ExternalIPServerPath != "/" || !p.UseRegex || p.IPSource != SourceAuto || p.Interface != "wan" || p.IPVersion != IPv4 ||
		!p.UseHTTPS || p.CheckInterval != 10*time.Minute || p.ForceInterval != 25*24*time.Hour ||
		p.AllowPrivate || p.DNSServer.IsValid() || !p.Notify || !p.Usable() {
		t.Errorf("defaults: %+v", *p)
	}
	if c.Global.StateDir != "/var/run/ddns-updater" || c.Global.LogLevel != "info" {
		t.Errorf("global defaults: %+v", c.Global)
	}
	if c.Mail.Notify || c.Mail.Port != 587 || !c.Mail.TLS || len(c.Mail.Problems) != 0 {
		t.Errorf("mail defaults: %+v", c.Mail)
	}
}

// TestErrorFiles: one file per error message; its first line says the whole message.
func TestErrorFiles(t *testing.T) {
	files, _ := filepath.Glob("testdata/errors/*.conf")
	if len(files) < 25 {
		t.Fatalf("only %d error files", len(files))
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(data), "\n")
			want := strings.ReplaceAll(strings.TrimPrefix(first, "# want: "), "{file}", file)
			c, err := Parse(file, data)
			var got []string
			if err != nil {
				got = append(got, strings.Split(err.Error(), "\n")...)
			} else {
				for _, p := range c.Profiles {
					for _, e := range p.Problems {
						got = append(got, e.Error())
					}
				}
				for _, e := range c.Mail.Problems {
					got = append(got, e.Error())
				}
			}
			if len(got) != 1 || got[0] != want {
				t.Errorf("got  %q\nwant %q", got, want)
			}
		})
	}
}

func TestAllErrorsAtOnce(t *testing.T) {
	src := "config profile 'home'\n\toption server ''\n\toption username 'a:b'\n\toption ip_version 7\n" +
		"\toption bogus 1\nconfig profile 'ok'\n\toption server s.example.com\n\toption username u\n" +
		"\toption password p\n\toption hostname h.example.com\nconfig weird 'x'\n"
	c, err := Parse("/etc/config/ddns-updater", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	home, ok := c.Profiles[0], c.Profiles[1]
	if len(home.Problems) != 5 || home.Usable() {
		t.Errorf("want 5 problems (server, username, password, hostname, ip_version), got %q", home.Problems)
	}
	var ce *Error
	if !errors.As(home.Problems[0], &ce) || ce.File != "/etc/config/ddns-updater" || ce.Section != "profile 'home'" || ce.Option != "server" {
		t.Errorf("first problem %#v", home.Problems[0])
	}
	if !ok.Usable() {
		t.Errorf("the good profile must stay usable: %q", ok.Problems)
	}
	if len(c.Warnings) != 2 || !strings.Contains(c.Warnings[0], "option bogus: unknown option (line 5)") ||
		!strings.Contains(c.Warnings[1], `unknown section type "weird"`) {
		t.Errorf("warnings %q", c.Warnings)
	}
}

func TestFingerprint(t *testing.T) {
	base := "config profile 'home'\n\toption server s.example.com\n\toption username u\n\toption password p\n\toption hostname h.example.com\n"
	fp := func(extra string) string {
		c, err := Parse("f", []byte(base+extra))
		if err != nil {
			t.Fatal(err)
		}
		return c.Profiles[0].Fingerprint
	}
	a := fp("")
	if fp("\toption enabled 1\n") != a || fp("\toption ip 198.51.100.1\n") != a {
		t.Error("enabled and the legacy ip are not settings: the fingerprint must not change")
	}
	if fp("\toption password q\n") == a || fp("\toption hostname h2.example.com\n") == a {
		t.Error("a changed password or hostname must change the fingerprint")
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"600": 600 * time.Second, "10m": 10 * time.Minute, "2h": 2 * time.Hour, "25d": 25 * 24 * time.Hour,
		"1h30m": 90 * time.Minute, "1w": 7 * 24 * time.Hour, "0": 0, "45s": 45 * time.Second,
	} {
		got, err := ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
		if err == nil && in != "0" {
			if back, _ := ParseDuration(FormatDuration(got)); back != got {
				t.Errorf("FormatDuration(%v) = %q does not read back", got, FormatDuration(got))
			}
		}
	}
	for _, bad := range []string{"", "10x", "m", "10m5", "-5", "1.5h", "99999999d"} {
		if _, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) accepted", bad)
		}
	}
	// Bounds are checked before multiplying: no value wraps around into a short one.
	for in, ok := range map[string]bool{
		"315360000": true, "315360001": false, "4294967295": false, "18446744073709551616": false,
		"3650d": true, "3651d": false, "521w": true, "522w": false, "4294967295w": false,
		"2562047h": false, "18446744073709551615s": false, "3649d24h": true, "3649d24h1s": false,
		"1537228672809129301w": false, // × 1w wraps a 64-bit duration to about 14 days
	} {
		d, err := ParseDuration(in)
		if ok != (err == nil) || err == nil && (d <= 0 || d > MaxDuration) {
			t.Errorf("ParseDuration(%q) = %v, %v; accepted should be %v", in, d, err, ok)
		}
		if !ok && (err == nil || !strings.Contains(err.Error(), "longer than ten years")) {
			t.Errorf("ParseDuration(%q): %v; want \"longer than ten years\"", in, err)
		}
	}
}

func TestHostPort(t *testing.T) {
	for in, want := range map[string]string{
		"members.dyndns.org": "members.dyndns.org", "127.0.0.1:8443": "127.0.0.1:8443",
		"[2001:db8::1]:443": "[2001:db8::1]:443", "2001:db8::1": "[2001:db8::1]", "localhost": "localhost",
		"[2001:db8::1]": "[2001:db8::1]", "192.0.2.1": "192.0.2.1",
	} {
		if got, err := parseHostPort(in, "x"); err != nil || got != want {
			t.Errorf("parseHostPort(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "a b", "host:", "host:99999", "[2001:db8::1", "[192.0.2.1]:80", "-a.example.com", "a..b", "fe80::1%eth0", "https://x"} {
		if got, err := parseHostPort(bad, "x"); err == nil {
			t.Errorf("parseHostPort(%q) accepted as %q", bad, got)
		}
	}
}

func TestOptionsTable(t *testing.T) {
	seen := map[string]bool{}
	for _, o := range Options() {
		key := o.Section + "." + o.Name
		if seen[key] || o.Doc == "" {
			t.Errorf("%s: duplicate or undocumented", key)
		}
		seen[key] = true
	}
	for _, k := range []string{"profile.server", "profile.server_path", "profile.username", "profile.password",
		"profile.hostname", "profile.external_ip_server", "profile.external_ip_server_path", "profile.use_regex",
		"mail.notify", "mail.smtp_server", "mail.port", "mail.username", "mail.password", "mail.recipient",
		"global.state_dir", "global.log_level"} {
		if !seen[k] {
			t.Errorf("option %s (the original program's or the issue's) is missing", k)
		}
	}
}

// TestReadmeReference: the README's reference names every option with its default.
func TestReadmeReference(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	for _, o := range Options() {
		def := "—"
		if o.Default != "" {
			def = "`" + o.Default + "`"
		}
		list := ""
		if o.List {
			list = " (list)"
		}
		row := "| " + o.Section + " | `" + o.Name + "`" + list + " | " + def
		if !strings.Contains(readme, row) {
			t.Errorf("README lacks the row %q", row)
		}
	}
}

// TestSelectBadEnabled: an enabled value that cannot be read is an error naming
// file, profile and option, not a silently disabled profile.
func TestSelectBadEnabled(t *testing.T) {
	good := "\toption server s.example.com\n\toption username u\n\toption password p\n\toption hostname h.example.com\n"
	c, err := Parse("/etc/config/ddns-updater", []byte("config profile 'home'\n\toption enabled 'yess'\n"+good+
		"config profile 'off'\n\toption enabled '0'\n"+good))
	if err != nil {
		t.Fatal(err)
	}
	usable, broken, err := c.Select(nil)
	if err == nil || len(usable) != 0 || len(broken) != 1 || broken[0].Name != "home" {
		t.Fatalf("usable %v, broken %v, err %v", usable, broken, err)
	}
	if strings.Contains(err.Error(), "no profile is enabled") {
		t.Errorf("the error hides the bad value: %v", err)
	}
	want := `/etc/config/ddns-updater: profile 'home': option enabled: "yess"; expected 0 or 1`
	if got := broken[0].Problems[0].Error(); got != want {
		t.Errorf("problem %q, want %q", got, want)
	}
	// with a good profile enabled beside it, the bad one is reported and the good one runs
	c, _ = Parse("f", []byte("config profile 'home'\n\toption enabled 'yess'\n"+good+"config profile 'on'\n\toption enabled '1'\n"+good))
	usable, broken, err = c.Select(nil)
	if err != nil || len(usable) != 1 || usable[0].Name != "on" || len(broken) != 1 || broken[0].Name != "home" {
		t.Errorf("usable %v, broken %v, err %v", usable, broken, err)
	}
}

// valueTable is testdata/values.json: good and bad values of every option,
// which the LuCI form's checks must judge the same (src/openwrt/luci_test.go).
type valueTable map[string]struct {
	Good, Bad []string
	Router    []string // the form cannot judge them: Go rejects them on the router
}

func loadValueTable(t *testing.T) valueTable {
	t.Helper()
	data, err := os.ReadFile("testdata/values.json")
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	delete(raw, "_comment")
	out := valueTable{}
	for k, v := range raw {
		var e struct{ Good, Bad, Router []string }
		if err := json.Unmarshal(v, &e); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		out[k] = struct{ Good, Bad, Router []string }{e.Good, e.Bad, e.Router}
	}
	return out
}

// TestValueTable feeds every value of testdata/values.json to the reader: a good
// value gives no problem on its option, a bad one does. Every option is in the
// table, with bad values wherever a bad value exists.
func TestValueTable(t *testing.T) {
	table := loadValueTable(t)
	quote := func(v string) string { return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'" }
	base := map[string]map[string]string{
		"global":  {},
		"mail":    {},
		"profile": {"server": "s.example.com", "username": "u", "password": "p", "hostname": "h.example.com", "ip_version": "both"},
	}
	for _, o := range Options() {
		key := o.Section + "." + o.Name
		e, ok := table[key]
		if !ok {
			t.Errorf("%s is not in testdata/values.json", key)
			continue
		}
		if len(e.Good) == 0 || len(e.Bad)+len(e.Router) == 0 && o.Rule.Kind != "secret" {
			t.Errorf("%s: the table needs good and bad values", key)
		}
		judge := func(v string) error {
			var b strings.Builder
			for _, sec := range []string{"global", "mail", "profile"} {
				fmt.Fprintf(&b, "config %s '%s'\n", sec, map[string]string{"global": "global", "mail": "mail", "profile": "p"}[sec])
				for name, val := range base[sec] {
					if !(sec == o.Section && name == o.Name) {
						fmt.Fprintf(&b, "\toption %s %s\n", name, quote(val))
					}
				}
				if sec == o.Section {
					fmt.Fprintf(&b, "\toption %s %s\n", o.Name, quote(v))
				}
			}
			c, err := Parse("/etc/config/ddns-updater", []byte(b.String()))
			if err != nil {
				if strings.Contains(err.Error(), "option "+o.Name+":") {
					return err
				}
				t.Fatalf("%s = %q: %v", key, v, err)
			}
			var problems []error
			switch o.Section {
			case "mail":
				problems = c.Mail.Problems
			case "profile":
				problems = c.Profiles[0].Problems
			}
			for _, p := range problems {
				if ce, ok := p.(*Error); ok && ce.Option == o.Name {
					return p
				}
			}
			return nil
		}
		for _, v := range e.Good {
			if err := judge(v); err != nil {
				t.Errorf("%s = %q is in the good values, but: %v", key, v, err)
			}
		}
		for _, v := range append(append([]string{}, e.Bad...), e.Router...) {
			if judge(v) == nil {
				t.Errorf("%s = %q is in the bad values, but the reader accepts it", key, v)
			}
		}
	}
	for k := range table {
		found := false
		for _, o := range Options() {
			found = found || o.Section+"."+o.Name == k
		}
		if !found {
			t.Errorf("testdata/values.json names %s, which the reader does not know", k)
		}
	}
}

var update = flag.Bool("update", false, "rewrite the generated files that tests compare with")

// rulesModule is the LuCI app's copy of the option table's rules and defaults
// (the form checks values with them).
const rulesModule = "../../luci/luci-app-ddns-updater/htdocs/luci-static/resources/ddns-updater/rules.js"

// TestLuCIRules: the LuCI app's rules.js is generated from the option table;
// `go test ./src/config -run TestLuCIRules -update` writes it anew.
func TestLuCIRules(t *testing.T) {
	var b strings.Builder
	b.WriteString("'use strict';\n'require baseclass';\n\n" +
		"// Generated from the option table of src/config (config.Options) by\n" +
		"//   go test ./src/config -run TestLuCIRules -update\n" +
		"// Do not edit. validate.js checks form values with these rules, as the\n" +
		"// program's own reader does; src/config/testdata/values.json holds both to it.\n" +
		"return baseclass.extend({\n\trules: {\n")
	opts := Options()
	for i, o := range opts {
		rule, err := json.Marshal(struct {
			Rule
			Default string `json:"default,omitempty"`
			List    bool   `json:"list,omitempty"`
		}{o.Rule, o.Default, o.List})
		if err != nil {
			t.Fatal(err)
		}
		sep := ","
		if i == len(opts)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "\t\t%q: %s%s\n", o.Section+"."+o.Name, rule, sep)
	}
	b.WriteString("\t}\n});\n")
	if *update {
		if err := os.WriteFile(rulesModule, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile(rulesModule)
	if err != nil || string(have) != b.String() {
		t.Errorf("%s is not what the option table gives (%v); run: go test ./src/config -run TestLuCIRules -update", rulesModule, err)
	}
	for _, o := range opts {
		if o.Rule.Kind == "" {
			t.Errorf("%s.%s has no rule", o.Section, o.Name)
		}
	}
}

// TestCheckIPURL: external_ip_server as a URL decides the scheme for checkip
// alone and may carry the path.
func TestCheckIPURL(t *testing.T) {
	base := "config profile 'p'\n\toption server s.example.com\n\toption username u\n\toption password p\n\toption hostname h.example.com\n"
	for _, tc := range []struct{ value, host, scheme, path string }{
		{"checkip.dyndns.com", "checkip.dyndns.com", "", "/"},
		{"http://checkip.example.com/checkip.php", "checkip.example.com", "http", "/checkip.php"},
		{"HTTPS://[2001:db8::1]:8443", "[2001:db8::1]:8443", "https", "/"},
		{"https://2001:db8::1", "[2001:db8::1]", "https", "/"},
	} {
		c, err := Parse("f", []byte(base+"\toption external_ip_server '"+tc.value+"'\n"))
		if err != nil {
			t.Fatal(err)
		}
		p := c.Profiles[0]
		if !p.Usable() || p.ExternalIPServer != tc.host || p.CheckIPScheme != tc.scheme || p.ExternalIPServerPath != tc.path {
			t.Errorf("%s: host %q scheme %q path %q, problems %v", tc.value, p.ExternalIPServer, p.CheckIPScheme, p.ExternalIPServerPath, p.Problems)
		}
	}
}

func TestSharedHostnames(t *testing.T) {
	p := func(name string, hosts ...string) *Profile { return &Profile{Name: name, Hostnames: hosts} }
	for _, tc := range []struct {
		profiles []*Profile
		want     string
	}{
		{[]*Profile{p("a", "home.example.com"), p("b", "nas.example.com")}, ""},
		{[]*Profile{p("dsl", "home.example.com"), p("lte", "HOME.example.com", "x.example.com")},
			"profiles 'dsl', 'lte' update the same host name home.example.com: whichever updates last wins (as in a failover pair; README, Multi-WAN)"},
		{[]*Profile{p("a", "h.example.com", "h.example.com")}, ""}, // one profile naming it twice: not shared
		{[]*Profile{p("a", "h.example.com"), p("b", "h.example.com"), p("c", "h.example.com")},
			"profiles 'a', 'b', 'c' update the same host name h.example.com: whichever updates last wins (as in a failover pair; README, Multi-WAN)"},
	} {
		if got := strings.Join(SharedHostnames(tc.profiles), "\n"); got != tc.want {
			t.Errorf("%v:\n%s\nwant\n%s", tc.profiles, got, tc.want)
		}
	}
}

// TestLANHosts: lan_host names one host for option hostname, or several,
// each with its own host name, which become profiles of their own; wrong
// combinations are errors on the option to change.
func TestLANHosts(t *testing.T) {
	const head = "config profile 'home'\n\toption enabled 1\n\toption server s.example.com\n\toption username u\n\toption password p\n"
	for _, tc := range []struct {
		name, body string
		profiles   []string // name: host names = LAN host
		err        string   // option: part of the message
	}{
		{"one host for hostname", "\toption hostname nas.example.com\n\toption ip_version 6\n\toption lan_host '::1234'\n",
			[]string{"home: nas.example.com = ::1234"}, ""},
		{"a host by MAC, both families", "\toption hostname nas.example.com\n\toption ip_version both\n\toption lan_host '02:11:22:33:44:55'\n",
			[]string{"home: nas.example.com = 02:11:22:33:44:55"}, ""},
		{"several, each its own host name", "\toption ip_version 6\n\tlist lan_host 'nas.example.com=::1234'\n\tlist lan_host 'Printer.Example.com.=printer'\n",
			[]string{"home@nas.example.com: nas.example.com = ::1234", "home@printer.example.com: printer.example.com = printer"}, ""},
		{"lan_host 1 and the interface ID in ipv6_suffix", "\toption hostname nas.example.com\n\toption ip_version 6\n\toption lan_host 1\n\toption ipv6_suffix '::1234'\n",
			[]string{"home: nas.example.com = ::1234"}, ""},
		{"ip_version 4", "\toption hostname nas.example.com\n\toption lan_host '::1234'\n", nil, "lan_host: set, but ip_version is 4"},
		{"two without names", "\toption hostname nas.example.com\n\toption ip_version 6\n\tlist lan_host '::1234'\n\tlist lan_host nas\n", nil, "lan_host: 2 hosts, but one hostname option"},
		{"named and not", "\toption ip_version 6\n\tlist lan_host 'nas.example.com=::1234'\n\tlist lan_host nas\n", nil, "lan_host: some entries name a host name"},
		{"named and hostname", "\toption hostname home.example.com\n\toption ip_version 6\n\tlist lan_host 'nas.example.com=::1234'\n", nil, "hostname: set, and the lan_host entries name host names"},
		{"a name that is not fully qualified", "\toption ip_version 6\n\tlist lan_host 'nas=::1234'\n", nil, `lan_host: "nas=::1234": "nas" is not a fully qualified host name`},
		{"not a MAC", "\toption hostname nas.example.com\n\toption ip_version 6\n\toption lan_host '02:11:22:33:44'\n", nil, "lan_host: \"02:11:22:33:44\": \"02:11:22:33:44\" is not a MAC address: 5 octets, not 6"},
		{"lan_host and lan_prefix", "\toption hostname nas.example.com\n\toption ip_version 6\n\toption lan_host '::1234'\n\toption lan_prefix 1\n", nil, "lan_prefix: 1 publishes the LAN's prefix"},
		{"lan_host and ipv6_suffix", "\toption hostname nas.example.com\n\toption ip_version 6\n\toption lan_host '::1234'\n\toption ipv6_suffix '::1'\n", nil, "ipv6_suffix: set together with lan_host"},
		{"lan_prefix, ip_version 4", "\toption hostname home.example.com\n\toption lan_prefix 1\n", nil, "lan_prefix: 1, but ip_version is 4"},
	} {
		c, err := Parse("/etc/config/ddns-updater", []byte(head+tc.body))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if tc.err != "" {
			found := false
			for _, p := range c.Profiles {
				for _, e := range p.Problems {
					found = found || strings.Contains(e.Error(), "profile 'home': option "+tc.err)
				}
			}
			if !found || len(c.Profiles) != 1 {
				t.Errorf("%s: %d profiles, problems %v; want %q", tc.name, len(c.Profiles), c.Profiles[0].Problems, tc.err)
			}
			continue
		}
		var got []string
		for _, p := range c.Profiles {
			if !p.Usable() {
				t.Errorf("%s: %v", tc.name, p.Problems)
			}
			got = append(got, fmt.Sprintf("%s: %s = %v", p.Name, strings.Join(p.Hostnames, ","), p.LANHost))
		}
		if !reflect.DeepEqual(got, tc.profiles) {
			t.Errorf("%s: %q; want %q", tc.name, got, tc.profiles)
		}
	}
	// the section's name selects all of its profiles; each has a target of its own
	c, _ := Parse("/etc/config/ddns-updater", []byte(head+"\toption ip_version 6\n\tlist lan_host 'nas.example.com=::1234'\n\tlist lan_host 'printer.example.com=printer'\n"))
	usable, _, err := c.Select([]string{"home"})
	if err != nil || len(usable) != 2 || usable[0].Target == usable[1].Target || usable[0].Parent != "home" {
		t.Errorf("--profile home: %v, %v", usable, err)
	}
	if _, _, err := c.Select([]string{"home@nas.example.com"}); err != nil {
		t.Errorf("--profile home@nas.example.com: %v", err)
	}
	// a LAN host is another target than the router: what was registered for it is not taken over
	router, _ := Parse("/etc/config/ddns-updater", []byte(head+"\toption hostname nas.example.com\n\toption ip_version 6\n"))
	lan, _ := Parse("/etc/config/ddns-updater", []byte(head+"\toption hostname nas.example.com\n\toption ip_version 6\n\toption lan_host '::1234'\n"))
	if router.Profiles[0].Target == lan.Profiles[0].Target {
		t.Error("lan_host must change the target")
	}
}
