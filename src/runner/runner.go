// Package runner runs one check of one profile: load its state, observe the
// address, let the updater decide, talk to the provider, record the outcome.
// The network and the disk sit behind small interfaces; a loop (the daemon) or
// a single pass (--once) drives it.
package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"time"

	"ddns-updater/src/config"
	"ddns-updater/src/dyndns2"
	"ddns-updater/src/ipsource"
	"ddns-updater/src/logx"
	"ddns-updater/src/resolve"
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

// Clients are the network edges of one profile.
type Clients struct {
	Web      IPLookup
	Provider Provider
	DNS      resolve.Lookuper
}

// Runner checks profiles.
type Runner struct {
	Store     Store
	Clients   func(p *config.Profile) (Clients, error) // nil: NetClients
	Now       func() time.Time                         // nil: time.Now
	Jitter    func() float64                           // in [0,1); nil: none
	Log       *logx.Logger
	UserAgent string
	Policy    ipsource.Policy // allow_private of a profile widens it
	DryRun    bool            // decide and print the request to Out; send and save nothing
	Out       io.Writer
}

// Result is how one run of a profile ended.
type Result struct {
	Profile string
	OK      bool           // good, nochg, nothing to do, DNS already right (or, dry run, a decision made)
	Action  updater.Action // the decision
	Summary string
}

// NetClients builds the real clients of a profile: its trusted roots, its DNS server.
func NetClients(p *config.Profile, userAgent string) (Clients, error) {
	roots, err := transport.Roots(p.CAFile)
	if err != nil {
		return Clients{}, fmt.Errorf("option ca_file: %w", err)
	}
	return Clients{
		Web:      &ipsource.Web{V4: transport.New(roots, "tcp4"), V6: transport.New(roots, "tcp6"), UserAgent: userAgent},
		Provider: &dyndns2.Client{HTTP: &http.Client{Transport: transport.New(roots, "tcp")}},
		DNS:      resolve.New(p.DNSServer),
	}, nil
}

func (r *Runner) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

// Run checks profile p once.
func (r *Runner) Run(ctx context.Context, p *config.Profile) Result {
	log := r.Log.With(p.Name)
	res := Result{Profile: p.Name}
	loaded, err := r.Store.Load(p.Name)
	if err != nil {
		log.Warn("state file unreadable; going on as if there were none", "err", err)
		loaded = updater.State{}
	}
	if loaded.Fingerprint == "" {
		log.Info("no state yet (first run since boot, or state lost): DNS is asked before anything is sent")
	}
	now := r.now()
	st := updater.Reconcile(loaded, p.Fingerprint, p.LegacyIP, now)
	if loaded.Fingerprint != "" && loaded.Fingerprint != st.Fingerprint {
		if loaded.Stop != nil {
			log.Info("settings changed: the stop after the answer " + loaded.Stop.Code + " is lifted")
		} else {
			log.Info("settings changed: earlier state dropped")
		}
	}
	if !r.DryRun {
		defer func() {
			if err := r.Store.Save(p.Name, st); err != nil {
				log.Error("state not saved; it will be rebuilt", "err", err)
			}
		}()
	}

	if g := updater.Gate(st, now); g.Action != updater.Proceed {
		res.Action, res.Summary, res.OK = g.Action, g.Reason, r.DryRun
		if g.Action == updater.Stopped {
			log.Error(g.Reason)
		} else {
			log.Info(g.Reason)
		}
		return res
	}
	if !p.UseHTTPS {
		log.Warn("use_https 0: the password travels in clear text")
	}
	newClients := r.Clients
	if newClients == nil {
		newClients = func(p *config.Profile) (Clients, error) { return NetClients(p, r.UserAgent) }
	}
	cl, err := newClients(p)
	if err != nil {
		res.Summary = err.Error()
		log.Error(res.Summary)
		return res
	}
	observed, err := r.observe(ctx, p, cl.Web, log)
	if err != nil {
		res.Summary = err.Error() + "; no update sent"
		log.Warn(res.Summary)
		return res
	}

	d := updater.Decide(st, observed, now, p.ForceInterval)
	res.Action = d.Action
	if d.Action != updater.Send {
		res.OK, res.Summary = true, d.Reason
		log.Debug(d.Reason)
		return res
	}
	if d.Verify {
		holds, err := resolve.Holds(ctx, cl.DNS, p.Hostnames, observed)
		switch {
		case err != nil:
			log.Warn("DNS lookup failed; sending the update", "err", err)
		case !holds:
			log.Debug("DNS does not hold " + addrList(observed) + " for every host name")
		case holds:
			st = updater.Apply(st, updater.Outcome{Kind: updater.AlreadyInDNS, Addrs: observed}, now, 0)
			res.OK, res.Action, res.Summary = true, updater.None, "DNS already holds "+addrList(observed)+"; nothing sent"
			log.Info(res.Summary)
			return res
		}
	}
	req := dyndns2.Request{
		HTTPS: p.UseHTTPS, Server: p.Server, Path: p.ServerPath,
		Username: p.Username, Password: p.Password,
		Hostnames: p.Hostnames, IPs: observed, UserAgent: r.userAgent(p),
	}
	if r.DryRun {
		res.OK, res.Summary = true, d.Reason+"; would send "+req.String()
		fmt.Fprintf(r.Out, "%s: %s\n  would send: %s\n", p.Name, d.Reason, req)
		return res
	}
	ans, err := cl.Provider.Update(ctx, req)
	o := outcome(ans, err, observed)
	st = updater.Apply(st, o, r.now(), r.jitter())
	res.OK = o.Kind == updater.Accepted
	res.Summary = fmt.Sprintf("%s; update sent; %s", d.Reason, describe(o, ans, st))
	switch o.Kind {
	case updater.Accepted:
		log.Info(res.Summary)
	case updater.Fatal:
		log.Error(res.Summary)
	default:
		log.Warn(res.Summary)
	}
	for _, hr := range ans.Results {
		if hr.Code.Kind() != dyndns2.Registered && hr.Code != ans.Worst().Code {
			log.Warn("host "+hr.Host+": "+hr.Code.Meaning(), "answer", hr.Line)
		}
	}
	return res
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

// observe finds the current address of every family the profile publishes.
func (r *Runner) observe(ctx context.Context, p *config.Profile, web IPLookup, log *logx.Logger) ([]netip.Addr, error) {
	if p.IPSource == config.SourceInterface {
		return nil, errors.New("ip_source interface: reading the address from the device is not in this build; use web or auto")
	}
	scheme := "https://"
	if !p.UseHTTPS {
		scheme = "http://"
	}
	url := scheme + p.ExternalIPServer + p.ExternalIPServerPath
	policy := r.Policy
	policy.AllowPrivate = policy.AllowPrivate || p.AllowPrivate
	var out []netip.Addr
	for _, v6 := range []bool{false, true} {
		if !p.IPVersion.Has(v6) {
			continue
		}
		a, err := web.Lookup(ctx, url, v6, p.UseRegex)
		if err != nil {
			return nil, fmt.Errorf("checkip failed: %w", err)
		}
		if err := policy.Check(a); err != nil {
			return nil, fmt.Errorf("checkip %s answered %w", url, err)
		}
		log.Debug("checkip", "url", url, "address", a)
		out = append(out, a)
	}
	return out, nil
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
	default:
		o.Kind = updater.Fatal
	}
	return o
}

func netHint(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "the provider did not answer in time"
	}
	return "network error"
}

func describe(o updater.Outcome, ans dyndns2.Answer, st updater.State) string {
	switch o.Kind {
	case updater.Accepted:
		return "answer: " + o.Code
	case updater.Fatal:
		return fmt.Sprintf("answer: %s: %s; updates stay stopped until the profile's settings change", o.Code, o.Reason)
	case updater.ProviderWait:
		return fmt.Sprintf("answer: %s: %s; next attempt not before %s", o.Code, o.Reason, st.NotBefore.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("%s (%s); retry %d not before %s", o.Code, o.Reason, st.Failures, st.NotBefore.UTC().Format(time.RFC3339))
}

func addrList(a []netip.Addr) string {
	s := ""
	for i, x := range a {
		if i > 0 {
			s += ","
		}
		s += x.String()
	}
	return s
}
