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
	ServerWait   = 30 * time.Minute // after 911, dnserr, servererror, HTTP 5xx
	BackoffMin   = time.Minute      // first retry after a network error
	BackoffMax   = 30 * time.Minute
	BadAnswerMax = 24 * time.Hour // the longest wait after answers that are not dyndns2 (30 min, doubling)
	MaxWaitSeen  = 24 * time.Hour // a NotBefore further ahead means the clock went back
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
	BadAnswers   int       // consecutive answers that were not dyndns2
	LastAttempt  time.Time
	LastAnswer   string
	// Mismatches are observed addresses the provider did not take as sent:
	// while the observed address stays the same, it is not sent again.
	Mismatches []Mismatch
}

// Mismatch is an address sent whose family the provider's answer did not
// confirm: it named another address of that family (a server that takes the
// connection's source address), or none of that family at all.
type Mismatch struct {
	Sent netip.Addr
	Held netip.Addr // what the provider holds instead; invalid: it named nothing of this family
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
	Until  time.Time    // Wait: the earliest next attempt; None: when force_interval falls due (zero: never)
	Verify bool         // Send with nothing registered: ask DNS first, it may hold the address already
	Addrs  []netip.Addr // Send: the addresses to send (the families that changed; all on force_interval)
}

// Reconcile prepares a loaded state for the profile's current settings: fp of
// all of them, target of those that say what the provider registers. Changed
// settings lift a stop, forget mismatches and reset the backoff after network
// errors and after answers that were not dyndns2 (a provider's 911 wait stays);
// a changed target forgets what was registered for the old one. A fresh state
// takes the original program's "option ip" as registered.
func Reconcile(st State, fp, target string, legacy []netip.Addr, now time.Time) State {
	if st.Fingerprint != fp {
		st.Fingerprint, st.Stop, st.Mismatches = fp, nil, nil
		if st.Failures > 0 || st.BadAnswers > 0 {
			st.Failures, st.BadAnswers, st.NotBefore = 0, 0, time.Time{}
		}
	}
	if st.Target != target {
		st.Target, st.Registered, st.RegisteredAt, st.Source, st.Mismatches = target, nil, time.Time{}, "", nil
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
		after := st.LastAnswer
		if st.RegisteredAt.Equal(st.LastAttempt) && st.Source == "provider" {
			after = "the last update (min_interval)"
		}
		return Decision{Action: Wait, Until: st.NotBefore, Reason: fmt.Sprintf("waiting until %s after %s",
			st.NotBefore.UTC().Format(time.RFC3339), after)}
	}
	return Decision{Action: Proceed}
}

// Decide says whether the observed addresses must be sent, family by family:
// those the provider does not hold, except an address it answered with a
// mismatch (not sent again while it stays the same). force is the profile's
// force_interval (0: never re-send an unchanged address): when it falls due,
// every observed address is sent.
func Decide(st State, observed []netip.Addr, now time.Time, force time.Duration) Decision {
	if d := Gate(st, now); d.Action != Proceed {
		return d
	}
	observed = sortAddrs(observed)
	if len(st.Registered) == 0 && len(st.Mismatches) == 0 {
		return Decision{Action: Send, Verify: true, Addrs: observed, Reason: fmt.Sprintf("no address on record for %s", join(observed))}
	}
	var send, from []netip.Addr
	var kept []string
	for _, a := range observed {
		if slices.Contains(st.Registered, a) {
			continue
		}
		if m, ok := mismatchOf(st, a); ok {
			kept = append(kept, m.String())
			continue
		}
		send = append(send, a)
		if old, ok := family(st.Registered, a.Is6()); ok {
			from = append(from, old)
		}
	}
	if len(send) > 0 {
		reason := fmt.Sprintf("address changed from %s to %s", join(from), join(send))
		if len(from) == 0 {
			reason = fmt.Sprintf("no address on record for %s", join(send))
		}
		return Decision{Action: Send, Addrs: send, Reason: reason}
	}
	age := now.Sub(st.RegisteredAt)
	if age < 0 {
		age = 0 // the clock went back: count the registration as fresh, never as ancient
	}
	if force > 0 && age >= force {
		return Decision{Action: Send, Addrs: observed, Reason: fmt.Sprintf("%s unchanged, but last sent %s ago (force_interval)", join(observed), age.Round(time.Hour))}
	}
	reason := fmt.Sprintf("%s already registered (%s)", join(st.Registered), st.Source)
	if len(kept) > 0 {
		reason = strings.Join(kept, "; ") + "; not sent again while the address stays the same"
		if regs := without(st.Registered, st.Mismatches); len(regs) > 0 {
			reason = fmt.Sprintf("%s already registered (%s); %s", join(regs), st.Source, reason)
		}
	}
	d := Decision{Action: None, Reason: reason}
	if force > 0 {
		d.Until = st.RegisteredAt.Add(force)
	}
	return d
}

func (m Mismatch) String() string {
	if !m.Held.IsValid() {
		return fmt.Sprintf("the provider did not confirm %s", m.Sent)
	}
	return fmt.Sprintf("the provider holds %s where %s was sent", m.Held, m.Sent)
}

func mismatchOf(st State, a netip.Addr) (Mismatch, bool) {
	for _, m := range st.Mismatches {
		if m.Sent == a {
			return m, true
		}
	}
	return Mismatch{}, false
}

// SecondLook says whether a decision must be checked by asking the checkip
// server again before anything is sent: when it is a Send and the addresses
// came from a checkip server (asked). A device's address is the kernel's word.
func SecondLook(d Decision, asked bool) bool { return d.Action == Send && asked }

// Agree decides a second look: the change stands when the second answer
// (again, or the error asking it) gives the same addresses as the first;
// otherwise nothing is sent until two answers agree, so that a checkip server
// flipping between two addresses cannot cause an update storm. The
// disagreement is said in reason.
func Agree(first, again []netip.Addr, err error) (ok bool, reason string) {
	if err == nil && slices.Equal(first, again) {
		return true, ""
	}
	why := ""
	if err != nil {
		why = err.Error()
	} else {
		why = AddrList(first) + ", then " + AddrList(again)
	}
	return false, "checkip answers disagree (" + why + "); nothing sent until two agree"
}

// AddrList writes addresses as the logs show them: "a,b".
func AddrList(a []netip.Addr) string {
	s := make([]string, len(a))
	for i, x := range a {
		s[i] = x.String()
	}
	return strings.Join(s, ",")
}

// Confirm sorts what an answer says of the addresses sent, given the addresses
// it names (held, one per family; none: it named no address, and so confirms
// all): confirmed (named as sent, or nothing named), moved (the family named
// with another address) and unconfirmed (the answer named other families only).
func Confirm(sent, held []netip.Addr) (confirmed []netip.Addr, moved []Mismatch, unconfirmed []netip.Addr) {
	if len(held) == 0 {
		return slices.Clone(sent), nil, nil
	}
	for _, a := range sent {
		h, ok := family(held, a.Is6())
		switch {
		case !ok:
			unconfirmed = append(unconfirmed, a)
		case h == a:
			confirmed = append(confirmed, a)
		default:
			moved = append(moved, Mismatch{Sent: a, Held: h})
		}
	}
	return confirmed, moved, unconfirmed
}

// OutcomeKind classifies what came of an attempt.
type OutcomeKind int

// The outcomes.
const (
	Accepted     OutcomeKind = iota // good or nochg: Addrs are registered, Moved are not as sent
	AlreadyInDNS                    // no state, and DNS already holds Addrs: nothing was sent
	Fatal                           // a fatal answer: stop
	ProviderWait                    // 911, dnserr, 5xx: wait ServerWait (or RetryAfter, if longer)
	NetworkError                    // network, timeout, TLS: exponential backoff
	BadAnswer                       // not dyndns2 (HTML, empty, unknown): 30 min, doubling to 24 h; never a stop
)

// Outcome is the result of an attempt.
type Outcome struct {
	Kind       OutcomeKind
	Addrs      []netip.Addr
	Moved      []Mismatch // Accepted: families the answer did not confirm as sent
	Code       string     // the provider's answer code, or the error
	Reason     string     // its meaning in plain words
	RetryAfter time.Duration
	MinGap     time.Duration // Accepted: the profile's min_interval, the least time before the next update
}

// Apply records an outcome. jitter in [0,1) spreads network retries.
func Apply(st State, o Outcome, now time.Time, jitter float64) State {
	switch o.Kind {
	case AlreadyInDNS:
		st.Registered, st.RegisteredAt, st.Source, st.Mismatches = sortAddrs(o.Addrs), now, "dns", nil
		return st
	}
	st.LastAttempt = now
	st.LastAnswer = o.Code
	switch o.Kind {
	case Accepted:
		for _, a := range o.Addrs {
			st.Registered = setFamily(st.Registered, a.Is6(), a)
			st.Mismatches = slices.DeleteFunc(slices.Clone(st.Mismatches), func(m Mismatch) bool { return m.Sent.Is6() == a.Is6() })
		}
		for _, m := range o.Moved {
			st.Registered = setFamily(st.Registered, m.Sent.Is6(), m.Held) // what the provider holds, or nothing
			st.Mismatches = append(slices.DeleteFunc(slices.Clone(st.Mismatches), func(x Mismatch) bool { return x.Sent.Is6() == m.Sent.Is6() }), m)
		}
		st.RegisteredAt, st.Source = now, "provider"
		st.Stop, st.NotBefore, st.Failures, st.BadAnswers = nil, time.Time{}, 0, 0
		if o.MinGap > 0 {
			st.NotBefore = now.Add(o.MinGap)
		}
	case Fatal:
		st.Stop = &Stop{Code: o.Code, Reason: o.Reason, At: now}
		st.Failures, st.BadAnswers = 0, 0
	case ProviderWait:
		wait := max(ServerWait, min(o.RetryAfter, MaxWaitSeen))
		st.NotBefore, st.Failures, st.BadAnswers = now.Add(wait), 0, 0
	case NetworkError:
		st.Failures++
		st.NotBefore = now.Add(Backoff(st.Failures, jitter))
	case BadAnswer:
		st.BadAnswers++
		st.Failures = 0
		st.NotBefore = now.Add(BadAnswerWait(st.BadAnswers))
	}
	return st
}

// BadAnswerWait is the wait after the n-th consecutive answer that is not
// dyndns2: 30 minutes, doubling, at most 24 hours.
func BadAnswerWait(n int) time.Duration {
	if n >= 7 {
		return BadAnswerMax
	}
	return min(BadAnswerMax, ServerWait<<max(n-1, 0))
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

// family returns the address of a family (v6: IPv6) in a.
func family(a []netip.Addr, v6 bool) (netip.Addr, bool) {
	for _, x := range a {
		if x.Is6() == v6 {
			return x, true
		}
	}
	return netip.Addr{}, false
}

// setFamily replaces the address of a family in a with x (invalid: removes it).
func setFamily(a []netip.Addr, v6 bool, x netip.Addr) []netip.Addr {
	out := slices.DeleteFunc(slices.Clone(a), func(y netip.Addr) bool { return y.Is6() == v6 })
	if x.IsValid() {
		out = append(out, x)
	}
	return sortAddrs(out)
}

// without is a without the families that have a mismatch.
func without(a []netip.Addr, ms []Mismatch) []netip.Addr {
	return slices.DeleteFunc(slices.Clone(a), func(x netip.Addr) bool {
		return slices.ContainsFunc(ms, func(m Mismatch) bool { return m.Sent.Is6() == x.Is6() })
	})
}

// sortAddrs orders a few addresses (IPv4 first) without duplicates; an
// insertion sort, as there are one or two (slices.SortFunc would add its
// whole generic sort for netip.Addr to the binary).
func sortAddrs(a []netip.Addr) []netip.Addr {
	out := make([]netip.Addr, 0, len(a))
	for _, x := range a {
		i := 0
		for i < len(out) && out[i].Compare(x) < 0 {
			i++
		}
		if i < len(out) && out[i] == x {
			continue
		}
		out = append(out, netip.Addr{})
		copy(out[i+1:], out[i:])
		out[i] = x
	}
	return out
}

func join(a []netip.Addr) string {
	s := make([]string, len(a))
	for i, x := range a {
		s[i] = x.String()
	}
	return strings.Join(s, ",")
}
