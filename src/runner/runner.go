// Package runner runs one check of one profile: load its state, observe the
// address, let the updater decide, talk to the provider, record the outcome.
// The network, the kernel's address table and the disk sit behind small
// interfaces; a loop (the daemon) or a single pass (--once) drives it.
package runner

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"sync"
	"time"

	"ddns-updater/src/config"
	"ddns-updater/src/dyndns2"
	"ddns-updater/src/ipsource"
	"ddns-updater/src/lanhost"
	"ddns-updater/src/logx"
	"ddns-updater/src/netifd"
	"ddns-updater/src/notify"
	"ddns-updater/src/resolve"
	"ddns-updater/src/rtnl"
	"ddns-updater/src/state"
	"ddns-updater/src/transport"
	"ddns-updater/src/updater"
)

// IPLookup asks a checkip web server.
type IPLookup interface {
	Lookup(ctx context.Context, url string, v6, anywhere bool) (netip.Addr, error)
}

// Provider sends dyndns2 updates.
type Provider interface {
	Update(ctx context.Context, r dyndns2.Request) (dyndns2.Answer, error)
}

// Store keeps the per-profile state.
type Store interface {
	Load(name string) (updater.State, error)
	Save(name string, st updater.State) error
}

// RunStore also keeps what the last check saw, for `ddns-updater status`.
type RunStore interface {
	SaveRun(name string, run state.Run) error
}

// Interfaces tells which device carries a logical interface, what addresses
// a device has, and whether its link is up.
type Interfaces interface {
	Status(ctx context.Context, logical string) (netifd.Status, error)
	Addrs(device string) ([]rtnl.Addr, bool)
	LinkUp(device string) bool // false only for a device known to be down or without a carrier
	// Leases are odhcpd's DHCPv6 address leases, for LAN hosts named by lease.
	Leases(ctx context.Context) ([]lanhost.Lease, error)
}

// Host is Interfaces on a router: netifd over ubus and the rtnetlink table.
type Host struct {
	*netifd.Ubus
	*rtnl.Table
}

// Leases asks odhcpd over ubus.
func (h Host) Leases(ctx context.Context) ([]lanhost.Lease, error) {
	out, err := h.Ubus.Leases(ctx)
	if err != nil {
		return nil, err
	}
	return lanhost.ParseLeases(out)
}

// Clients are the network edges of one profile.
type Clients struct {
	Web      IPLookup
	Provider Provider
	DNS      resolve.Lookuper
	Route    *transport.Route // the uplink the web clients leave through (nil: the routing table's way)
}

// DNSTimeout bounds the start-up DNS lookup of all host names.
var DNSTimeout = 5 * time.Second

// Runner checks profiles. It is safe for concurrent use by several profiles.
type Runner struct {
	Store     Store
	Clients   func(p *config.Profile) (Clients, error) // nil: NetClients
	Ifaces    Interfaces                               // nil: interface sources unavailable (auto uses checkip)
	Now       func() time.Time                         // nil: time.Now
	Jitter    func() float64                           // in [0,1); nil: none
	Log       *logx.Logger
	UserAgent string
	Policy    ipsource.Policy // allow_private of a profile widens it
	DryRun    bool            // decide and print the request to Out; send and save nothing
	Out       io.Writer
	Notify    func(notify.Event) // told how each check ended (mail) unless the profile says notify 0; nil: nobody
	Hook      func(notify.Event) // told how each check ended, whatever notify says (package hook); nil: nobody

	mu   sync.Mutex
	said map[string]string // per profile and topic: the last message logged at its level
}

// Result is how one run of a profile ended.
type Result struct {
	Profile  string
	OK       bool           // good, nochg, nothing to do, DNS already right (or, dry run, a decision made)
	Action   updater.Action // the decision
	Summary  string
	Device   string       // the device the address came from, when it came from one
	LAN      string       // the LAN device whose prefix a LAN host's address is in
	Next     time.Time    // when the decision falls due again (end of a wait, force_interval); zero: none
	Asked    bool         // a checkip server was asked
	Sent     bool         // an update request went to the provider
	Observed []netip.Addr // what the check saw
}

// checkips is shared by every profile's checkip lookups: profiles asking the
// same server at once (one ifup wakes them all) send one request.
var checkips ipsource.Flight

// NetClients builds the real clients of a profile: its trusted roots, its DNS server.
func NetClients(p *config.Profile, userAgent string) (Clients, error) {
	roots, err := transport.Roots(p.CAFile)
	if err != nil {
		return Clients{}, fmt.Errorf("option ca_file: %w", err)
	}
	t4, t6, t := transport.New(roots, "tcp4"), transport.New(roots, "tcp6"), transport.New(roots, "tcp")
	route := &transport.Route{}
	t4.Route, t6.Route, t.Route = route, route, route
	return Clients{
		Route:    route,
		Web:      &ipsource.Web{V4: t4, V6: t6, UserAgent: userAgent, Share: &checkips, ShareKey: p.CAFile},
		Provider: &dyndns2.Client{HTTP: t},
		DNS:      resolve.New(p.DNSServer, route.Dial),
	}, nil
}

// Clock is the runner's time: Now, else the real clock. The daemon schedules
// and records with it too.
func (r *Runner) Clock() time.Time { return r.now() }

func (r *Runner) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

// report logs msg at level the first time it is said on topic, and at debug
// level while it repeats, so that a lasting condition is not a log storm.
func (r *Runner) report(log *logx.Logger, topic string, level logx.Level, msg string) {
	r.mu.Lock()
	if r.said == nil {
		r.said = map[string]string{}
	}
	repeat := r.said[topic] == msg
	r.said[topic] = msg
	r.mu.Unlock()
	switch {
	case repeat:
		log.Debug(msg)
	case level == logx.Error:
		log.Error(msg)
	case level == logx.Warn:
		log.Warn(msg)
	default:
		log.Info(msg)
	}
}

// forget ends a condition: the next time it is said, it is logged at its level again.
func (r *Runner) forget(topic string) {
	r.mu.Lock()
	delete(r.said, topic)
	r.mu.Unlock()
}

// Run checks profile p once with its clients (NetClients when cl is nil).
func (r *Runner) Run(ctx context.Context, p *config.Profile, cl *Clients) Result {
	log := r.Log.With(p.Name)
	res := Result{Profile: p.Name}
	loaded, err := r.Store.Load(p.Name)
	if err != nil {
		log.Warn("state file unreadable; going on as if there were none", "err", err)
		loaded = updater.State{}
	}
	if loaded.Fingerprint == "" {
		r.report(log, p.Name+"|nostate", logx.Info, "no state yet (first run since boot, or state lost): DNS is asked before anything is sent")
	}
	now := r.now()
	st := updater.Reconcile(loaded, p.Fingerprint, p.Target, p.LegacyIP, now)
	if loaded.Stop != nil && st.Stop == nil {
		log.Info("settings changed: the stop after the answer " + loaded.Stop.Code + " is lifted")
	}
	if len(loaded.Registered) > 0 && len(st.Registered) == 0 {
		log.Info("server, account or host names changed: what was registered for the old ones is forgotten")
	}
	if !r.DryRun {
		defer func() {
			if err := r.Store.Save(p.Name, st); err != nil {
				r.report(log, p.Name+"|save", logx.Error, "state not saved: "+err.Error())
			} else {
				r.forget(p.Name + "|save")
			}
		}()
	}

	if g := updater.Gate(st, now); g.Action != updater.Proceed {
		res.Action, res.Summary, res.OK, res.Next = g.Action, g.Reason, r.DryRun, g.Until
		level := logx.Info
		if g.Action == updater.Stopped {
			level = logx.Error
		}
		r.report(log, p.Name+"|gate", level, g.Reason)
		return res
	}
	r.forget(p.Name + "|gate")
	if !p.UseHTTPS {
		r.report(log, p.Name+"|http", logx.Warn, "use_https 0: the password travels in clear text")
	}
	if cl == nil {
		c, err := r.NewClients(p)
		if err != nil {
			res.Summary = err.Error()
			log.Error(res.Summary)
			r.tell(p, notify.Event{Kind: notify.Failed, Detail: res.Summary})
			return res
		}
		cl = &c
	}
	obs, err := r.observe(ctx, p, cl.Web, cl.Route, log)
	observed, via := obs.Addrs, obs.Via
	res.Device, res.LAN, res.Asked, res.Observed = obs.Device, obs.LAN, obs.Asked, observed
	if err != nil {
		res.Summary = err.Error() + clockHint(err) + "; no update sent"
		r.report(log, p.Name+"|observe", logx.Warn, res.Summary)
		r.tell(p, notify.Event{Kind: notify.Failed, Detail: res.Summary})
		return res
	}
	r.forget(p.Name + "|observe")

	d := updater.Decide(st, observed, now, p.ForceInterval)
	res.Action, res.Next = d.Action, d.Until
	if d.Action != updater.Send {
		res.OK, res.Summary = true, d.Reason
		log.Debug(d.Reason + " " + via)
		r.tell(p, notify.Event{Kind: notify.OK})
		return res
	}
	if updater.SecondLook(d, obs.Asked) {
		again, err := r.observe(ctx, p, cl.Web, cl.Route, log)
		if ok, why := updater.Agree(observed, again.Addrs, err); !ok {
			res.OK, res.Action, res.Summary = false, updater.None, why
			r.report(log, p.Name+"|disagree", logx.Warn, res.Summary)
			r.tell(p, notify.Event{Kind: notify.Failed, Detail: res.Summary})
			return res
		}
	}
	r.forget(p.Name + "|disagree")
	if d.Verify {
		dctx, cancel := context.WithTimeout(ctx, DNSTimeout)
		holds, err := resolve.Holds(dctx, cl.DNS, p.Hostnames, observed)
		cancel()
		switch {
		case err != nil:
			log.Warn("DNS lookup failed; sending the update", "err", err)
		case !holds:
			log.Debug("DNS does not hold " + updater.AddrList(observed) + " for every host name")
		default:
			st = updater.Apply(st, updater.Outcome{Kind: updater.AlreadyInDNS, Addrs: observed}, now, 0)
			res.OK, res.Action, res.Summary = true, updater.None, "DNS already holds "+updater.AddrList(observed)+" "+via+"; nothing sent"
			log.Info(res.Summary)
			r.tell(p, notify.Event{Kind: notify.OK})
			return res
		}
	}
	plan := requests(p, d.Addrs, observed)
	if r.DryRun {
		var reqs []string
		for _, ips := range plan {
			reqs = append(reqs, r.request(p, ips, obs.Prefix).String())
		}
		res.OK, res.Summary = true, d.Reason+" "+via+"; would send "+strings.Join(reqs, "; then ")
		fmt.Fprintf(r.Out, "%s: %s %s\n", p.Name, d.Reason, via)
		for _, req := range reqs {
			fmt.Fprintf(r.Out, "  would send: %s\n", req)
		}
		return res
	}
	r.deliver(ctx, p, cl, &st, plan, obs.Prefix, d.Reason+" "+via, &res, log)
	return res
}

// deliver sends the planned requests, one after another while the provider
// accepts them, applies each answer to *st, and says how it went in res, the
// logs and the notifications.
func (r *Runner) deliver(ctx context.Context, p *config.Profile, cl *Clients, stp *updater.State, plan [][]netip.Addr, prefix netip.Prefix, why string, res *Result, log *logx.Logger) {
	st := *stp
	defer func() { *stp = st }()
	prev := st.Registered
	var parts []string
	var last updater.Outcome
	good := false
	for i := 0; i < len(plan); i++ {
		ips := plan[i]
		ans, err := cl.Provider.Update(ctx, r.request(p, ips, prefix))
		res.Sent = true
		if err != nil && ctx.Err() != nil {
			res.Summary = "interrupted while sending the update; nothing recorded"
			log.Info(res.Summary)
			return
		}
		err = transport.Explain(err)
		o := outcome(ans, err, ips)
		o.MinGap = p.MinInterval
		if o.Kind == updater.Accepted {
			confirmed, moved, unconfirmed := updater.Confirm(ips, prefixHeld(ans.Held(), prefix))
			if len(ips) > 1 {
				// A server that takes one address per request named only some
				// families: each of the others goes once more, alone.
				for _, a := range unconfirmed {
					plan = append(plan, []netip.Addr{a})
				}
				unconfirmed = nil
			}
			for _, a := range unconfirmed {
				moved = append(moved, updater.Mismatch{Sent: a})
			}
			o.Addrs, o.Moved = confirmed, moved
			good = good || ans.Worst().Code == dyndns2.Good
			for _, m := range moved {
				r.report(log, p.Name+"|mismatch|"+family(m.Sent), logx.Warn, mismatchText(m))
			}
			if ans.Extra > 0 {
				r.report(log, p.Name+"|extra", logx.Warn, fmt.Sprintf("the answer has %d line(s) more than host names; the extra ones are ignored", ans.Extra))
			}
		}
		st = updater.Apply(st, o, r.now(), r.jitter())
		what := "update sent" // said only when an answer came back
		if err != nil {
			what = "no answer from the provider"
			if transport.NotSent(err) {
				what = "update not sent"
			}
		}
		if len(plan) > 1 {
			what += " for " + updater.AddrList(ips)
		}
		sep := "; "
		if err != nil {
			sep = ": "
		}
		parts = append(parts, what+sep+describe(o, st, err))
		for _, hr := range ans.Results {
			if hr.Code.Kind() != dyndns2.Registered && hr.Code != ans.Worst().Code {
				log.Warn("host "+hr.Host+": "+hr.Code.Meaning(), "answer", hr.Line)
			}
		}
		last = o
		if o.Kind != updater.Accepted {
			break
		}
	}
	res.OK, res.Next = last.Kind == updater.Accepted, st.NotBefore
	res.Summary = fmt.Sprintf("%s; %s", why, strings.Join(parts, "; "))
	switch last.Kind {
	case updater.Accepted:
		log.Info(res.Summary)
		if good {
			r.tell(p, notify.Event{Kind: notify.Updated, Old: prev, New: st.Registered, Code: last.Code})
		} else {
			r.tell(p, notify.Event{Kind: notify.OK})
		}
	case updater.Fatal:
		log.Error(res.Summary)
		r.tell(p, notify.Event{Kind: notify.Stopped, Code: last.Code, Meaning: last.Reason})
	case updater.BadAnswer:
		// Said at warning level when the answer changes; waits grow in between.
		r.report(log, p.Name+"|badanswer", logx.Warn, "the provider's answer is not dyndns2: "+last.Code+"; it is asked again after waits that grow from 30 minutes to 24 hours (check server and server_path)")
		log.Debug(res.Summary)
		r.tell(p, notify.Event{Kind: notify.Failed, Detail: res.Summary})
	default:
		log.Warn(res.Summary)
		r.tell(p, notify.Event{Kind: notify.Failed, Detail: res.Summary})
	}
	if last.Kind != updater.BadAnswer {
		r.forget(p.Name + "|badanswer")
	}
}

// requests plans the update requests for the addresses to send: with both
// families, one per family (separate), or one for all (comma, param), which
// then carries every observed address, so that the server need not guess the
// family that did not change.
func requests(p *config.Profile, send, observed []netip.Addr) [][]netip.Addr {
	if (p.DualStack == config.DualComma || p.DualStack == config.DualParam) && len(observed) > 1 {
		return [][]netip.Addr{observed}
	}
	var out [][]netip.Addr
	for _, a := range send {
		out = append(out, []netip.Addr{a})
	}
	return out
}

// request is the update of ips; with lan_prefix the IPv6 entry stands for
// prefix, which travels in prefix_param.
func (r *Runner) request(p *config.Profile, ips []netip.Addr, prefix netip.Prefix) dyndns2.Request {
	req := dyndns2.Request{
		HTTPS: p.UseHTTPS, Server: p.Server, Path: p.ServerPath,
		Username: p.Username, Password: p.Password,
		Hostnames: p.Hostnames, IPs: ips, UserAgent: r.userAgent(p),
		UserParam: p.UserParam, PasswordParam: p.PasswordParam, Keep4: p.Keep4, Keep6: p.Keep6,
	}
	if p.DualStack == config.DualParam {
		req.IPv6Param = p.DualStackParam
	}
	if p.LANPrefix && prefix.IsValid() {
		req.IPs = nil
		for _, a := range ips {
			if a.Is6() {
				req.Prefix, req.PrefixParam, req.PrefixOnly = prefix, p.PrefixParam, p.PrefixOnly
			} else {
				req.IPs = append(req.IPs, a)
			}
		}
	}
	return req
}

// prefixHeld reads an answer to a prefix sent (lan_prefix): an IPv6 address
// in it, or none at all (the answer names the prefix, or the IPv4 address
// alone), confirms it.
func prefixHeld(held []netip.Addr, prefix netip.Prefix) []netip.Addr {
	if !prefix.IsValid() || len(held) == 0 {
		return held
	}
	out := make([]netip.Addr, 0, len(held)+1)
	has6 := false
	for _, h := range held {
		if h.Is6() {
			has6 = true
			if prefix.Contains(h) {
				h = prefix.Addr()
			}
		}
		out = append(out, h)
	}
	if !has6 {
		out = append(out, prefix.Addr())
	}
	return out
}

func family(a netip.Addr) string {
	if a.Is6() {
		return "IPv6"
	}
	return "IPv4"
}

func mismatchText(m updater.Mismatch) string {
	if m.Held.IsValid() {
		return fmt.Sprintf("the provider set %s where %s was sent (does it take the connection's source address?); %s is not sent again while it stays the observed address",
			m.Held, m.Sent, m.Sent)
	}
	return fmt.Sprintf("the provider's answers did not confirm %s (%s), not even when it was sent alone: it is not registered, and not sent again while it stays the observed address (does the provider take %s, or want dual_stack set another way?)",
		m.Sent, family(m.Sent), family(m.Sent))
}

// Record keeps what a check of profile name saw and when the next is due
// (zero: none planned, as after --once), when the store can; a dry run records
// nothing.
func (r *Runner) Record(name string, res Result, at, next time.Time) {
	rs, ok := r.Store.(RunStore)
	if !ok || r.DryRun {
		return
	}
	run := state.Run{CheckedAt: at, NextCheck: next, Observed: res.Observed, Device: res.Device, Summary: res.Summary, OK: res.OK}
	if err := rs.SaveRun(name, run); err != nil {
		r.Log.With(name).Debug("status not recorded", "err", err)
	}
}

// tell passes an event about p to Notify, unless p keeps quiet (notify 0).
func (r *Runner) tell(p *config.Profile, e notify.Event) {
	if r.DryRun {
		return
	}
	e.Profile, e.Hostnames = p.Name, p.Hostnames
	if e.At.IsZero() {
		e.At = r.now()
	}
	if r.Hook != nil {
		r.Hook(e)
	}
	if r.Notify != nil && p.Notify {
		r.Notify(e)
	}
}

// NewClients returns the clients Run uses for p when given none; a caller that
// runs p repeatedly keeps them, and closes them when done.
func (r *Runner) NewClients(p *config.Profile) (Clients, error) {
	if r.Clients != nil {
		return r.Clients(p)
	}
	return NetClients(p, r.UserAgent)
}

func (r *Runner) jitter() float64 {
	if r.Jitter == nil {
		return 0
	}
	return r.Jitter()
}

func (r *Runner) userAgent(p *config.Profile) string {
	if p.UserAgent != "" {
		return p.UserAgent
	}
	return r.UserAgent
}

// errNoInterfaceInfo: where a logical interface lives cannot be known (no ubus,
// an interface netifd does not know): auto falls back to checkip.
var errNoInterfaceInfo = errors.New("interface information unavailable")

// device finds the device of a profile and its addresses.
func (r *Runner) device(ctx context.Context, p *config.Profile) (string, []rtnl.Addr, error) {
	if r.Ifaces == nil {
		return "", nil, fmt.Errorf("%w: the kernel's address table is not readable here", errNoInterfaceInfo)
	}
	dev := p.Device
	if dev == "" {
		st, err := r.Ifaces.Status(ctx, p.Interface)
		if err != nil {
			return "", nil, fmt.Errorf("%w: %v", errNoInterfaceInfo, err)
		}
		if addrs, ok := r.Ifaces.Addrs(st.Dev()); st.Up && ok && len(addrs) > 0 && r.Ifaces.LinkUp(st.Dev()) {
			return st.Dev(), addrs, nil
		}
		// netifd splits some uplinks (qmi, ncm, mbim, 3g, some PPPoE) into the
		// dynamic interfaces IFACE_4 and IFACE_6, which carry the addresses:
		// look there when the interface itself has none, as mwan3 does
		for _, virtual := range netifd.Virtual(p.Interface, p.IPVersion.Has(false)) {
			if vst, err := r.Ifaces.Status(ctx, virtual); err == nil && vst.Up {
				if addrs, ok := r.Ifaces.Addrs(vst.Dev()); ok && len(addrs) > 0 && r.Ifaces.LinkUp(vst.Dev()) {
					return vst.Dev(), addrs, nil
				}
			}
		}
		if !st.Up || st.Dev() == "" {
			return "", nil, fmt.Errorf("interface %s is down", p.Interface)
		}
		dev = st.Dev()
	}
	addrs, ok := r.Ifaces.Addrs(dev)
	if !ok {
		return dev, nil, fmt.Errorf("device %s does not exist (interface down?)", dev)
	}
	if !r.Ifaces.LinkUp(dev) {
		// its IPv4 address stays on a device whose link went down: nothing
		// leaves through it, and nothing should leave another way
		return dev, nil, fmt.Errorf("device %s is down (link down or no carrier)", dev)
	}
	return dev, addrs, nil
}

// Observation is what one look at the address found.
type Observation struct {
	Addrs  []netip.Addr // one per family the profile publishes
	Via    string       // where they came from, for the logs: "on wan0", "via checkip"
	Device string       // the device asked, if any (also when the look failed)
	Asked  bool         // a checkip server was asked (also when the look failed)
	LAN    string       // the LAN device of a LAN host or prefix (also when the look failed)
	Prefix netip.Prefix // lan_prefix: the LAN prefix, whose address Addrs holds for IPv6
}

// observe finds the current address of every family the profile publishes:
// from the device for interface and auto (auto asks checkip when the device's
// address is private or CGNAT), from checkip for web.
func (r *Runner) observe(ctx context.Context, p *config.Profile, web IPLookup, route *transport.Route, log *logx.Logger) (Observation, error) {
	o, err := r.look(ctx, p, web, route, log)
	if err != nil {
		o.Addrs, o.Via = nil, ""
	}
	return o, err
}

func (r *Runner) look(ctx context.Context, p *config.Profile, web IPLookup, route *transport.Route, log *logx.Logger) (o Observation, err error) {
	policy := r.Policy
	policy.AllowPrivate = policy.AllowPrivate || p.AllowPrivate
	useDevice := p.IPSource != config.SourceWeb && !p.LANOnly() // a LAN-only profile's WAN is only the way out
	bind := route != nil && p.Bind
	var addrs []rtnl.Addr
	if useDevice || bind {
		o.Device, addrs, err = r.device(ctx, p)
		switch {
		case err != nil && errors.Is(err, errNoInterfaceInfo) && (!useDevice || p.IPSource == config.SourceAuto):
			if useDevice {
				r.report(log, p.Name+"|fallback", logx.Info, fmt.Sprintf("ip_source auto: %v; asking the checkip server instead", err))
				useDevice = false
			}
			o.Device = ""
			bind = false // where the uplink cannot be known, requests take the routing table's way
		case err != nil:
			return o, err // the profile's uplink is down: no request goes out another way
		}
	}
	if route != nil {
		route.Set("", netip.Addr{}, netip.Addr{})
		if bind {
			route.Set(o.Device, sourceAddr(addrs, false), sourceAddr(addrs, true))
		}
		defer func() {
			if err := route.Refused(); err != nil {
				r.report(log, p.Name+"|bind", logx.Info, fmt.Sprintf("%s cannot be bound here (%v): requests leave from its address, as the routing table sends them", o.Device, err))
			}
		}()
	}
	scheme := "https://"
	if !p.UseHTTPS {
		scheme = "http://"
	}
	if p.CheckIPScheme != "" { // external_ip_server was a URL: its scheme decides for checkip alone
		scheme = p.CheckIPScheme + "://"
	}
	url := scheme + p.ExternalIPServer + p.ExternalIPServerPath
	var vias []string
	for _, v6 := range []bool{false, true} {
		if !p.IPVersion.Has(v6) {
			continue
		}
		fam := map[bool]string{false: "IPv4", true: "IPv6"}[v6]
		if v6 && p.PublishesLAN() {
			a, via, err := r.lanAddr(ctx, p, &o)
			if err != nil {
				return o, err
			}
			o.Addrs, vias = append(o.Addrs, a), append(vias, via)
			continue
		}
		if useDevice {
			a, ok := ipsource.FromDevice(addrs, v6, p.IPv6Suffix, policy)
			if !ok && p.IPSource == config.SourceAuto && sourceAddr(addrs, v6).IsValid() {
				// only a ULA (behind NAT66 or NPTv6): as with a private IPv4, ask
				r.report(log, p.Name+"|fallback"+fam, logx.Info,
					fmt.Sprintf("%s holds no global %s address (behind NAT?): asking the checkip server %s", o.Device, fam, url))
				goto ask
			}
			if !ok {
				return o, fmt.Errorf("%s has no usable %s address", o.Device, fam)
			}
			reject := policy.Check(a)
			if reject == nil {
				o.Addrs, vias = append(o.Addrs, a), append(vias, "on "+o.Device)
				r.forget(p.Name + "|fallback" + fam)
				continue
			}
			if p.IPSource == config.SourceInterface {
				return o, fmt.Errorf("%s holds %w", o.Device, reject)
			}
			r.report(log, p.Name+"|fallback"+fam, logx.Info,
				fmt.Sprintf("%s holds %v (double NAT?): asking the checkip server %s for the public %s address", o.Device, reject, url, fam))
		}
	ask:
		if bind && !sourceAddr(addrs, v6).IsValid() {
			return o, fmt.Errorf("%s has no %s address to ask from (uplink down?)", o.Device, fam)
		}
		o.Asked = true
		a, err := web.Lookup(ctx, url, v6, p.UseRegex)
		if err != nil {
			return o, fmt.Errorf("checkip failed: %w", err)
		}
		if err := policy.Check(a); err != nil {
			return o, fmt.Errorf("checkip %s answered %w", url, err)
		}
		log.Debug("checkip", "url", url, "address", a)
		o.Addrs, vias = append(o.Addrs, a), append(vias, "via checkip")
	}
	o.Via = strings.Join(dedupe(vias), ", ")
	return o, nil
}

// lanAddr is the IPv6 address a profile publishes for a host behind the
// router (lan_host), or the LAN prefix's (lan_prefix, in o.Prefix).
func (r *Runner) lanAddr(ctx context.Context, p *config.Profile, o *Observation) (netip.Addr, string, error) {
	dev, prefix, err := r.lanPrefix(ctx, p)
	o.LAN = dev
	if err != nil {
		return netip.Addr{}, "", err
	}
	if p.LANPrefix {
		o.Prefix = prefix
		return prefix.Addr(), "prefix " + prefix.String() + " on " + dev, nil
	}
	var leases []lanhost.Lease
	if k := p.LANHost.Kind; k == lanhost.DUID || k == lanhost.Name {
		all, err := r.Ifaces.Leases(ctx)
		if err != nil {
			return netip.Addr{}, "", fmt.Errorf("lan_host %s: odhcpd's leases: %w", p.LANHost, err)
		}
		leases = lanhost.OnDevice(all, dev)
	}
	a, err := lanhost.Address(prefix, *p.LANHost, leases)
	if err != nil {
		return netip.Addr{}, "", fmt.Errorf("lan_host %s: %w", p.LANHost, err)
	}
	return a, "for " + p.LANHost.String() + " in " + prefix.String(), nil
}

// lanPrefix finds the LAN's device and global prefix: the prefix netifd
// assigned to lan_interface (a deprecated one — the prefix the ISP took
// back, by its delegation on the profile's interface or by the router's own
// address in it — only when there is no other), or, with lan_device, the
// prefixes of that device's global addresses.
func (r *Runner) lanPrefix(ctx context.Context, p *config.Profile) (string, netip.Prefix, error) {
	if r.Ifaces == nil {
		return "", netip.Prefix{}, errors.New("the LAN's prefix cannot be known here: no netifd and no address table")
	}
	var cands []lanhost.Candidate
	dev, where := p.LANDevice, "lan_device "+p.LANDevice
	if dev == "" {
		where = "lan_interface " + p.LANInterface
		st, err := r.Ifaces.Status(ctx, p.LANInterface)
		if err != nil {
			return "", netip.Prefix{}, fmt.Errorf("%s: %w", where, err)
		}
		if !st.Up {
			return st.Dev(), netip.Prefix{}, fmt.Errorf("%s is down", where)
		}
		dev = st.Dev()
		addrs, _ := r.Ifaces.Addrs(dev)
		// the delegation: on the profile's interface, else where OpenWrt
		// puts it (wan6; IFACE_6 of PPPoE and mobile uplinks)
		var delegated []netifd.Delegated
		for i, wan := range []string{p.Interface, p.Interface + "_6", "wan6"} {
			if i == 2 && p.Interface == "wan6" {
				break
			}
			if st, err := r.Ifaces.Status(ctx, wan); err == nil && len(st.Delegated) > 0 {
				delegated = st.Delegated
				break
			}
		}
		for _, a := range st.Assigned {
			cands = append(cands, lanhost.Candidate{Prefix: a, Deprecated: deprecated(a, addrs, delegated)})
		}
	} else {
		addrs, ok := r.Ifaces.Addrs(dev)
		if !ok {
			return dev, netip.Prefix{}, fmt.Errorf("%s does not exist", where)
		}
		for _, a := range addrs {
			if a.IP.Is6() && a.Flags&(rtnl.FlagTentative|rtnl.FlagDADFailed|rtnl.FlagTemporary) == 0 {
				gone := a.Preferred == 0 || a.Flags&rtnl.FlagDeprecated != 0
				cands = append(cands, lanhost.Candidate{Prefix: netip.PrefixFrom(a.IP, a.PrefixLen).Masked(), Deprecated: gone})
			}
		}
	}
	prefix, err := lanhost.ChoosePrefix(cands, r.Policy.Global().Check)
	if err != nil {
		return dev, netip.Prefix{}, fmt.Errorf("%s (%s): %w", where, dev, err)
	}
	return dev, prefix, nil
}

// deprecated says whether the LAN prefix a is on its way out: its delegation
// is deprecated, or every address the router holds in it is.
func deprecated(a netip.Prefix, addrs []rtnl.Addr, delegated []netifd.Delegated) bool {
	for _, d := range delegated {
		if d.Prefix.Contains(a.Addr()) && d.Prefix.Bits() <= a.Bits() {
			return d.Preferred == 0
		}
	}
	in, live := false, false
	for _, x := range addrs {
		if a.Contains(x.IP) {
			in = true
			live = live || x.Preferred != 0 && x.Flags&rtnl.FlagDeprecated == 0
		}
	}
	return in && !live
}

// sourceAddr is the address of the family v6 that requests bound to a device
// leave from: its first usable one, private or not, never link-local.
func sourceAddr(addrs []rtnl.Addr, v6 bool) netip.Addr {
	for _, a := range addrs {
		if a.IP.Is6() == v6 && !a.IP.IsLinkLocalUnicast() && !a.IP.IsLoopback() && a.Flags&(rtnl.FlagTentative|rtnl.FlagDADFailed) == 0 {
			return a.IP
		}
	}
	return netip.Addr{}
}

func dedupe(s []string) []string {
	if len(s) == 2 && s[0] == s[1] {
		return s[:1]
	}
	return s
}

// outcome turns an answer (or a failure to get one) into what the updater records.
func outcome(ans dyndns2.Answer, err error, sent []netip.Addr) updater.Outcome {
	if err != nil {
		return updater.Outcome{Kind: updater.NetworkError, Code: "error: " + err.Error(), Reason: netHint(err)}
	}
	w := ans.Worst()
	o := updater.Outcome{Code: w.Line, Reason: w.Code.Meaning(), Addrs: sent, RetryAfter: ans.RetryAfter}
	if o.Code == "" {
		o.Code = string(w.Code)
	}
	switch w.Code.Kind() {
	case dyndns2.Registered:
		o.Kind = updater.Accepted
	case dyndns2.Wait:
		o.Kind = updater.ProviderWait
	case dyndns2.Failure:
		o.Kind = updater.BadAnswer
	default:
		o.Kind = updater.Fatal
	}
	return o
}

func netHint(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "the provider did not answer in time"
	}
	return "network error" + clockHint(err)
}

// clockHint explains a TLS certificate error that a wrong clock causes: a
// router without RTC boots in 1970 and waits for NTP.
func clockHint(err error) string {
	var ce x509.CertificateInvalidError
	if errors.As(err, &ce) && ce.Reason == x509.Expired {
		return " (a certificate not valid at this time: is the clock not set yet? NTP may not have run; retrying)"
	}
	return ""
}

func describe(o updater.Outcome, st updater.State, err error) string {
	switch o.Kind {
	case updater.Accepted:
		return "answer: " + o.Code
	case updater.Fatal:
		return fmt.Sprintf("answer: %s: %s; updates stay stopped until the profile's settings change", o.Code, o.Reason)
	case updater.ProviderWait:
		return fmt.Sprintf("answer: %s: %s; next attempt not before %s", o.Code, o.Reason, st.NotBefore.UTC().Format(time.RFC3339))
	case updater.BadAnswer:
		return fmt.Sprintf("answer: %s: %s; attempt %d, next not before %s", o.Code, o.Reason, st.BadAnswers, st.NotBefore.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("%s%s; retry %d not before %s", strings.TrimPrefix(o.Code, "error: "), clockHint(err), st.Failures, st.NotBefore.UTC().Format(time.RFC3339))
}
