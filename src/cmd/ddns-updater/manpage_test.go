package main

import (
	"flag"
	"io"
	"os"
	"strings"
	"testing"
)

// TestManPage holds the Debian package's man page to the command line: every
// command and every flag has its entry, and it names no flag that is gone.
func TestManPage(t *testing.T) {
	b, err := os.ReadFile("../../../contrib/debian/ddns-updater.8")
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, c := range commands {
		if !strings.Contains(page, ".TP\n.B "+c.name) {
			t.Errorf("the man page has no entry for the command %s", c.name)
		}
	}
	f := newFlags(io.Discard)
	known := map[string]bool{}
	f.fs.VisitAll(func(fl *flag.Flag) {
		known[fl.Name] = true
		if !strings.Contains(page, "\n.B \\-\\-"+fl.Name+"\n") && !strings.Contains(page, "\n.BI \\-\\-"+fl.Name+" ") {
			t.Errorf("the man page has no entry for --%s", fl.Name)
		}
	})
	for _, l := range strings.Split(page, "\n") {
		if name, ok := strings.CutPrefix(l, ".B \\-\\-"); ok && !known[name] {
			t.Errorf("the man page documents --%s, which does not exist", name)
		}
		if rest, ok := strings.CutPrefix(l, ".BI \\-\\-"); ok && !known[strings.Fields(rest)[0]] {
			t.Errorf("the man page documents --%s, which does not exist", strings.Fields(rest)[0])
		}
	}
}
