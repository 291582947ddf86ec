package config

import (
	"strings"
	"testing"
	"time"

	"ddns-updater/src/service"
)

// TestEveryPreset: each preset, with only an account and a host name, gives a
// usable profile whose options are the preset's.
func TestEveryPreset(t *testing.T) {
	for _, s := range service.Services {
		text := "config profile 'p'\n\toption service '" + s.Name + "'\n\toption username 'u'\n\toption password 'pw'\n\toption hostname 'home.example.com'\n"
		c, err := Parse("/etc/config/ddns-updater", []byte(text))
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		p := c.Profiles[0]
		if !p.Usable() {
			t.Errorf("%s: %v", s.Name, p.Problems)
			continue
		}
		path := s.Path
		if path == "" {
			path = "/nic/update"
		}
		if p.Service != s.Name || p.Server != s.Server || p.ServerPath != path || p.UseHTTPS == s.HTTP || p.Keep4 != s.Keep4 || p.Keep6 != s.Keep6 {
			t.Errorf("%s: profile %+v", s.Name, p)
		}
		if (s.Auth != "") != (p.PasswordParam != "") || s.Auth != "" && s.Auth != "query:"+p.UserParam+","+p.PasswordParam {
			t.Errorf("%s: auth %q gives params %q %q", s.Name, s.Auth, p.UserParam, p.PasswordParam)
		}
		if d, _ := ParseDuration(s.MinGap + "0s"); p.MinInterval != d {
			t.Errorf("%s: min_interval %s", s.Name, p.MinInterval)
		}
		if len(c.Warnings) > 0 {
			t.Errorf("%s: warnings %v", s.Name, c.Warnings)
		}
	}
}

func TestPresetOverrides(t *testing.T) {
	base := "config profile 'p'\n\toption service 'ipv64.net'\n\toption password 'pw'\n\toption hostname 'home.example.com'\n"
	c, err := Parse("f", []byte(base+"\toption server 'ddns.example.net:8443'\n\toption dual_stack 'comma'\n\toption min_interval '0'\n\toption username 'me'\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := c.Profiles[0]
	if !p.Usable() || p.Server != "ddns.example.net:8443" || p.ServerPath != "/nic/update" || p.DualStack != DualComma || p.MinInterval != 0 || p.Username != "me" {
		t.Errorf("explicit options must override the preset: %+v", p)
	}
	c, _ = Parse("f", []byte(base))
	p = c.Profiles[0]
	if !p.Usable() || p.Username != "none" || p.MinInterval != 30*time.Minute || p.DualStack != DualParam || p.DualStackParam != "myipv6" {
		t.Errorf("the preset's values: %+v, %v", p, p.Problems)
	}
	// The preset's values count in the fingerprint: a preset that changes in a
	// new version lifts a stop, as a changed option does.
	c2, _ := Parse("f", []byte(base+"\toption server 'ipv64.net'\n"))
	if c2.Profiles[0].Fingerprint != p.Fingerprint {
		t.Error("setting an option to the preset's value changed the fingerprint")
	}
}

func TestPresetRules(t *testing.T) {
	// he.net: one host per profile, the host name is the user name.
	c, _ := Parse("/etc/config/ddns-updater", []byte("config profile 'he'\n\toption service 'he.net'\n\toption password 'key'\n\toption hostname 'home.example.com'\n"))
	if p := c.Profiles[0]; !p.Usable() || p.Username != "home.example.com" {
		t.Errorf("he.net: username %q, problems %v", p.Username, p.Problems)
	}
	c, _ = Parse("/etc/config/ddns-updater", []byte("config profile 'he'\n\toption service 'he.net'\n\toption password 'key'\n\tlist hostname 'a.example.com'\n\tlist hostname 'b.example.com'\n"))
	if p := c.Profiles[0]; p.Usable() || !strings.Contains(p.Problems[0].Error(), "/etc/config/ddns-updater: profile 'he': option hostname: service he.net takes one host name per profile") {
		t.Errorf("he.net with two host names: %v", p.Problems)
	}
	// An IPv4-only provider with ip_version both: a warning, not a stop.
	c, _ = Parse("f", []byte("config profile 'o'\n\toption service 'ovh.com'\n\toption username 'u'\n\toption password 'p'\n\toption hostname 'h.example.com'\n\toption ip_version 'both'\n"))
	if !c.Profiles[0].Usable() || len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "option ip_version: both, but service ovh.com takes IPv4 updates only") {
		t.Errorf("warnings %v, problems %v", c.Warnings, c.Profiles[0].Problems)
	}
}

func TestUnknownService(t *testing.T) {
	c, err := Parse("/etc/config/ddns-updater", []byte("config profile 'home'\n\toption service 'noip'\n\toption username 'u'\n\toption password 'p'\n\toption hostname 'h.example.com'\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := c.Profiles[0]
	want := `/etc/config/ddns-updater: profile 'home': option service: "noip" is not a known service; did you mean no-ip.com?`
	if p.Usable() || !strings.HasPrefix(p.Problems[0].Error(), want) {
		t.Errorf("problems %v\nwant first %s", p.Problems, want)
	}
	// Without a preset the server is missing too, and said so: nothing is lost.
	if len(p.Problems) != 2 || !strings.Contains(p.Problems[1].Error(), "option server: empty") {
		t.Errorf("problems %v", p.Problems)
	}
}
