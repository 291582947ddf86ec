// Package dyndns2 speaks the dyndns2 ("NIC v2.0") update protocol: it builds the
// request, sends it, and turns the provider's plain-text answer into typed results.
package dyndns2

import (
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Code is one answer of the protocol, or a pseudo-code for answers outside it.
type Code string

// The protocol's return codes (Dyn's and No-IP's published lists).
const (
	Good       Code = "good"
	NoChg      Code = "nochg"
	BadAuth    Code = "badauth"
	NotDonator Code = "!donator"
	NotFQDN    Code = "notfqdn"
	NoHost     Code = "nohost"
	NumHost    Code = "numhost"
	Abuse      Code = "abuse"
	BadAgent   Code = "badagent"
	DNSErr     Code = "dnserr"
	Emergency  Code = "911"
	BadSys     Code = "badsys"
	NotYours   Code = "!yours"
	NotActive  Code = "!active"

	// Unknown is an answer that is not dyndns2 (an HTML page, a 404, garbage).
	Unknown Code = "unknown"
	// ServerError is an HTTP 5xx or 429 without a protocol code.
	ServerError Code = "server-error"
	// Redirect is a redirect to another host or scheme, which the credentials do not follow.
	Redirect Code = "redirect"
)

// Kind says what a code means for the next attempts.
type Kind int

// The kinds of answer.
const (
	// Registered: the address is on record; do not send it again until it changes.
	Registered Kind = iota
	// Fatal: stop the profile until its settings change.
	Fatal
	// Wait: the provider has trouble; no attempt for at least 30 minutes.
	Wait
)

var codes = map[Code]struct {
	kind    Kind
	meaning string
}{
	Good:        {Registered, "updated"},
	NoChg:       {Registered, "already registered; it is not sent again until the address changes (repeated nochg gets hosts blocked)"},
	BadAuth:     {Fatal, "username or password wrong: fix username and password"},
	NotDonator:  {Fatal, "the request uses a feature the account does not have: check the account type at the provider"},
	NotFQDN:     {Fatal, "a host name is not a fully qualified domain name: fix hostname"},
	NoHost:      {Fatal, "a host name does not exist in this account: fix hostname (or username)"},
	NumHost:     {Fatal, "too many host names in one request: split hostname over several profiles"},
	Abuse:       {Fatal, "the host is blocked for abuse: unblock it on the provider's web site"},
	BadAgent:    {Fatal, "the provider rejects this client or request: check server, server_path and user_agent"},
	BadSys:      {Fatal, "the provider rejects the system parameter: check server_path"},
	NotYours:    {Fatal, "a host name belongs to another account: fix hostname or username"},
	NotActive:   {Fatal, "a host name is not active (expired or disabled): reactivate it at the provider"},
	DNSErr:      {Wait, "DNS error at the provider: waiting at least 30 minutes"},
	Emergency:   {Wait, "the provider has a problem or is in maintenance: waiting at least 30 minutes"},
	Unknown:     {Fatal, "the answer is not dyndns2: check server and server_path"},
	ServerError: {Wait, "the provider's server failed: waiting at least 30 minutes"},
	Redirect:    {Fatal, "the provider redirected to another host or scheme, where the credentials are not sent: check server and use_https"},
}

// Kind returns what the code means for the next attempts.
func (c Code) Kind() Kind {
	if k, ok := codes[c]; ok {
		return k.kind
	}
	return Fatal
}

// Meaning explains the code in plain words, with what the user must change.
func (c Code) Meaning() string {
	if k, ok := codes[c]; ok {
		return k.meaning
	}
	return codes[Unknown].meaning
}

// Result is the provider's answer for one host name.
type Result struct {
	Host string
	Code Code
	IP   netip.Addr // for good and nochg, when the provider named it
	Line string     // the answer line, cleaned for logging
}

// Answer is the provider's whole answer to one request.
type Answer struct {
	Status     int
	Results    []Result      // one per host name, in request order
	RetryAfter time.Duration // from a Retry-After header, if any
}

// Worst returns the result that decides for the profile: fatal before wait before registered.
func (a Answer) Worst() Result {
	var worst Result
	rank := map[Kind]int{Registered: 0, Wait: 1, Fatal: 2}
	for i, r := range a.Results {
		if i == 0 || rank[r.Code.Kind()] > rank[worst.Code.Kind()] {
			worst = r
		}
	}
	return worst
}

// ParseAnswer reads the answer to a request for hosts. Each host gets its line in
// request order; a single line answers for all (an account-wide code). Any other
// number of lines, or a line outside the protocol, is Unknown.
func ParseAnswer(status int, body []byte, hosts []string) Answer {
	a := Answer{Status: status, Results: make([]Result, len(hosts))}
	var lines []string
	for _, l := range strings.Split(string(body), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	var parsed []Result
	for _, l := range lines {
		parsed = append(parsed, parseLine(l))
	}
	known := len(parsed) > 0
	for _, r := range parsed {
		if r.Code == Unknown {
			known = false
		}
	}
	switch {
	case !known && (status >= 500 || status == 429):
		parsed = []Result{{Code: ServerError, Line: "HTTP " + strconv.Itoa(status) + firstLine(lines)}}
	case !known && (status < 200 || status > 299):
		parsed = []Result{{Code: Unknown, Line: "HTTP " + strconv.Itoa(status) + firstLine(lines)}}
	case len(parsed) == 0:
		parsed = []Result{{Code: Unknown, Line: "empty answer"}}
	case len(parsed) != 1 && len(parsed) != len(hosts):
		parsed = []Result{{Code: Unknown, Line: strconv.Itoa(len(parsed)) + " answer lines for " + strconv.Itoa(len(hosts)) + " host names"}}
	}
	for i, h := range hosts {
		r := parsed[0]
		if len(parsed) == len(hosts) {
			r = parsed[i]
		}
		r.Host = h
		a.Results[i] = r
	}
	return a
}

func firstLine(lines []string) string {
	if len(lines) == 0 {
		return ""
	}
	return ": " + clean(lines[0])
}

func parseLine(l string) Result {
	word, rest, _ := strings.Cut(l, " ")
	c := Code(strings.ToLower(word))
	if _, ok := codes[c]; !ok || c == Unknown || c == ServerError || c == Redirect {
		return Result{Code: Unknown, Line: clean(l)}
	}
	r := Result{Code: c, Line: clean(l)}
	if c == Good || c == NoChg {
		if ip, err := netip.ParseAddr(strings.TrimSpace(rest)); err == nil {
			r.IP = ip.Unmap()
		}
		// "good 127.0.0.1": the request was ignored (Dyn's answer to a bad agent).
		if c == Good && r.IP == netip.AddrFrom4([4]byte{127, 0, 0, 1}) {
			r.Code = BadAgent
		}
	}
	return r
}

// clean makes provider text safe for one log line: valid UTF-8, no control
// characters, at most 120 bytes.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) > 120 {
		cut := 120
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return s
}
