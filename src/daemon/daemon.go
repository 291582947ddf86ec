// Package daemon runs every selected profile for as long as the program lives:
// one goroutine per profile, woken by address changes from the kernel, by
// SIGUSR1 (check now), by its timer and by the waits the updater asks for.
// SIGHUP reloads the configuration; SIGTERM and SIGINT end it.
package daemon

import (
	"context"
	"fmt"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"ddns-updater/src/config"
	"ddns-updater/src/logx"
	"ddns-updater/src/runner"
)

// Defaults of the wake-up rules.
const (
	// DefaultCoalesce is how long address changes that follow a first one are
	// gathered into one more check, so that a flapping link costs at most a
	// couple of requests (Daemon.Coalesce overrides it).
	DefaultCoalesce = 2 * time.Second
	// MinWebInterval is the shortest period between checks that may ask a checkip
	// server (Dyn asks clients for 10 minutes; ddclient's default is 5).
	MinWebInterval = 5 * time.Minute
	// StopTimeout bounds how long shutdown waits for profiles mid-request.
	StopTimeout = 900 * time.Millisecond
	// QuietAfter is how long after the last check Quiet is called.
	QuietAfter = 3 * time.Second
)

// Settled is logged (debug) when a profile's address changes have been dealt
// with and no further check is pending: its coalescing window closed, or a
// change was checked without going to the network and so opened none.
const Settled = "address changes settled: no check pending"

// Daemon runs profiles until told to stop.
type Daemon struct {
	// Load reads and checks the configuration; it is called at start and on SIGHUP.
	Load func() (*config.Config, error)
	// Profiles limits the run to these profile names (--profile); empty: every enabled one.
	Profiles []string
	// NewRunner makes the runner for a configuration (its state directory and logger).
	NewRunner func(cfg *config.Config) *runner.Runner
	// Watch, when set, follows the kernel's addresses: it calls ready once they are
	// known and changed for each device whose addresses change ("" for all).
	Watch func(ctx context.Context, ready func(), changed func(device string)) error
	Log   *logx.Logger
	// Coalesce is the window for gathering address changes; 0: DefaultCoalesce.
	Coalesce time.Duration
	// Quiet, when set, is called once activity has stopped for QuietAfter: the
	// place to hand freed memory back to the system (a router's RAM is scarce;
	// no connection outlives its request).
	Quiet func()

	busy    chan struct{} // a check ended: restart the quiet timer
	mu      sync.Mutex
	workers map[string]*worker
	global  config.Global
	run     *runner.Runner
}

type worker struct {
	p      *config.Profile
	r      *runner.Runner
	kick   chan struct{} // SIGUSR1
	event  chan struct{} // an address change on the device
	device string        // the device of the last check; guarded by Daemon.mu
	lan    string        // the LAN device of the last check (lan_host, lan_prefix); guarded by Daemon.mu
	cancel context.CancelFunc
	done   chan struct{}
}

// errLogged is an error that was logged already.
type errLogged struct{ error }

// Logged reports whether err was logged by the daemon already.
func Logged(err error) bool {
	_, ok := err.(errLogged)
	return ok
}

// Run loads the configuration, starts the profiles and serves signals until
// SIGTERM, SIGINT or the end of ctx. It fails only when the first configuration
// has no usable profile.
func (d *Daemon) Run(ctx context.Context, signals <-chan os.Signal) error {
	cfg, err := d.Load()
	if err != nil {
		return err
	}
	profiles, err := d.selectProfiles(cfg)
	if err != nil {
		return errLogged{err}
	}
	ctx, cancel := context.WithCancel(ctx)
	d.workers = map[string]*worker{}

	watchDone := make(chan struct{})
	defer func() { cancel(); <-watchDone }() // the watcher ends with the daemon, on every return
	if d.Watch != nil {
		ready := make(chan struct{})
		go func() {
			defer close(watchDone)
			var once sync.Once
			err := d.Watch(ctx, func() { once.Do(func() { close(ready) }) }, d.changed)
			once.Do(func() { close(ready) })
			if err != nil && ctx.Err() == nil {
				d.Log.Error("reading addresses from the kernel failed; interface sources are blind until restart", "err", err)
			}
		}()
		<-ready
	} else {
		close(watchDone)
	}

	d.busy = make(chan struct{}, 1)
	quiet := time.NewTimer(QuietAfter)
	defer quiet.Stop()
	d.apply(ctx, cfg, profiles)
	for {
		select {
		case <-d.busy:
			quiet.Reset(QuietAfter)
		case <-quiet.C:
			if d.Quiet != nil {
				d.Quiet()
			}
		case <-ctx.Done():
			d.shutdown()
			return nil
		case sig := <-signals:
			switch sig {
			case syscall.SIGUSR1:
				d.Log.Debug("SIGUSR1: checking every profile now")
				d.kickAll()
			case syscall.SIGHUP:
				d.reload(ctx)
			case syscall.SIGTERM, os.Interrupt:
				d.Log.Info("stopping on " + sig.String())
				d.shutdown()
				return nil
			}
		}
	}
}

func (d *Daemon) selectProfiles(cfg *config.Config) ([]*config.Profile, error) {
	usable, _, err := Select(cfg, d.Profiles, d.Log)
	return usable, err
}

// Select logs what is wrong with the configuration and returns the profiles
// named (or every enabled one) that can run, those that cannot, and an error
// when none can.
func Select(cfg *config.Config, names []string, log *logx.Logger) (usable, broken []*config.Profile, err error) {
	for _, w := range cfg.Warnings {
		log.Warn(w)
	}
	for _, e := range cfg.Mail.Problems {
		log.Error(e.Error() + " (mail stays off)")
	}
	usable, broken, err = cfg.Select(names)
	for _, p := range broken {
		for _, e := range p.Problems {
			log.Error(e.Error() + " (profile skipped)")
		}
	}
	if err != nil {
		log.Error(err.Error())
	}
	return usable, broken, err
}

// reload applies a changed configuration; a configuration that cannot be used
// leaves the running one alone.
func (d *Daemon) reload(ctx context.Context) {
	cfg, err := d.Load()
	if err != nil {
		d.Log.Error("reload failed; the running configuration stays", "err", err)
		return
	}
	profiles, err := d.selectProfiles(cfg)
	if err != nil {
		d.Log.Error("reload: no profile can run; the running configuration stays")
		return
	}
	d.apply(ctx, cfg, profiles)
}

// apply starts added profiles, stops removed ones and restarts changed ones.
func (d *Daemon) apply(ctx context.Context, cfg *config.Config, profiles []*config.Profile) {
	d.mu.Lock()
	restartAll := d.run == nil || d.global != cfg.Global
	d.run, d.global = d.NewRunner(cfg), cfg.Global // it takes the rest (mail) of the configuration
	want := map[string]*config.Profile{}
	for _, p := range profiles {
		want[p.Name] = p
	}
	var stop []*worker
	var started, stopped, restarted []string
	for name, w := range d.workers {
		p, keep := want[name]
		if keep && !restartAll && reflect.DeepEqual(p, w.p) {
			delete(want, name)
			continue
		}
		stop = append(stop, w)
		delete(d.workers, name)
		if keep {
			restarted = append(restarted, name)
		} else {
			stopped = append(stopped, name)
		}
	}
	d.mu.Unlock()
	for _, w := range stop {
		w.cancel()
		<-w.done
	}
	d.mu.Lock()
	for _, p := range profiles {
		if _, ok := want[p.Name]; !ok {
			continue
		}
		w := &worker{p: p, r: d.run, kick: make(chan struct{}, 1), event: make(chan struct{}, 1), done: make(chan struct{})}
		wctx, cancel := context.WithCancel(ctx)
		w.cancel = cancel
		d.workers[p.Name] = w
		go d.loop(wctx, w)
		if !slices.Contains(restarted, p.Name) {
			started = append(started, p.Name)
		}
	}
	d.mu.Unlock()
	d.Log.Info(fmt.Sprintf("configuration applied: %d profiles running%s%s%s", len(profiles),
		list(" started", started), list(" stopped", stopped), list(" restarted", restarted)))
}

func list(label string, names []string) string {
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	return ";" + label + " " + strings.Join(names, ", ")
}

func (d *Daemon) kickAll() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, w := range d.workers {
		signal(w.kick)
	}
}

// changed passes an address change to the profiles that read that device:
// the WAN device of interface and auto profiles, and the LAN device of
// profiles that publish a LAN host or the LAN prefix (a new delegated prefix
// shows there as new addresses of the router).
func (d *Daemon) changed(device string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, w := range d.workers {
		wan := w.p.IPSource != config.SourceWeb && !w.p.LANOnly() && (device == "" || w.device == "" || w.device == device)
		lan := w.p.PublishesLAN() && (device == "" || w.lan == "" || w.lan == device)
		if wan || lan {
			signal(w.event)
		}
	}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default: // one pending wake-up is enough
	}
}

func (d *Daemon) shutdown() {
	d.mu.Lock()
	ws := make([]*worker, 0, len(d.workers))
	for _, w := range d.workers {
		w.cancel()
		ws = append(ws, w)
	}
	d.workers = map[string]*worker{}
	d.mu.Unlock()
	deadline := time.NewTimer(StopTimeout)
	defer deadline.Stop()
	for _, w := range ws {
		select {
		case <-w.done:
		case <-deadline.C:
			d.Log.Warn("a profile did not stop in time", "profile", w.p.Name)
			return
		}
	}
}

// interval is the period of a profile's timer.
func interval(p *config.Profile) time.Duration {
	if p.IPSource == config.SourceInterface {
		return p.CheckInterval
	}
	return max(p.CheckInterval, MinWebInterval)
}

// onFreshStack runs f on a goroutine of its own and returns its result. A
// check's TLS handshake grows a stack to tens of KiB; a goroutine that ends
// gives that back at once, where the profile's long-lived one would keep it
// between checks (about 16 KiB per profile; BENCHMARKS.md).
func onFreshStack[T any](f func() T) T {
	c := make(chan T, 1)
	go func() { c <- f() }()
	return <-c
}

// loop is one profile's life: check at once, then whenever woken.
func (d *Daemon) loop(ctx context.Context, w *worker) {
	coalesce := d.Coalesce
	if coalesce == 0 {
		coalesce = DefaultCoalesce
	}
	defer close(w.done)
	log := d.Log.With(w.p.Name)
	cl, err := w.r.NewClients(w.p)
	if err != nil {
		log.Error(err.Error())
		return
	}
	every := interval(w.p)
	if every != w.p.CheckInterval {
		log.Warn(fmt.Sprintf("check_interval %s is below %s for a profile that may ask a checkip server; using %s",
			config.FormatDuration(w.p.CheckInterval), config.FormatDuration(MinWebInterval), config.FormatDuration(every)))
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	window := time.NewTimer(coalesce) // the coalescing window, armed by an address change
	window.Stop()
	defer window.Stop()
	inWindow, pending, lastOK := false, false, false

	check := func() (network bool) {
		res := onFreshStack(func() runner.Result { return w.r.Run(ctx, w.p, &cl) })
		lastOK = res.OK
		d.mu.Lock()
		w.device, w.lan = res.Device, res.LAN
		d.mu.Unlock()
		next := every
		now := w.r.Clock() // the runner's clock decides, and records, as in its own decisions
		if !res.Next.IsZero() {
			if until := res.Next.Sub(now); until > 0 && until < next {
				next = until
			}
		}
		timer.Reset(next)
		w.r.Record(w.p.Name, res, now, now.Add(next))
		signal(d.busy)
		return res.Sent || res.Asked
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
			check()
		case <-w.kick:
			// An ifup comes just after the kernel told of its address: when that
			// change was checked a moment ago, with success, the hook's SIGUSR1
			// (or a Check now) has nothing left to do.
			if inWindow && lastOK {
				log.Debug("SIGUSR1: the address change was checked just now; nothing to do")
				continue
			}
			check()
		case <-w.event:
			// The first change is acted on at once. A check that went to the
			// network opens a window in which further changes only mark one
			// more check for its end; one that did not (the old address went
			// away, the new one is not there yet) leaves the next change free
			// to act at once too.
			if inWindow {
				pending = true
				continue
			}
			if check() {
				inWindow = true
				window.Reset(coalesce)
			} else {
				log.Debug(Settled)
			}
		case <-window.C:
			inWindow = false
			if pending {
				pending = false
				if check() {
					inWindow = true
					window.Reset(coalesce)
					continue
				}
			}
			log.Debug(Settled)
		}
	}
}
