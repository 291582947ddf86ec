package logx

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"ddns-updater/src/internal/logdtest"
)

func TestLogger(t *testing.T) {
	var b strings.Builder
	l := New(&b, Info).With("home")
	l.Debug("hidden")
	l.Info("address changed\nfrom A", "answer", "good 203.0.113.7", "n", 3)
	l.Warn("failed", "err", errors.New(`dial "x"`))
	want := "info: [home] address changed from A answer=\"good 203.0.113.7\" n=3\n" +
		"warn: [home] failed err=\"dial \\\"x\\\"\"\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	if lv, ok := ParseLevel("debug"); !ok || lv != Debug {
		t.Error("ParseLevel(debug)")
	}
	if _, ok := ParseLevel("verbose"); ok {
		t.Error("ParseLevel(verbose) accepted")
	}
	var d strings.Builder
	New(&d, Error).Warn("x")
	if d.Len() != 0 {
		t.Error("warn printed at level error")
	}
}

// TestSyslogPriorities: each level reaches the system log at its own priority
// (facility daemon), so that logread shows daemon.err, daemon.warn, daemon.info
// and daemon.debug, never everything at err as procd's stderr capture would.
func TestSyslogPriorities(t *testing.T) {
	logd := logdtest.Listen(t)
	next := func() logdtest.Line {
		t.Helper()
		line, ok := logd.Next(5 * time.Second)
		if !ok {
			t.Fatal("no message reached the log socket")
		}
		return line
	}
	var fallback strings.Builder
	l := NewSyslog(logd.Path, "ddns-updater", Debug, &fallback).With("home")
	tag := fmt.Sprintf("ddns-updater[%d]: ", os.Getpid())
	for _, tc := range []struct {
		log  func(string, ...any)
		prio int
		name string
	}{
		{l.Error, logdtest.Err, "daemon.err"},
		{l.Warn, logdtest.Warn, "daemon.warn"},
		{l.Info, logdtest.Info, "daemon.info"},
		{l.Debug, logdtest.Debug, "daemon.debug"},
	} {
		tc.log("a line\nfor "+tc.name, "answer", "good 203.0.113.7")
		got := next()
		if want := tag + `[home] a line for ` + tc.name + ` answer="good 203.0.113.7"`; got.Prio != tc.prio || got.Text != want {
			t.Errorf("%s: got <%d> %q, want <%d> %q", tc.name, got.Prio, got.Text, tc.prio, want)
		}
	}
	l.WithLevel(Warn).Info("below the level")
	l.WithLevel(Warn).Warn("at the level")
	if got := next(); !strings.HasSuffix(got.Text, "at the level") {
		t.Errorf("WithLevel: got %q", got.Text)
	}
	// logd restarts: a new socket at the same path takes the next line
	logd.Close()
	os.Remove(logd.Path)
	again := logdtest.Listen(t)
	os.Rename(again.Path, logd.Path)
	logd = again
	l.Warn("after the restart")
	if got := next(); got.Prio != logdtest.Warn || !strings.HasSuffix(got.Text, "after the restart") {
		t.Errorf("after a restart of the log daemon: %+v", got)
	}
	// no log daemon at all: the line is not lost
	logd.Close()
	l.Error("nobody listens")
	if fallback.String() != "error: [home] nobody listens\n" {
		t.Errorf("fallback got %q", fallback.String())
	}
}
