// Command ddns-updater keeps dynamic DNS names pointing at the router's public
// address, talking dyndns2 to the provider. This file holds flags and wiring only.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"ddns-updater/src/config"
	"ddns-updater/src/daemon"
	"ddns-updater/src/ipsource"
	"ddns-updater/src/logx"
	"ddns-updater/src/netifd"
	"ddns-updater/src/notify"
	"ddns-updater/src/rtnl"
	"ddns-updater/src/runner"
	"ddns-updater/src/state"
	"ddns-updater/src/status"
)

// Version is stamped at build time (-ldflags "-X main.Version=...").
var Version = "dev"

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1 // a profile failed, is stopped or waiting
	exitConfig = 2 // configuration errors: no usable profile
)

// policy is the address policy before allow_private; tests widen it to the
// documentation ranges, which no configuration option can.
var policy ipsource.Policy

func main() {
	if os.Getenv("GOGC") == "" {
		// A router's memory is scarce and this heap is small: collecting at 25 %
		// growth instead of 100 % keeps it lower for a negligible CPU cost.
		debug.SetGCPercent(25)
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGTERM, os.Interrupt)
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, sigs))
}

type names []string

func (n *names) String() string     { return strings.Join(*n, ",") }
func (n *names) Set(v string) error { *n = append(*n, v); return nil }

func run(ctx context.Context, args []string, stdout, stderr io.Writer, sigs <-chan os.Signal) int {
	if len(args) > 0 && args[0] == "status" {
		return runStatus(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("ddns-updater", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		path     = fs.String("config", config.DefaultPath, "UCI configuration `file`")
		profiles names
		once     = fs.Bool("once", false, "check every selected profile once, then exit (cron mode)")
		dryRun   = fs.Bool("dry-run", false, "decide and print the request that would be sent; send nothing")
		version  = fs.Bool("version", false, "print the version and exit")
		check    = fs.Bool("check", false, "check the configuration: print its problems; exit 2 when no profile can run")
		testMail = fs.Bool("test-mail", false, "send one test mail with the mail section's settings and print the outcome")
		verbose  = fs.Bool("verbose", false, "log at debug level")
	)
	fs.Var(&profiles, "profile", "run only the profile `NAME` (repeatable; default: every enabled profile)")
	if err := fs.Parse(args); err != nil {
		return exitConfig
	}
	if *version {
		fmt.Fprintln(stdout, "ddns-updater", Version)
		return exitOK
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ddns-updater: unexpected argument %q\n", fs.Arg(0))
		return exitConfig
	}

	cfg, err := config.Load(*path)
	if err != nil {
		fmt.Fprintln(stderr, "ddns-updater:", err)
		return exitConfig
	}
	logger := func(cfg *config.Config) *logx.Logger {
		level, _ := logx.ParseLevel(cfg.Global.LogLevel) // validated by config
		if *verbose {
			level = logx.Debug
		}
		return logx.New(stderr, level)
	}
	log := logger(cfg)
	if *testMail {
		return sendTestMail(ctx, cfg, stdout, stderr)
	}
	notifier := notify.New(log)
	table := rtnl.NewTable()
	dirs := map[string]*state.Dir{} // one per state_dir across reloads: it keeps what the disk refused
	newRunner := func(cfg *config.Config) *runner.Runner {
		notifier.Configure(cfg.Mail)
		dir, ok := dirs[cfg.Global.StateDir]
		if !ok {
			dir = state.Open(cfg.Global.StateDir)
			dirs[cfg.Global.StateDir] = dir
		}
		return &runner.Runner{
			Notify:    notifier.Event,
			Store:     dir,
			Ifaces:    runner.Host{Ubus: &netifd.Ubus{}, Table: table},
			Jitter:    rand.Float64,
			Log:       logger(cfg),
			UserAgent: fmt.Sprintf("ddns-updater/%s (OpenWrt; linux/%s)", Version, runtime.GOARCH),
			Policy:    policy,
			DryRun:    *dryRun,
			Out:       stdout,
		}
	}

	if *check {
		return checkConfig(cfg, profiles, log)
	}
	if !*once && !*dryRun {
		d := &daemon.Daemon{
			Load:      func() (*config.Config, error) { return config.Load(*path) },
			Profiles:  profiles,
			NewRunner: newRunner,
			Watch: func(ctx context.Context, ready func(), changed func(string)) error {
				return table.Watch(ctx, rtnl.Dial, ready, changed)
			},
			Log:   log,
			Quiet: debug.FreeOSMemory,
		}
		mailCtx, stopMail := context.WithCancel(ctx)
		defer stopMail()
		go notifier.Run(mailCtx)
		if err := d.Run(ctx, sigs); err != nil {
			if !daemon.Logged(err) {
				log.Error(err.Error())
			}
			return exitConfig
		}
		return exitOK
	}

	// --once and --dry-run: one pass over the selected profiles.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case sig := <-sigs:
				if sig == syscall.SIGTERM || sig == os.Interrupt {
					cancel()
				}
			}
		}
	}()
	selected, broken, err := daemon.Select(cfg, profiles, log)
	if err != nil {
		return exitConfig
	}
	r := newRunner(cfg)
	if usesDevice(selected) {
		if err := table.Load(rtnl.Dial); err != nil {
			log.Debug("cannot read the kernel's addresses; ip_source auto asks checkip", "err", err)
			r.Ifaces = nil
		}
	}
	results := make([]runner.Result, len(selected))
	var wg sync.WaitGroup
	for i, p := range selected {
		wg.Go(func() { results[i] = r.Run(ctx, p, nil) }) // profiles never wait for each other
	}
	wg.Wait()
	flushCtx, cancelFlush := context.WithTimeout(ctx, 2*notify.SendTimeout)
	notifier.Flush(flushCtx) // the updates are done: mail may take its time now
	cancelFlush()
	code := exitOK
	if len(broken) > 0 {
		code = exitFailed
	}
	for _, res := range results {
		if !res.OK {
			code = exitFailed
		}
	}
	return code
}

func usesDevice(ps []*config.Profile) bool {
	for _, p := range ps {
		if p.IPSource != config.SourceWeb {
			return true
		}
	}
	return false
}

// runStatus is `ddns-updater status`: what the state files say, per profile.
func runStatus(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ddns-updater status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", config.DefaultPath, "UCI configuration `file`")
	asJSON := fs.Bool("json", false, "print JSON (a stable format, see README)")
	if err := fs.Parse(args); err != nil {
		return exitConfig
	}
	cfg, err := config.Load(*path)
	if err != nil {
		fmt.Fprintln(stderr, "ddns-updater:", err)
		return exitConfig
	}
	now := time.Now()
	ps := status.Collect(cfg, state.Open(cfg.Global.StateDir), now)
	if *asJSON {
		status.WriteJSON(stdout, ps)
	} else {
		status.WriteText(stdout, ps, now)
	}
	return exitOK
}

// checkConfig is --check: the problems, and whether any profile can run.
func checkConfig(cfg *config.Config, names []string, log *logx.Logger) int {
	usable, _, err := daemon.Select(cfg, names, log)
	if err != nil {
		return exitConfig
	}
	log.Info(fmt.Sprintf("%s: %d profile(s) can run", cfg.Path, len(usable)))
	return exitOK
}

// sendTestMail is --test-mail: one message, sent now, the outcome printed plainly.
func sendTestMail(ctx context.Context, cfg *config.Config, stdout, stderr io.Writer) int {
	m := cfg.Mail
	var missing []string
	if m.SMTPServer == "" {
		missing = append(missing, "smtp_server")
	}
	if len(m.Recipients) == 0 {
		missing = append(missing, "recipient")
	}
	if m.Sender == "" {
		missing = append(missing, "sender (or a username that is an address)")
	}
	for _, e := range m.Problems {
		fmt.Fprintln(stderr, "ddns-updater:", e)
	}
	if len(missing) > 0 || len(m.Problems) > 0 {
		if len(missing) > 0 {
			fmt.Fprintf(stderr, "ddns-updater: %s: mail 'mail': set %s first\n", cfg.Path, strings.Join(missing, ", "))
		}
		return exitConfig
	}
	n := notify.New(logx.Discard())
	n.Configure(m)
	if err := n.SendNow(ctx, notify.TestMessage(m, time.Now())); err != nil {
		fmt.Fprintln(stdout, "test mail failed:", err)
		return exitFailed
	}
	fmt.Fprintf(stdout, "test mail sent to %s through %s:%d\n", strings.Join(m.Recipients, ", "), m.SMTPServer, m.Port)
	return exitOK
}
