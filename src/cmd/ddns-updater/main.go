// Command ddns-updater keeps dynamic DNS names pointing at the router's public
// address, talking dyndns2 to the provider. This file holds flags and wiring only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"sync"
	"syscall"

	"ddns-updater/src/config"
	"ddns-updater/src/ipsource"
	"ddns-updater/src/logx"
	"ddns-updater/src/runner"
	"ddns-updater/src/state"
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type names []string

func (n *names) String() string     { return strings.Join(*n, ",") }
func (n *names) Set(v string) error { *n = append(*n, v); return nil }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ddns-updater", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		path     = fs.String("config", config.DefaultPath, "UCI configuration `file`")
		profiles names
		once     = fs.Bool("once", false, "check every selected profile once, then exit (cron mode)")
		dryRun   = fs.Bool("dry-run", false, "decide and print the request that would be sent; send nothing")
		version  = fs.Bool("version", false, "print the version and exit")
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
	level, _ := logx.ParseLevel(cfg.Global.LogLevel) // validated by config
	if *verbose {
		level = logx.Debug
	}
	log := logx.New(stderr, level)
	for _, w := range cfg.Warnings {
		log.Warn(w)
	}
	for _, e := range cfg.Mail.Problems {
		log.Error(e.Error() + " (mail stays off)")
	}

	selected, broken, err := selectProfiles(cfg, profiles)
	for _, p := range broken {
		for _, e := range p.Problems {
			log.Error(e.Error() + " (profile skipped)")
		}
	}
	if err != nil {
		log.Error(err.Error())
		return exitConfig
	}
	if !*once && !*dryRun {
		log.Error("the daemon mode is not in this build yet: run with --once (from cron) or --dry-run")
		return exitConfig
	}

	r := &runner.Runner{
		Store:     state.Open(cfg.Global.StateDir),
		Jitter:    rand.Float64,
		Log:       log,
		UserAgent: fmt.Sprintf("ddns-updater/%s (OpenWrt; linux/%s)", Version, runtime.GOARCH),
		Policy:    policy,
		DryRun:    *dryRun,
		Out:       stdout,
	}
	results := make([]runner.Result, len(selected))
	var wg sync.WaitGroup
	for i, p := range selected {
		wg.Go(func() { results[i] = r.Run(ctx, p, nil) }) // profiles never wait for each other
	}
	wg.Wait()
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

// selectProfiles picks the profiles named on the command line, or every enabled
// one; it returns the usable ones and the broken ones, and an error when none is usable.
func selectProfiles(cfg *config.Config, want []string) (usable, broken []*config.Profile, err error) {
	var picked []*config.Profile
	if len(want) > 0 {
		var missing []string
		for _, name := range want {
			found := false
			for _, p := range cfg.Profiles {
				if p.Name == name {
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
			if p.Enabled {
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
