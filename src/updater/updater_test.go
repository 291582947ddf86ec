package updater

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"
)

var (
	t0    = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	a     = netip.MustParseAddr("203.0.113.7")
	b     = netip.MustParseAddr("203.0.113.8")
	v6    = netip.MustParseAddr("2001:db8::7")
	force = 25 * 24 * time.Hour
)

func addrs(x ...netip.Addr) []netip.Addr { return x }

func TestDecide(t *testing.T) {
	registered := State{Fingerprint: "fp", Registered: addrs(a), RegisteredAt: t0, Source: "provider"}
	for _, tc := range []struct {
		name   string
		st     State
		obs    []netip.Addr
		now    time.Time
		force  time.Duration
		want   Action
		verify bool
		reason string
	}{
		{"first run asks DNS", State{Fingerprint: "fp"}, addrs(a), t0, force, Send, true, "no address on record"},
		{"unchanged", registered, addrs(a), t0.Add(time.Hour), force, None, false, "already registered"},
		{"changed", registered, addrs(b), t0.Add(time.Hour), force, Send, false, "from 203.0.113.7 to 203.0.113.8"},
		{"force interval passed", registered, addrs(a), t0.Add(force), force, Send, false, "force_interval"},
		{"just before force", registered, addrs(a), t0.Add(force - time.Second), force, None, false, ""},
		{"force 0 never resends", registered, addrs(a), t0.Add(10 * force), 0, None, false, ""},
		{"clock went back", registered, addrs(a), t0.Add(-365 * 24 * time.Hour), force, None, false, ""},
		{"family added: only it is sent", registered, addrs(v6, a), t0, force, Send, false, "no address on record for 2001:db8::7"},
		{"order does not matter", State{Registered: addrs(a, v6), RegisteredAt: t0}, addrs(v6, a), t0, force, None, false, ""},
		{"stopped", State{Registered: addrs(a), Stop: &Stop{Code: "badauth", Reason: "username or password wrong", At: t0}}, addrs(b), t0.Add(time.Hour), force, Stopped, false, "badauth: username or password wrong"},
		{"server wait", State{Registered: addrs(a), NotBefore: t0.Add(30 * time.Minute), LastAnswer: "911"}, addrs(b), t0.Add(29 * time.Minute), force, Wait, false, "after 911"},
		{"server wait over", State{Registered: addrs(a), NotBefore: t0.Add(30 * time.Minute)}, addrs(b), t0.Add(30 * time.Minute), force, Send, false, ""},
		{"wait absurdly far ahead: clock went back", State{Registered: addrs(a), NotBefore: t0.Add(400 * 24 * time.Hour)}, addrs(b), t0, force, Send, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide(tc.st, tc.obs, tc.now, tc.force)
			if d.Action != tc.want || d.Verify != tc.verify || !strings.Contains(d.Reason, tc.reason) {
				t.Errorf("Decide = %+v; want %v verify=%v reason containing %q", d, tc.want, tc.verify, tc.reason)
			}
			if d.Action == Send && len(d.Addrs) == 0 {
				t.Errorf("Send without addresses: %+v", d)
			}
		})
	}
}

func TestGateNeedsNoObservation(t *testing.T) {
	if d := Gate(State{Stop: &Stop{Code: "abuse"}}, t0); d.Action != Stopped {
		t.Errorf("Gate on a stop = %v", d.Action)
	}
	if d := Gate(State{NotBefore: t0.Add(time.Minute)}, t0); d.Action != Wait || !d.Until.Equal(t0.Add(time.Minute)) {
		t.Errorf("Gate during a wait = %+v", d)
	}
	if d := Gate(State{}, t0); d.Action != Proceed {
		t.Errorf("Gate on a fresh state = %v", d.Action)
	}
}

func TestApply(t *testing.T) {
	st := State{Fingerprint: "fp", Failures: 3, NotBefore: t0}
	st = Apply(st, Outcome{Kind: Accepted, Addrs: addrs(v6, a), Code: "good"}, t0, 0)
	if len(st.Registered) != 2 || st.Registered[0] != a || !st.RegisteredAt.Equal(t0) || st.Failures != 0 ||
		!st.NotBefore.IsZero() || st.Source != "provider" || st.LastAnswer != "good" {
		t.Errorf("after good: %+v", st)
	}
	if d := Decide(st, addrs(a, v6), t0.Add(time.Minute), force); d.Action != None {
		t.Errorf("right after good the same address must not be sent again: %+v", d)
	}

	w := Apply(st, Outcome{Kind: ProviderWait, Code: "911"}, t0, 0)
	if !w.NotBefore.Equal(t0.Add(30*time.Minute)) || len(w.Registered) != 2 {
		t.Errorf("after 911: %+v", w)
	}
	if w = Apply(st, Outcome{Kind: ProviderWait, Code: "server-error", RetryAfter: 2 * time.Hour}, t0, 0); !w.NotBefore.Equal(t0.Add(2 * time.Hour)) {
		t.Errorf("a longer Retry-After must be honoured: %v", w.NotBefore)
	}
	if w = Apply(st, Outcome{Kind: ProviderWait, RetryAfter: time.Minute}, t0, 0); !w.NotBefore.Equal(t0.Add(30 * time.Minute)) {
		t.Errorf("a shorter Retry-After must not shorten the 30 min: %v", w.NotBefore)
	}

	f := Apply(st, Outcome{Kind: Fatal, Code: "badauth", Reason: "wrong"}, t0, 0)
	if f.Stop == nil || f.Stop.Code != "badauth" {
		t.Errorf("after badauth: %+v", f)
	}
	if d := Decide(f, addrs(b), t0.Add(1000*time.Hour), force); d.Action != Stopped {
		t.Errorf("a stop must outlast any time: %v", d.Action)
	}

	inDNS := Apply(State{Fingerprint: "fp"}, Outcome{Kind: AlreadyInDNS, Addrs: addrs(a)}, t0, 0)
	if inDNS.Source != "dns" || !inDNS.LastAttempt.IsZero() {
		t.Errorf("DNS holding the address is not an attempt: %+v", inDNS)
	}
	if d := Decide(inDNS, addrs(a), t0.Add(time.Hour), force); d.Action != None {
		t.Errorf("after DNS agreed, nothing is sent: %v", d.Action)
	}
}

// TestMinInterval: a provider's min_interval holds the next update back after
// an accepted one, whatever the address does meanwhile; then it goes.
func TestMinInterval(t *testing.T) {
	st := Apply(State{Fingerprint: "fp"}, Outcome{Kind: Accepted, Addrs: addrs(a), Code: "good", MinGap: 30 * time.Minute}, t0, 0)
	for _, tc := range []struct {
		after time.Duration
		want  Action
	}{{time.Minute, Wait}, {29*time.Minute + 59*time.Second, Wait}, {30 * time.Minute, Send}} {
		d := Decide(st, addrs(b), t0.Add(tc.after), force)
		if d.Action != tc.want {
			t.Errorf("%v after good, a new address: %+v; want %v", tc.after, d, tc.want)
		}
		if d.Action == Wait && (!d.Until.Equal(t0.Add(30*time.Minute)) || !strings.Contains(d.Reason, "min_interval")) {
			t.Errorf("the wait says why and until when: %+v", d)
		}
	}
	// Without min_interval the change goes at once; other waits keep their reasons.
	if d := Decide(Apply(State{}, Outcome{Kind: Accepted, Addrs: addrs(a), Code: "good"}, t0, 0), addrs(b), t0.Add(time.Minute), force); d.Action != Send {
		t.Errorf("no min_interval: %+v", d)
	}
	w := Apply(st, Outcome{Kind: ProviderWait, Code: "911"}, t0.Add(time.Hour), 0)
	if d := Gate(w, t0.Add(time.Hour+time.Minute)); !strings.Contains(d.Reason, "after 911") {
		t.Errorf("a 911 wait after an update: %+v", d)
	}
}

func TestBackoff(t *testing.T) {
	st := State{}
	var last time.Duration
	for n := 1; n <= 8; n++ {
		st = Apply(st, Outcome{Kind: NetworkError, Code: "timeout"}, t0, 0)
		got := st.NotBefore.Sub(t0)
		want := min(BackoffMax, BackoffMin<<(n-1))
		if got != want || got < last {
			t.Errorf("failure %d: wait %v, want %v", n, got, want)
		}
		last = got
	}
	for _, j := range []float64{0, 0.5, 0.999} {
		d := Backoff(3, j)
		if d > 4*time.Minute || d < 3*time.Minute {
			t.Errorf("Backoff(3, %v) = %v, want 3..4 min", j, d)
		}
	}
	if Backoff(100, 0) != BackoffMax {
		t.Error("backoff must cap at 30 min")
	}
}

func TestReconcile(t *testing.T) {
	stopped := State{Fingerprint: "old", Target: "old", Registered: addrs(a), Stop: &Stop{Code: "badauth"}}
	if st := Reconcile(stopped, "old", "old", nil, t0); st.Stop == nil {
		t.Error("same settings: the stop stays")
	}
	if st := Reconcile(stopped, "new", "new", nil, t0); st.Stop != nil || len(st.Registered) != 0 || st.Fingerprint != "new" {
		t.Errorf("changed settings clear the stop and what was registered for the old ones: %+v", st)
	}
	if st := Reconcile(stopped, "new", "old", nil, t0); st.Stop != nil || len(st.Registered) != 1 {
		t.Errorf("a change that leaves server, account and host names alone (a new password) keeps the registration: %+v", st)
	}
	waiting := State{Fingerprint: "old", NotBefore: t0.Add(10 * time.Minute)}
	if st := Reconcile(waiting, "new", "new", nil, t0); !st.NotBefore.Equal(waiting.NotBefore) {
		t.Error("a provider's 30-minute wait outlives a settings change")
	}
	backoff := State{Fingerprint: "old", NotBefore: t0.Add(10 * time.Minute), Failures: 2}
	if st := Reconcile(backoff, "new", "new", nil, t0); !st.NotBefore.IsZero() {
		t.Error("a network backoff is reset by a settings change")
	}
	st := Reconcile(State{}, "fp", "fp", addrs(a), t0)
	if len(st.Registered) != 1 || st.Source != "option ip" {
		t.Errorf("option ip is read when no state exists: %+v", st)
	}
	if st := Reconcile(State{Fingerprint: "fp", Target: "fp", Registered: addrs(b), LastAttempt: t0}, "fp", "fp", addrs(a), t0); st.Registered[0] != b {
		t.Error("option ip must not override the state")
	}
}

// TestClockJumps: a clock that jumps back does not freeze the schedule; one
// that jumps forward (NTP after a boot in 1970) ends waits as it should.
func TestClockJumps(t *testing.T) {
	registered := State{Fingerprint: "fp", Target: "fp", Registered: addrs(a), RegisteredAt: t0, Source: "provider"}
	back := t0.Add(-365 * 24 * time.Hour)
	st := Reconcile(registered, "fp", "fp", nil, back)
	if !st.RegisteredAt.Equal(back) {
		t.Fatalf("after a jump back, force_interval counts from now: %v", st.RegisteredAt)
	}
	if d := Decide(st, addrs(a), back.Add(force), force); d.Action != Send {
		t.Errorf("force_interval after the jump: %+v", d)
	}
	waiting := State{Fingerprint: "fp", Target: "fp", NotBefore: t0.Add(30 * time.Minute)}
	if st := Reconcile(waiting, "fp", "fp", nil, back); !st.NotBefore.IsZero() {
		t.Error("a wait that the jump made a year long is dropped")
	}
	boot := time.Unix(60, 0).UTC() // 1970, no RTC
	failed := Apply(State{Fingerprint: "fp"}, Outcome{Kind: NetworkError, Code: "certificate not yet valid"}, boot, 0)
	if d := Gate(failed, t0); d.Action != Proceed {
		t.Errorf("after NTP sets the clock the retry is due at once: %+v", d)
	}
}

// TestDecidePerFamily: each family is sent when it changed, alone; a mismatch
// the provider answered keeps its address from being sent again while it stays.
func TestDecidePerFamily(t *testing.T) {
	v6b := netip.MustParseAddr("2001:db8::8")
	both := State{Registered: addrs(a, v6), RegisteredAt: t0, Source: "provider"}
	for _, tc := range []struct {
		name string
		st   State
		obs  []netip.Addr
		now  time.Time
		want Action
		send []netip.Addr
	}{
		{"v6 changed", both, addrs(a, v6b), t0, Send, addrs(v6b)},
		{"v4 changed", both, addrs(b, v6), t0, Send, addrs(b)},
		{"both changed", both, addrs(b, v6b), t0, Send, addrs(b, v6b)},
		{"force_interval sends every family", both, addrs(a, v6), t0.Add(force), Send, addrs(a, v6)},
		{"held elsewhere: not sent again", State{Registered: addrs(b, v6), RegisteredAt: t0, Mismatches: []Mismatch{{Sent: a, Held: b}}}, addrs(a, v6), t0.Add(time.Hour), None, nil},
		{"not confirmed: not sent again", State{Registered: addrs(a), RegisteredAt: t0, Mismatches: []Mismatch{{Sent: v6}}}, addrs(a, v6), t0.Add(time.Hour), None, nil},
		{"a new address after a mismatch is sent", State{Registered: addrs(a), RegisteredAt: t0, Mismatches: []Mismatch{{Sent: v6}}}, addrs(a, v6b), t0.Add(time.Hour), Send, addrs(v6b)},
		{"only a mismatch on record: no DNS check, nothing sent", State{RegisteredAt: t0, Mismatches: []Mismatch{{Sent: a}}}, addrs(a), t0.Add(time.Hour), None, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide(tc.st, tc.obs, tc.now, force)
			if d.Action != tc.want || fmt.Sprint(d.Addrs) != fmt.Sprint(tc.send) || d.Verify {
				t.Errorf("Decide = %+v; want %v sending %v", d, tc.want, tc.send)
			}
		})
	}
}

func TestConfirm(t *testing.T) {
	c := netip.MustParseAddr("203.0.113.9")
	for _, tc := range []struct {
		name             string
		sent, held       []netip.Addr
		confirmed, uncnf []netip.Addr
		moved            []Mismatch
	}{
		{"named as sent", addrs(a), addrs(a), addrs(a), nil, nil},
		{"nothing named confirms all", addrs(a, v6), nil, addrs(a, v6), nil, nil},
		{"only IPv4 named for both", addrs(a, v6), addrs(a), addrs(a), addrs(v6), nil},
		{"source address instead", addrs(a), addrs(c), nil, nil, []Mismatch{{Sent: a, Held: c}}},
		{"v6 request answered with v4", addrs(v6), addrs(c), nil, addrs(v6), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conf, moved, unc := Confirm(tc.sent, tc.held)
			if fmt.Sprint(conf) != fmt.Sprint(tc.confirmed) || fmt.Sprint(moved) != fmt.Sprint(tc.moved) || fmt.Sprint(unc) != fmt.Sprint(tc.uncnf) {
				t.Errorf("Confirm = %v %v %v; want %v %v %v", conf, moved, unc, tc.confirmed, tc.moved, tc.uncnf)
			}
		})
	}
}

// TestApplyMoved: what the provider holds is recorded, the mismatch kept; a
// family confirmed later clears it; a family not confirmed is not registered.
func TestApplyMoved(t *testing.T) {
	c := netip.MustParseAddr("203.0.113.9")
	st := State{Registered: addrs(b, v6), RegisteredAt: t0}
	st = Apply(st, Outcome{Kind: Accepted, Moved: []Mismatch{{Sent: a, Held: c}}, Code: "good 203.0.113.9"}, t0, 0)
	if fmt.Sprint(st.Registered) != fmt.Sprint(addrs(c, v6)) || len(st.Mismatches) != 1 || st.Mismatches[0].Held != c {
		t.Errorf("after a moved answer: %+v", st)
	}
	st = Apply(st, Outcome{Kind: Accepted, Moved: []Mismatch{{Sent: netip.MustParseAddr("2001:db8::8")}}, Code: "good 203.0.113.9"}, t0, 0)
	if fmt.Sprint(st.Registered) != fmt.Sprint(addrs(c)) || len(st.Mismatches) != 2 {
		t.Errorf("after an unconfirmed family: %+v", st)
	}
	st = Apply(st, Outcome{Kind: Accepted, Addrs: addrs(b), Code: "good 203.0.113.8"}, t0, 0)
	if fmt.Sprint(st.Registered) != fmt.Sprint(addrs(b)) || len(st.Mismatches) != 1 || !st.Mismatches[0].Sent.Is6() {
		t.Errorf("a confirmed family clears its mismatch only: %+v", st)
	}
	if r := Reconcile(st, "other", st.Target, nil, t0); len(r.Mismatches) != 0 {
		t.Error("changed settings forget mismatches")
	}
}

// TestBadAnswers: answers that are not dyndns2 wait 30 min, doubling to 24 h,
// and never stop; a dyndns2 answer or changed settings end the backoff.
func TestBadAnswers(t *testing.T) {
	st := State{Fingerprint: "fp"}
	var waits []time.Duration
	for i := 0; i < 8; i++ {
		st = Apply(st, Outcome{Kind: BadAnswer, Code: "<html>"}, t0, 0)
		waits = append(waits, st.NotBefore.Sub(t0))
		if st.Stop != nil {
			t.Fatal("an answer that is not dyndns2 must never stop the profile")
		}
	}
	want := []time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 16 * time.Hour, 24 * time.Hour, 24 * time.Hour}
	if fmt.Sprint(waits) != fmt.Sprint(want) {
		t.Errorf("waits %v, want %v", waits, want)
	}
	if d := Gate(st, t0.Add(24*time.Hour-time.Second)); d.Action != Wait {
		t.Errorf("a 24 h wait is honoured: %+v", d)
	}
	if r := Reconcile(st, "changed", "", nil, t0); r.BadAnswers != 0 || !r.NotBefore.IsZero() {
		t.Errorf("changed settings end the backoff: %+v", r)
	}
	if a := Apply(st, Outcome{Kind: Accepted, Addrs: addrs(a)}, t0, 0); a.BadAnswers != 0 {
		t.Error("a good answer ends the backoff")
	}
}

func TestSecondLookAndAgree(t *testing.T) {
	a, b := netip.MustParseAddr("203.0.113.1"), netip.MustParseAddr("203.0.113.2")
	six := netip.MustParseAddr("2001:db8::1")
	for _, tc := range []struct {
		name   string
		d      Decision
		asked  bool
		second bool
	}{
		{"a change read from checkip is looked at again", Decision{Action: Send}, true, true},
		{"a device's address is the kernel's word", Decision{Action: Send}, false, false},
		{"nothing to send: no second look", Decision{Action: None}, true, false},
		{"a wait: no second look", Decision{Action: Wait}, true, false},
	} {
		if got := SecondLook(tc.d, tc.asked); got != tc.second {
			t.Errorf("%s: %v", tc.name, got)
		}
	}
	for _, tc := range []struct {
		name         string
		first, again []netip.Addr
		err          error
		ok           bool
		reason       string
	}{
		{"the same answer", []netip.Addr{a}, []netip.Addr{a}, nil, true, ""},
		{"both families, the same", []netip.Addr{a, six}, []netip.Addr{a, six}, nil, true, ""},
		{"a flipping server", []netip.Addr{a}, []netip.Addr{b}, nil, false, "checkip answers disagree (203.0.113.1, then 203.0.113.2); nothing sent until two agree"},
		{"one family gone", []netip.Addr{a, six}, []netip.Addr{a}, nil, false, "checkip answers disagree (203.0.113.1,2001:db8::1, then 203.0.113.1); nothing sent until two agree"},
		{"the second look failed", []netip.Addr{a}, nil, errors.New("checkip failed: timeout"), false, "checkip answers disagree (checkip failed: timeout); nothing sent until two agree"},
	} {
		ok, reason := Agree(tc.first, tc.again, tc.err)
		if ok != tc.ok || reason != tc.reason {
			t.Errorf("%s: %v %q", tc.name, ok, reason)
		}
	}
}
