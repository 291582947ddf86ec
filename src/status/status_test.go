package status

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"

	"ddns-updater/src/config"
	"ddns-updater/src/state"
	"ddns-updater/src/updater"
)

func TestCollectAndWrite(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	text := "config profile 'home'\n\toption enabled 1\n\toption server s.example.com\n\toption username u\n\toption password p\n" +
		"\toption hostname 'home.example.com,www.example.com'\n" +
		"config profile 'off'\n\toption server s.example.com\n\toption username u\n\toption password p\n\toption hostname off.example.com\n\toption ip_source web\n" +
		"config profile 'bad'\n\toption enabled 1\n"
	cfg, err := config.Parse("/etc/config/ddns-updater", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	dir := state.Open(t.TempDir())
	a := netip.MustParseAddr("203.0.113.7")
	dir.Save("home", updater.State{Fingerprint: cfg.Profiles[0].Fingerprint, Registered: []netip.Addr{a},
		RegisteredAt: now.Add(-time.Hour), Source: "provider", LastAttempt: now.Add(-time.Hour), LastAnswer: "good 203.0.113.7"})
	dir.SaveRun("home", state.Run{CheckedAt: now.Add(-time.Minute), NextCheck: now.Add(9 * time.Minute), Observed: []netip.Addr{a},
		Device: "pppoe-wan", Summary: "203.0.113.7 already registered (provider)", OK: true})
	dir.Save("off", updater.State{Fingerprint: cfg.Profiles[1].Fingerprint,
		Stop: &updater.Stop{Code: "badauth", Reason: "username or password wrong: fix username and password", At: now.Add(-2 * time.Hour)}})

	dir.Hold() // the daemon runs
	r := Collect(cfg, dir, now)
	ps := r.Profiles
	if !r.Running || len(ps) != 3 || ps[0].Device != "pppoe-wan" || ps[1].Stop == nil || ps[1].Stop.Lifted || len(ps[2].Problems) == 0 {
		t.Fatalf("%+v", r)
	}
	var b strings.Builder
	WriteText(&b, r, now)
	out := b.String()
	if strings.Contains(out, "inactive") {
		t.Errorf("the daemon runs:\n%s", out)
	}
	for _, want := range []string{
		"home: enabled, home.example.com, www.example.com, ip_source auto (wan)",
		"registered:  203.0.113.7 since",
		"(1h0m0s ago) (confirmed by the provider)",
		"last update: ",
		": good 203.0.113.7",
		"last check:  ",
		"next check:  ",
		"(in 9m0s), or at once when the address on pppoe-wan changes",
		"off: disabled, off.example.com, ip_source web (checkip.dyndns.com)",
		"stopped:     badauth: username or password wrong: fix username and password — edit the profile; updates resume after saving",
		"bad: enabled, , ip_source auto (wan)",
		"config error: /etc/config/ddns-updater: profile 'bad': option server: empty",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// a changed profile: the stop is shown as lifted
	cfg.Profiles[1].Fingerprint = "changed"
	if r := Collect(cfg, dir, now); !r.Profiles[1].Stop.Lifted {
		t.Error("a stop with other settings must show as lifted")
	}
}

// TestNotRunning: without a daemon, status says so first and promises no next
// check; a checkip profile is not promised a check on an address change.
func TestNotRunning(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	cfg, err := config.Parse("f", []byte("config profile 'home'\n\toption enabled 1\n\toption server s.example.com\n\toption username u\n"+
		"\toption password p\n\toption hostname h.example.com\n\toption ip_source web\n"))
	if err != nil {
		t.Fatal(err)
	}
	path := t.TempDir()
	dir := state.Open(path)
	dir.SaveRun("home", state.Run{CheckedAt: now.Add(-time.Minute), NextCheck: now.Add(9 * time.Minute), Summary: "checked"})
	r := Collect(cfg, dir, now)
	var b strings.Builder
	WriteText(&b, r, now)
	if r.Running || !strings.HasPrefix(b.String(), "inactive: the ddns-updater daemon is not running") ||
		strings.Contains(b.String(), "next check") || !strings.Contains(b.String(), "last check:") {
		t.Errorf("stopped daemon:\n%s", b.String())
	}
	b.Reset()
	WriteJSON(&b, r)
	if !strings.Contains(b.String(), `"running":false`) || !strings.Contains(b.String(), `"next_check":null`) {
		t.Errorf("JSON of a stopped daemon: %s", b.String())
	}
	// running: a web profile's next check is its timer, hotplug or `update`, not an address change
	dir.Hold()
	r = Collect(cfg, state.Open(path), now)
	b.Reset()
	WriteText(&b, r, now)
	if !r.Running || !strings.Contains(b.String(), "(in 9m0s), or earlier when an interface of an enabled profile comes up or gets new addresses (hotplug), or on /etc/init.d/ddns-updater update") ||
		strings.Contains(b.String(), "when the address") {
		t.Errorf("web profile while running:\n%s", b.String())
	}
}

func TestJSON(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	ps := []Profile{{Name: "home", Enabled: true, Hostnames: []string{"home.example.com"}, IPSource: "auto", Interface: "wan", Device: "pppoe-wan",
		Observed: []netip.Addr{netip.MustParseAddr("203.0.113.7")}, Registered: []netip.Addr{netip.MustParseAddr("203.0.113.7")},
		RegisteredAt: now, LearntFrom: "provider", LastAnswer: "good \"203.0.113.7\"\n\x01\xff",
		Stop: &Stop{Code: "badauth", Meaning: "username or password wrong", Fix: "edit", At: now}, Problems: []string{"a\tb"}},
		{Name: "empty"}}
	var b strings.Builder
	if err := WriteJSON(&b, Report{Running: true, Profiles: ps}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Version  int  `json:"version"`
		Running  bool `json:"running"`
		Profiles []struct {
			Name         string     `json:"name"`
			Enabled      bool       `json:"enabled"`
			Hostnames    []string   `json:"hostnames"`
			Device       string     `json:"device"`
			Observed     []string   `json:"observed"`
			RegisteredAt *time.Time `json:"registered_at"`
			LastAnswer   string     `json:"last_answer"`
			NextCheck    *time.Time `json:"next_check"`
			Stop         *struct {
				Code   string `json:"code"`
				Lifted bool   `json:"lifted"`
			} `json:"stop"`
			Problems []string `json:"problems"`
		} `json:"profiles"`
	}
	if err := json.Unmarshal([]byte(b.String()), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b.String())
	}
	p := got.Profiles[0]
	if got.Version != 1 || !got.Running || p.Name != "home" || !p.Enabled || p.Device != "pppoe-wan" || p.Observed[0] != "203.0.113.7" ||
		!p.RegisteredAt.Equal(now) || p.LastAnswer != "good \"203.0.113.7\"\n\x01\uFFFD" || p.NextCheck != nil ||
		p.Stop == nil || p.Stop.Code != "badauth" || p.Problems[0] != "a\tb" {
		t.Errorf("%+v", got)
	}
	if e := got.Profiles[1]; e.Stop != nil || e.Hostnames == nil || e.Problems == nil {
		t.Errorf("empty lists must be [], not null: %+v", e)
	}
}

// TestLANProfileText: a profile that publishes a LAN host says so, and what
// wakes it: the LAN's addresses.
func TestLANProfileText(t *testing.T) {
	cfg, err := config.Parse("/etc/config/ddns-updater", []byte("config profile 'nas'\n\toption enabled 1\n\toption server s.example.com\n\toption username u\n\toption password p\n"+
		"\toption hostname nas.example.com\n\toption ip_version 6\n\toption lan_host nas\n"+
		"config profile 'both'\n\toption enabled 1\n\toption server s.example.com\n\toption username u\n\toption password p\n"+
		"\toption hostname both.example.com\n\toption ip_version both\n\toption lan_prefix 1\n\toption lan_device br-lan\n"))
	if err != nil {
		t.Fatal(err)
	}
	dir := state.Open(t.TempDir())
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, p := range cfg.Profiles {
		dir.SaveRun(p.Name, state.Run{CheckedAt: now, NextCheck: now.Add(10 * time.Minute), Summary: "ok"})
	}
	r := Collect(cfg, dir, now)
	r.Running = true // as if a daemon ran: its next checks are known
	for i := range r.Profiles {
		r.Profiles[i].NextCheck = now.Add(10 * time.Minute)
	}
	var b strings.Builder
	WriteText(&b, r, now)
	for _, want := range []string{
		"nas: enabled, nas.example.com, ip_source lan_host nas (lan)",
		"or at once when the addresses on the device of lan change (a new prefix)",
		"both: enabled, both.example.com, ip_source auto (wan), IPv6 lan_prefix (device br-lan)",
		"or at once when the address on the device of wan changes or on br-lan",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("lacks %q:\n%s", want, b.String())
		}
	}
}
