package logx

import (
	"errors"
	"strings"
	"testing"
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
