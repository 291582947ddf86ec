package config

import (
	"strings"
	"testing"
)

// FuzzParse: UCI text gives profiles or errors naming the file, never a panic,
// and a profile without problems has what a run needs.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"config profile 'home'\n\toption server s.example.com\n\toption username u\n\toption password p\n\toption hostname h.example.com\n",
		"config mail 'mail'\n\toption notify 1\n", "config global\n\toption log_level debug\n", "option x y\n", "config\n",
		"config profile 'p'\n\tlist hostname a.example.com\n\toption check_interval 1h30m\n\toption dns_server '[2001:db8::53]:53'\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := Parse("/etc/config/ddns-updater", []byte(text))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "/etc/config/ddns-updater") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		for _, p := range c.Profiles {
			for _, e := range p.Problems {
				if !strings.HasPrefix(e.Error(), "/etc/config/ddns-updater: profile '") {
					t.Fatalf("problem without file and section: %v", e)
				}
			}
			if p.Usable() && (p.Server == "" || len(p.Hostnames) == 0 || p.Username == "" || p.Password == "" || p.Fingerprint == "" ||
				!strings.HasPrefix(p.ServerPath, "/") || p.CheckInterval <= 0) {
				t.Fatalf("usable profile lacks something: %+v", p)
			}
		}
	})
}
