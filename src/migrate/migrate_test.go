package migrate

import (
	"os"
	"strings"
	"testing"
	"time"

	"ddns-updater/src/config"
	"ddns-updater/src/service"
	"ddns-updater/src/uci"
)

// TestServiceNames: every mapping names a preset of ours.
func TestServiceNames(t *testing.T) {
	for from, to := range ServiceNames {
		if service.Get(to) == nil {
			t.Errorf("%s maps to %s, which is no preset", from, to)
		}
	}
	if len(ServiceNames) < 25 {
		t.Errorf("%d mappings", len(ServiceNames))
	}
}

// TestDDNSScripts: a ddns-scripts configuration as LuCI writes it, imported,
// written and read back by our own reader: the same services, and every
// option that did not carry over named with its reason.
func TestDDNSScripts(t *testing.T) {
	data, err := os.ReadFile("testdata/ddns")
	if err != nil {
		t.Fatal(err)
	}
	in, err := uci.Parse("/etc/config/ddns", data)
	if err != nil {
		t.Fatal(err)
	}
	out, notes := DDNSScripts(in)
	text := uci.Format(out)
	c, err := config.Parse(config.DefaultPath, []byte(text))
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if len(c.Warnings) > 0 {
		t.Errorf("warnings %v\n%s", c.Warnings, text)
	}
	byName := map[string]*config.Profile{}
	for _, p := range c.Profiles {
		if !p.Usable() {
			t.Errorf("%s: %v\n%s", p.Name, p.Problems, text)
		}
		byName[p.Name] = p
	}
	if len(byName) != 4 {
		t.Fatalf("profiles %v\n%s", byName, text)
	}
	v4, v6, office, q := byName["home_v4"], byName["home_v6"], byName["office"], byName["query_auth"]
	if v4 == nil || v6 == nil || office == nil || q == nil {
		t.Fatalf("profiles %v", byName)
	}
	if !v4.Enabled || v4.Service != "no-ip.com" || v4.Server != "dynupdate.no-ip.com" || v4.Password != "it's secret" ||
		v4.IPSource != config.SourceInterface || v4.Interface != "wan" || v4.CheckInterval != 5*time.Minute ||
		v4.ForceInterval != 72*time.Hour || v4.IPVersion != config.IPv4 || strings.Join(v4.Hostnames, ",") != "home.example.com" {
		t.Errorf("home_v4 %+v", v4)
	}
	// Without force_interval, ours (25d) applies, not ddns-scripts' 72 hours: nothing in the file is lost.
	if v6.Service != "dynu.com" || v6.IPVersion != config.IPv6 || v6.Device != "pppoe-wan" || v6.IPSource != config.SourceInterface ||
		v6.ForceInterval != 25*24*time.Hour {
		t.Errorf("home_v6 %+v", v6)
	}
	if office.Enabled || office.Server != "members.example.net" || office.ServerPath != "/nic/update?system=dyndns" || office.UseHTTPS ||
		office.IPSource != config.SourceWeb || office.ExternalIPServer != "checkip.example.net" || office.CheckIPScheme != "https" ||
		office.ForceInterval != 0 || office.DNSServer.String() != "192.0.2.53:53" || office.CheckInterval != 10*time.Minute {
		t.Errorf("office %+v", office)
	}
	if q.Server != "ddns.example.org" || q.ServerPath != "/update" || q.UserParam != "user" || q.PasswordParam != "pass" || !q.UseHTTPS {
		t.Errorf("query_auth %+v", q)
	}
	said := ""
	for _, n := range notes {
		said += n.What + ": " + n.Why + "\n"
	}
	for _, want := range []string{
		"ddns.global: a ddns section",
		"ddns.home_v4.retry_interval: no counterpart: waits after failures follow",
		"ddns.home_v4.use_syslog: no counterpart",
		"ddns.office.force_interval: 0 ran ddns-scripts once (cron)",
		"ddns.office.proxy: proxy.example.net:3128: requests go to the provider directly",
		"ddns.cloud: service_name cloudflare.com-v4 has no dyndns2 preset here",
		"ddns.scripted: update_script /usr/lib/ddns/update_custom.sh is a program of its own, not dyndns2; not imported",
		"ddns.duck: update_url https://www.duckdns.org/update?domains=[DOMAIN]&token=[PASSWORD]&ip=[IP] has domains=[DOMAIN], which dyndns2 does not send",
	} {
		if !strings.Contains(said, want) {
			t.Errorf("notes lack %q:\n%s", want, said)
		}
	}
	if strings.Contains(said, "interface: ") && strings.Contains(said, "home_v6.ip_interface") {
		t.Errorf("a mapped option is listed as dropped:\n%s", said)
	}
	// Every option of every imported section is either carried over or named.
	for _, s := range in.Sections {
		if s.Type != "service" || byName[s.Name] == nil {
			continue
		}
		for _, o := range s.Options {
			if !carried(o.Name) && !strings.Contains(said, "ddns."+s.Name+"."+o.Name+":") {
				t.Errorf("%s.%s is neither carried over nor named", s.Name, o.Name)
			}
		}
	}
}

// carried lists the ddns-scripts options that have a counterpart.
func carried(name string) bool {
	switch name {
	case "enabled", "service_name", "update_url", "domain", "lookup_host", "username", "password", "use_ipv6", "use_https",
		"ip_source", "ip_network", "ip_interface", "ip_url", "check_interval", "check_unit", "force_interval", "force_unit", "cacert", "dns_server":
		return true
	}
	return false
}

func TestIntervals(t *testing.T) {
	for _, tc := range []struct {
		n, unit string
		secs    int64
		ok      bool
	}{
		{"10", "minutes", 600, true}, {"72", "hours", 259200, true}, {"3", "days", 259200, true}, {"30", "seconds", 30, true},
		{"x", "minutes", 0, false}, {"1", "weeks", 0, false}, {"-1", "hours", 0, false}, {"99999999999", "days", 0, false},
	} {
		if secs, ok := seconds(tc.n, tc.unit); secs != tc.secs || ok != tc.ok {
			t.Errorf("seconds(%s %s) = %d %v", tc.n, tc.unit, secs, ok)
		}
	}
}
