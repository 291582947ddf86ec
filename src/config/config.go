// Package config turns /etc/config/ddns-updater into validated profiles.
//
// One table per section type (Options) drives defaults, parsing, validation and the
// reference documentation, so that the README, the LuCI views and the reader agree.
package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"ddns-updater/src/ini"
	"ddns-updater/src/lanhost"
	"ddns-updater/src/service"
	"ddns-updater/src/uci"
)

// DefaultPath is where OpenWrt keeps the configuration.
const DefaultPath = "/etc/config/ddns-updater"

// Source says where a profile learns its public address.
type Source string

// The address sources.
const (
	SourceWeb       Source = "web"       // a checkip web server
	SourceInterface Source = "interface" // the router's own WAN device
	SourceAuto      Source = "auto"      // the device when public, else the web
)

// Family selects the address families a profile publishes.
type Family string

// The address families.
const (
	IPv4 Family = "4"
	IPv6 Family = "6"
	Both Family = "both"
)

// Has reports whether f includes IPv4 (v6 false) or IPv6 (v6 true).
func (f Family) Has(v6 bool) bool {
	return f == Both || (f == IPv6) == v6
}

// DualStack says how a profile with both families sends them.
type DualStack string

// The ways to send both families.
const (
	DualSeparate DualStack = "separate" // one request per family (myip=V4, then myip=V6): what every dyndns2 server takes
	DualComma    DualStack = "comma"    // one request, myip=V4,V6 (Dyn)
	DualParam    DualStack = "param"    // one request, myip=V4&PARAM=V6 (PARAM: dual_stack_param)
)

// Profile is one "config profile 'NAME'" section: one account and its host names.
type Profile struct {
	Name                 string
	Enabled              bool
	Server               string // URL host form: name, name:port, [v6]:port
	ServerPath           string
	Username             string
	Password             string
	Hostnames            []string
	ExternalIPServer     string // URL host form: name, name:port, [v6]:port
	ExternalIPServerPath string
	CheckIPScheme        string // http or https when external_ip_server was a URL; "": as use_https
	UseRegex             bool
	IPSource             Source
	IPVersion            Family
	UseHTTPS             bool
	CheckInterval        time.Duration
	ForceInterval        time.Duration // 0: never re-send an unchanged address
	UserAgent            string
	DNSServer            netip.AddrPort // zero: the system resolver
	CAFile               string
	AllowPrivate         bool
	Bind                 bool // requests leave through the interface's device (SO_BINDTODEVICE and its address)
	Interface            string
	Device               string
	IPv6Suffix           netip.Addr
	Notify               bool
	LegacyIP             []netip.Addr // "option ip" written by the original program
	DualStack            DualStack    // how both families travel (ip_version both)
	DualStackParam       string       // DualParam: the parameter that carries IPv6
	Service              string       // the preset (package service) that filled the options not set; "": none
	UserParam            string       // with PasswordParam: the credentials travel in the query, not HTTP Basic
	PasswordParam        string
	Keep4, Keep6         string        // the preset's query part that keeps the family not sent (see dyndns2.Request)
	MinInterval          time.Duration // the shortest time between two updates sent; 0: none
	// LANHost is the host behind the router whose IPv6 address the profile
	// publishes (lan_host); nil: the router's own.
	LANHost      *lanhost.Ident
	LANInterface string // the logical interface whose prefix assignment LAN hosts are in
	LANDevice    string // the LAN's kernel device; overrides LANInterface
	LANPrefix    bool   // publish the LAN's prefix itself, in PrefixParam
	PrefixParam  string
	PrefixOnly   string // the preset's query part for a request with a prefix and no address
	// Parent is the profile section this one was made from, one per named
	// lan_host entry ("": the section itself).
	Parent string

	checkIPPath string    // the path of an external_ip_server URL
	lanHosts    []lanHost // lan_host as given

	// Fingerprint identifies the settings; a fatal stop lasts until it changes.
	Fingerprint string
	// Target identifies what the provider registers: server, path, account,
	// host names, address families. When it changes, what was registered is forgotten.
	Target string
	// Problems lists what is wrong with the section; a profile with problems does not run.
	Problems []error
}

// Mail is the "config mail" section.
type Mail struct {
	Notify     bool
	SMTPServer string
	Port       int
	Username   string
	Password   string
	Recipients []string
	Sender     string
	TLS        bool
	CAFile     string
	AlertAfter time.Duration
	Problems   []error
}

// Global is the optional "config global" section.
type Global struct {
	StateDir string
	LogLevel string
	Hook     string // a program run after outcomes that change something (package hook)
	Seccomp  bool   // read by the init script, which then passes --seccomp
}

// Config is a loaded configuration file.
type Config struct {
	Path     string
	Global   Global
	Mail     Mail
	Profiles []*Profile // every profile section, in file order, valid or not
	Warnings []string   // unknown options and sections: logged, not fatal
}

// Error is a problem with one option, named the way the user finds it in the file.
type Error struct {
	File    string
	Section string // e.g. profile 'home'
	Option  string // empty when the whole section is concerned
	Msg     string
}

func (e *Error) Error() string {
	if e.Option == "" {
		return fmt.Sprintf("%s: %s: %s", e.File, e.Section, e.Msg)
	}
	return fmt.Sprintf("%s: %s: option %s: %s", e.File, e.Section, e.Option, e.Msg)
}

// Spec describes one option for documentation and tooling.
type Spec struct {
	Section string // section type: profile, mail, global
	Name    string
	Default string
	List    bool // may be given as a UCI list
	Secret  bool // never shown or logged
	Doc     string
	Rule    Rule // how a value is checked, for clients that check values themselves
}

// Rule is how an option's value is checked, in terms that a client without
// this package can apply (the LuCI app checks form values with it). It comes
// from the same helper that builds the reader's own check, so the two cannot
// drift apart unnoticed: a test feeds both the same good and bad values.
//
// Kinds: bool; choice (Choices); int (Min..Max); duration (seconds, Min, Max,
// ZeroOK); text (no control characters); secret (anything); username (text
// without ':'); host (name or IP, no port); hostport (name or IP, optional
// :port); ipport (IP, optional :port); path (URL path); abspath; pemfile (an
// absolute path of a PEM file: whether it exists and holds a certificate only
// the router can tell); email; emails (a comma list); hostnames (fully
// qualified, a comma list, once each); uciname; devname; ipv6suffix; ips (IP
// addresses, a comma list).
type Rule struct {
	Kind     string   `json:"kind"`
	Required bool     `json:"required,omitempty"` // empty is an error: there is no default
	Min      int64    `json:"min,omitempty"`
	Max      int64    `json:"max,omitempty"`
	ZeroOK   bool     `json:"zero_ok,omitempty"`
	Choices  []string `json:"choices,omitempty"`
}

// about is what the reference says of an option: static data.
type about struct{ section, name, def, doc string }

// option is one option of a section type T (a pointer: one instantiation of
// the generic code serves every section type).
type option[T any] struct {
	about
	check[T]
}

// check is a value's check and the Rule that describes it; the helpers that
// make them build both from the same arguments.
type check[T any] struct {
	set          func(dst T, values []string) error
	rule         *Rule
	list, secret bool
}

// Options returns the reference of every option the reader accepts.
func Options() []Spec {
	var out []Spec
	add := func(a about, list, secret bool, r *Rule) {
		out = append(out, Spec{Section: a.section, Name: a.name, Default: a.def, List: list, Secret: secret, Doc: a.doc, Rule: *r})
	}
	for _, o := range globalOptions {
		add(o.about, o.list, o.secret, o.rule)
	}
	for _, o := range mailOptions {
		add(o.about, o.list, o.secret, o.rule)
	}
	for _, o := range profileOptions {
		add(o.about, o.list, o.secret, o.rule)
	}
	return out
}

// Load reads and validates the file at path. It fails only when the file cannot be
// read or is not valid UCI, or when the global section is wrong; problems of a
// profile or of the mail section are kept in its Problems.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// Parse is Load for text already read. Text that reads as INI is the original
// program's file, mapped by FromINI.
func Parse(path string, data []byte) (*Config, error) {
	c := &Config{Path: path}
	var f *uci.File
	if ini.Looks(data) {
		i, err := ini.Parse(path, data)
		if err != nil {
			return nil, err
		}
		var unmapped []Unmapped
		f, unmapped = FromINI(i)
		for _, u := range unmapped {
			c.Warnings = append(c.Warnings, path+": "+u.What+": "+u.Why+"; ignored")
		}
	} else {
		var err error
		if f, err = uci.Parse(path, data); err != nil {
			return nil, err
		}
	}
	var globalErrs []error
	for _, s := range f.Sections {
		switch s.Type {
		case "global":
			if s.Index > 0 {
				c.Warnings = append(c.Warnings, fmt.Sprintf("%s: global %s: a second global section; ignored", path, quoteRef(s)))
				continue
			}
			globalErrs = fill(path, s, &c.Global, globalOptions, &c.Warnings)
		case "mail":
			if s.Index > 0 {
				c.Warnings = append(c.Warnings, fmt.Sprintf("%s: mail %s: a second mail section; ignored", path, quoteRef(s)))
				continue
			}
			c.Mail.Problems = fill(path, s, &c.Mail, mailOptions, &c.Warnings)
		case "profile":
			c.Profiles = append(c.Profiles, expand(loadProfile(path, s, &c.Warnings))...)
		default:
			c.Warnings = append(c.Warnings, fmt.Sprintf("%s: line %d: unknown section type %q; ignored", path, s.Line, s.Type))
		}
	}
	if len(f.SectionsOf("global")) == 0 {
		globalErrs = fill(path, &uci.Section{Type: "global", Name: "global"}, &c.Global, globalOptions, &c.Warnings)
	}
	if len(f.SectionsOf("mail")) == 0 {
		c.Mail.Problems = fill(path, &uci.Section{Type: "mail", Name: "mail"}, &c.Mail, mailOptions, &c.Warnings)
	}
	c.Mail.Problems = append(c.Mail.Problems, checkMail(path, &c.Mail)...)
	if len(globalErrs) > 0 {
		return nil, errors.Join(globalErrs...)
	}
	return c, nil
}

func quoteRef(s *uci.Section) string {
	return "'" + s.Ref() + "'"
}

// fill applies the option table to dst: defaults first, then the section's values.
// It returns one error per bad option and records unknown options as warnings.
func fill[T any](file string, s *uci.Section, dst T, table []option[T], warnings *[]string) []error {
	where := s.Type + " " + quoteRef(s)
	var errs []error
	known := map[string]bool{}
	for _, o := range table {
		known[o.name] = true
		var vals []string
		if opt := s.Get(o.name); opt != nil {
			vals = opt.Values
			if opt.IsList && !o.list {
				errs = append(errs, &Error{file, where, o.name, "given as a list; expected one value (use option, not list)"})
				continue
			}
		} else if o.def != "" {
			vals = []string{o.def}
		}
		if err := o.set(dst, vals); err != nil {
			errs = append(errs, &Error{file, where, o.name, err.Error()})
		}
	}
	for _, opt := range s.Options {
		if !known[opt.Name] {
			*warnings = append(*warnings, fmt.Sprintf("%s: %s: option %s: unknown option (line %d); ignored", file, where, opt.Name, opt.Line))
		}
	}
	return errs
}

func loadProfile(file string, s *uci.Section, warnings *[]string) *Profile {
	p := &Profile{Name: s.Name}
	if s.Name == "" {
		p.Name = s.Ref()
		p.Problems = append(p.Problems, &Error{file, "profile " + quoteRef(s), "",
			"anonymous profile; expected a name, as in config profile 'home' (the name keys its state)"})
	}
	name, _ := s.Value("service")
	svc := service.Get(name)
	if svc != nil {
		s = withPreset(s, svc)
		p.Keep4, p.Keep6, p.PrefixOnly = svc.Keep4, svc.Keep6, svc.PrefixOnly
	}
	ownHostname := s.Get("hostname") != nil
	if !ownHostname {
		// lan_host entries that name their host names stand for option hostname
		if names := namedLANHosts(s); len(names) > 0 {
			s = s.With(&uci.Option{Name: "hostname", Values: names})
		}
	}
	p.Problems = append(p.Problems, fill(file, s, p, profileOptions, warnings)...)
	p.Problems = append(p.Problems, checkProfile(file, p)...)
	p.Problems = append(p.Problems, checkLANHosts(file, p, ownHostname)...)
	if svc != nil {
		where := "profile " + quoteRef(s)
		if svc.One && len(p.Hostnames) > 1 {
			p.Problems = append(p.Problems, &Error{file, where, "hostname", "service " + svc.Name +
				" takes one host name per profile (each host has its own credentials); expected one profile per host name"})
		}
		if !svc.IPv6 && p.IPVersion.Has(true) {
			*warnings = append(*warnings, fmt.Sprintf("%s: %s: option ip_version: %s, but service %s takes IPv4 updates only, by its documentation; the IPv6 update may be refused", file, where, p.IPVersion, svc.Name))
		}
	}
	p.Fingerprint = fingerprint(s)
	p.Target = target(p)
	return p
}

// withPreset returns s with the options of the preset that s does not set.
func withPreset(s *uci.Section, svc *service.Service) *uci.Section {
	out := s
	add := func(name, value string) {
		if out.Get(name) == nil {
			out = out.With(&uci.Option{Name: name, Values: []string{value}})
		}
	}
	for _, o := range svc.Options() {
		add(o[0], o[1])
	}
	if user := svc.User; user != "" {
		if user == "=host" {
			user = ""
			if h := s.Get("hostname"); h != nil {
				if items := splitList(h.Values); len(items) > 0 {
					user = items[0]
				}
			}
		}
		if user != "" {
			add("username", user)
		}
	}
	return out
}

// fingerprint hashes the section's settings; "enabled" and the legacy "ip" are not settings.
func fingerprint(s *uci.Section) string {
	h := sha256.New()
	h.Write([]byte(s.Ref()))
	opts := append([]*uci.Option(nil), s.Options...)
	sort.Slice(opts, func(i, j int) bool { return opts[i].Name < opts[j].Name })
	for _, o := range opts {
		if o.Name == "enabled" || o.Name == "ip" {
			continue
		}
		h.Write([]byte{0})
		h.Write([]byte(o.Name))
		for _, v := range o.Values {
			h.Write([]byte{1})
			h.Write([]byte(v))
		}
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

func target(p *Profile) string {
	h := sha256.New()
	lan := ""
	if p.LANHost != nil {
		lan = p.LANHost.String()
	}
	if p.LANPrefix {
		lan = "prefix " + p.PrefixParam
	}
	parts := []string{p.Server, p.ServerPath, p.Username, string(p.IPVersion), p.IPv6Suffix.String()}
	if lan != "" { // absent for the router's own address, so that targets from before lan_host stay
		parts = append(parts, lan)
	}
	for _, v := range append(parts, p.Hostnames...) {
		h.Write([]byte(v))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// checkProfile validates what involves more than one option.
func checkProfile(file string, p *Profile) []error {
	where := "profile '" + p.Name + "'"
	var errs []error
	add := func(opt, msg string) { errs = appendError(errs, file, where, opt, msg) }
	if p.IPv6Suffix.IsValid() && !p.IPVersion.Has(true) {
		add("ipv6_suffix", "set, but ip_version is 4; expected ip_version 6 or both")
	}
	if p.checkIPPath != "" {
		if p.ExternalIPServerPath != "/" {
			add("external_ip_server_path", fmt.Sprintf("%q, but external_ip_server gives the path %q already; expected one of the two", p.ExternalIPServerPath, p.checkIPPath))
		}
		p.ExternalIPServerPath = p.checkIPPath
	}
	if p.ForceInterval != 0 && p.ForceInterval < p.CheckInterval {
		add("force_interval", fmt.Sprintf("%s is shorter than check_interval %s", FormatDuration(p.ForceInterval), FormatDuration(p.CheckInterval)))
	}
	return errs
}

// appendError adds an Error; out of line, as the checks call it from many places.
//
//go:noinline
func appendError(errs []error, file, section, option, msg string) []error {
	return append(errs, &Error{file, section, option, msg})
}

// lanHost is one lan_host entry: a host, and the host name it alone publishes
// ("": the profile's hostname).
type lanHost struct {
	hostname string
	ident    lanhost.Ident
}

// namedLANHosts are the host names that lan_host entries give (HOSTNAME=HOST).
func namedLANHosts(s *uci.Section) []string {
	o := s.Get("lan_host")
	if o == nil {
		return nil
	}
	var names []string
	for _, item := range splitList(o.Values) {
		if name, _, ok := strings.Cut(item, "="); ok {
			names = append(names, strings.TrimSpace(name))
		}
	}
	return names
}

// checkLANHosts validates lan_host and lan_prefix against the other options,
// and sets LANHost when the profile publishes one host.
func checkLANHosts(file string, p *Profile, ownHostname bool) []error {
	where := "profile '" + p.Name + "'"
	var errs []error
	add := func(opt, msg string) { errs = appendError(errs, file, where, opt, msg) }
	if len(p.lanHosts) == 1 && p.lanHosts[0].hostname == "" && p.IPv6Suffix.IsValid() {
		if on, err := parseBool(p.lanHosts[0].ident.Text); err == nil && on {
			// lan_host 1 with ipv6_suffix: the host is named by its interface ID
			p.lanHosts[0].ident = lanhost.Ident{Kind: lanhost.Suffix, Suffix: p.IPv6Suffix, Text: p.IPv6Suffix.String()}
			p.IPv6Suffix = netip.Addr{}
		}
	}
	named := 0
	for _, h := range p.lanHosts {
		if h.hostname != "" {
			named++
		}
	}
	switch {
	case len(p.lanHosts) == 0:
	case !p.IPVersion.Has(true):
		add("lan_host", "set, but ip_version is 4; a LAN host is published by its IPv6 address: expected ip_version 6 or both")
	case p.LANPrefix:
		add("lan_prefix", "1 publishes the LAN's prefix, and lan_host one host's address; expected one of the two")
	case p.IPv6Suffix.IsValid():
		add("ipv6_suffix", "set together with lan_host; ipv6_suffix places the router's own /64 prefix: give the host's interface ID as lan_host '::1234'")
	case named == 0 && len(p.lanHosts) > 1:
		add("lan_host", fmt.Sprintf("%d hosts, but one hostname option; give each host its host name: list lan_host 'nas.example.com=%s'", len(p.lanHosts), p.lanHosts[0].ident))
	case named > 0 && named < len(p.lanHosts):
		add("lan_host", "some entries name a host name (HOSTNAME=HOST) and some do not; expected a host name in every entry, or one entry without for option hostname")
	case named > 0 && ownHostname:
		add("hostname", "set, and the lan_host entries name host names of their own (HOSTNAME=HOST); expected one of the two")
	case named == 0:
		id := p.lanHosts[0].ident
		p.LANHost = &id
	}
	if p.LANPrefix && !p.IPVersion.Has(true) {
		add("lan_prefix", "1, but ip_version is 4; expected ip_version 6 or both")
	}
	if p.LANPrefix && p.IPv6Suffix.IsValid() {
		add("ipv6_suffix", "set together with lan_prefix 1, which publishes a prefix, not an address")
	}
	return errs
}

// expand makes one profile of each lan_host entry that names its host name:
// each has its own state and requests, and is named PROFILE@HOSTNAME.
func expand(p *Profile) []*Profile {
	if p.LANHost != nil || len(p.lanHosts) < 1 || p.lanHosts[0].hostname == "" || !p.Usable() {
		return []*Profile{p}
	}
	var out []*Profile
	for _, h := range p.lanHosts {
		q := *p
		id := h.ident
		q.Name, q.Parent, q.Hostnames, q.LANHost, q.lanHosts = p.Name+"@"+h.hostname, p.Name, []string{h.hostname}, &id, nil
		q.Fingerprint = p.Fingerprint + "@" + h.hostname
		q.Target = target(&q)
		out = append(out, &q)
	}
	return out
}

func checkMail(file string, m *Mail) []error {
	if m.Sender == "" && validEmail(m.Username) {
		m.Sender = m.Username
	}
	if !m.Notify {
		return nil
	}
	where := "mail 'mail'"
	var errs []error
	add := func(opt, msg string) {
		for _, e := range m.Problems {
			if ce, ok := e.(*Error); ok && ce.Option == opt {
				return // already reported, more precisely
			}
		}
		errs = append(errs, &Error{file, where, opt, msg})
	}
	if m.SMTPServer == "" {
		add("smtp_server", "empty; notify 1 needs an SMTP server such as smtp.example.com")
	}
	if len(m.Recipients) == 0 {
		add("recipient", "empty; notify 1 needs at least one address such as me@example.com")
	}
	if m.Sender == "" {
		add("sender", "empty, and username is not an address; expected a sender such as router@example.com")
	}
	if (m.Username == "") != (m.Password == "") {
		add("password", "username and password go together; set both or neither")
	}
	if !m.TLS && m.SMTPServer != "" {
		a, err := netip.ParseAddr(strings.Trim(m.SMTPServer, "[]"))
		if m.SMTPServer != "localhost" && (err != nil || !a.IsLoopback()) {
			add("tls", "0 is allowed only for a relay on 127.0.0.1 or ::1; credentials must not travel unencrypted")
		}
	}
	return errs
}

func (p *Profile) problemWith(option string) bool {
	for _, e := range p.Problems {
		if ce, ok := e.(*Error); ok && ce.Option == option {
			return true
		}
	}
	return false
}

// PublishesLAN reports whether the profile publishes a LAN host or the LAN prefix.
func (p *Profile) PublishesLAN() bool { return p.LANHost != nil || p.LANPrefix }

// LANOnly reports whether every address the profile publishes comes from the
// LAN: the WAN gives it none (it is only the way out).
func (p *Profile) LANOnly() bool { return p.PublishesLAN() && !p.IPVersion.Has(false) }

// Usable reports whether the profile has no problems and so can run.
func (p *Profile) Usable() bool { return len(p.Problems) == 0 }

// Select picks the profiles named (--profile), or every enabled one; it returns
// the usable ones and the broken ones, and an error when none is usable.
func (cfg *Config) Select(want []string) (usable, broken []*Profile, err error) {
	var picked []*Profile
	if len(want) > 0 {
		var missing []string
		for _, name := range want {
			found := false
			for _, p := range cfg.Profiles {
				if p.Name == name || p.Parent == name { // a section names all its lan_host profiles
					picked, found = append(picked, p), true
				}
			}
			if !found {
				missing = append(missing, "'"+name+"'")
			}
		}
		if len(missing) > 0 {
			return nil, nil, fmt.Errorf("%s: no profile %s (sections: config profile 'NAME')", cfg.Path, strings.Join(missing, ", "))
		}
	} else {
		for _, p := range cfg.Profiles {
			// A profile whose enabled value cannot be read is not silently off:
			// it is picked, as broken, so that its error is reported.
			if p.Enabled || p.problemWith("enabled") {
				picked = append(picked, p)
			}
		}
		if len(picked) == 0 {
			return nil, nil, errors.New(cfg.Path + ": no profile is enabled (option enabled 1), and none was named with --profile")
		}
	}
	for _, p := range picked {
		if p.Usable() {
			usable = append(usable, p)
		} else {
			broken = append(broken, p)
		}
	}
	if len(usable) == 0 {
		return nil, broken, errors.New(cfg.Path + ": no usable profile")
	}
	return usable, broken, nil
}

// SharedHostnames says which host names more than one of profiles updates:
// a failover pair on two uplinks is a configuration users write, and then
// whichever profile updates last wins (README, Multi-WAN).
func SharedHostnames(profiles []*Profile) []string {
	owners := map[string][]string{}
	var order []string
	for _, p := range profiles {
		for _, h := range p.Hostnames {
			h = strings.ToLower(h)
			if len(owners[h]) == 0 {
				order = append(order, h)
			}
			if !slices.Contains(owners[h], p.Name) {
				owners[h] = append(owners[h], p.Name)
			}
		}
	}
	var out []string
	for _, h := range order {
		if names := owners[h]; len(names) > 1 {
			out = append(out, fmt.Sprintf("profiles '%s' update the same host name %s: whichever updates last wins (as in a failover pair; README, Multi-WAN)",
				strings.Join(names, "', '"), h))
		}
	}
	return out
}
