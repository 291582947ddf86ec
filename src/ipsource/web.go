package ipsource

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	neturl "net/url"
	"strings"
	"time"

	"ddns-updater/src/transport"
)

// MaxBody caps how much of a checkip answer is read.
const MaxBody = 64 << 10

// Web asks a checkip web server for the address it sees the request come from.
type Web struct {
	V4, V6    *transport.Client // dialing tcp4 and tcp6: a checkip server sees only that family
	Timeout   time.Duration     // whole request; 0: 15 s
	UserAgent string
	// Share, when set, lets lookups of the same URL and family under the same
	// ShareKey (what else sets the answer apart: the trusted roots) that run
	// at the same time go out as one request.
	Share    *Flight
	ShareKey string
}

// Lookup fetches url over the family v6 selects and extracts the address. With
// anywhere the first address of that family in the text or HTML counts; without,
// the trimmed body must be exactly one address.
func (w *Web) Lookup(ctx context.Context, url string, v6, anywhere bool) (netip.Addr, error) {
	body, err := w.get(ctx, url, v6)
	if err != nil {
		return netip.Addr{}, err
	}
	a, err := Extract(body, v6, anywhere)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%s: %w", url, err)
	}
	return a, nil
}

func (w *Web) get(ctx context.Context, url string, v6 bool) ([]byte, error) {
	if w.Share == nil {
		return w.fetch(ctx, url, v6)
	}
	return w.Share.do(ctx, family(v6)+" "+w.ShareKey+" "+url, func(ctx context.Context) ([]byte, error) { return w.fetch(ctx, url, v6) })
}

func (w *Web) fetch(ctx context.Context, url string, v6 bool) ([]byte, error) {
	timeout := w.Timeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c := w.V4
	if v6 {
		c = w.V6
	}
	req := transport.Request{URL: url, MaxBody: MaxBody, Redirect: func(prev, next *neturl.URL) error {
		if prev.Scheme == "https" && next.Scheme != "https" {
			return fmt.Errorf("refused redirect from https to %s", next.Scheme)
		}
		return nil
	}}
	if w.UserAgent != "" {
		req.Header = [][2]string{{"User-Agent", w.UserAgent}}
	}
	resp, err := c.Get(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", url, transport.Explain(err))
	}
	if resp.Status < 200 || resp.Status > 299 {
		return nil, fmt.Errorf("%s: HTTP %s", url, resp.StatusText())
	}
	return resp.Body, nil
}

func family(v6 bool) string {
	if v6 {
		return "IPv6"
	}
	return "IPv4"
}

// Extract finds the address of the wanted family in a checkip answer (see Lookup).
func Extract(body []byte, v6, anywhere bool) (netip.Addr, error) {
	if !anywhere {
		text := string(bytes.TrimSpace(body))
		a, err := netip.ParseAddr(text)
		if err != nil {
			return netip.Addr{}, fmt.Errorf("the answer %q is not just an address (use_regex 1 searches the text)", snippet(text))
		}
		if a.Is4In6() && !v6 {
			a = a.Unmap()
		}
		if a.Is6() != v6 || a.Zone() != "" || a.Is4In6() {
			return netip.Addr{}, fmt.Errorf("the answer %s is not an %s address", a, family(v6))
		}
		return a, nil
	}
	isChar := func(c byte) bool {
		if c >= '0' && c <= '9' || c == '.' {
			return true
		}
		return v6 && (c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':')
	}
	for i := 0; i < len(body); {
		if !isChar(body[i]) {
			i++
			continue
		}
		j := i
		for j < len(body) && isChar(body[j]) {
			j++
		}
		if a, ok := parseToken(string(body[i:j]), v6); ok {
			return a, nil
		}
		i = j
	}
	return netip.Addr{}, fmt.Errorf("no %s address in the answer %q", family(v6), snippet(string(body)))
}

// parseToken tries a run of address characters, shedding the punctuation that
// text puts around an address ("IP:203.0.113.7." or ":2001:db8::1").
func parseToken(tok string, v6 bool) (netip.Addr, bool) {
	tok = strings.Trim(tok, ".")
	if v6 {
		if strings.Count(tok, ":") < 2 {
			return netip.Addr{}, false
		}
		for _, t := range []string{tok, strings.TrimPrefix(tok, ":"), strings.TrimSuffix(tok, ":")} {
			if a, err := netip.ParseAddr(t); err == nil && a.Is6() && !a.Is4In6() {
				return a, true
			}
		}
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(tok)
	return a, err == nil && a.Is4()
}

func snippet(s string) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) > 80 {
		s = s[:80] + "..."
	}
	return s
}
