// Package migrate turns OpenWrt's ddns-scripts configuration (/etc/config/ddns)
// into ours, option by option, and says what it could not carry over and why.
// (The original program's INI file is mapped by config.FromINI, which Load uses
// as well.)
package migrate

import (
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"ddns-updater/src/config"
	"ddns-updater/src/ini"
	"ddns-updater/src/service"
	"ddns-updater/src/uci"
)

// DefaultDDNSScripts is where ddns-scripts keeps its configuration.
const DefaultDDNSScripts = "/etc/config/ddns"

// ServiceNames maps ddns-scripts' service_name (its files in
// /usr/share/ddns/default) to our presets, for the services that speak dyndns2.
var ServiceNames = map[string]string{
	"afraid.org-basicauth": "freedns.afraid.org",
	"all-inkl.com":         "all-inkl.com",
	"changeip.com":         "changeip.com",
	"core-networks.de":     "core-networks.de",
	"desec.io":             "desec.io",
	"dnsomatic.com":        "dnsomatic.com",
	"dy.fi":                "dy.fi",
	"dyn.com":              "dyn.com",
	"dyndns.it":            "dyndns.it",
	"dyndns.org":           "dyn.com",
	"dynu.com":             "dynu.com",
	"dynv6.com":            "dynv6.com", // ddns-scripts uses dynv6's own API; the token is the same password
	"he.net":               "he.net",
	"hosting.de":           "hosting.de",
	"infomaniak.com":       "infomaniak.com",
	"inwx.de":              "inwx.de",
	"ipv64.net":            "ipv64.net",
	"joker.com":            "joker.com",
	"loopia.se":            "loopia.se",
	"no-ip.com":            "no-ip.com",
	"now-dns.com":          "now-dns.com",
	"nsupdate.info":        "nsupdate.info",
	"opendns.com":          "opendns.com",
	"ovh.com":              "ovh.com",
	"schokokeks.org":       "schokokeks.org",
	"selfhost.de":          "selfhost.de",
	"simply.com":           "simply.com",
	"spdyn.de":             "spdyn.de",
	"strato.com":           "strato.com",
	"variomedia.de":        "variomedia.de",
}

// ignored are ddns-scripts options that have no counterpart here, and why.
var ignored = map[string]string{
	"interface":       "the interface whose hotplug events started the service; here every ifup and ifupdate wakes the daemon",
	"lookup_host":     "the host names themselves are looked up",
	"retry_interval":  "waits after failures follow the provider's answers (README: the answers)",
	"retry_unit":      "waits after failures follow the provider's answers",
	"retry_max_count": "a stop follows fatal answers only; other failures are retried with growing waits",
	"retry_count":     "a stop follows fatal answers only; other failures are retried with growing waits",
	"use_syslog":      "the daemon logs to logd at each line's own priority",
	"use_logfile":     "the daemon logs to logd (logread -e ddns-updater)",
	"force_dnstcp":    "DNS is asked over UDP, as the resolver does",
	"force_ipversion": "each family is asked and sent over itself",
	"check_unit":      "", // read with check_interval
	"force_unit":      "", // read with force_interval
	"is_glue":         "glue records are not updated through dyndns2",
	"param_enc":       "no [PARAMENC] in dyndns2 presets",
	"param_opt":       "no [PARAMOPT] in dyndns2 presets",
}

// DDNSScripts maps ddns-scripts' service sections onto profiles. Whatever it
// does not carry over is in notes, with the reason; nothing is dropped silently.
func DDNSScripts(f *uci.File) (out *uci.File, notes []config.Unmapped) {
	out = &uci.File{Path: config.DefaultPath}
	note := func(what, why string) { notes = append(notes, config.Unmapped{What: what, Why: why}) }
	drop := func(what, why string) { notes = append(notes, config.Unmapped{What: what, Why: why, Dropped: true}) }
	for _, s := range f.Sections {
		ref := "ddns." + s.Ref()
		if s.Type != "service" {
			note(ref, "a "+s.Type+" section: ddns-scripts' own settings (run and log directories, date format); nothing to carry over")
			continue
		}
		name := s.Name
		if name == "" {
			name = "service" + strconv.Itoa(s.Index)
		}
		p, why := mapService(s, name, func(opt, why string) { note(ref+"."+opt, why) })
		if why != "" {
			drop(ref, why+"; not imported")
			continue
		}
		out.Sections = append(out.Sections, p)
	}
	return out, notes
}

// mapService maps one service section; why says why it cannot be mapped.
// value and setOption are kept out of line: inlined at each of mapService's
// many options they cost kilobytes of the router's binary.
//
//go:noinline
func value(s *uci.Section, opt string) string { v, _ := s.Value(opt); return v }

//go:noinline
func setOption(p *uci.Section, line int, opt, v string) { p.Set(opt, false, line, v) }

func mapService(s *uci.Section, name string, note func(opt, why string)) (*uci.Section, string) {
	get := func(opt string) string { return value(s, opt) }
	tmp := &uci.File{}
	p := tmp.Add("profile", name, s.Line)
	set := func(opt, v string) { setOption(p, s.Line, opt, v) }
	done := map[string]bool{"service_name": true, "update_url": true, "update_script": true}

	enabled := get("enabled")
	if enabled == "" {
		enabled = "0" // ddns-scripts' default
	}
	set("enabled", enabled)
	done["enabled"] = true

	v6 := get("use_ipv6") == "1"
	https := get("use_https") == "1"
	switch svc, custom := get("service_name"), get("update_url"); {
	case get("update_script") != "":
		return nil, "update_script " + get("update_script") + " is a program of its own, not dyndns2"
	case svc != "" && svc != "-" && svc != "custom":
		preset := ServiceNames[svc]
		if preset == "" {
			return nil, "service_name " + svc + " has no dyndns2 preset here (it speaks its own API, or is not known); if it speaks dyndns2, set server and server_path by hand"
		}
		set("service", preset)
		if !https {
			note("use_https", "0 (plain HTTP, the password in clear): the preset's HTTPS is used instead")
		}
		if v6 && !service.Get(preset).IPv6 {
			note("use_ipv6", "1, but "+preset+" takes IPv4 updates only through dyndns2, by its documentation")
		}
	case custom != "":
		if why := mapURL(custom, https, set); why != "" {
			return nil, why
		}
	default:
		return nil, "neither service_name nor update_url"
	}
	done["use_https"] = true

	host := get("domain")
	if host == "" {
		host = get("lookup_host")
	}
	if host != "" {
		p.Set("hostname", true, s.Line, host)
	}
	if lh := get("lookup_host"); lh != "" && lh != host {
		note("lookup_host", lh+" differs from domain "+host+"; the host names of domain are looked up")
	}
	done["domain"], done["lookup_host"] = true, true
	for _, opt := range []string{"username", "password"} {
		if v := get(opt); v != "" {
			set(opt, v)
		}
		done[opt] = true
	}

	if v6 {
		set("ip_version", "6")
	}
	done["use_ipv6"] = true
	switch src := get("ip_source"); src {
	case "", "network":
		net := get("ip_network")
		if net == "" {
			net = map[bool]string{false: "wan", true: "wan6"}[v6]
		}
		set("ip_source", "interface")
		set("interface", net)
	case "interface":
		dev := get("ip_interface")
		if dev == "" {
			dev = "eth1" // ddns-scripts' default
		}
		set("ip_source", "interface")
		set("device", dev)
	case "web":
		u := get("ip_url")
		if u == "" {
			u = map[bool]string{false: "http://checkip.dyndns.com", true: "http://checkipv6.dyndns.com"}[v6]
		}
		set("ip_source", "web")
		set("external_ip_server", u)
		set("use_regex", "1")
	default:
		set("ip_source", "auto")
		note("ip_source", src+" ("+get("ip_script")+"): no scripts here; ip_source auto is used (the WAN device's address, else checkip)")
	}
	for _, o := range []string{"ip_source", "ip_network", "ip_interface", "ip_url", "ip_script"} {
		done[o] = true
	}

	for _, iv := range [][3]string{{"check_interval", "check_unit", "minutes"}, {"force_interval", "force_unit", "hours"}} {
		n, unit := get(iv[0]), get(iv[1])
		done[iv[0]] = true
		if n == "" {
			continue
		}
		if unit == "" {
			unit = iv[2] // ddns-scripts' default unit
		}
		secs, ok := seconds(n, unit)
		switch {
		case !ok:
			note(iv[0], n+" "+unit+" is not a number of days, hours, minutes or seconds; the default is used")
		case iv[0] == "force_interval" && secs == 0:
			set(iv[0], "0")
			note(iv[0], "0 ran ddns-scripts once (cron); here the daemon runs, and force_interval 0 never re-sends an unchanged address")
		case iv[0] == "force_interval" && secs < 86400:
			set(iv[0], "1d")
			note(iv[0], n+" "+unit+" is below the least force_interval, 1d (an unchanged address re-sent more often looks like abuse to providers); 1d is used")
		case iv[0] == "check_interval" && secs < 60:
			set(iv[0], "1m")
			note(iv[0], n+" "+unit+" is below 1m; 1m is used")
		default:
			set(iv[0], config.FormatDuration(time.Duration(secs)*time.Second))
		}
	}

	switch ca := get("cacert"); {
	case ca == "" || ca == "/etc/ssl/certs":
	case strings.EqualFold(ca, "IGNORE"):
		note("cacert", "IGNORE turned certificate checks off; they stay on here (give ca_file to trust another root)")
	case strings.HasSuffix(ca, "/"):
		note("cacert", ca+" is a directory; give ca_file the PEM file of the root to trust")
	default:
		set("ca_file", ca)
	}
	done["cacert"] = true

	if d := get("dns_server"); d != "" {
		if _, err := netip.ParseAddr(strings.Trim(d, "[]")); err == nil {
			set("dns_server", d)
		} else if _, err := netip.ParseAddrPort(d); err == nil {
			set("dns_server", d)
		} else {
			note("dns_server", d+" is a name; dns_server takes an IP address, so the system resolver is used")
		}
	}
	done["dns_server"] = true

	if v := get("proxy"); v != "" {
		note("proxy", v+": requests go to the provider directly")
	}
	done["proxy"] = true

	for _, o := range s.Options {
		if done[o.Name] {
			continue
		}
		if why, ok := ignored[o.Name]; ok {
			if why != "" {
				note(o.Name, "no counterpart: "+why)
			}
			continue
		}
		note(o.Name, "no counterpart here")
	}
	return p, ""
}

// mapURL reads a custom update_url: dyndns2 only (hostname=[DOMAIN], myip=[IP]).
func mapURL(raw string, https bool, set func(opt, v string)) string {
	// [USERNAME]:[PASSWORD]@ before the host is HTTP Basic authentication;
	// net/url refuses its brackets, so it goes before parsing.
	clean := raw
	if scheme, rest, ok := strings.Cut(raw, "://"); ok {
		auth, _, _ := strings.Cut(rest, "/")
		if i := strings.LastIndex(auth, "@"); i >= 0 {
			clean = scheme + "://" + rest[i+1:]
		}
	}
	u, err := url.Parse(clean)
	if err != nil || u.Host == "" || u.Scheme != "http" && u.Scheme != "https" {
		return "update_url " + raw + " is not an http:// or https:// URL"
	}
	q := strings.Split(u.RawQuery, "&")
	var keep []string
	hasHost, hasIP := false, false
	var userParam, passParam string
	for _, kv := range q {
		k, v, _ := strings.Cut(kv, "=")
		switch {
		case k == "hostname" && v == "[DOMAIN]":
			hasHost = true
		case k == "myip" && v == "[IP]":
			hasIP = true
		case v == "[USERNAME]":
			userParam = k
		case v == "[PASSWORD]":
			passParam = k
		case kv != "":
			if strings.Contains(v, "[") {
				return "update_url " + raw + " has " + kv + ", which dyndns2 does not send"
			}
			keep = append(keep, kv)
		}
	}
	if !hasHost || !hasIP {
		return "update_url " + raw + " is not dyndns2 (it needs hostname=[DOMAIN] and myip=[IP])"
	}
	switch {
	case userParam != "" && passParam != "":
		set("auth", "query:"+userParam+","+passParam)
	case passParam != "" || userParam != "":
		return "update_url " + raw + " carries one credential in the query, the other not"
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if len(keep) > 0 {
		path += "?" + strings.Join(keep, "&")
	}
	set("server", u.Host)
	set("server_path", path)
	if u.Scheme == "http" && !https {
		set("use_https", "0")
	}
	return ""
}

// seconds reads ddns-scripts' n and unit (days, hours, minutes, seconds).
func seconds(n, unit string) (int64, bool) {
	v, err := strconv.ParseInt(n, 10, 64)
	mult := map[string]int64{"days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}[unit]
	if err != nil || v < 0 || mult == 0 || v > 3650*86400/mult {
		return 0, false
	}
	return v * mult, true
}

// Import reads the file of kind ("ddns-scripts" or "ini"; path "" for its
// usual place) and maps it. The notes say what was not carried over, and the
// problems our reader finds in the result (a missing password, say).
func Import(kind, path string) (out *uci.File, notes []config.Unmapped, err error) {
	switch kind {
	case "ddns-scripts":
		if path == "" {
			path = DefaultDDNSScripts
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		f, err := uci.Parse(path, data)
		if err != nil {
			return nil, nil, err
		}
		out, notes = DDNSScripts(f)
	case "ini":
		if path == "" {
			path = config.OriginalPath
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		f, err := ini.Parse(path, data)
		if err != nil {
			return nil, nil, err
		}
		out, notes = config.FromINI(f)
	default:
		return nil, nil, fmt.Errorf("import %q: expected ddns-scripts or ini", kind)
	}
	c, err := config.Parse(config.DefaultPath, []byte(uci.Format(out)))
	if err != nil {
		return nil, nil, fmt.Errorf("the imported configuration does not read back: %w", err) // a bug of ours
	}
	for _, w := range c.Warnings {
		notes = append(notes, config.Unmapped{What: "result", Why: w})
	}
	for _, p := range c.Profiles {
		for _, e := range p.Problems {
			notes = append(notes, config.Unmapped{What: "result", Why: e.Error() + " (fix it before enabling the profile)"})
		}
	}
	if c.Mail.Notify {
		for _, e := range c.Mail.Problems {
			notes = append(notes, config.Unmapped{What: "result", Why: e.Error()})
		}
	}
	return out, notes, nil
}
