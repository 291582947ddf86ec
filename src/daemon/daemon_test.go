package daemon

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"ddns-updater/src/config"
	"ddns-updater/src/dyndns2"
	"ddns-updater/src/ipsource"
	"ddns-updater/src/lanhost"
	"ddns-updater/src/logx"
	"ddns-updater/src/netifd"
	"ddns-updater/src/notify"
	"ddns-updater/src/rtnl"
	"ddns-updater/src/runner"
	"ddns-updater/src/state"
)

// world is everything outside the daemon, in memory, for tests in a synctest
// bubble: time is fake, so timers of minutes pass at once.
type world struct {
	t        *testing.T
	mu       sync.Mutex
	conf     string // UCI text Load returns
	ip       netip.Addr
	devAddr  netip.Addr // the address of device wan0
	lookups  int
	requests map[string][]string // profile's first host name → myip of each request
	answer   string
	block    bool // the provider answers only when the request is cancelled
	events   chan string
	sigs     chan os.Signal
	logs     strings.Builder
	stateDir string
}

func newWorld(t *testing.T, conf string) *world {
	return &world{t: t, conf: conf, ip: netip.MustParseAddr("203.0.113.7"), devAddr: netip.MustParseAddr("198.51.100.7"),
		requests: map[string][]string{}, answer: "good", events: make(chan string, 100), sigs: make(chan os.Signal, 10),
		stateDir: t.TempDir()}
}

func (w *world) Lookup(ctx context.Context, url string, v6, anywhere bool) (netip.Addr, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lookups++
	return w.ip, nil
}

func (w *world) Update(ctx context.Context, r dyndns2.Request) (dyndns2.Answer, error) {
	w.mu.Lock()
	w.requests[r.Hostnames[0]] = append(w.requests[r.Hostnames[0]], r.IPs[0].String())
	block, answer := w.block, w.answer
	w.mu.Unlock()
	if block {
		<-ctx.Done()
		return dyndns2.Answer{}, ctx.Err()
	}
	return dyndns2.ParseAnswer(200, []byte(answer), r.Hostnames), nil
}

func (w *world) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func (w *world) Status(ctx context.Context, name string) (netifd.Status, error) {
	return netifd.Status{Up: true, L3Device: "wan0"}, nil
}

func (w *world) LinkUp(string) bool { return true }

func (w *world) Leases(context.Context) ([]lanhost.Lease, error) { return nil, nil }

func (w *world) Addrs(dev string) ([]rtnl.Addr, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if dev != "wan0" {
		return nil, false
	}
	if !w.devAddr.IsValid() {
		return nil, true // the old address went away, the new one is not there yet
	}
	return []rtnl.Addr{{IP: w.devAddr, Flags: rtnl.FlagPermanent, Preferred: rtnl.Forever, Valid: rtnl.Forever}}, true
}

func (w *world) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.logs.Write(p)
}

func (w *world) log() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.logs.String()
}

func (w *world) counts(host string) (lookups, requests int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lookups, len(w.requests[host])
}

func (w *world) set(f func()) {
	w.mu.Lock()
	f()
	w.mu.Unlock()
}

// reconnect is PPPoE reconnecting: the device loses its address, then gets ip;
// each step is a kernel notification.
func (w *world) reconnect(ip string) {
	w.set(func() { w.devAddr = netip.Addr{} })
	w.events <- "wan0"
	synctest.Wait()
	w.set(func() { w.devAddr = netip.MustParseAddr(ip) })
	w.events <- "wan0"
	synctest.Wait()
}

func (w *world) daemon() *Daemon {
	log := logx.New(w, logx.Debug)
	return &Daemon{
		Load: func() (*config.Config, error) {
			w.mu.Lock()
			text := w.conf
			w.mu.Unlock()
			return config.Parse("/etc/config/ddns-updater", []byte(text))
		},
		NewRunner: func(cfg *config.Config) *runner.Runner {
			return &runner.Runner{
				Store:  state.Open(w.stateDir),
				Ifaces: w,
				Clients: func(p *config.Profile) (runner.Clients, error) {
					return runner.Clients{Web: w, Provider: w, DNS: w}, nil
				},
				Log: log, Policy: ipsource.Policy{AllowDocumentation: true},
			}
		},
		Watch: func(ctx context.Context, ready func(), changed func(string)) error {
			ready()
			for {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case dev := <-w.events:
					changed(dev)
				}
			}
		},
		Log: log,
	}
}

// start runs the daemon in the bubble; the returned func stops it with SIGTERM.
func (w *world) start() (stop func()) {
	d := w.daemon()
	done := make(chan error, 1)
	go func() { done <- d.Run(context.Background(), w.sigs) }()
	synctest.Wait()
	return func() {
		w.sigs <- syscall.SIGTERM
		if err := <-done; err != nil {
			w.t.Errorf("Run: %v", err)
		}
	}
}

func profile(name, host, extra string) string {
	return fmt.Sprintf("config profile '%s'\n\toption enabled 1\n\toption server provider.example\n\toption username u\n"+
		"\toption password p\n\toption hostname %s\n%s\n", name, host, extra)
}

func TestTimerAndFirstCheck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, profile("home", "home.example.com", "\toption ip_source web"))
		stop := w.start()
		defer stop()
		if l, r := w.counts("home.example.com"); l != 2 || r != 1 {
			t.Fatalf("at start: %d lookups (a second one confirms a change), %d requests\n%s", l, r, w.log())
		}
		started := len(w.log())
		time.Sleep(10*time.Minute - time.Second)
		synctest.Wait()
		if l, _ := w.counts("home.example.com"); l != 2 {
			t.Errorf("checked before check_interval: %d lookups", l)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if l, r := w.counts("home.example.com"); l != 3 || r != 1 {
			t.Errorf("after check_interval: %d lookups, %d requests (an unchanged address is not re-sent)", l, r)
		}
		if strings.Contains(w.log()[started:], "info:") {
			t.Errorf("info lines while nothing changed:\n%s", w.log())
		}
	})
}

func TestWebIntervalFloor(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, profile("home", "home.example.com", "\toption ip_source web\n\toption check_interval 1m"))
		stop := w.start()
		defer stop()
		time.Sleep(4 * time.Minute)
		synctest.Wait()
		if l, _ := w.counts("home.example.com"); l != 2 {
			t.Errorf("a checkip server was asked %d times in 4 minutes (2: the first answer and its confirmation)", l)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if l, _ := w.counts("home.example.com"); l != 3 {
			t.Errorf("%d lookups after 5 minutes", l)
		}
		if !strings.Contains(w.log(), "check_interval 1m is below 5m") {
			t.Errorf("no warning:\n%s", w.log())
		}
	})
}

func TestAddressChangeActsAtOnceAndCoalesces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, profile("home", "home.example.com", "\toption device wan0\n\toption ip_source interface"))
		stop := w.start()
		defer stop()
		if _, r := w.counts("home.example.com"); r != 1 {
			t.Fatalf("initial update: %d", r)
		}
		w.set(func() { w.devAddr = netip.MustParseAddr("198.51.100.8") })
		w.events <- "wan0"
		synctest.Wait() // no time passes: the update goes out at once
		if _, r := w.counts("home.example.com"); r != 2 {
			t.Fatalf("the first change must be acted on at once: %d requests", r)
		}
		// PPPoE reconnects: the old address goes, then the new one comes; the
		// check of the first event went nowhere, so the second acts at once.
		w.reconnect("198.51.100.9")
		if _, r := w.counts("home.example.com"); r != 2 {
			t.Fatalf("within the window after an update, a change waits for its end: %d requests", r)
		}
		time.Sleep(DefaultCoalesce)
		synctest.Wait()
		if _, r := w.counts("home.example.com"); r != 3 {
			t.Fatalf("at the window's end the new address goes out: %d requests", r)
		}
		time.Sleep(DefaultCoalesce)
		synctest.Wait()
		w.reconnect("198.51.100.10")
		if _, r := w.counts("home.example.com"); r != 4 {
			t.Fatalf("outside a window, remove-then-add must act at once: %d requests", r)
		}
		time.Sleep(DefaultCoalesce)
		synctest.Wait()
		// a flapping link: 20 changes within 2 s
		for i := 0; i < 20; i++ {
			time.Sleep(100 * time.Millisecond)
			w.set(func() { w.devAddr = netip.AddrFrom4([4]byte{198, 51, 100, byte(20 + i)}) })
			w.events <- "wan0"
			synctest.Wait()
		}
		time.Sleep(5 * time.Second)
		synctest.Wait()
		w.mu.Lock()
		sent := w.requests["home.example.com"]
		w.mu.Unlock()
		if len(sent) > 6 || sent[len(sent)-1] != "198.51.100.39" {
			t.Errorf("20 changes in 2 s cost %d requests (want at most 2), last %s", len(sent)-4, sent[len(sent)-1])
		}
		if l, _ := w.counts("home.example.com"); l != 0 {
			t.Errorf("an interface profile asked checkip %d times", l)
		}
		// a change on another device does not wake the profile
		before := len(sent)
		w.events <- "eth9"
		synctest.Wait()
		if _, r := w.counts("home.example.com"); r != before {
			t.Error("woken by another device")
		}
	})
}

// TestIfupAfterAddressEvent: on ifup the kernel's address event comes first and
// is checked at once; the hotplug hook's SIGUSR1 that follows within the
// coalescing window costs no second checkip round. Outside the window, or
// after a check that failed, SIGUSR1 checks.
func TestIfupAfterAddressEvent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, profile("home", "home.example.com", "\toption device wan0\n\toption ip_source auto"))
		w.set(func() { w.devAddr = netip.MustParseAddr("192.168.1.2") }) // behind NAT: auto asks checkip
		stop := w.start()
		defer stop()
		if l, r := w.counts("home.example.com"); l != 2 || r != 1 {
			t.Fatalf("at start: %d lookups, %d requests", l, r)
		}
		w.set(func() { w.devAddr, w.ip = netip.MustParseAddr("192.168.1.3"), netip.MustParseAddr("203.0.113.9") })
		w.events <- "wan0" // the new address on the WAN device
		synctest.Wait()
		w.sigs <- syscall.SIGUSR1 // netifd's ifup, through the hook
		synctest.Wait()
		if l, r := w.counts("home.example.com"); l != 4 || r != 2 {
			t.Errorf("one ifup: %d lookups (want 4: the new address and its confirmation), %d requests\n%s", l, r, w.log())
		}
		time.Sleep(DefaultCoalesce)
		synctest.Wait()
		w.sigs <- syscall.SIGUSR1 // later: a Check now checks
		synctest.Wait()
		if l, _ := w.counts("home.example.com"); l != 5 {
			t.Errorf("SIGUSR1 outside the window: %d lookups, want 5", l)
		}
	})
}

func TestSIGUSR1ChecksNow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, profile("a", "a.example.com", "\toption ip_source web")+profile("b", "b.example.com", "\toption ip_source web"))
		stop := w.start()
		defer stop()
		w.set(func() { w.ip = netip.MustParseAddr("203.0.113.9") })
		w.sigs <- syscall.SIGUSR1
		synctest.Wait()
		for _, h := range []string{"a.example.com", "b.example.com"} {
			if _, r := w.counts(h); r != 2 {
				t.Errorf("%s: %d requests after SIGUSR1", h, r)
			}
		}
	})
}

func TestReload(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, profile("a", "a.example.com", "\toption ip_source web")+profile("b", "b.example.com", "\toption ip_source web"))
		w.answer = "badauth"
		stop := w.start()
		defer stop()
		w.set(func() {
			w.answer = "good"
			w.conf = profile("b", "b.example.com", "\toption ip_source web\n\toption password fixed") + profile("c", "c.example.com", "\toption ip_source web")
		})
		w.sigs <- syscall.SIGHUP
		synctest.Wait()
		if !strings.Contains(w.log(), "configuration applied: 2 profiles running; started c; stopped a; restarted b") {
			t.Errorf("log:\n%s", w.log())
		}
		_, ra := w.counts("a.example.com")
		_, rb := w.counts("b.example.com")
		_, rc := w.counts("c.example.com")
		if ra != 1 || rb != 2 || rc != 1 {
			t.Errorf("requests a=%d b=%d (stopped by badauth, resumed by the change) c=%d", ra, rb, rc)
		}
		// an unusable configuration leaves the running one alone
		w.set(func() { w.conf = "config profile 'x'\n\toption password 'broken\n" })
		w.sigs <- syscall.SIGHUP
		synctest.Wait()
		if !strings.Contains(w.log(), "reload failed; the running configuration stays") {
			t.Errorf("log:\n%s", w.log())
		}
		w.sigs <- syscall.SIGUSR1
		synctest.Wait()
		if l, _ := w.counts("c.example.com"); l < 4 {
			t.Errorf("profiles stopped after a failed reload (%d lookups)", l)
		}
	})
}

func TestStopMidRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, profile("home", "home.example.com", "\toption ip_source web"))
		w.block = true
		stop := w.start()
		start := time.Now()
		stop()
		if took := time.Since(start); took >= time.Second {
			t.Errorf("SIGTERM took %v", took)
		}
		st, err := state.Open(w.stateDir).Load("home")
		if err != nil || st.Fingerprint == "" || st.Failures != 0 {
			t.Errorf("state after an interrupted request: %+v, %v", st, err)
		}
	})
}

func TestProfilesAreIndependent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, profile("slow", "slow.example.com", "\toption ip_source web"))
		w.block = true
		stop := w.start()
		defer stop()
		w.set(func() {
			w.block = false
			w.conf += profile("fast", "fast.example.com", "\toption ip_source web")
		})
		w.sigs <- syscall.SIGHUP
		synctest.Wait()
		if _, r := w.counts("fast.example.com"); r != 1 {
			t.Errorf("a hanging provider delayed another profile: %d requests", r)
		}
	})
}

func TestProviderWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, profile("home", "home.example.com", "\toption ip_source web"))
		w.answer = "911"
		stop := w.start()
		defer stop()
		w.set(func() { w.answer = "good" })
		time.Sleep(29 * time.Minute)
		w.sigs <- syscall.SIGUSR1 // even asked to, it waits
		synctest.Wait()
		if _, r := w.counts("home.example.com"); r != 1 {
			t.Fatalf("sent within 30 minutes of 911: %d", r)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		if _, r := w.counts("home.example.com"); r != 2 {
			t.Errorf("not sent when the 30 minutes were over: %d", r)
		}
	})
}

// TestDeadMailServerDelaysNothing: mail goes through the notifier's queue; an
// SMTP server that never answers holds up mail only.
func TestDeadMailServerDelaysNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, profile("home", "home.example.com", "\toption device wan0\n\toption ip_source interface")+
			"config mail 'mail'\n\toption notify 1\n\toption smtp_server smtp.example.com\n\toption username router@example.com\n"+
			"\toption password pw\n\toption recipient me@example.com\n")
		var attempts atomic.Int32
		n := notify.New(logx.New(w, logx.Debug))
		n.Send = func(ctx context.Context, m config.Mail, _ *tls.Config, msg notify.Message) error {
			attempts.Add(1)
			<-ctx.Done() // the server never answers
			return ctx.Err()
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go n.Run(ctx)
		d := w.daemon()
		newRunner := d.NewRunner
		d.NewRunner = func(cfg *config.Config) *runner.Runner {
			r := newRunner(cfg)
			n.Configure(cfg.Mail)
			r.Notify = n.Event
			return r
		}
		done := make(chan error, 1)
		go func() { done <- d.Run(context.Background(), w.sigs) }()
		synctest.Wait()
		for i := 0; i < 3; i++ {
			time.Sleep(DefaultCoalesce)
			w.set(func() { w.devAddr = netip.AddrFrom4([4]byte{198, 51, 100, byte(50 + i)}) })
			start := time.Now()
			w.events <- "wan0"
			synctest.Wait()
			if _, r := w.counts("home.example.com"); r != i+2 || time.Since(start) != 0 {
				t.Fatalf("update %d: %d requests after %v", i, r, time.Since(start))
			}
		}
		if attempts.Load() == 0 {
			t.Error("no mail was attempted")
		}
		w.sigs <- syscall.SIGTERM
		<-done
	})
}

// The daemon schedules and records with the runner's clock, not the real one:
// a runner whose clock says 2031 records its check in 2031.
func TestRunnerClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, profile("home", "home.example.com", "\toption ip_source web"))
		d := w.daemon()
		then := time.Date(2031, 5, 4, 3, 2, 1, 0, time.UTC)
		newRunner := d.NewRunner
		d.NewRunner = func(cfg *config.Config) *runner.Runner {
			r := newRunner(cfg)
			r.Now = func() time.Time { return then }
			return r
		}
		done := make(chan error, 1)
		go func() { done <- d.Run(context.Background(), w.sigs) }()
		synctest.Wait()
		run, err := state.Open(w.stateDir).LoadRun("home")
		if err != nil {
			t.Fatal(err)
		}
		if !run.CheckedAt.Equal(then) || !run.NextCheck.Equal(then.Add(MinWebInterval*2)) {
			t.Errorf("recorded check at %v, next %v; want the runner's clock %v and +10m", run.CheckedAt, run.NextCheck, then)
		}
		w.sigs <- syscall.SIGTERM
		<-done
	})
}

// Run returns only after the address watcher has ended, whichever way it stops.
func TestRunWaitsForTheWatcher(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, profile("home", "home.example.com", "\toption ip_source web"))
		d := w.daemon()
		var ended atomic.Bool
		d.Watch = func(ctx context.Context, ready func(), changed func(string)) error {
			ready()
			<-ctx.Done()
			time.Sleep(time.Second) // a slow socket close
			ended.Store(true)
			return ctx.Err()
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- d.Run(ctx, w.sigs) }()
		synctest.Wait()
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if !ended.Load() {
			t.Error("Run returned before its watcher ended")
		}
	})
}
