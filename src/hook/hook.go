// Package hook tells other programs when an update outcome changes something:
// through OpenWrt's hotplug mechanism (/sbin/hotplug-call ddns-updater runs
// the scripts in /etc/hotplug.d/ddns-updater/) and through an optional
// program of the user's (option hook). Hooks run one at a time, apart from
// the updates, which they never delay; one that hangs is killed.
package hook

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"ddns-updater/src/logx"
	"ddns-updater/src/notify"
)

// HotplugCall is OpenWrt's hotplug dispatcher.
const HotplugCall = "/sbin/hotplug-call"

// Timeout is how long a hook may run before it is killed.
const Timeout = 30 * time.Second

// queueSize bounds the hooks waiting to run; more are dropped, with a warning.
const queueSize = 32

// The actions a hook is told (ACTION).
const (
	Update  = "update"  // the provider took a new address
	Stop    = "stop"    // a fatal answer stopped the profile
	Fail    = "fail"    // checks began to fail
	Recover = "recover" // checks that failed succeed again
)

// Hooks runs the hooks. It runs none until Set gives it programs.
type Hooks struct {
	Log     *logx.Logger
	Timeout time.Duration // 0: Timeout

	once     sync.Once
	queue    chan []string // the environments of hooks to run
	mu       sync.Mutex
	programs [][]string      // see Set
	failing  map[string]bool // per profile: checks are failing
	running  sync.WaitGroup
}

// Set says what to run for each action, each with the action's environment:
// typically HotplugCall with the argument ddns-updater, and option hook (see
// Programs). A reload sets them anew.
func (h *Hooks) Set(programs [][]string) {
	h.mu.Lock()
	h.programs = programs
	h.mu.Unlock()
}

// Programs returns what to run: hotplug-call where the system has it (an
// OpenWrt router: root installs the scripts it runs), else the program of
// option hook, if one is set. On a router option hook is not honoured, so
// that whoever may edit the configuration (a LuCI user) cannot choose a
// program for root to run; ignored says so.
func Programs(hook string) (programs [][]string, ignored bool) {
	if _, err := os.Stat(HotplugCall); err == nil {
		return [][]string{{HotplugCall, "ddns-updater"}}, hook != ""
	}
	if hook != "" {
		return [][]string{{hook}}, false
	}
	return nil, false
}

// Event takes a check's outcome and queues the hooks of what changed. It
// never blocks.
func (h *Hooks) Event(e notify.Event) {
	h.mu.Lock()
	if len(h.programs) == 0 {
		h.mu.Unlock()
		return
	}
	if h.failing == nil {
		h.failing = map[string]bool{}
	}
	was := h.failing[e.Profile]
	var actions []string
	switch e.Kind {
	case notify.Updated:
		if was {
			actions = append(actions, Recover)
		}
		actions = append(actions, Update)
	case notify.OK:
		if was {
			actions = append(actions, Recover)
		}
	case notify.Stopped:
		actions = append(actions, Stop)
	case notify.Failed:
		if !was {
			actions = append(actions, Fail)
		}
	}
	h.failing[e.Profile] = e.Kind == notify.Failed
	h.mu.Unlock()
	for _, a := range actions {
		h.enqueue(environment(a, e))
	}
}

// environment is what a hook is told.
func environment(action string, e notify.Event) []string {
	env := []string{"ACTION=" + action, "PROFILE=" + e.Profile, "HOSTNAMES=" + strings.Join(e.Hostnames, " ")}
	var v4, v6 []string
	for _, a := range e.New {
		if a.Is4() {
			v4 = append(v4, a.String())
		} else {
			v6 = append(v6, a.String())
		}
	}
	env = append(env, "IPV4="+strings.Join(v4, " "), "IPV6="+strings.Join(v6, " "))
	answer := e.Code
	if action == Fail {
		answer = e.Detail
	}
	return append(env, "ANSWER="+answer)
}

func (h *Hooks) enqueue(env []string) {
	h.once.Do(func() {
		h.queue = make(chan []string, queueSize)
		go h.work()
	})
	h.running.Add(1)
	select {
	case h.queue <- env:
	default:
		h.running.Done()
		h.Log.Warn("hooks are behind (" + strings.Join(env[:2], ", ") + "): this one is not run")
	}
}

func (h *Hooks) work() {
	for env := range h.queue {
		h.mu.Lock()
		programs := h.programs
		h.mu.Unlock()
		for _, prog := range programs {
			h.run(prog, env)
		}
		h.running.Done()
	}
}

// run runs one program with env added to the daemon's environment, killing
// it and whatever it started after the timeout, and logs how it ended.
func (h *Hooks) run(prog []string, env []string) {
	timeout := h.Timeout
	if timeout == 0 {
		timeout = Timeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog[0], prog[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second // output pipes held by a grandchild do not hold us
	out, err := cmd.CombinedOutput()
	what := "hook " + strings.Join(prog, " ") + " (" + env[0] + ", " + env[1] + ")"
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		h.Log.Warn(what + " ran longer than " + timeout.String() + " and was killed")
	case errors.As(err, &exit):
		h.Log.Warn(what+" failed: "+exit.String(), "output", clip(out))
	case err != nil:
		h.Log.Warn(what+" could not run", "err", err)
	default:
		h.Log.Debug(what+" ran", "output", clip(out))
	}
}

func clip(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// Wait waits until the queued hooks have run, or ctx ends.
func (h *Hooks) Wait(ctx context.Context) {
	done := make(chan struct{})
	go func() {
		h.running.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
}
