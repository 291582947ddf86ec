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
)

// The option tables. Each entry's Default is applied when the option is absent.

var globalOptions = []option[Global]{
	{Spec{"global", "state_dir", "/var/run/ddns-updater", false, false,
		"Directory for the per-profile state files (tmpfs on OpenWrt: lost at reboot, then DNS is asked once)."},
		text(func(g *Global) *string { return &g.StateDir }, absPath("/var/run/ddns-updater"))},
	{Spec{"global", "log_level", "info", false, false,
		"One of error, warn, info, debug."},
		text(func(g *Global) *string { return &g.LogLevel }, oneOf("error", "warn", "info", "debug"))},
}

var mailOptions = []option[Mail]{
	{Spec{"mail", "notify", "0", false, false, "1 sends mail on updates and on errors."},
		boolean(func(m *Mail) *bool { return &m.Notify })},
	{Spec{"mail", "smtp_server", "", false, false, "SMTP server host name, e.g. smtp.example.com."},
		text(func(m *Mail) *string { return &m.SMTPServer }, hostOnly)},
	{Spec{"mail", "port", "587", false, false, "465: implicit TLS; 587 and others: STARTTLS (required)."},
		integer(func(m *Mail) *int { return &m.Port }, 1, 65535)},
	{Spec{"mail", "username", "", false, false, "SMTP login."},
		text(func(m *Mail) *string { return &m.Username }, noControl)},
	{Spec{"mail", "password", "", false, true, "SMTP password."},
		text(func(m *Mail) *string { return &m.Password }, nil)},
	{Spec{"mail", "recipient", "", true, false, "Where mail goes: one address, a comma list or a UCI list."},
		addresses(func(m *Mail) *[]string { return &m.Recipients })},
	{Spec{"mail", "sender", "", false, false, "From address; default: username."},
		text(func(m *Mail) *string { return &m.Sender }, email)},
	{Spec{"mail", "tls", "1", false, false, "0 only for a relay on 127.0.0.1 or ::1."},
		boolean(func(m *Mail) *bool { return &m.TLS })},
	{Spec{"mail", "ca_file", "", false, false, "Extra trusted root certificates (PEM) for the SMTP server."},
		text(func(m *Mail) *string { return &m.CAFile }, pemFile)},
	{Spec{"mail", "alert_after", "1h", false, false, "How long failures (network, 911/dnserr, checkip) last before one mail says so; one more when they end."},
		duration(func(m *Mail) *time.Duration { return &m.AlertAfter }, time.Minute, false)},
}

var profileOptions = []option[Profile]{
	{Spec{"profile", "enabled", "0", false, false, "1 runs the profile (--profile NAME runs it regardless)."},
		boolean(func(p *Profile) *bool { return &p.Enabled })},
	{Spec{"profile", "server", "", false, false, "The provider's update server: host name or IP, optional :port."},
		text(func(p *Profile) *string { return &p.Server }, required("a host name such as members.dyndns.org", hostPort("members.dyndns.org")))},
	{Spec{"profile", "server_path", "/nic/update", false, false, "Path (and query) of the dyndns2 update URL."},
		text(func(p *Profile) *string { return &p.ServerPath }, parsePath)},
	{Spec{"profile", "username", "", false, false, "Account name (may be an e-mail address)."},
		text(func(p *Profile) *string { return &p.Username }, required("the account name", username))},
	{Spec{"profile", "password", "", false, true, "Account password or update token."},
		text(func(p *Profile) *string { return &p.Password }, required("the account password or token", nil))},
	{Spec{"profile", "hostname", "", true, false, "Host name(s) to update: one, a comma list or a UCI list."},
		hostnames(func(p *Profile) *[]string { return &p.Hostnames })},
	{Spec{"profile", "external_ip_server", "checkip.dyndns.com", false, false, "checkip web server: host name or IP, optional :port."},
		text(func(p *Profile) *string { return &p.ExternalIPServer }, required("a host name such as checkip.dyndns.com", hostPort("checkip.dyndns.com")))},
	{Spec{"profile", "external_ip_server_path", "/", false, false, "Path on the checkip server."},
		text(func(p *Profile) *string { return &p.ExternalIPServerPath }, parsePath)},
	{Spec{"profile", "use_regex", "1", false, false, "1: find the address anywhere in the checkip answer; 0: the answer must be just the address."},
		boolean(func(p *Profile) *bool { return &p.UseRegex })},
	{Spec{"profile", "ip_source", "auto", false, false, "auto (the device's address when public, else checkip), interface (the device only) or web (checkip only)."},
		text(func(p *Profile) *Source { return &p.IPSource }, oneOf("web", "interface", "auto"))},
	{Spec{"profile", "ip_version", "4", false, false, "4, 6 or both (both: one request carrying both addresses)."},
		text(func(p *Profile) *Family { return &p.IPVersion }, oneOf("4", "6", "both"))},
	{Spec{"profile", "use_https", "1", false, false, "1: HTTPS to the update and checkip servers; 0: HTTP (the password travels in clear)."},
		boolean(func(p *Profile) *bool { return &p.UseHTTPS })},
	{Spec{"profile", "check_interval", "10m", false, false, "How often the daemon checks the address: 600, 10m, 2h."},
		duration(func(p *Profile) *time.Duration { return &p.CheckInterval }, time.Minute, false)},
	{Spec{"profile", "force_interval", "25d", false, false, "Longest time an unchanged address goes without being re-sent (at least 1d; 0: never)."},
		duration(func(p *Profile) *time.Duration { return &p.ForceInterval }, 24*time.Hour, true)},
	{Spec{"profile", "user_agent", "", false, false, "HTTP User-Agent; default ddns-updater/VERSION (OpenWrt; linux/ARCH)."},
		text(func(p *Profile) *string { return &p.UserAgent }, noControl)},
	{Spec{"profile", "dns_server", "", false, false, "DNS server (IP, optional :port) asked for the current records at start-up; default: the system resolver."},
		func(p *Profile, v []string) error {
			if len(v) == 0 {
				return nil
			}
			ap, err := parseIPPort(last(v), 53)
			p.DNSServer = ap
			return err
		}},
	{Spec{"profile", "ca_file", "", false, false, "Extra trusted root certificates (PEM) for HTTPS."},
		text(func(p *Profile) *string { return &p.CAFile }, pemFile)},
	{Spec{"profile", "allow_private", "0", false, false, "1 accepts private, CGNAT and ULA addresses as the public address."},
		boolean(func(p *Profile) *bool { return &p.AllowPrivate })},
	{Spec{"profile", "interface", "wan", false, false, "Logical OpenWrt interface (wan, wan6) whose device holds the address, for ip_source interface/auto."},
		text(func(p *Profile) *string { return &p.Interface }, uciName)},
	{Spec{"profile", "device", "", false, false, "Kernel device (eth1, pppoe-wan) for ip_source interface/auto; overrides interface."},
		text(func(p *Profile) *string { return &p.Device }, deviceName)},
	{Spec{"profile", "ipv6_suffix", "", false, false, "Publish the device's /64 prefix with this interface ID, e.g. ::1234."},
		func(p *Profile, v []string) error {
			if len(v) == 0 {
				return nil
			}
			a, err := netip.ParseAddr(last(v))
			b := a.As16()
			if err != nil || !a.Is6() || a.Is4In6() || a.Zone() != "" || [8]byte(b[:8]) != [8]byte{} || a.IsUnspecified() {
				return fmt.Errorf("%q; expected an IPv6 interface ID such as ::1234 (the upper 64 bits zero)", last(v))
			}
			p.IPv6Suffix = a
			return nil
		}},
	{Spec{"profile", "notify", "1", false, false, "0 keeps this profile out of the mail."},
		boolean(func(p *Profile) *bool { return &p.Notify })},
	{Spec{"profile", "ip", "", true, false, "Last registered address, as the original program kept it; read once when no state exists, never written."},
		func(p *Profile, v []string) error {
			for _, item := range splitList(v) {
				a, err := netip.ParseAddr(item)
				if err != nil || a.Zone() != "" {
					return fmt.Errorf("%q; expected an IP address", item)
				}
				p.LegacyIP = append(p.LegacyIP, a.Unmap())
			}
			return nil
		}},
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

func boolean[T any](field func(*T) *bool) func(*T, []string) error {
	return func(dst *T, v []string) error {
		if len(v) == 0 {
			return nil
		}
		b, err := parseBool(last(v))
		*field(dst) = b
		return err
	}
}

func integer[T any](field func(*T) *int, lo, hi int) func(*T, []string) error {
	return func(dst *T, v []string) error {
		if len(v) == 0 {
			return nil
		}
		n, err := strconv.Atoi(last(v))
		if err != nil || n < lo || n > hi {
			return fmt.Errorf("%q; expected a number from %d to %d", last(v), lo, hi)
		}
		*field(dst) = n
		return nil
	}
}

func duration[T any](field func(*T) *time.Duration, min time.Duration, zeroOK bool) func(*T, []string) error {
	return func(dst *T, v []string) error {
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
	}
}

// text sets a string-like field after an optional check that may normalise the value.
func text[T any, S ~string](field func(*T) *S, check func(string) (string, error)) func(*T, []string) error {
	return func(dst *T, v []string) error {
		val := last(v)
		if check != nil {
			var err error
			if val, err = check(val); err != nil {
				return err
			}
		}
		*field(dst) = S(val)
		return nil
	}
}

// required wraps a check so that an absent or empty value is an error; other
// checks see only non-empty values.
func required(expected string, check func(string) (string, error)) func(string) (string, error) {
	return func(s string) (string, error) {
		if s == "" {
			return "", errors.New("empty; expected " + expected)
		}
		if check == nil {
			return s, nil
		}
		return check(s)
	}
}

func optional(check func(string) (string, error)) func(string) (string, error) {
	return func(s string) (string, error) {
		if s == "" {
			return s, nil
		}
		return check(s)
	}
}

func oneOf(allowed ...string) func(string) (string, error) {
	return func(s string) (string, error) {
		for _, a := range allowed {
			if s == a {
				return s, nil
			}
		}
		return "", fmt.Errorf("%q; expected one of %s", s, strings.Join(allowed, ", "))
	}
}

func hostPort(example string) func(string) (string, error) {
	return func(s string) (string, error) { return parseHostPort(s, example) }
}

var (
	email = optional(func(s string) (string, error) {
		if !validEmail(s) {
			return "", fmt.Errorf("%q; expected an address such as router@example.com", s)
		}
		return s, nil
	})
	hostOnly = optional(func(s string) (string, error) {
		if a, err := netip.ParseAddr(strings.Trim(s, "[]")); err == nil && a.Zone() == "" {
			return s, nil
		}
		if !validHostName(s, false) {
			return "", fmt.Errorf("%q; expected a host name such as smtp.example.com (the port is option port)", s)
		}
		return s, nil
	})
	noControl = optional(func(s string) (string, error) {
		if hasControl(s) {
			return "", errors.New("contains control characters")
		}
		return s, nil
	})
	uciName = optional(func(s string) (string, error) {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
				return "", fmt.Errorf("%q; expected a logical interface name such as wan", s)
			}
		}
		return s, nil
	})
	deviceName = optional(func(s string) (string, error) {
		if len(s) > 15 || s == "." || s == ".." || strings.ContainsAny(s, "/: \t") || hasControl(s) {
			return "", fmt.Errorf("%q; expected a kernel device name such as pppoe-wan (at most 15 characters)", s)
		}
		return s, nil
	})
	pemFile = optional(func(s string) (string, error) {
		p, err := absPath("/etc/ddns-updater/ca.pem")(s)
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

func username(s string) (string, error) {
	if strings.Contains(s, ":") {
		return "", errors.New("contains ':', which HTTP Basic authentication cannot carry in a user name")
	}
	return noControl(s)
}

func hostnames[T any](field func(*T) *[]string) func(*T, []string) error {
	return func(dst *T, v []string) error {
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
	}
}

func addresses[T any](field func(*T) *[]string) func(*T, []string) error {
	return func(dst *T, v []string) error {
		items := splitList(v)
		for _, a := range items {
			if !validEmail(a) {
				return fmt.Errorf("%q; expected an address such as me@example.com", a)
			}
		}
		*field(dst) = items
		return nil
	}
}
