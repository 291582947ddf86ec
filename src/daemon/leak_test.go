package daemon

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"ddns-updater/src/config"
	"ddns-updater/src/internal/dnstest"
	"ddns-updater/src/internal/testcert"
	"ddns-updater/src/ipsource"
	"ddns-updater/src/logx"
	"ddns-updater/src/netifd"
	"ddns-updater/src/rtnl"
	"ddns-updater/src/runner"
	"ddns-updater/src/state"
)

func openFDs(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd here")
	}
	return len(entries)
}

// eventually polls cond while the process settles (goroutines and sockets end
// asynchronously); it is a bound on waiting, not a timing assertion.
func eventually(cond func() bool) bool {
	for i := 0; i < 200; i++ {
		if cond() {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return cond()
}

// TestNoLeakAcross100Reloads: real HTTPS clients, a real netlink watcher; every
// reload restarts the profile (its settings alternate) and each restart checks.
func TestNoLeakAcross100Reloads(t *testing.T) {
	cert := testcert.New(t, time.Now().Add(-time.Hour))
	var checks atomic.Int32
	check := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		checks.Add(1)
		fmt.Fprint(w, "203.0.113.7")
	}))
	prov := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "good 203.0.113.7")
	}))
	for _, s := range []*httptest.Server{check, prov} {
		s.TLS = cert.Server
		s.StartTLS()
		defer s.Close()
	}
	dns, err := dnstest.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dns.Close()
	stateDir := t.TempDir()
	conf := func(i int) string {
		return fmt.Sprintf("config global 'global'\n\toption state_dir '%s'\n"+
			"config profile 'home'\n\toption enabled 1\n\toption server '%s'\n\toption username u\n\toption password p\n"+
			"\toption hostname home.example.com\n\toption external_ip_server '%s'\n\toption ca_file '%s'\n\toption dns_server '%s'\n"+
			"\toption ip_source web\n\toption check_interval %dm\n",
			stateDir, prov.Listener.Addr(), check.Listener.Addr(), cert.CAFile, dns.Addr, 10+i%2)
	}
	var n atomic.Int32
	sigs := make(chan os.Signal)
	log := logx.Discard()
	table := rtnl.NewTable()
	d := &Daemon{
		Load: func() (*config.Config, error) {
			return config.Parse("/etc/config/ddns-updater", []byte(conf(int(n.Load()))))
		},
		NewRunner: func(cfg *config.Config) *runner.Runner {
			return &runner.Runner{Store: state.Open(cfg.Global.StateDir), Ifaces: runner.Host{Ubus: &netifd.Ubus{}, Table: table},
				Log: log, Policy: ipsource.Policy{AllowDocumentation: true}}
		},
		Watch: func(ctx context.Context, ready func(), changed func(string)) error {
			return table.Watch(ctx, rtnl.Dial, ready, changed)
		},
		Log: log,
	}

	ignore := goleak.IgnoreCurrent()
	fds := openFDs(t)
	done := make(chan error, 1)
	go func() { done <- d.Run(context.Background(), sigs) }()
	// the first check: the answer, its confirmation, the update, recorded
	if !eventually(func() bool {
		_, err := os.Stat(filepath.Join(stateDir, "home.state"))
		return checks.Load() == 2 && err == nil
	}) {
		t.Fatalf("the first check did not happen: %d checks", checks.Load())
	}
	// each reload restarts the profile (check_interval alternates), which checks once
	for i := 1; i <= 100; i++ {
		n.Store(int32(i))
		sigs <- syscall.SIGHUP
		if !eventually(func() bool { return checks.Load() == int32(i+2) }) {
			t.Fatalf("reload %d: the restarted profile did not check (%d checks)", i, checks.Load())
		}
	}
	sigs <- syscall.SIGTERM
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !eventually(func() bool { return openFDs(t) <= fds }) {
		t.Errorf("file descriptors: %d before, %d after 100 reloads", fds, openFDs(t))
	}
	goleak.VerifyNone(t, ignore)
}
