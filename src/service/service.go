// Package service holds the presets of dyndns2 providers: option service
// 'NAME' fills a profile's server, path and the provider's quirks.
//
// Each entry follows the provider's own documentation, cited beside it. A
// provider that does not speak dyndns2 (other parameters, other answers) is not
// here: see Excluded.
package service

import (
	"fmt"
	"io"
	"strings"
)

// Service is one provider's preset. Options set in the profile override it.
type Service struct {
	Name   string // what option service takes
	Server string // server
	Path   string // server_path; "": /nic/update
	HTTP   bool   // the provider serves plain HTTP only (use_https 0)
	Auth   string // auth: "" (HTTP Basic) or query:USERPARAM,PASSPARAM
	Dual   string // dual_stack: "" (separate), comma, or param:NAME (dual_stack_param NAME)
	IPv6   bool   // takes AAAA updates through this endpoint
	Keep4  string // a request without IPv4 adds this, so that the A record stays
	Keep6  string // a request without IPv6 adds this, so that the AAAA record stays
	// Prefix is the parameter in which the provider takes a LAN prefix
	// (lan_prefix 1: prefix_param); PrefixOnly is the query part a request
	// with a prefix and no address adds, so that no address is taken from
	// the connection.
	Prefix, PrefixOnly string
	MinGap             string // min_interval: the provider's shortest time between updates
	Force              string // force_interval, where the provider wants one of its own
	User               string // username when the profile has none; "=host": the host name
	One                bool   // one host name per profile (per-host credentials)
	Notes              string
	Doc                string // the provider's documentation
}

// Services is every preset, by name.
var Services = []Service{
	// https://all-inkl.com/wichtig/anleitungen/kas/tools/dyndns/
	{Name: "all-inkl.com", Server: "dyndns.kasserver.com", Path: "/", IPv6: true,
		Notes: "username: the DynDNS login made in KAS (it names the host)", Doc: "https://all-inkl.com/wichtig/anleitungen/kas/tools/dyndns/"},
	// https://www.changeip.com/accounts/knowledgebase.php?action=displayarticle&id=34
	{Name: "changeip.com", Server: "nic.changeip.com", Doc: "https://www.changeip.com/accounts/knowledgebase.php?action=displayarticle&id=34"},
	// https://www.core-networks.de/dyndns.html: keepipv4=1 / keepipv6=1 keep the family not sent
	{Name: "core-networks.de", Server: "dyndns.core-networks.de", Path: "/", IPv6: true, Keep4: "keepipv4=1", Keep6: "keepipv6=1",
		Doc: "https://www.core-networks.de/dyndns.html"},
	// https://desec.readthedocs.io/en/latest/dyndns/update-api.html: a request
	// that names one family deletes the other unless it says "preserve"
	{Name: "desec.io", Server: "update.dedyn.io", IPv6: true, Dual: "param:myipv6", Keep4: "myipv4=preserve", Keep6: "myipv6=preserve",
		User: "=host", Notes: "username: the domain name; password: a token", Doc: "https://desec.readthedocs.io/en/latest/dyndns/update-api.html"},
	// https://www.dnsomatic.com/docs/api
	{Name: "dnsomatic.com", Server: "updates.dnsomatic.com",
		Notes: "host name all.dnsomatic.com updates every service of the account", Doc: "https://www.dnsomatic.com/docs/api"},
	// https://www.dy.fi/page/specification: update on change and every 5 days; hosts expire after 7
	{Name: "dy.fi", Server: "www.dy.fi", Force: "5d",
		Notes: "takes the address the request comes from; hosts expire after 7 days without an update", Doc: "https://www.dy.fi/page/specification"},
	// https://help.dyn.com/remote-access-api/perform-update/
	{Name: "dyn.com", Server: "members.dyndns.org", IPv6: true, Dual: "comma", Doc: "https://help.dyn.com/remote-access-api/perform-update/"},
	// https://www.dyndns.it/
	{Name: "dyndns.it", Server: "update.dyndns.it", Path: "/nic/update?system=dyndns", Doc: "https://www.dyndns.it/"},
	// https://www.dynu.com/DynamicDNS/IP-Update-Protocol: myip=no / myipv6=no leave a family alone
	{Name: "dynu.com", Server: "api.dynu.com", IPv6: true, Dual: "param:myipv6", Keep4: "myip=no", Keep6: "myipv6=no",
		Doc: "https://www.dynu.com/DynamicDNS/IP-Update-Protocol"},
	// https://dynv6.com/docs/apis: the dyndns2 endpoint takes IPv4
	{Name: "dynv6.com", Server: "dynv6.com", User: "none",
		Notes: "password: the zone's HTTP token; IPv4 only through dyndns2", Doc: "https://dynv6.com/docs/apis"},
	// https://freedns.afraid.org/dynamic/v2/
	{Name: "freedns.afraid.org", Server: "freedns.afraid.org", IPv6: true, Doc: "https://freedns.afraid.org/dynamic/v2/"},
	// https://dns.he.net/docs.html: one host per request, each with its own key
	{Name: "he.net", Server: "dyn.dns.he.net", IPv6: true, User: "=host", One: true,
		Notes: "username: the host name; password: the host's dynamic DNS key", Doc: "https://dns.he.net/docs.html"},
	// https://www.hosting.de/blog/dyndns/
	{Name: "hosting.de", Server: "ddns.hosting.de", IPv6: true, Doc: "https://www.hosting.de/blog/dyndns/"},
	// https://www.infomaniak.com/en/support/faq/2376/dyndns-updating-a-dynamic-dns-via-the-api
	{Name: "infomaniak.com", Server: "infomaniak.com", IPv6: true,
		Doc: "https://www.infomaniak.com/en/support/faq/2376/dyndns-updating-a-dynamic-dns-via-the-api"},
	// https://kb.inwx.com/en-us/3-nameserver/131-how-can-i-use-dynamic-dns-with-inwx
	{Name: "inwx.de", Server: "dyndns.inwx.com", IPv6: true, Dual: "param:myipv6",
		Doc: "https://kb.inwx.com/en-us/3-nameserver/131-how-can-i-use-dynamic-dns-with-inwx"},
	// https://ipv64.net/dyndns_updater_api: 48 updates a day at most; the
	// prefix in ipv6prefix, and onlyprefix=1 for a request with no address
	{Name: "ipv64.net", Server: "ipv64.net", IPv6: true, Dual: "param:myipv6", MinGap: "30m", User: "none", Prefix: "ipv6prefix", PrefixOnly: "onlyprefix=1",
		Notes: "password: the account's DynDNS update hash; at most 48 updates a day", Doc: "https://ipv64.net/dyndns_updater_api"},
	// https://joker.com/faq/content/6/496/en/how-do-i-use-dynamic-dns-with-joker_com.html
	{Name: "joker.com", Server: "svc.joker.com", IPv6: true, Auth: "query:username,password",
		Notes: "username and password: those of the zone's DYNDNS setting", Doc: "https://joker.com/faq/content/6/496/en/how-do-i-use-dynamic-dns-with-joker_com.html"},
	// https://support.loopia.com/wiki/about-dynamic-dns/
	{Name: "loopia.se", Server: "dns.loopia.se", Path: "/XDynDNSServer/XDynDNS.php", IPv6: true, Doc: "https://support.loopia.com/wiki/about-dynamic-dns/"},
	// https://www.noip.com/integrate/request
	{Name: "no-ip.com", Server: "dynupdate.no-ip.com", IPv6: true, Dual: "param:myipv6",
		Notes: "free hosts must be confirmed on the web site every 30 days", Doc: "https://www.noip.com/integrate/request"},
	// https://now-dns.com/?p=clients
	{Name: "now-dns.com", Server: "now-dns.com", Path: "/update", IPv6: true, Doc: "https://now-dns.com/?p=clients"},
	// https://nsupdateinfo.readthedocs.io/en/latest/user.html: credentials per host
	{Name: "nsupdate.info", Server: "ipv4.nsupdate.info", IPv6: true, User: "=host", One: true,
		Notes: "username: the host name; password: the host's update secret", Doc: "https://nsupdateinfo.readthedocs.io/en/latest/user.html"},
	// https://support.opendns.com/hc/en-us/articles/227987727
	{Name: "opendns.com", Server: "updates.opendns.com",
		Notes: "host name: the network's label", Doc: "https://support.opendns.com/hc/en-us/articles/227987727"},
	// https://help.ovhcloud.com/csm/en-dns-dynhost
	{Name: "ovh.com", Server: "www.ovh.com", Path: "/nic/update?system=dyndns",
		Notes: "username and password: those of the DynHost login", Doc: "https://help.ovhcloud.com/csm/en-dns-dynhost"},
	// https://wiki.schokokeks.org/DynDNS
	{Name: "schokokeks.org", Server: "dyndns.schokokeks.org", Doc: "https://wiki.schokokeks.org/DynDNS"},
	// https://www.selfhost.de/cgi-bin/selfhost?p=document&name=api
	{Name: "selfhost.de", Server: "carol.selfhost.de", Doc: "https://www.selfhost.de/cgi-bin/selfhost?p=document&name=api"},
	// https://www.simply.com/en/docs/ddns/
	{Name: "simply.com", Server: "api.simply.com", Path: "/2/ddns/", IPv6: true, Doc: "https://www.simply.com/en/docs/ddns/"},
	// https://wiki.securepoint.de/SPDyn/Variablen: user and pass in the query
	{Name: "spdyn.de", Server: "update.spdyn.de", IPv6: true, Auth: "query:user,pass",
		Notes: "username: the account or the host name; password: the password or the host's update token", Doc: "https://wiki.securepoint.de/SPDyn/Variablen"},
	// https://www.strato.de/faq/hosting/so-einfach-richten-sie-dyndns-fuer-ihre-domains-ein/
	{Name: "strato.com", Server: "dyndns.strato.com", IPv6: true, Dual: "comma", User: "=host",
		Notes: "username: the domain; password: its DynDNS password", Doc: "https://www.strato.de/faq/hosting/so-einfach-richten-sie-dyndns-fuer-ihre-domains-ein/"},
	// https://www.udmedia.de/dyndns/
	{Name: "udmedia.de", Server: "www.udmedia.de", Doc: "https://www.udmedia.de/dyndns/"},
	// https://dyndns.variomedia.de/: myip=V4,V6 updates both
	{Name: "variomedia.de", Server: "dyndns.variomedia.de", IPv6: true, Dual: "comma",
		Notes: "username: the customer account's e-mail address", Doc: "https://dyndns.variomedia.de/"},
}

// Excluded names the providers asked for that do not speak dyndns2, and why.
var Excluded = [][2]string{
	{"easydns.com", "answers NOERROR/NOACCESS instead of dyndns2 codes"},
	{"twodns.de", "takes the address in ip=, not myip="},
	{"ydns.io", "its API takes host= and ip=, not hostname= and myip="},
}

// Get returns the preset of name, or nil.
func Get(name string) *Service {
	for i := range Services {
		if Services[i].Name == name {
			return &Services[i]
		}
	}
	return nil
}

// Options returns the profile options the preset sets, as option name and value.
func (s *Service) Options() [][2]string {
	path := s.Path
	if path == "" {
		path = "/nic/update"
	}
	out := [][2]string{{"server", s.Server}, {"server_path", path}}
	if s.HTTP {
		out = append(out, [2]string{"use_https", "0"})
	}
	if s.Auth != "" {
		out = append(out, [2]string{"auth", s.Auth})
	}
	if name, ok := strings.CutPrefix(s.Dual, "param:"); ok {
		out = append(out, [2]string{"dual_stack", "param"}, [2]string{"dual_stack_param", name})
	} else if s.Dual != "" {
		out = append(out, [2]string{"dual_stack", s.Dual})
	}
	if s.MinGap != "" {
		out = append(out, [2]string{"min_interval", s.MinGap})
	}
	if s.Force != "" {
		out = append(out, [2]string{"force_interval", s.Force})
	}
	if s.Prefix != "" {
		out = append(out, [2]string{"prefix_param", s.Prefix})
	}
	return out
}

// Closest returns up to three preset names nearest to name: by edit distance
// of the whole names and of their first labels without punctuation ("noip" is
// near "no-ip.com"), case ignored; a name or first label of three letters or
// more that the other contains counts as near.
func Closest(name string) []string {
	name = strings.ToLower(name)
	k := key(name)
	type cand struct {
		name string
		d    int
	}
	var best []cand
	for _, s := range Services {
		sk := key(s.Name)
		d := min(distance(name, s.Name), distance(k, sk))
		if len(sk) >= 3 && strings.Contains(k, sk) || len(k) >= 3 && strings.Contains(sk, k) || len(name) >= 3 && strings.Contains(s.Name, name) {
			d = min(d, 1)
		}
		if d > max(2, len(name)/3) {
			continue
		}
		i := len(best)
		for i > 0 && best[i-1].d > d {
			i--
		}
		best = append(best[:i], append([]cand{{s.Name, d}}, best[i:]...)...)
	}
	var out []string
	for i := 0; i < len(best) && i < 3; i++ {
		out = append(out, best[i].name)
	}
	return out
}

// key is the first label of a name, letters and digits only.
func key(name string) string {
	first, _, _ := strings.Cut(name, ".")
	var b []byte
	for i := 0; i < len(first); i++ {
		if c := first[i]; c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b = append(b, c)
		}
	}
	return string(b)
}

// distance is the Levenshtein distance of a and b, in bytes.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// WriteTable prints the presets for `ddns-updater services`.
func WriteTable(w io.Writer) {
	fmt.Fprintf(w, "%-19s %-24s %-4s %s\n", "SERVICE", "SERVER", "IPV6", "NOTES")
	for _, s := range Services {
		v6 := "no"
		if s.IPv6 {
			v6 = "yes"
		}
		line := fmt.Sprintf("%-19s %-24s %-4s %s", s.Name, s.Server, v6, strings.Join(s.Rules(), "; "))
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	fmt.Fprint(w, "\nNot dyndns2, so not here:\n")
	for _, x := range Excluded {
		fmt.Fprintf(w, "  %s: %s\n", x[0], x[1])
	}
	fmt.Fprint(w, "Any other dyndns2 provider works with server and server_path set by hand.\n")
}

// Rules says in words what the preset does beyond server and path, then its notes.
func (s *Service) Rules() []string {
	var out []string
	if s.Auth != "" {
		out = append(out, "credentials in the query")
	}
	switch {
	case s.Dual == "comma":
		out = append(out, "both families in one request")
	case s.Dual != "":
		out = append(out, "IPv6 in "+strings.TrimPrefix(s.Dual, "param:"))
	}
	if s.Keep4 != "" {
		out = append(out, "the family not sent is kept ("+s.Keep4+", "+s.Keep6+")")
	}
	if s.Prefix != "" {
		out = append(out, "takes the LAN prefix in "+s.Prefix+" (lan_prefix 1)")
	}
	if s.MinGap != "" {
		out = append(out, "at most one update per "+s.MinGap)
	}
	if s.Force != "" {
		out = append(out, "re-sent every "+s.Force)
	}
	if s.One {
		out = append(out, "one host name per profile")
	}
	if s.Notes != "" {
		out = append(out, s.Notes)
	}
	return out
}
