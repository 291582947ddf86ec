package config

import (
	"errors"
	"fmt"
	"net/netip"
	"path"
	"strconv"
	"strings"
	"time"
)

// MaxDuration is the longest duration an option takes: ten years.
const MaxDuration = 3650 * 24 * time.Hour

// ParseDuration reads 600 (seconds), 10m, 2h, 25d, 1w or sums such as 1h30m,
// up to MaxDuration. Every bound is checked before it is multiplied, so that no
// value can overflow into a short one.
func ParseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, errors.New("empty")
	}
	tooLong := fmt.Errorf("%q is longer than ten years", s)
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		if n > uint64(MaxDuration/time.Second) {
			return 0, tooLong
		}
		return time.Duration(n) * time.Second, nil
	} else if errors.Is(err, strconv.ErrRange) {
		return 0, tooLong
	}
	var total time.Duration
	rest := s
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) {
			return 0, fmt.Errorf("%q is not a duration", s)
		}
		var unit time.Duration
		switch rest[i] {
		case 's':
			unit = time.Second
		case 'm':
			unit = time.Minute
		case 'h':
			unit = time.Hour
		case 'd':
			unit = 24 * time.Hour
		case 'w':
			unit = 7 * 24 * time.Hour
		default:
			return 0, fmt.Errorf("%q is not a duration", s)
		}
		n, err := strconv.ParseUint(rest[:i], 10, 64)
		if errors.Is(err, strconv.ErrRange) || err == nil && n > uint64((MaxDuration-total)/unit) {
			return 0, tooLong
		}
		if err != nil {
			return 0, fmt.Errorf("%q is not a duration", s)
		}
		total += time.Duration(n) * unit
		rest = rest[i+1:]
	}
	return total, nil
}

// FormatDuration writes d in the units ParseDuration reads: 25d, 10m, 1h30m.
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	var b strings.Builder
	for _, u := range []struct {
		d time.Duration
		s string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if n := d / u.d; n > 0 {
			b.WriteString(strconv.FormatInt(int64(n), 10) + u.s)
			d -= n * u.d
		}
	}
	if b.Len() == 0 {
		return d.String()
	}
	return b.String()
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "1", "yes", "on", "true", "enabled":
		return true, nil
	case "0", "no", "off", "false", "disabled":
		return false, nil
	}
	return false, fmt.Errorf("%q; expected 0 or 1", s)
}

// validHostName reports whether s is a DNS name (labels of letters, digits, '-' and '_').
func validHostName(s string, wildcard bool) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for i, label := range strings.Split(s, ".") {
		if label == "*" && i == 0 && wildcard {
			continue
		}
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for j := 0; j < len(label); j++ {
			c := label[j]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// parseHostPort checks a host name or IP literal with an optional port and returns
// it in the form a URL's host takes: name, name:port, 192.0.2.1:8443, [2001:db8::1]:443.
func parseHostPort(s, example string) (string, error) {
	expected := "expected a host name such as " + example + ", optionally with :port"
	if s == "" {
		return "", errors.New("empty; " + expected)
	}
	if strings.Contains(s, "/") {
		return "", fmt.Errorf("%q: %s (a host, not a URL: use_https picks the scheme, the path is its own option)", s, expected)
	}
	host, port := s, ""
	switch {
	case strings.HasPrefix(s, "["):
		end := strings.Index(s, "]")
		if end < 0 {
			return "", fmt.Errorf("%q: missing ']'; %s", s, expected)
		}
		host = s[1:end]
		rest := s[end+1:]
		if rest != "" {
			if !strings.HasPrefix(rest, ":") {
				return "", fmt.Errorf("%q: %s", s, expected)
			}
			port = rest[1:]
		}
		if a, err := netip.ParseAddr(host); err != nil || !a.Is6() || a.Zone() != "" {
			return "", fmt.Errorf("%q: %q is not an IPv6 address; %s", s, host, expected)
		}
	case strings.Count(s, ":") > 1:
		a, err := netip.ParseAddr(s)
		if err != nil || a.Zone() != "" {
			return "", fmt.Errorf("%q: %s", s, expected)
		}
		return "[" + a.String() + "]", nil
	case strings.Contains(s, ":"):
		host, port, _ = strings.Cut(s, ":")
	}
	if port != "" || strings.HasSuffix(s, ":") {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("%q: port %q; expected 1 to 65535", s, port)
		}
	}
	if !strings.HasPrefix(s, "[") {
		if _, err := netip.ParseAddr(host); err != nil && !validHostName(host, false) {
			return "", fmt.Errorf("%q: %s", s, expected)
		}
	}
	return s, nil
}

// parseIPPort checks an IP address with an optional port and returns ip:port.
func parseIPPort(s string, defPort uint16) (netip.AddrPort, error) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		if ap.Port() == 0 || ap.Addr().Zone() != "" {
			return netip.AddrPort{}, fmt.Errorf("%q; expected an IP address with an optional port 1 to 65535", s)
		}
		return ap, nil
	}
	a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(s, "["), "]"))
	if err != nil || a.Zone() != "" {
		return netip.AddrPort{}, fmt.Errorf("%q; expected an IP address such as 192.0.2.53 or [2001:db8::53]:53", s)
	}
	return netip.AddrPortFrom(a, defPort), nil
}

func checkPath(s string) (string, error) {
	if !strings.HasPrefix(s, "/") {
		return "", fmt.Errorf("%q; expected a path starting with /", s)
	}
	if hasControl(s) || strings.ContainsAny(s, " #") {
		return "", fmt.Errorf("%q; expected a URL path without spaces, '#' or control characters", s)
	}
	return s, nil
}

func checkAbsPath(example string) func(string) (string, error) {
	return func(s string) (string, error) {
		if !path.IsAbs(s) || hasControl(s) {
			return "", fmt.Errorf("%q; expected an absolute path such as %s", s, example)
		}
		return path.Clean(s), nil
	}
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// validEmail is a deliberately small check: local@domain, no spaces, quotes or controls.
func validEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.ContainsAny(s, " <>\",;()[]\\") || hasControl(s) {
		return false
	}
	return validHostName(domain, false) && strings.Contains(domain, ".")
}
