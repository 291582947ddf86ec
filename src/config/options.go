package config

import (
	"encoding/pem"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"ddns-updater/src/lanhost"
	"ddns-updater/src/service"
)

// The option tables. Each entry's Default is applied when the option is absent.
// The helpers that build the checks are marked go:noinline: inlined into the
// tables' initialisation, every option would carry its own copy of their
// closures (+64 kB of mipsel binary, measured).

var globalOptions = []option[*Global]{
	{about{"global", "state_dir", "/var/run/ddns-updater", "Directory for the per-profile state files (tmpfs on OpenWrt: lost at reboot, then DNS is asked once)."},
		text(func(g *Global) *string { return &g.StateDir }, absPath("/var/run/ddns-updater"))},
	{about{"global", "log_level", "info", "One of error, warn, info, debug."},
		text(func(g *Global) *string { return &g.LogLevel }, oneOf("error", "warn", "info", "debug"))},
	{about{"global", "hook", "", "Off OpenWrt (no /sbin/hotplug-call): a program run after each update outcome that changes something, with ACTION, PROFILE, HOSTNAMES, IPV4, IPV6 and ANSWER in its environment. On OpenWrt the scripts in /etc/hotplug.d/ddns-updater/ run instead."},
		text(func(g *Global) *string { return &g.Hook }, optional("abspath", checkAbsPath("/usr/local/bin/ddns-hook")))},
	{about{"global", "seccomp", "0", "1: on OpenWrt the init script starts the daemon under the system-call filter /etc/seccomp/ddns-updater.json, which also binds ubus(1) and the hooks it starts (SECURITY.md)."},
		boolean(func(g *Global) *bool { return &g.Seccomp })},
}

var mailOptions = []option[*Mail]{
	{about{"mail", "notify", "0", "1 sends mail on updates and on errors."},
		boolean(func(m *Mail) *bool { return &m.Notify })},
	{about{"mail", "smtp_server", "", "SMTP server host name, e.g. smtp.example.com."},
		text(func(m *Mail) *string { return &m.SMTPServer }, hostOnly)},
	{about{"mail", "port", "587", "465: implicit TLS; 587 and others: STARTTLS (required)."},
		integer(func(m *Mail) *int { return &m.Port }, 1, 65535)},
	{about{"mail", "username", "", "SMTP login."},
		text(func(m *Mail) *string { return &m.Username }, noControl)},
	{about{"mail", "password", "", "SMTP password."},
		text(func(m *Mail) *string { return &m.Password }, secret)},
	{about{"mail", "recipient", "", "Where mail goes: one address, a comma list or a UCI list."},
		addresses(func(m *Mail) *[]string { return &m.Recipients })},
	{about{"mail", "sender", "", "From address; default: username."},
		text(func(m *Mail) *string { return &m.Sender }, email)},
	{about{"mail", "tls", "1", "0 only for a relay on 127.0.0.1 or ::1."},
		boolean(func(m *Mail) *bool { return &m.TLS })},
	{about{"mail", "ca_file", "", "Extra trusted root certificates (PEM) for the SMTP server."},
		text(func(m *Mail) *string { return &m.CAFile }, pemFile)},
	{about{"mail", "alert_after", "1h", "How long failures (network, 911/dnserr, checkip) last before one mail says so; one more when they end."},
		duration(func(m *Mail) *time.Duration { return &m.AlertAfter }, time.Minute, false)},
}

var profileOptions = []option[*Profile]{
	{about{"profile", "enabled", "0", "1 runs the profile (--profile NAME runs it regardless)."},
		boolean(func(p *Profile) *bool { return &p.Enabled })},
	{about{"profile", "service", "", "A provider's preset (ddns-updater services lists them): fills server, server_path and the provider's ways; options set here override it."},
		text(func(p *Profile) *string { return &p.Service }, serviceName())},
	{about{"profile", "server", "", "The provider's update server: host name or IP, optional :port."},
		text(func(p *Profile) *string { return &p.Server }, required("a host name such as members.dyndns.org", hostPort("members.dyndns.org")))},
	{about{"profile", "server_path", "/nic/update", "Path (and query) of the dyndns2 update URL."},
		text(func(p *Profile) *string { return &p.ServerPath }, parsePath)},
	{about{"profile", "username", "", "Account name (may be an e-mail address)."},
		text(func(p *Profile) *string { return &p.Username }, required("the account name", username))},
	{about{"profile", "password", "", "Account password or update token."},
		text(func(p *Profile) *string { return &p.Password }, required("the account password or token", secret))},
	{about{"profile", "hostname", "", "Host name(s) to update: one, a comma list or a UCI list."},
		hostnames(func(p *Profile) *[]string { return &p.Hostnames })},
	{about{"profile", "external_ip_server", "checkip.dyndns.com", "checkip web server: host name or IP, optional :port; or a URL (http:// or https://, optional :port and path) whose scheme decides for checkip alone."},
		checkipServer()},
	{about{"profile", "external_ip_server_path", "/", "Path on the checkip server."},
		text(func(p *Profile) *string { return &p.ExternalIPServerPath }, parsePath)},
	{about{"profile", "use_regex", "1", "1: find the address anywhere in the checkip answer; 0: the answer must be just the address."},
		boolean(func(p *Profile) *bool { return &p.UseRegex })},
	{about{"profile", "ip_source", "auto", "auto (the device's address when public, else checkip), interface (the device only) or web (checkip only)."},
		text(func(p *Profile) *Source { return &p.IPSource }, oneOf("web", "interface", "auto"))},
	{about{"profile", "ip_version", "4", "4, 6 or both (both: one request carrying both addresses)."},
		text(func(p *Profile) *Family { return &p.IPVersion }, oneOf("4", "6", "both"))},
	{about{"profile", "use_https", "1", "1: HTTPS to the update and checkip servers; 0: HTTP (the password travels in clear)."},
		boolean(func(p *Profile) *bool { return &p.UseHTTPS })},
	{about{"profile", "check_interval", "10m", "How often the daemon checks the address: 600, 10m, 2h."},
		duration(func(p *Profile) *time.Duration { return &p.CheckInterval }, time.Minute, false)},
	{about{"profile", "force_interval", "25d", "Longest time an unchanged address goes without being re-sent (at least 1d; 0: never)."},
		duration(func(p *Profile) *time.Duration { return &p.ForceInterval }, 24*time.Hour, true)},
	{about{"profile", "user_agent", "", "HTTP User-Agent; default ddns-updater/VERSION (OpenWrt; linux/ARCH)."},
		text(func(p *Profile) *string { return &p.UserAgent }, noControl)},
	{about{"profile", "dns_server", "", "DNS server (IP, optional :port) asked for the current records at start-up; default: the system resolver."},
		ipPort(func(p *Profile) *netip.AddrPort { return &p.DNSServer }, 53)},
	{about{"profile", "ca_file", "", "Extra trusted root certificates (PEM) for HTTPS."},
		text(func(p *Profile) *string { return &p.CAFile }, pemFile)},
	{about{"profile", "allow_private", "0", "1 accepts private, CGNAT and ULA addresses as the public address."},
		boolean(func(p *Profile) *bool { return &p.AllowPrivate })},
	{about{"profile", "bind", "1", "1 sends the checkip request, the start-up DNS lookup (dns_server) and the update out through the interface's device, from its address, whatever the routing policy (mwan3) says; 0 leaves them to the routing table."},
		boolean(func(p *Profile) *bool { return &p.Bind })},
	{about{"profile", "interface", "wan", "Logical OpenWrt interface (wan, wan6) whose device holds the address, for ip_source interface/auto."},
		text(func(p *Profile) *string { return &p.Interface }, uciName)},
	{about{"profile", "device", "", "Kernel device (eth1, pppoe-wan) for ip_source interface/auto; overrides interface."},
		text(func(p *Profile) *string { return &p.Device }, deviceName)},
	{about{"profile", "ipv6_suffix", "", "Publish the device's /64 prefix with this interface ID, e.g. ::1234."},
		ipv6Suffix(func(p *Profile) *netip.Addr { return &p.IPv6Suffix })},
	{about{"profile", "lan_host", "", "A host behind the router whose IPv6 address is published instead of the router's: its interface ID (::1234), its MAC address (SLAAC: EUI-64), or the host name or DUID of its DHCPv6 lease at odhcpd; the prefix is the one netifd assigned to lan_interface. As a list, entries HOSTNAME=HOST each publish their own host name."},
		lanHosts()},
	{about{"profile", "lan_interface", "lan", "Logical interface of the LAN whose assigned prefix (ipv6-prefix-assignment) lan_host and lan_prefix use."},
		text(func(p *Profile) *string { return &p.LANInterface }, uciName)},
	{about{"profile", "lan_device", "", "Kernel device of the LAN (br-lan) for lan_host and lan_prefix; overrides lan_interface, the prefix then read from the device's global addresses."},
		text(func(p *Profile) *string { return &p.LANDevice }, deviceName)},
	{about{"profile", "lan_prefix", "0", "1 publishes the LAN's global prefix (2001:db8:4400::/64) in the parameter prefix_param instead of an IPv6 address, for providers that work out their hosts' addresses from it."},
		boolean(func(p *Profile) *bool { return &p.LANPrefix })},
	{about{"profile", "prefix_param", "ipv6prefix", "With lan_prefix 1: the query parameter that carries the prefix."},
		text(func(p *Profile) *string { return &p.PrefixParam }, queryParam)},
	{about{"profile", "dual_stack", "separate", "With ip_version both: separate (one request per family, what every server takes), comma (myip=V4,V6 in one request, as Dyn) or param (IPv6 in its own parameter, dual_stack_param)."},
		text(func(p *Profile) *DualStack { return &p.DualStack }, oneOf("separate", "comma", "param"))},
	{about{"profile", "dual_stack_param", "myipv6", "With dual_stack param: the query parameter that carries the IPv6 address."},
		text(func(p *Profile) *string { return &p.DualStackParam }, queryParam)},
	{about{"profile", "auth", "basic", "How the credentials travel: basic (HTTP Basic authentication), or query (username= and password= in the URL; query:USER,PASS names the parameters) for providers that want them so."},
		authCheck()},
	{about{"profile", "min_interval", "0", "The shortest time between two updates sent, for providers that limit them (0: none); a change waits for it."},
		duration(func(p *Profile) *time.Duration { return &p.MinInterval }, time.Minute, true)},
	{about{"profile", "notify", "1", "0 keeps this profile out of the mail."},
		boolean(func(p *Profile) *bool { return &p.Notify })},
	{about{"profile", "ip", "", "Last registered address, as the original program kept it; read once when no state exists, never written."},
		ipList(func(p *Profile) *[]netip.Addr { return &p.LegacyIP })},
}

func last(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}

// splitList flattens UCI list items and comma lists into trimmed, non-empty items.
func splitList(v []string) []string {
	var out []string
	for _, item := range v {
		for _, part := range strings.Split(item, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

//go:noinline
func boolean[T any](field func(T) *bool) check[T] {
	return check[T]{rule: &Rule{Kind: "bool"}, set: func(dst T, v []string) error {
		if len(v) == 0 {
			return nil
		}
		b, err := parseBool(last(v))
		*field(dst) = b
		return err
	}}
}

//go:noinline
func integer[T any](field func(T) *int, lo, hi int) check[T] {
	return check[T]{rule: &Rule{Kind: "int", Min: int64(lo), Max: int64(hi)}, set: func(dst T, v []string) error {
		if len(v) == 0 {
			return nil
		}
		n, err := strconv.Atoi(last(v))
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("%q; expected a number from %d to %d", last(v), lo, hi)
		}
		*field(dst) = n
		return nil
	}}
}

//go:noinline
func duration[T any](field func(T) *time.Duration, min time.Duration, zeroOK bool) check[T] {
	rule := &Rule{Kind: "duration", Min: int64(min / time.Second), Max: int64(MaxDuration / time.Second), ZeroOK: zeroOK}
	return check[T]{rule: rule, set: func(dst T, v []string) error {
		if len(v) == 0 {
			return nil
		}
		d, err := ParseDuration(last(v))
		switch {
		case err != nil:
			return fmt.Errorf("%v; expected seconds or a duration such as 600, 10m, 2h, 25d", err)
		case d == 0 && zeroOK:
		case d < min:
			return fmt.Errorf("%q is too short; expected at least %s", last(v), FormatDuration(min))
		}
		*field(dst) = d
		return nil
	}}
}

// textCheck checks (and may normalise) one text value; rule describes it.
type textCheck struct {
	fn     func(string) (string, error)
	rule   *Rule
	secret bool
}

// text sets a string-like field after its check.
//
//go:noinline
func text[T any, S ~string](field func(T) *S, c textCheck) check[T] {
	return check[T]{rule: c.rule, secret: c.secret, set: func(dst T, v []string) error {
		val, err := c.fn(last(v))
		if err != nil {
			return err
		}
		*field(dst) = S(val)
		return nil
	}}
}

// required makes an absent or empty value an error; other checks see only
// non-empty values.
//
//go:noinline
func required(expected string, c textCheck) textCheck {
	r := *c.rule
	r.Required = true
	c.rule = &r
	fn := c.fn
	c.fn = func(s string) (string, error) {
		if s == "" {
			return "", errors.New("empty; expected " + expected)
		}
		return fn(s)
	}
	return c
}

// optional is a check of kind that passes the empty value.
//
//go:noinline
func optional(kind string, fn func(string) (string, error)) textCheck {
	return textCheck{rule: &Rule{Kind: kind}, fn: func(s string) (string, error) {
		if s == "" {
			return s, nil
		}
		return fn(s)
	}}
}

// secret takes anything and is never shown or logged.
var secret = textCheck{rule: &Rule{Kind: "secret"}, secret: true, fn: func(s string) (string, error) { return s, nil }}

//go:noinline
func oneOf(allowed ...string) textCheck {
	return textCheck{rule: &Rule{Kind: "choice", Choices: allowed}, fn: func(s string) (string, error) {
		for _, a := range allowed {
			if s == a {
				return s, nil
			}
		}
		return "", fmt.Errorf("%q; expected one of %s", s, strings.Join(allowed, ", "))
	}}
}

//go:noinline
func hostPort(example string) textCheck {
	return optional("hostport", func(s string) (string, error) { return parseHostPort(s, example) })
}

var (
	parsePath = optional("path", checkPath)
	email     = optional("email", func(s string) (string, error) {
		if !validEmail(s) {
			return "", fmt.Errorf("%q; expected an address such as router@example.com", s)
		}
		return s, nil
	})
	hostOnly = optional("host", func(s string) (string, error) {
		if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil && a.Zone() == "" {
			return s, nil
		}
		if !validHostName(s, false) {
			return "", fmt.Errorf("%q; expected a host name such as smtp.example.com (the port is option port)", s)
		}
		return s, nil
	})
	noControl = optional("text", func(s string) (string, error) {
		if hasControl(s) {
			return "", errors.New("contains control characters")
		}
		return s, nil
	})
	queryParam = optional("param", func(s string) (string, error) {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
				return "", fmt.Errorf("%q; expected a query parameter name such as myipv6", s)
			}
		}
		return s, nil
	})
	username = optional("username", func(s string) (string, error) {
		if strings.Contains(s, ":") {
			return "", errors.New("contains ':', which HTTP Basic authentication cannot carry in a user name")
		}
		return noControl.fn(s)
	})
	uciName = optional("uciname", func(s string) (string, error) {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
				return "", fmt.Errorf("%q; expected a logical interface name such as wan", s)
			}
		}
		return s, nil
	})
	deviceName = optional("devname", func(s string) (string, error) {
		if len(s) > 15 || s == "." || s == ".." || strings.ContainsAny(s, "/: \t") || hasControl(s) {
			return "", fmt.Errorf("%q; expected a kernel device name such as pppoe-wan (at most 15 characters)", s)
		}
		return s, nil
	})
	pemFile = optional("pemfile", func(s string) (string, error) {
		p, err := checkAbsPath("/etc/ddns-updater/ca.pem")(s)
		if err != nil {
			return "", err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return "", fmt.Errorf("%v; expected a readable PEM file", err)
		}
		for rest := data; ; {
			var b *pem.Block
			if b, rest = pem.Decode(rest); b == nil {
				return "", fmt.Errorf("%s holds no PEM CERTIFICATE block", p)
			}
			if b.Type == "CERTIFICATE" {
				return p, nil
			}
		}
	})
)

// absPath is an absolute path; a default makes it present always.
//
//go:noinline
func absPath(example string) textCheck {
	return textCheck{rule: &Rule{Kind: "abspath"}, fn: checkAbsPath(example)}
}

// checkipServer reads external_ip_server: host[:port], or a URL whose scheme
// (http or https) decides for checkip alone and whose path, if any, is the
// checkip path.
//
//go:noinline
func checkipServer() check[*Profile] {
	return check[*Profile]{rule: &Rule{Kind: "checkip", Required: true}, set: func(p *Profile, v []string) error {
		s := last(v)
		if s == "" {
			return errors.New("empty; expected a host name such as checkip.dyndns.com")
		}
		p.CheckIPScheme, p.checkIPPath = "", ""
		if i := strings.Index(s, "://"); i >= 0 {
			scheme := strings.ToLower(s[:i])
			if scheme != "http" && scheme != "https" {
				return fmt.Errorf("%q: expected http:// or https:// (or a host name alone)", s)
			}
			host, path, hasPath := strings.Cut(s[i+3:], "/")
			hp, err := parseHostPort(host, "checkip.dyndns.com")
			if err != nil {
				return err
			}
			if hasPath && path != "" {
				if _, err := checkPath("/" + path); err != nil {
					return fmt.Errorf("%q: the path %w", s, err)
				}
				p.checkIPPath = "/" + path
			}
			p.ExternalIPServer, p.CheckIPScheme = hp, scheme
			return nil
		}
		hp, err := parseHostPort(s, "checkip.dyndns.com")
		p.ExternalIPServer = hp
		return err
	}}
}

//go:noinline
func hostnames[T any](field func(T) *[]string) check[T] {
	return check[T]{rule: &Rule{Kind: "hostnames", Required: true}, list: true, set: func(dst T, v []string) error {
		items := splitList(v)
		if len(items) == 0 {
			return errors.New("empty; expected the host name to update, such as home.example.com")
		}
		seen := map[string]bool{}
		var out []string
		for _, h := range items {
			h = strings.ToLower(strings.TrimSuffix(h, "."))
			if !validHostName(h, true) || !strings.Contains(h, ".") {
				return fmt.Errorf("%q; expected a fully qualified host name such as home.example.com", h)
			}
			if seen[h] {
				return fmt.Errorf("%q is listed twice", h)
			}
			seen[h] = true
			out = append(out, h)
		}
		*field(dst) = out
		return nil
	}}
}

//go:noinline
func addresses[T any](field func(T) *[]string) check[T] {
	return check[T]{rule: &Rule{Kind: "emails"}, list: true, set: func(dst T, v []string) error {
		items := splitList(v)
		for _, a := range items {
			if !validEmail(a) {
				return fmt.Errorf("%q; expected an address such as me@example.com", a)
			}
		}
		*field(dst) = items
		return nil
	}}
}

//go:noinline
func ipPort[T any](field func(T) *netip.AddrPort, defPort uint16) check[T] {
	return check[T]{rule: &Rule{Kind: "ipport"}, set: func(dst T, v []string) error {
		if len(v) == 0 {
			return nil
		}
		ap, err := parseIPPort(last(v), defPort)
		*field(dst) = ap
		return err
	}}
}

//go:noinline
func ipv6Suffix[T any](field func(T) *netip.Addr) check[T] {
	return check[T]{rule: &Rule{Kind: "ipv6suffix"}, set: func(dst T, v []string) error {
		if len(v) == 0 {
			return nil
		}
		a, err := netip.ParseAddr(last(v))
		b := a.As16()
		if err != nil || !a.Is6() || a.Is4In6() || a.Zone() != "" || [8]byte(b[:8]) != [8]byte{} || a.IsUnspecified() {
			return fmt.Errorf("%q; expected an IPv6 interface ID such as ::1234 (the upper 64 bits zero)", last(v))
		}
		*field(dst) = a
		return nil
	}}
}

//go:noinline
func ipList[T any](field func(T) *[]netip.Addr) check[T] {
	return check[T]{rule: &Rule{Kind: "ips"}, list: true, set: func(dst T, v []string) error {
		for _, item := range splitList(v) {
			a, err := netip.ParseAddr(item)
			if err != nil || a.Zone() != "" {
				return fmt.Errorf("%q; expected an IP address", item)
			}
			*field(dst) = append(*field(dst), a.Unmap())
		}
		return nil
	}}
}

// lanHosts reads lan_host: HOST or HOSTNAME=HOST items (a UCI list or a comma list).
//
//go:noinline
func lanHosts() check[*Profile] {
	return check[*Profile]{rule: &Rule{Kind: "lanhosts"}, list: true, set: func(p *Profile, v []string) error {
		p.lanHosts = nil
		for _, item := range splitList(v) {
			var h lanHost
			host := item
			if name, rest, ok := strings.Cut(item, "="); ok {
				name = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))
				if !validHostName(name, true) || !strings.Contains(name, ".") {
					return fmt.Errorf("%q: %q is not a fully qualified host name; expected HOSTNAME=HOST such as nas.example.com=::1234", item, name)
				}
				h.hostname, host = name, strings.TrimSpace(rest)
			}
			id, err := lanhost.ParseIdent(host)
			if err != nil {
				return fmt.Errorf("%q: %w", item, err)
			}
			h.ident = id
			p.lanHosts = append(p.lanHosts, h)
		}
		return nil
	}}
}

// serviceName is a preset's name; an unknown one is an error that suggests the closest.
//
//go:noinline
func serviceName() textCheck {
	names := make([]string, len(service.Services))
	for i, s := range service.Services {
		names[i] = s.Name
	}
	return textCheck{rule: &Rule{Kind: "choice", Choices: names}, fn: func(s string) (string, error) {
		if s == "" || service.Get(s) != nil {
			return s, nil
		}
		msg := fmt.Sprintf("%q is not a known service", s)
		if near := service.Closest(s); len(near) > 0 {
			msg += "; did you mean " + strings.Join(near, ", ") + "?"
		}
		return "", errors.New(msg + " (ddns-updater services lists them; without service, set server and server_path)")
	}}
}

// authCheck reads auth: basic, query, or query:USERPARAM,PASSPARAM.
//
//go:noinline
func authCheck() check[*Profile] {
	return check[*Profile]{rule: &Rule{Kind: "auth"}, set: func(p *Profile, v []string) error {
		s := last(v)
		p.UserParam, p.PasswordParam = "", ""
		switch {
		case s == "" || s == "basic":
			return nil
		case s == "query":
			p.UserParam, p.PasswordParam = "username", "password"
			return nil
		}
		if rest, ok := strings.CutPrefix(s, "query:"); ok {
			u, pw, _ := strings.Cut(rest, ",")
			_, err1 := queryParam.fn(u)
			_, err2 := queryParam.fn(pw)
			if u != "" && pw != "" && err1 == nil && err2 == nil {
				p.UserParam, p.PasswordParam = u, pw
				return nil
			}
		}
		return fmt.Errorf("%q; expected basic, query, or query:USER,PASS (the two parameter names)", s)
	}}
}
