package main

import (
	"strings"
	"testing"
)

func TestCompositionTable(t *testing.T) {
	nm := `  4a0000       1200 T crypto/tls.(*Conn).Read
  4a1000        800 T crypto/tls.init
  4b0000        500 R type:*crypto/tls.Conn
  4c0000        300 D go:itab.*os.File,io.Reader
  4d0000     900000 B crypto/internal/fips140/drbg.memory
  4e0000        700 T ddns-updater/src/config.Parse
  4f0000        100 T main.main
`
	got := compositionTable(nm)
	for _, want := range []string{"| crypto/tls | 2000 |", "| (type descriptors, itabs, go: tables) | 800 |",
		"| ddns-updater/src/config | 700 |", "| main | 100 |", "| **all symbols** | **3600** |"} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "drbg") {
		t.Error("BSS counted")
	}
}
