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

	ps := Collect(cfg, dir, now)
	if len(ps) != 3 || ps[0].Device != "pppoe-wan" || ps[1].Stop == nil || ps[1].Stop.Lifted || len(ps[2].Problems) == 0 {
		t.Fatalf("%+v", ps)
	}
	var b strings.Builder
	WriteText(&b, ps, now)
	out := b.String()
	for _, want := range []string{
		"home: enabled, home.example.com, www.example.com, ip_source auto (wan)",
		"registered:  203.0.113.7 since",
		"(1h0m0s ago) (confirmed by the provider)",
		"last update: ",
		": good 203.0.113.7",
		"last check:  ",
		"next check:  ",
		"(in 9m0s), or at once when the address changes",
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
	if ps := Collect(cfg, dir, now); !ps[1].Stop.Lifted {
		t.Error("a stop with other settings must show as lifted")
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
	if err := WriteJSON(&b, ps); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Version  int `json:"version"`
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
	if got.Version != 1 || p.Name != "home" || !p.Enabled || p.Device != "pppoe-wan" || p.Observed[0] != "203.0.113.7" ||
		!p.RegisteredAt.Equal(now) || p.LastAnswer != "good \"203.0.113.7\"\n\x01\uFFFD" || p.NextCheck != nil ||
		p.Stop == nil || p.Stop.Code != "badauth" || p.Problems[0] != "a\tb" {
		t.Errorf("%+v", got)
	}
	if e := got.Profiles[1]; e.Stop != nil || e.Hostnames == nil || e.Problems == nil {
		t.Errorf("empty lists must be [], not null: %+v", e)
	}
}
