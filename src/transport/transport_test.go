package transport

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"ddns-updater/src/internal/testcert"
)

func TestRoots(t *testing.T) {
	if p, err := Roots(""); p != nil || err != nil {
		t.Errorf("no ca_file: %v, %v; want nil (the system's roots)", p, err)
	}
	c := testcert.New(t, time.Now())
	a, err := Roots(c.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := Roots(c.CAFile); b != a {
		t.Error("profiles naming the same ca_file must share one pool")
	}
	other := testcert.New(t, time.Now())
	data, _ := os.ReadFile(other.CAFile)
	os.WriteFile(c.CAFile, append(data, '\n'), 0o600) // a changed file is read anew
	if b, _ := Roots(c.CAFile); b == a {
		t.Error("a changed ca_file must give a new pool")
	}
	bad := filepath.Join(t.TempDir(), "bad.pem")
	os.WriteFile(bad, []byte("not a certificate"), 0o600)
	if _, err := Roots(bad); err == nil {
		t.Error("a file without certificates must be an error")
	}
}
