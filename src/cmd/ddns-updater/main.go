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
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"ddns-updater/src/checkip"
	"ddns-updater/src/config"
	"ddns-updater/src/daemon"
	"ddns-updater/src/hook"
	"ddns-updater/src/ipsource"
	"ddns-updater/src/logx"
	"ddns-updater/src/migrate"
	"ddns-updater/src/netifd"
	"ddns-updater/src/notify"
	"ddns-updater/src/rtnl"
	"ddns-updater/src/runner"
	"ddns-updater/src/seccomp"
	"ddns-updater/src/service"
	"ddns-updater/src/state"
	"ddns-updater/src/status"
	"ddns-updater/src/uci"
)

// Version is stamped at build time (-ldflags "-X main.Version=...").
var Version = "dev"

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1 // a profile failed, is stopped or waiting
	exitConfig = 2 // configuration errors: no usable profile

	exitInactive = 3 // status: the daemon is not running (as OpenWrt's service status says "inactive")
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
	if os.Getenv("GOMAXPROCS") == "" {
		// One check at a time needs one core: with one P the runtime keeps one
		// allocation cache, one GC worker and fewer threads (about 0.2 MiB less
		// anonymous memory on a 2-core machine; BENCHMARKS.md).
		runtime.GOMAXPROCS(1)
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGTERM, os.Interrupt)
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, sigs))
}

// restrict installs the system-call filter of file (SECURITY.md). A filter
// that cannot be read is a reason not to start; a kernel without seccomp
// filters (EINVAL) only a warning, since the other layers still hold.
func restrict(file string, log *logx.Logger) bool {
	data, err := os.ReadFile(file)
	var p *seccomp.Policy
	if err == nil {
		p, err = seccomp.Parse(data)
	}
	if err != nil {
		log.Error(fmt.Sprintf("seccomp filter %s: %v", file, err))
		return false
	}
	n, unknown, err := seccomp.Install(p)
	switch {
	case errors.Is(err, syscall.EINVAL), errors.Is(err, syscall.ENOSYS):
		// a kernel without seccomp filters, or qemu-user, which does not filter its guests
		log.Warn("no seccomp filters here; running without one", "file", file, "err", err)
		return true
	case err != nil:
		log.Error(fmt.Sprintf("seccomp filter %s: %v", file, err))
		return false
	}
	log.Debug(fmt.Sprintf("seccomp: %d system calls allowed (%s; not on this architecture: %s)", n, file, strings.Join(unknown, " ")))
	return true
}

// configPaths are where the configuration is looked for without --config:
// OpenWrt's UCI file, then the original program's INI file (a Linux box that
// swapped the original for this binary keeps its file and cron line).
var configPaths = []string{config.DefaultPath, config.OriginalPath}

// defaultConfig is the first of configPaths that exists, else the first.
func defaultConfig() string {
	for _, p := range configPaths {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return configPaths[0]
}

type names []string

func (n *names) String() string     { return strings.Join(*n, ",") }
func (n *names) Set(v string) error { *n = append(*n, v); return nil }

// command is a subcommand: its arguments, its own flags and its line of help.
type command struct {
	name, args, help string
	min, max         int      // how many arguments it takes
	flags            []string // the flags that apply to it besides --config, --profile, --version
}

// commands are the subcommands.
var commands = []command{
	{name: "status", help: "per profile: registered address, last update, next check, stop reason (--json: a stable format); exit 3 when the daemon is not running", flags: []string{"json"}},
	{name: "services", help: "list the providers that option service names, with server, IPv6 and notes"},
	{name: "checkip-server", flags: []string{"listen", "trusted-proxy", "syslog", "verbose"},
		help: "answer HTTP GET with the client's address as plain text (a self-hosted checkip server; --listen ADDR, --trusted-proxy CIDR for X-Forwarded-For/Forwarded from a reverse proxy); stops on SIGTERM"},
	{name: "import", args: "ddns-scripts|ini [FILE]", min: 1, max: 2, flags: []string{"write", "force"},
		help: "print the configuration equivalent to ddns-scripts' FILE (default /etc/config/ddns) or the original program's INI FILE (default /etc/ddns-updater/ddns.conf); what cannot carry over is listed on stderr; --write writes it to --config's file, --force over an existing one"},
	{name: "help", help: "print this help"},
}

// runFlags are the flags of running profiles (no command).
var runFlags = []string{"once", "dry-run", "check", "test-mail", "verbose", "syslog", "seccomp"}

// flags holds every command-line flag; each may come before or after the subcommand.
type flags struct {
	fs                                                      *flag.FlagSet
	path, syslog, seccompFile                               *string
	profiles                                                names
	once, dryRun, version, check, testMail, verbose, asJSON *bool
	write, force                                            *bool
	listen                                                  *string
	trusted                                                 names
}

func newFlags(stderr io.Writer) *flags {
	fs := flag.NewFlagSet("ddns-updater", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // run prints the help, to stdout, on --help
	f := &flags{fs: fs,
		path:        fs.String("config", config.DefaultPath, "the UCI configuration `FILE`"),
		once:        fs.Bool("once", false, "check every selected profile once, then exit (cron mode)"),
		dryRun:      fs.Bool("dry-run", false, "decide and print the request that would be sent; send and save nothing"),
		check:       fs.Bool("check", false, "report the configuration's problems; exit 2 when no profile can run"),
		testMail:    fs.Bool("test-mail", false, "send one test mail with the mail section's settings and print the outcome"),
		verbose:     fs.Bool("verbose", false, "log at debug level"),
		syslog:      fs.String("syslog", "", "log to the syslog `SOCKET` (/dev/log on OpenWrt: logd), each line at its own priority; default: stderr"),
		seccompFile: fs.String("seccomp", "", "daemon: restrict the process, and what it starts, to the system calls the `FILE` allows (procd's format: /etc/seccomp/ddns-updater.json)"),
		asJSON:      fs.Bool("json", false, "with status: print JSON (a stable format, see README)"),
		version:     fs.Bool("version", false, "print the version and exit"),
		write:       fs.Bool("write", false, "with import: write the result to the --config file instead of printing it"),
		force:       fs.Bool("force", false, "with import --write: replace an existing file"),
		listen:      fs.String("listen", ":8080", "with checkip-server: the `ADDR`ess and port to listen on"),
	}
	fs.Var(&f.trusted, "trusted-proxy", "with checkip-server: a reverse proxy's `CIDR` whose X-Forwarded-For/Forwarded count (repeatable)")
	fs.Var(&f.profiles, "profile", "run only the profile `NAME` (repeatable; default: every enabled profile)")
	return f
}

// parse reads args: flags, at most one subcommand with its arguments, flags
// anywhere. It returns the subcommand ("" for none) and its arguments, and an
// exit status when the program must stop now.
func (f *flags) parse(args []string, stdout, stderr io.Writer) (cmd *command, rest []string, exit int, stop bool) {
	err := f.fs.Parse(args)
	for err == nil && f.fs.NArg() > 0 {
		word := f.fs.Arg(0)
		if cmd == nil {
			for i := range commands {
				if commands[i].name == word {
					cmd = &commands[i]
				}
			}
			if cmd == nil {
				fmt.Fprintf(stderr, "ddns-updater: unknown command %q (run ddns-updater --help)\n", word)
				return nil, nil, exitConfig, true
			}
		} else if rest = append(rest, word); len(rest) > cmd.max {
			fmt.Fprintf(stderr, "ddns-updater: unexpected argument %q (run ddns-updater --help)\n", word)
			return nil, nil, exitConfig, true
		}
		err = f.fs.Parse(f.fs.Args()[1:])
	}
	switch {
	case errors.Is(err, flag.ErrHelp) || cmd != nil && cmd.name == "help":
		f.usage(stdout)
		return cmd, nil, exitOK, true
	case err != nil: // the flag package said what is wrong
		fmt.Fprintln(stderr, "run ddns-updater --help for the usage")
		return nil, nil, exitConfig, true
	case cmd != nil && len(rest) < cmd.min:
		fmt.Fprintf(stderr, "ddns-updater: %s needs %s (run ddns-updater --help)\n", cmd.name, cmd.args)
		return nil, nil, exitConfig, true
	}
	var misplaced []string
	f.fs.Visit(func(fl *flag.Flag) {
		switch {
		case fl.Name == "config" || fl.Name == "profile" || fl.Name == "version": // for every command
		case cmd == nil && slices.Contains(runFlags, fl.Name):
		case cmd != nil && slices.Contains(cmd.flags, fl.Name):
		default:
			misplaced = append(misplaced, "--"+fl.Name)
		}
	})
	if len(misplaced) > 0 {
		where := "without a command"
		if cmd != nil {
			where = "with " + cmd.name
		}
		fmt.Fprintf(stderr, "ddns-updater: %s does not apply %s (run ddns-updater --help)\n", strings.Join(misplaced, ", "), where)
		return nil, nil, exitConfig, true
	}
	return cmd, rest, 0, false
}

// usage prints the help: commands, then flags.
func (f *flags) usage(w io.Writer) {
	fmt.Fprint(w, `ddns-updater keeps dynamic DNS names on the router's public address (dyndns2).

Usage:
  ddns-updater [flags]              run the selected profiles: a daemon, or one pass with --once or --dry-run
  ddns-updater COMMAND [flags]

Commands:
`)
	for _, c := range commands {
		name := c.name
		if c.args != "" {
			name += " " + c.args
		}
		fmt.Fprintf(w, "  %-8s %s\n", name, c.help)
	}
	fmt.Fprint(w, "\nFlags (before or after the command):\n")
	f.fs.VisitAll(func(fl *flag.Flag) {
		arg, help := flag.UnquoteUsage(fl)
		name := "--" + fl.Name
		if arg != "" {
			name += " " + arg
		}
		if fl.DefValue != "" && fl.DefValue != "false" && fl.DefValue != "[]" {
			help += " (default " + fl.DefValue + ")"
		}
		fmt.Fprintf(w, "  %-16s %s\n", name, help)
	})
	fmt.Fprint(w, `
Exit status: 0 all went well; 1 a profile failed, is stopped or waiting; 2 the
configuration or the command line is unusable; 3 (status) the daemon is not running.
`)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer, sigs <-chan os.Signal) int {
	f := newFlags(stderr)
	cmd, rest, code, stop := f.parse(args, stdout, stderr)
	if stop {
		return code
	}
	path, profiles, once, dryRun, check, testMail, verbose := f.path, []string(f.profiles), f.once, f.dryRun, f.check, f.testMail, f.verbose
	given := false
	f.fs.Visit(func(fl *flag.Flag) { given = given || fl.Name == "config" })
	if !given && (cmd == nil || cmd.name != "import") {
		*path = defaultConfig()
	}
	if *f.version {
		fmt.Fprintln(stdout, "ddns-updater", Version)
		return exitOK
	}
	if cmd != nil {
		switch cmd.name {
		case "status":
			return runStatus(*path, profiles, *f.asJSON, stdout, stderr)
		case "services":
			service.WriteTable(stdout)
			return exitOK
		case "checkip-server":
			return runCheckIP(ctx, *f.listen, f.trusted, *f.syslog, *verbose, stderr, sigs)
		case "import":
			file := ""
			if len(rest) > 1 {
				file = rest[1]
			}
			return runImport(rest[0], file, *path, *f.write, *f.force, stdout, stderr)
		}
	}

	cfg, err := config.Load(*path)
	if err != nil {
		fmt.Fprintln(stderr, "ddns-updater:", err)
		return exitConfig
	}
	base := logx.New(stderr, logx.Info)
	if *f.syslog != "" {
		base = logx.NewSyslog(*f.syslog, "ddns-updater", logx.Info, stderr)
	}
	logger := func(cfg *config.Config) *logx.Logger {
		level, _ := logx.ParseLevel(cfg.Global.LogLevel) // validated by config
		if *verbose {
			level = logx.Debug
		}
		return base.WithLevel(level)
	}
	log := logger(cfg)
	if *testMail {
		return sendTestMail(ctx, cfg, stdout, stderr)
	}
	notifier := notify.New(log)
	hooks := &hook.Hooks{Log: log}
	table := rtnl.NewTable()
	daemonMode := !*once && !*dryRun && !*check
	dirs := map[string]*state.Dir{} // one per state_dir across reloads: it keeps what the disk refused
	openDir := func(path string) (*state.Dir, error) {
		dir, ok := dirs[path]
		if !ok {
			dir = state.Open(path)
			dirs[path] = dir
			if daemonMode { // `status` knows from the hold that a daemon runs
				if err := dir.Hold(); err != nil {
					return dir, err
				}
			}
		}
		return dir, nil
	}
	if daemonMode {
		if _, err := openDir(cfg.Global.StateDir); errors.Is(err, state.ErrHeld) {
			log.Error(err.Error() + "; not starting a second one")
			return exitConfig
		} else if err != nil {
			log.Warn("state_dir cannot be held: status cannot tell that the daemon runs", "err", err)
		}
		if *f.seccompFile != "" && !restrict(*f.seccompFile, log) {
			return exitConfig
		}
	}
	newRunner := func(cfg *config.Config) *runner.Runner {
		notifier.Configure(cfg.Mail)
		programs, ignored := hook.Programs(cfg.Global.Hook)
		if ignored {
			log.Warn("option hook is for systems without " + hook.HotplugCall + "; on OpenWrt, put the script in /etc/hotplug.d/ddns-updater/")
		}
		hooks.Set(programs)
		dir, err := openDir(cfg.Global.StateDir)
		if err != nil { // a state_dir changed on reload
			log.Warn("state_dir cannot be held: status cannot tell that the daemon runs", "err", err)
		}
		if daemonMode { // at start and on every reload: profiles deleted from the configuration leave no state behind
			var names []string
			for _, p := range cfg.Profiles {
				names = append(names, p.Name)
			}
			removed, err := dir.Prune(names)
			for _, name := range removed {
				log.Info("the state of profile '" + name + "' is removed: the profile is no longer in the configuration")
			}
			if err != nil {
				log.Warn("removing the state of deleted profiles failed", "err", err)
			}
		}
		return &runner.Runner{
			Notify:    notifier.Event,
			Hook:      hooks.Event,
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
	if daemonMode {
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
		err := d.Run(ctx, sigs)
		hookCtx, cancelHooks := context.WithTimeout(context.Background(), 3*time.Second) // within procd's 5 s before SIGKILL
		hooks.Wait(hookCtx)
		cancelHooks()
		if err != nil {
			if !daemon.Logged(err) {
				log.Error(err.Error())
			}
			return exitConfig
		}
		return exitOK
	}

	// --once and --dry-run: one pass over the selected profiles.
	ctx, cancel := stopOnSignal(ctx, sigs)
	defer cancel()
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
		wg.Go(func() { // profiles never wait for each other
			results[i] = r.Run(ctx, p, nil)
			r.Record(p.Name, results[i], time.Now(), time.Time{}) // for status: no next check without the daemon
		})
	}
	wg.Wait()
	flushCtx, cancelFlush := context.WithTimeout(ctx, 2*notify.SendTimeout)
	notifier.Flush(flushCtx) // the updates are done: mail may take its time now
	cancelFlush()
	hookCtx, cancelHooks := context.WithTimeout(ctx, hook.Timeout+time.Second)
	hooks.Wait(hookCtx) // a hook that hangs is killed at hook.Timeout
	cancelHooks()
	code = exitOK
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
func runStatus(path string, profiles []string, asJSON bool, stdout, stderr io.Writer) int {
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Fprintln(stderr, "ddns-updater:", err)
		return exitConfig
	}
	if len(profiles) > 0 {
		keep := cfg.Profiles[:0]
		for _, p := range cfg.Profiles {
			if slices.Contains(profiles, p.Name) {
				keep = append(keep, p)
			}
		}
		if len(keep) != len(profiles) {
			fmt.Fprintf(stderr, "ddns-updater: %s: no profile %s among those asked for\n", cfg.Path, strings.Join(profiles, ", "))
			return exitConfig
		}
		cfg.Profiles = keep
	}
	now := time.Now()
	r := status.Collect(cfg, state.Open(cfg.Global.StateDir), now)
	if asJSON {
		status.WriteJSON(stdout, r) // "running" says it; LuCI reads a failed exec as no status at all
		return exitOK
	}
	status.WriteText(stdout, r, now)
	if !r.Running {
		return exitInactive
	}
	return exitOK
}

// checkConfig is --check: the problems, and whether any profile can run.
func checkConfig(cfg *config.Config, names []string, log *logx.Logger) int {
	usable, _, err := daemon.Select(cfg, names, log)
	if err != nil {
		return exitConfig
	}
	for _, w := range config.SharedHostnames(usable) {
		log.Warn(cfg.Path + ": " + w)
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

// runImport is `import KIND [FILE]`: the equivalent configuration on stdout
// (or written to target with --write), what did not carry over on stderr.
// Exit 0 when every service or profile carried over (options without a
// counterpart are only listed), 1 when one did not, 2 when the input cannot be
// read or the target exists without --force.
func runImport(kind, file, target string, write, force bool, stdout, stderr io.Writer) int {
	out, notes, err := migrate.Import(kind, file)
	if err != nil {
		fmt.Fprintln(stderr, "ddns-updater: import:", err)
		return exitConfig
	}
	text := "# Imported by ddns-updater import " + kind + "; see ddns-updater services and the README.\n\n" + uci.Format(out)
	code := exitOK
	for _, n := range notes {
		fmt.Fprintf(stderr, "ddns-updater: import: %s: %s\n", n.What, n.Why)
		if n.Dropped {
			code = exitFailed
		}
	}
	if write {
		if err := writeNew(target, text, force); err != nil {
			fmt.Fprintln(stderr, "ddns-updater: import:", err)
			return exitConfig
		}
		fmt.Fprintf(stderr, "ddns-updater: import: wrote %s (%d profile(s)); on a router, /etc/init.d/ddns-updater reload applies it\n", target, len(out.SectionsOf("profile")))
	} else {
		fmt.Fprint(stdout, text)
	}
	return code
}

// writeNew writes text to path (mode 0600: it holds passwords) through a
// temporary file and a rename; an existing file is replaced only with force.
func writeNew(path, text string, force bool) error {
	if _, err := os.Lstat(path); err == nil && !force {
		return fmt.Errorf("%s exists; --force replaces it (keep a copy first)", path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".import-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(text); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// runCheckIP is `checkip-server`: it serves until SIGTERM or an interrupt.
func runCheckIP(ctx context.Context, listen string, trusted []string, syslog string, verbose bool, stderr io.Writer, sigs <-chan os.Signal) int {
	level := logx.Info
	if verbose {
		level = logx.Debug
	}
	log := logx.New(stderr, level)
	if syslog != "" {
		log = logx.NewSyslog(syslog, "ddns-updater", level, stderr)
	}
	prefixes, err := checkip.ParseTrusted(trusted)
	if err != nil {
		fmt.Fprintln(stderr, "ddns-updater:", err)
		return exitConfig
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		fmt.Fprintln(stderr, "ddns-updater: checkip-server:", err)
		return exitConfig
	}
	ctx, cancel := stopOnSignal(ctx, sigs)
	defer cancel()
	log.Info(fmt.Sprintf("checkip-server answering on %s (trusted proxies: %d)", ln.Addr(), len(prefixes)))
	if err := (&checkip.Server{Trusted: prefixes, Log: log}).Serve(ctx, ln); err != nil {
		log.Error("checkip-server: " + err.Error())
		return exitFailed
	}
	log.Info("checkip-server stopped")
	return exitOK
}

// stopOnSignal returns a context that ends on SIGTERM or an interrupt from sigs.
func stopOnSignal(ctx context.Context, sigs <-chan os.Signal) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(ctx)
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
	return ctx, cancel
}
