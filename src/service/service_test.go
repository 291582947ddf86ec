package service

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestTable: at least 25 presets, sorted, unique, each citing the provider's
// documentation over HTTPS, with fields in the forms the options take.
func TestTable(t *testing.T) {
	if len(Services) < 25 {
		t.Errorf("%d presets; the issue asks for at least 25", len(Services))
	}
	for i, s := range Services {
		if i > 0 && Services[i-1].Name >= s.Name {
			t.Errorf("%s after %s: keep the table sorted and unique", s.Name, Services[i-1].Name)
		}
		if !strings.HasPrefix(s.Doc, "https://") {
			t.Errorf("%s: documentation %q; expected an https:// URL", s.Name, s.Doc)
		}
		if s.Server == "" || strings.ContainsAny(s.Server, "/: ") {
			t.Errorf("%s: server %q", s.Name, s.Server)
		}
		if s.Path != "" && s.Path[0] != '/' {
			t.Errorf("%s: path %q", s.Name, s.Path)
		}
		if s.Auth != "" && !strings.HasPrefix(s.Auth, "query:") {
			t.Errorf("%s: auth %q", s.Name, s.Auth)
		}
		if s.Dual != "" && s.Dual != "comma" && !strings.HasPrefix(s.Dual, "param:") {
			t.Errorf("%s: dual %q", s.Name, s.Dual)
		}
		if (s.Dual != "" || s.Keep4 != "") && !s.IPv6 {
			t.Errorf("%s: dual-stack settings on a provider without IPv6", s.Name)
		}
		for _, keep := range []string{s.Keep4, s.Keep6} {
			if keep != "" && strings.Count(keep, "=") != 1 {
				t.Errorf("%s: keep part %q; expected name=value", s.Name, keep)
			}
		}
		if Get(s.Name) != &Services[i] {
			t.Errorf("Get(%q) does not find it", s.Name)
		}
	}
	for _, x := range Excluded {
		if Get(x[0]) != nil || x[1] == "" {
			t.Errorf("excluded %s is a preset, or has no reason", x[0])
		}
	}
	if Get("") != nil || Get("custom") != nil {
		t.Error("Get of no name found a preset")
	}
}

func TestOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		want [][2]string
	}{
		{"dyn.com", [][2]string{{"server", "members.dyndns.org"}, {"server_path", "/nic/update"}, {"dual_stack", "comma"}}},
		{"ipv64.net", [][2]string{{"server", "ipv64.net"}, {"server_path", "/nic/update"}, {"dual_stack", "param"}, {"dual_stack_param", "myipv6"}, {"min_interval", "30m"}, {"prefix_param", "ipv6prefix"}}},
		{"spdyn.de", [][2]string{{"server", "update.spdyn.de"}, {"server_path", "/nic/update"}, {"auth", "query:user,pass"}}},
		{"dy.fi", [][2]string{{"server", "www.dy.fi"}, {"server_path", "/nic/update"}, {"force_interval", "5d"}}},
		{"ovh.com", [][2]string{{"server", "www.ovh.com"}, {"server_path", "/nic/update?system=dyndns"}}},
	} {
		if got := Get(tc.name).Options(); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v; want %v", tc.name, got, tc.want)
		}
	}
}

func TestClosest(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want: the first suggestion; "": none
	}{
		{"noip", "no-ip.com"},
		{"No-IP.com", "no-ip.com"},
		{"noip.com", "no-ip.com"},
		{"dynu", "dynu.com"},
		{"afraid.org", "freedns.afraid.org"},
		{"strato.de", "strato.com"},
		{"desec", "desec.io"},
		{"he", "he.net"},
		{"cloudflare.com", ""},
		{"custom", ""},
	} {
		got := Closest(tc.in)
		if tc.want == "" && len(got) > 0 || tc.want != "" && (len(got) == 0 || got[0] != tc.want) || len(got) > 3 {
			t.Errorf("Closest(%q) = %v; want first %q", tc.in, got, tc.want)
		}
	}
	if d := distance("kitten", "sitting"); d != 3 {
		t.Errorf("distance = %d", d)
	}
}

var update = flag.Bool("update", false, "rewrite the README's table of services")

// TestReadmeTable: the README's table of presets is the table's own.
func TestReadmeTable(t *testing.T) {
	const readme = "../../README.md"
	var b strings.Builder
	b.WriteString("| service | server | IPv6 | what the preset does; notes |\n|---|---|---|---|\n")
	for _, s := range Services {
		v6 := "no"
		if s.IPv6 {
			v6 = "yes"
		}
		path := s.Path
		if path == "" {
			path = "/nic/update"
		}
		fmt.Fprintf(&b, "| [%s](%s) | `%s%s` | %s | %s |\n", s.Name, s.Doc, s.Server, path, v6, strings.Join(s.Rules(), "; "))
	}
	b.WriteString("\nNot presets, as they do not speak dyndns2:")
	for i, x := range Excluded {
		sep := ","
		if i == len(Excluded)-1 {
			sep = "."
		}
		fmt.Fprintf(&b, " %s (%s)%s", x[0], x[1], sep)
	}
	b.WriteString("\n")
	data, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	start := strings.Index(text, "<!-- services:")
	end := strings.Index(text, "<!-- end services -->")
	if start < 0 || end < start {
		t.Fatal("README lacks the services markers")
	}
	start += strings.Index(text[start:], "\n") + 1
	if *update {
		text = text[:start] + b.String() + text[end:]
		if err := os.WriteFile(readme, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if text[start:end] != b.String() {
		t.Errorf("the README's services table is not the table's; run: go test ./src/service -run TestReadmeTable -update")
	}
}

// TestWriteTable: `ddns-updater services` prints one line per preset, saying
// IPv6 and the rules the preset carries.
func TestWriteTable(t *testing.T) {
	var b strings.Builder
	WriteTable(&b)
	out := b.String()
	for _, s := range Services {
		if !strings.Contains(out, "\n"+s.Name+" ") {
			t.Errorf("%s missing:\n%s", s.Name, out)
		}
	}
	for _, want := range []string{
		"he.net              dyn.dns.he.net           yes  one host name per profile; username: the host name",
		"spdyn.de            update.spdyn.de          yes  credentials in the query",
		"ipv64.net           ipv64.net                yes  IPv6 in myipv6; takes the LAN prefix in ipv6prefix (lan_prefix 1); at most one update per 30m",
		"ydns.io: its API takes host=",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q:\n%s", want, out)
		}
	}
}
