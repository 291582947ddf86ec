// Package updater holds the pure decisions of a profile: given what it remembers,
// what it observes now and the time, whether to send an update, wait, or stay
// stopped; and how an outcome changes what it remembers. No I/O happens here.
package updater

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// Waits and backoff, from the providers' client rules.
const (
	ServerWait  = 30 * time.Minute // after 911, dnserr, HTTP 5xx
	BackoffMin  = time.Minute      // first retry after a network error
	BackoffMax  = 30 * time.Minute
	MaxWaitSeen = 24 * time.Hour // a NotBefore further ahead means the clock went back
)

// State is what a profile remembers between runs (package state stores it).
type State struct {
	Fingerprint  string       // of all the profile's settings: a change lifts a stop
	Target       string       // of what the provider registers (server, account, host names): a change forgets Registered
	Registered   []netip.Addr // what the provider holds, IPv4 first
	RegisteredAt time.Time
	Source       string // how Registered was learnt: provider, dns, option ip
	Stop         *Stop
	NotBefore    time.Time // no attempt before this
	Failures     int       // consecutive network failures
	LastAttempt  time.Time
	LastAnswer   string
}

// Stop is a fatal answer: nothing is sent until the settings change.
type Stop struct {
	Code   string
	Reason string
	At     time.Time
}

// Action is what to do now.
type Action int

// The actions.
const (
	Proceed Action = iota // from Gate: go on and observe the address
	Send                  // send an update
	None                  // the provider holds the address; nothing to send
	Wait                  // an earlier answer or failure asks to wait until Decision.Until
	Stopped               // a fatal answer stops the profile until its settings change
)

func (a Action) String() string {
	return [...]string{"proceed", "send", "none", "wait", "stopped"}[a]
}

// Decision is an action with its reason in plain words.
type Decision struct {
	Action Action
	Reason string
	Until  time.Time // Wait: the earliest next attempt; None: when force_interval falls due (zero: never)
	Verify bool      // Send with nothing registered: ask DNS first, it may hold the address already
}

// Reconcile prepares a loaded state for the profile's current settings: fp of
// all of them, target of those that say what the provider registers. Changed
// settings lift a stop and reset a network backoff (a provider's 911 wait
// stays); a changed target forgets what was registered for the old one. A fresh
// state takes the original program's "option ip" as registered.
func Reconcile(st State, fp, target string, legacy []netip.Addr, now time.Time) State {
	if st.Fingerprint != fp {
		st.Fingerprint, st.Stop = fp, nil
		if st.Failures > 0 {
			st.Failures, st.NotBefore = 0, time.Time{}
		}
	}
	if st.Target != target {
		st.Target, st.Registered, st.RegisteredAt, st.Source = target, nil, time.Time{}, ""
	}
	if st.RegisteredAt.After(now.Add(time.Minute)) {
		// The clock went back (a router without RTC, NTP correcting): count
		// force_interval from now instead of waiting for the clock to catch up.
		st.RegisteredAt = now
	}
	if wait := st.NotBefore.Sub(now); wait > MaxWaitSeen {
		st.NotBefore = time.Time{}
	}
	if len(st.Registered) == 0 && st.Stop == nil && len(legacy) > 0 && st.LastAttempt.IsZero() {
		st.Registered = sortAddrs(legacy)
		st.RegisteredAt = now
		st.Source = "option ip"
	}
	return st
}

// Gate decides what can be decided before observing the address: a stop or a wait.
func Gate(st State, now time.Time) Decision {
	if st.Stop != nil {
		return Decision{Action: Stopped, Reason: fmt.Sprintf("stopped since %s by the answer %s: %s; save changed settings to resume",
			st.Stop.At.UTC().Format(time.RFC3339), st.Stop.Code, st.Stop.Reason)}
	}
	if wait := st.NotBefore.Sub(now); wait > 0 && wait <= MaxWaitSeen {
		return Decision{Action: Wait, Until: st.NotBefore, Reason: fmt.Sprintf("waiting until %s after %s",
			st.NotBefore.UTC().Format(time.RFC3339), st.LastAnswer)}
	}
	return Decision{Action: Proceed}
}

// Decide says whether the observed addresses must be sent. force is the profile's
// force_interval (0: never re-send an unchanged address).
func Decide(st State, observed []netip.Addr, now time.Time, force time.Duration) Decision {
	if d := Gate(st, now); d.Action != Proceed {
		return d
	}
	observed = sortAddrs(observed)
	switch {
	case len(st.Registered) == 0:
		return Decision{Action: Send, Verify: true, Reason: fmt.Sprintf("no address on record for %s", join(observed))}
	case !slices.Equal(observed, st.Registered):
		return Decision{Action: Send, Reason: fmt.Sprintf("address changed from %s to %s", join(st.Registered), join(observed))}
	}
	age := now.Sub(st.RegisteredAt)
	if age < 0 {
		age = 0 // the clock went back: count the registration as fresh, never as ancient
	}
	if force > 0 && age >= force {
		return Decision{Action: Send, Reason: fmt.Sprintf("%s unchanged, but last sent %s ago (force_interval)", join(observed), age.Round(time.Hour))}
	}
	d := Decision{Action: None, Reason: fmt.Sprintf("%s already registered (%s)", join(observed), st.Source)}
	if force > 0 {
		d.Until = st.RegisteredAt.Add(force)
	}
	return d
}

// OutcomeKind classifies what came of an attempt.
type OutcomeKind int

// The outcomes.
const (
	Accepted     OutcomeKind = iota // good or nochg: Addrs are registered
	AlreadyInDNS                    // no state, and DNS already holds Addrs: nothing was sent
	Fatal                           // a fatal answer: stop
	ProviderWait                    // 911, dnserr, 5xx: wait ServerWait (or RetryAfter, if longer)
	NetworkError                    // network, timeout, TLS: exponential backoff
)

// Outcome is the result of an attempt.
type Outcome struct {
	Kind       OutcomeKind
	Addrs      []netip.Addr
	Code       string // the provider's answer code, or the error
	Reason     string // its meaning in plain words
	RetryAfter time.Duration
}

// Apply records an outcome. jitter in [0,1) spreads network retries.
func Apply(st State, o Outcome, now time.Time, jitter float64) State {
	switch o.Kind {
	case AlreadyInDNS:
		st.Registered, st.RegisteredAt, st.Source = sortAddrs(o.Addrs), now, "dns"
		return st
	}
	st.LastAttempt = now
	st.LastAnswer = o.Code
	switch o.Kind {
	case Accepted:
		st.Registered, st.RegisteredAt, st.Source = sortAddrs(o.Addrs), now, "provider"
		st.Stop, st.NotBefore, st.Failures = nil, time.Time{}, 0
	case Fatal:
		st.Stop = &Stop{Code: o.Code, Reason: o.Reason, At: now}
		st.Failures = 0
	case ProviderWait:
		wait := max(ServerWait, min(o.RetryAfter, MaxWaitSeen))
		st.NotBefore, st.Failures = now.Add(wait), 0
	case NetworkError:
		st.Failures++
		st.NotBefore = now.Add(Backoff(st.Failures, jitter))
	}
	return st
}

// Backoff is the wait after the n-th consecutive network failure: 1 min doubling
// to 30 min, shortened by up to a quarter by jitter in [0,1).
func Backoff(n int, jitter float64) time.Duration {
	d := BackoffMax
	if n < 6 {
		d = min(BackoffMax, BackoffMin<<max(n-1, 0))
	}
	return d - time.Duration(float64(d)*jitter/4)
}

func sortAddrs(a []netip.Addr) []netip.Addr {
	out := slices.Clone(a)
	slices.SortFunc(out, func(x, y netip.Addr) int { return x.Compare(y) })
	return slices.Compact(out)
}

func join(a []netip.Addr) string {
	s := make([]string, len(a))
	for i, x := range a {
		s[i] = x.String()
	}
	return strings.Join(s, ",")
}
