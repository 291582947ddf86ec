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

// The protocol's return codes (Dyn's and No-IP's published lists, and the
// extensions real providers send: Dynu's servererror, the old Dyn's w30m).
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
	ServerErr  Code = "servererror" // Dynu: a server error at the provider

	// Unknown is an answer that is not dyndns2 (an HTML page, an empty answer, a
	// word outside the protocol).
	Unknown Code = "unknown"
	// ServerError is an HTTP 5xx or 429 without a protocol code.
	ServerError Code = "server-error"
	// Refused is an HTTP 401 or 403 without a protocol code: the server refused
	// the credentials.
	Refused Code = "refused"
	// Missing is the result of a host name the answer has no line for.
	Missing Code = "missing"
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
	// Failure: the answer is not dyndns2: wait longer each time, never stop.
	Failure
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
	ServerErr:   {Wait, "the provider reports a server error: waiting at least 30 minutes"},
	Unknown:     {Failure, "the answer is not dyndns2 (check server and server_path): trying again later, after longer waits each time"},
	ServerError: {Wait, "the provider's server failed: waiting at least 30 minutes"},
	Refused:     {Fatal, "the server refused the username and password: fix username and password"},
	Missing:     {Wait, "the answer has no line for this host name: it is not registered and is sent again after 30 minutes"},
	Redirect:    {Fatal, "the provider redirected to another host or scheme, where the credentials are not sent: check server and use_https"},
}

// waitCode reads the old Dyn's "wait" answers: w30m, w2h (wait that long).
func waitCode(c Code) (time.Duration, bool) {
	s := string(c)
	if len(s) < 3 || s[0] != 'w' {
		return 0, false
	}
	n, err := strconv.Atoi(s[1 : len(s)-1])
	if err != nil || n <= 0 || n > 24*60 {
		return 0, false
	}
	switch s[len(s)-1] {
	case 'm':
		return time.Duration(n) * time.Minute, true
	case 'h':
		return time.Duration(n) * time.Hour, true
	}
	return 0, false
}

// Kind returns what the code means for the next attempts.
func (c Code) Kind() Kind {
	if k, ok := codes[c]; ok {
		return k.kind
	}
	if _, ok := waitCode(c); ok {
		return Wait
	}
	return Failure
}

// Meaning explains the code in plain words, with what the user must change.
func (c Code) Meaning() string {
	if k, ok := codes[c]; ok {
		return k.meaning
	}
	if d, ok := waitCode(c); ok {
		return "the provider asks to wait " + d.String() + " before the next update"
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
	RetryAfter time.Duration // from a Retry-After header or a wait code (w30m), if any
	Extra      int           // answer lines beyond one per host name, ignored
}

// Worst returns the result that decides for the profile: fatal before failure
// before wait before registered.
func (a Answer) Worst() Result {
	var worst Result
	rank := map[Kind]int{Registered: 0, Wait: 1, Failure: 2, Fatal: 3}
	for i, r := range a.Results {
		if i == 0 || rank[r.Code.Kind()] > rank[worst.Code.Kind()] {
			worst = r
		}
	}
	return worst
}

// Held returns the addresses the answer says the provider holds: those that
// good and nochg lines name, one per family, the first one named.
func (a Answer) Held() []netip.Addr {
	var out []netip.Addr
	seen := map[bool]bool{}
	for _, r := range a.Results {
		if r.Code.Kind() == Registered && r.IP.IsValid() && !seen[r.IP.Is6()] {
			seen[r.IP.Is6()] = true
			out = append(out, r.IP)
		}
	}
	return out
}

// ParseAnswer reads the answer to a request for hosts, as providers really
// send it. Each host gets its line in request order; a single line answers
// for all (an account-wide code). Lines beyond one per host are counted in
// Extra and ignored when the others answer every host; a host without a line
// gets Missing. An HTML page whose text is exactly one answer is read as that
// answer. Anything else outside the protocol is Unknown, Refused for HTTP
// 401/403 and ServerError for 5xx/429.
func ParseAnswer(status int, body []byte, hosts []string) Answer {
	a := Answer{Status: status, Results: make([]Result, len(hosts))}
	lines := answerLines(string(body))
	parsed, known := parseLines(lines, len(hosts))
	if !known {
		if text, ok := htmlText(body); ok {
			if p, ok := parseLines(answerLines(text), len(hosts)); ok && len(p) == 1 {
				lines, parsed, known = answerLines(text), p, true
			}
		}
	}
	switch {
	case !known && (status >= 500 || status == 429):
		parsed = []Result{{Code: ServerError, Line: "HTTP " + strconv.Itoa(status) + firstLine(lines)}}
	case !known && (status == 401 || status == 403):
		parsed = []Result{{Code: Refused, Line: "HTTP " + strconv.Itoa(status) + firstLine(lines)}}
	case !known && (status < 200 || status > 299):
		parsed = []Result{{Code: Unknown, Line: "HTTP " + strconv.Itoa(status) + firstLine(lines)}}
	case len(parsed) == 0:
		parsed = []Result{{Code: Unknown, Line: "empty answer"}}
	case !known:
		parsed = []Result{{Code: Unknown, Line: clean(lines[0])}}
	case len(parsed) > len(hosts) && len(hosts) > 0:
		a.Extra = len(parsed) - len(hosts)
		parsed = parsed[:len(hosts)]
	}
	for i, h := range hosts {
		var r Result
		switch {
		case len(parsed) == 1:
			r = parsed[0]
		case i < len(parsed):
			r = parsed[i]
		default:
			r = Result{Code: Missing, Line: strconv.Itoa(len(parsed)) + " answer lines for " + strconv.Itoa(len(hosts)) + " host names"}
		}
		r.Host = h
		a.Results[i] = r
		if d, ok := waitCode(r.Code); ok {
			a.RetryAfter = max(a.RetryAfter, d)
		}
	}
	return a
}

func answerLines(body string) []string {
	var lines []string
	for _, l := range strings.Split(body, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// parseLines parses the lines that answer n host names (extra lines are not
// looked at); known says whether each of them is a protocol answer.
func parseLines(lines []string, n int) (parsed []Result, known bool) {
	known = len(lines) > 0
	for i, l := range lines {
		r := parseLine(l)
		parsed = append(parsed, r)
		if r.Code == Unknown && (i < n || n == 0) {
			known = false
		}
	}
	return parsed, known
}

// htmlText is the text of an HTML page: head, script and style dropped with
// their content, other tags dropped, entities &amp; &lt; &gt; &quot; &#39;
// &nbsp; read, white space folded.
func htmlText(body []byte) (string, bool) {
	s := string(body)
	if !strings.Contains(s, "<") {
		return "", false
	}
	for _, el := range []string{"head", "script", "style"} {
		for {
			low := asciiLower(s) // byte for byte: strings.ToLower would turn invalid UTF-8 into longer U+FFFD
			i := openTag(low, el)
			if i < 0 {
				break
			}
			j := strings.Index(low[i:], "</"+el+">")
			if j < 0 {
				s = s[:i]
				break
			}
			s = s[:i] + s[i+j+len(el)+3:]
		}
	}
	var b strings.Builder
	for in := false; s != ""; s = s[1:] {
		switch {
		case s[0] == '<':
			in = true
			b.WriteByte(' ')
		case s[0] == '>' && in:
			in = false
		case !in:
			b.WriteByte(s[0])
		}
	}
	text := strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'", "&nbsp;", " ").Replace(b.String())
	return strings.Join(strings.Fields(text), " "), true
}

// openTag finds "<el>" or "<el attributes>" (not "<elsewhere>") in low.
func openTag(low, el string) int {
	for off := 0; ; {
		i := strings.Index(low[off:], "<"+el)
		if i < 0 {
			return -1
		}
		i += off
		if end := i + 1 + len(el); end < len(low) && strings.IndexByte("> \t\r\n/", low[end]) >= 0 {
			return i
		}
		off = i + 1
	}
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
	_, wait := waitCode(c)
	if _, ok := codes[c]; !ok && !wait || c == Unknown || c == ServerError || c == Refused || c == Missing || c == Redirect {
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

// asciiLower lowers A-Z only, so that indexes into it are indexes into s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
