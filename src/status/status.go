// Package status tells, per profile, what the program knows: the registered
// address, the last update and its answer, the last check, the next one, and a
// stop with what to fix. It reads the configuration and the state files only,
// so it works while the daemon runs.
package status

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"ddns-updater/src/config"
	"ddns-updater/src/state"
)

// Profile is the status of one profile.
type Profile struct {
	Name         string
	Enabled      bool
	Hostnames    []string
	Source       string // e.g. "auto (wan)"
	IPSource     string // auto, interface, web
	Interface    string // the logical interface (interface and auto)
	Registered   []netip.Addr
	RegisteredAt time.Time
	LearntFrom   string // provider, dns, option ip
	LastAttempt  time.Time
	LastAnswer   string
	CheckedAt    time.Time
	Observed     []netip.Addr
	Device       string
	LAN          string // lan_host, lan_prefix: the LAN interface ("lan") or device ("device br-lan")
	LANOnly      bool   // every address published comes from the LAN
	LastCheck    string // what the last check concluded
	NextCheck    time.Time
	WaitUntil    time.Time
	Stop         *Stop
	Problems     []string // configuration errors: the profile does not run
	StateError   string   // the state file could not be read
}

// Stop is a fatal answer that keeps the profile from sending.
type Stop struct {
	Code    string
	Meaning string
	Fix     string
	At      time.Time
	Lifted  bool // the settings changed since: the next check resumes
}

// Report is what `status` prints: whether the daemon runs, and each profile.
type Report struct {
	Running  bool // a daemon holds the state directory
	Profiles []Profile
}

// Collect reads the status of every profile in cfg from dir. Next checks are
// known only while a daemon runs.
func Collect(cfg *config.Config, dir *state.Dir, now time.Time) Report {
	r := Report{Running: dir.Running()}
	var out []Profile
	for _, p := range cfg.Profiles {
		s := Profile{Name: p.Name, Enabled: p.Enabled, Hostnames: p.Hostnames, Source: source(p), IPSource: string(p.IPSource)}
		if p.IPSource != config.SourceWeb {
			s.Interface, s.Device = p.Interface, p.Device
		}
		if p.PublishesLAN() {
			s.LAN, s.LANOnly = lanName(p), p.LANOnly()
		}
		for _, e := range p.Problems {
			s.Problems = append(s.Problems, e.Error())
		}
		st, err := dir.Load(p.Name)
		if err != nil {
			s.StateError = err.Error()
		}
		s.Registered, s.RegisteredAt, s.LearntFrom = st.Registered, st.RegisteredAt, st.Source
		s.LastAttempt, s.LastAnswer = st.LastAttempt, st.LastAnswer
		if st.NotBefore.After(now) {
			s.WaitUntil = st.NotBefore
		}
		if st.Stop != nil {
			s.Stop = &Stop{Code: st.Stop.Code, Meaning: st.Stop.Reason, At: st.Stop.At,
				Fix: "edit the profile; updates resume after saving", Lifted: st.Fingerprint != p.Fingerprint}
		}
		if run, err := dir.LoadRun(p.Name); err == nil {
			s.CheckedAt, s.Observed, s.Device, s.LastCheck = run.CheckedAt, run.Observed, run.Device, run.Summary
			if r.Running {
				s.NextCheck = run.NextCheck
			}
		}
		out = append(out, s)
	}
	r.Profiles = out
	return r
}

func source(p *config.Profile) string {
	var wan string
	switch {
	case p.IPSource == config.SourceWeb:
		wan = "web (" + p.ExternalIPServer + ")"
	case p.Device != "":
		wan = string(p.IPSource) + " (device " + p.Device + ")"
	default:
		wan = string(p.IPSource) + " (" + p.Interface + ")"
	}
	if !p.PublishesLAN() {
		return wan
	}
	lan := "lan_prefix (" + lanName(p) + ")"
	if p.LANHost != nil {
		lan = "lan_host " + p.LANHost.String() + " (" + lanName(p) + ")"
	}
	if p.LANOnly() {
		return lan
	}
	return wan + ", IPv6 " + lan
}

func lanName(p *config.Profile) string {
	if p.LANDevice != "" {
		return "device " + p.LANDevice
	}
	return p.LANInterface
}

// WriteText prints the report for a person: first whether the daemon runs,
// then one block per profile.
func WriteText(w io.Writer, r Report, now time.Time) {
	if !r.Running {
		fmt.Fprintln(w, "inactive: the ddns-updater daemon is not running; nothing is checked until it starts (/etc/init.d/ddns-updater start) or ddns-updater --once runs")
		fmt.Fprintln(w)
	}
	if len(r.Profiles) == 0 {
		fmt.Fprintln(w, "no profiles configured")
	}
	for i, s := range r.Profiles {
		if i > 0 {
			fmt.Fprintln(w)
		}
		state := "enabled"
		if !s.Enabled {
			state = "disabled"
		}
		fmt.Fprintf(w, "%s: %s, %s, ip_source %s\n", s.Name, state, strings.Join(s.Hostnames, ", "), s.Source)
		line := func(k, v string) { writeLine(w, k, v) }
		for _, p := range s.Problems {
			line("config error", p)
		}
		if s.StateError != "" {
			line("state", "unreadable ("+s.StateError+"); the next check starts afresh")
		}
		if len(s.Registered) > 0 {
			line("registered", fmt.Sprintf("%s since %s (%s)", addrs(s.Registered), stamp(s.RegisteredAt, now), learnt(s.LearntFrom)))
		} else {
			line("registered", "nothing yet")
		}
		if !s.LastAttempt.IsZero() {
			line("last update", stamp(s.LastAttempt, now)+": "+s.LastAnswer)
		}
		if !s.CheckedAt.IsZero() {
			v := stamp(s.CheckedAt, now) + ": " + s.LastCheck
			line("last check", v)
		}
		switch {
		case s.Stop != nil && s.Stop.Lifted:
			line("stopped", fmt.Sprintf("by %s at %s; the settings have changed since, so the next check resumes", s.Stop.Code, stamp(s.Stop.At, now)))
		case s.Stop != nil:
			line("stopped", fmt.Sprintf("%s: %s — %s (since %s)", s.Stop.Code, s.Stop.Meaning, s.Stop.Fix, stamp(s.Stop.At, now)))
		case !s.WaitUntil.IsZero():
			line("waiting", "no attempt before "+stamp(s.WaitUntil, now)+" (after "+s.LastAnswer+")")
		}
		if !s.NextCheck.IsZero() && s.Stop == nil {
			line("next check", stamp(s.NextCheck, now)+", "+earlier(s))
		}
	}
}

// writeLine writes one "  key:        value" line of a profile; out of line,
// as WriteText calls it from many places.
//
//go:noinline
func writeLine(w io.Writer, k, v string) { fmt.Fprintf(w, "  %-12s %s\n", k+":", v) }

// earlier says what, besides its timer, makes the daemon check a profile: the
// kernel's address events for the sources that read a device, the hotplug hook
// (SIGUSR1 on ifup and on ifupdate with new addresses) for all.
func earlier(s Profile) string {
	if s.LAN != "" {
		lan := strings.TrimPrefix(s.LAN, "device ")
		if lan == s.LAN {
			lan = "the device of " + s.LAN
		}
		if s.LANOnly || s.IPSource == string(config.SourceWeb) {
			return "or at once when the addresses on " + lan + " change (a new prefix), or on /etc/init.d/ddns-updater update"
		}
		s.LAN = ""
		return earlier(s) + " or on " + lan
	}
	if s.IPSource == string(config.SourceWeb) {
		return "or earlier when an interface of an enabled profile comes up or gets new addresses (hotplug), or on /etc/init.d/ddns-updater update"
	}
	dev := s.Device
	if dev == "" {
		dev = "the device of " + s.Interface
	}
	return "or at once when the address on " + dev + " changes"
}

func learnt(src string) string {
	switch src {
	case "provider":
		return "confirmed by the provider"
	case "dns":
		return "found in DNS at start-up"
	case "option ip":
		return "from option ip"
	}
	return src
}

func addrs(a []netip.Addr) string {
	s := make([]string, len(a))
	for i, x := range a {
		s[i] = x.String()
	}
	return strings.Join(s, ", ")
}

// stamp prints a time in local time with how long ago or ahead it is.
func stamp(t, now time.Time) string {
	d := now.Sub(t).Round(time.Second)
	rel := d.String() + " ago"
	if d < 0 {
		rel = "in " + (-d).String()
	}
	return t.Local().Format("2006-01-02 15:04:05") + " (" + rel + ")"
}
