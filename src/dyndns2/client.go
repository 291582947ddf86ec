package dyndns2

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"ddns-updater/src/transport"
)

// MaxBody caps how much of an answer is read.
const MaxBody = 64 << 10

// Request is one update: all host names of a profile and its address(es).
type Request struct {
	HTTPS     bool
	Server    string // URL host form: name, name:port, [v6]:port
	Path      string // may carry a query of its own
	Username  string
	Password  string
	Hostnames []string
	IPs       []netip.Addr // one per family
	IPv6Param string       // when set, the IPv6 address travels in this parameter instead of myip
	UserAgent string
	// UserParam and PasswordParam, when set, carry the credentials in the
	// query instead of HTTP Basic authentication (providers that want them so).
	UserParam, PasswordParam string
	// Keep4 and Keep6 are query parts (name=value) added to a request that
	// carries no IPv4 (Keep4) or no IPv6 (Keep6) address, for providers that
	// would otherwise delete or reset the record of the family not sent; not
	// when the request has that parameter already.
	Keep4, Keep6 string
	// Prefix, when valid, travels in the parameter PrefixParam (a LAN prefix,
	// lan_prefix); PrefixOnly is added when the request carries no address.
	Prefix                  netip.Prefix
	PrefixParam, PrefixOnly string
}

// URL returns the update URL; it holds no credentials (see QueryAuth).
func (r Request) URL() string { return r.url("") }

// url builds the URL; the password, when it travels in the query, is pw.
func (r Request) url(pw string) string {
	scheme := "https"
	if !r.HTTPS {
		scheme = "http"
	}
	sep := "?"
	if strings.Contains(r.Path, "?") {
		sep = "&"
	}
	hosts := make([]string, len(r.Hostnames))
	for i, h := range r.Hostnames {
		hosts[i] = url.QueryEscape(h)
	}
	var ips, v6 []string
	has4, has6 := false, false
	for _, ip := range r.IPs {
		has4, has6 = has4 || ip.Is4(), has6 || ip.Is6()
		if r.IPv6Param != "" && ip.Is6() {
			v6 = append(v6, ip.String())
		} else {
			ips = append(ips, ip.String()) // digits, hex and ':' only: nothing to escape
		}
	}
	u := scheme + "://" + r.Server + r.Path + sep + "hostname=" + strings.Join(hosts, ",")
	if len(ips) > 0 {
		u += "&myip=" + strings.Join(ips, ",")
	}
	if len(v6) > 0 {
		u += "&" + url.QueryEscape(r.IPv6Param) + "=" + strings.Join(v6, ",")
	}
	if r.Prefix.IsValid() {
		u += "&" + url.QueryEscape(r.PrefixParam) + "=" + r.Prefix.String() // hex, ':' and '/': nothing to escape
		has6 = true
		if len(ips) == 0 && len(v6) == 0 && r.PrefixOnly != "" {
			u += "&" + r.PrefixOnly
		}
	}
	for _, keep := range [...]struct {
		part string
		has  bool
	}{{r.Keep4, has4}, {r.Keep6, has6}} {
		name, _, _ := strings.Cut(keep.part, "=")
		if keep.part != "" && !keep.has && !strings.Contains(u, "&"+name+"=") && !strings.Contains(u, "?"+name+"=") {
			u += "&" + keep.part
		}
	}
	if r.PasswordParam != "" {
		u += "&" + url.QueryEscape(r.UserParam) + "=" + url.QueryEscape(r.Username) +
			"&" + url.QueryEscape(r.PasswordParam) + "=" + pw
	}
	return u
}

// QueryAuth reports whether the credentials travel in the query.
func (r Request) QueryAuth() bool { return r.PasswordParam != "" }

// String describes the request with the password masked.
func (r Request) String() string {
	if r.QueryAuth() {
		return fmt.Sprintf("GET %s (User-Agent %q)", r.url("********"), r.UserAgent)
	}
	return fmt.Sprintf("GET %s (basic auth user %q, password ********, User-Agent %q)", r.URL(), r.Username, r.UserAgent)
}

// Client sends updates.
type Client struct {
	HTTP    *transport.Client // nil: transport.New(nil, "tcp")
	Timeout time.Duration     // whole request; 0: 30 s
}

// errRedirect refuses a redirect that the credentials must not follow.
type errRedirect struct{ to string }

func (e *errRedirect) Error() string { return "refused redirect to " + e.to }

// Update sends r. A network, timeout or TLS failure is returned as an error; every
// answer of the server, whatever its status, is an Answer.
func (c *Client) Update(ctx context.Context, r Request) (Answer, error) {
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hc := c.HTTP
	if hc == nil {
		hc = transport.New(nil, "tcp")
	}
	req := transport.Request{URL: r.url(url.QueryEscape(r.Password)), MaxBody: MaxBody,
		Redirect: func(prev, next *url.URL) error {
			if next.Scheme != prev.Scheme || next.Host != prev.Host {
				return &errRedirect{to: next.Scheme + "://" + next.Host}
			}
			return nil
		}}
	if !r.QueryAuth() {
		req.Header = append(req.Header, [2]string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte(r.Username+":"+r.Password))})
	}
	if r.UserAgent != "" {
		req.Header = append(req.Header, [2]string{"User-Agent", r.UserAgent})
	}
	resp, err := hc.Get(ctx, req)
	if err != nil {
		var re *errRedirect
		if errors.As(err, &re) {
			return Answer{Results: resultsFor(r.Hostnames, Result{Code: Redirect, Line: re.Error()})}, nil
		}
		return Answer{}, err
	}
	a := ParseAnswer(resp.Status, resp.Body, r.Hostnames)
	a.RetryAfter = max(a.RetryAfter, retryAfter(resp.Header["retry-after"], resp.Header["date"]))
	return a, nil
}

// retryAfter reads Retry-After: seconds, or an HTTP date measured against the
// response's own Date header (so that a wrong local clock does not matter).
func retryAfter(v, date string) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	at, err1 := parseHTTPTime(v)
	now, err2 := parseHTTPTime(date)
	if err1 != nil || err2 != nil || !at.After(now) {
		return 0
	}
	return at.Sub(now)
}

// parseHTTPTime reads the three date formats HTTP/1.1 allows (RFC 9110, 5.6.7).
func parseHTTPTime(s string) (t time.Time, err error) {
	for _, layout := range []string{"Mon, 02 Jan 2006 15:04:05 GMT", "Monday, 02-Jan-06 15:04:05 GMT", time.ANSIC} {
		if t, err = time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return t, err
}

func resultsFor(hosts []string, r Result) []Result {
	out := make([]Result, len(hosts))
	for i, h := range hosts {
		out[i] = r
		out[i].Host = h
	}
	return out
}
