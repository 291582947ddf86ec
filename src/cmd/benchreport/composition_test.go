package main

import (
	"strings"
	"testing"
)

func TestCompositionTable(t *testing.T) {
	got := compositionTable([]symbol{
		{"crypto/tls.(*Conn).Read", 1200}, {"crypto/tls.init", 800}, {"type:*crypto/tls.Conn", 500},
		{"go:itab.*os.File,io.Reader", 300}, {"ddns-updater/src/config.Parse", 700}, {"main.main", 100},
	})
	for _, want := range []string{"| crypto/tls | 2000 |", "| (type descriptors, itabs, go: tables) | 800 |",
		"| ddns-updater/src/config | 700 |", "| main | 100 |", "| **all symbols** | **3600** |"} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "more packages") {
		t.Error("a 'more' row for 4 packages")
	}
}
