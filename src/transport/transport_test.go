package transport

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"ddns-updater/src/internal/testcert"
)

func TestRoots(t *testing.T) {
	sys, err := Roots("")
	if err != nil || sys == nil {
		t.Fatalf("no ca_file: %v, %v; want the system's roots", sys, err)
	}
	if again, _ := Roots(""); again != sys {
		t.Error("profiles without ca_file must share one pool")
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
	if _, err := Roots(filepath.Join(t.TempDir(), "missing.pem")); err == nil {
		t.Error("a missing ca_file must be an error")
	}
}

// The system's roots come from the one bundle file (SSL_CERT_FILE here), are
// loaded at the first HTTPS request and not before, and go when no client
// holds them.
func TestRootsLoadedOnceWhenNeeded(t *testing.T) {
	c := testcert.New(t, time.Now())
	t.Setenv("SSL_CERT_FILE", c.CAFile) // the "system" trusts only the test CA
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	srv.TLS = c.Server
	srv.StartTLS()
	defer srv.Close()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "plain") }))
	defer plain.Close()

	p := &RootPool{} // as Roots("") makes it, without the shared cache
	cl := &Client{Network: "tcp", Pool: p, ServerName: "localhost"}
	if _, err := cl.Get(context.Background(), Request{URL: plain.URL + "/"}); err != nil {
		t.Fatal(err)
	}
	if p.pool != nil || p.err != nil {
		t.Error("an HTTP request loaded the roots")
	}
	if r, err := cl.Get(context.Background(), Request{URL: srv.URL + "/"}); err != nil || string(r.Body) != "ok" {
		t.Fatalf("HTTPS with the bundle's roots: %v %v", r, err)
	}
	first := p.pool
	if first == nil {
		t.Fatal("the roots were not kept after the first HTTPS request")
	}
	cl.Get(context.Background(), Request{URL: srv.URL + "/"})
	if p.pool != first {
		t.Error("the roots were loaded a second time")
	}

	// a pool nobody holds is collected, and Roots then makes a fresh one
	key := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(key, mustRead(t, c.CAFile), 0o600)
	if _, err := Roots(key); err != nil { // held by nothing once this line is done
		t.Fatal(err)
	}
	runtime.GC()
	runtime.GC()
	mu.Lock()
	gone := pools[key].pool.Value() == nil
	mu.Unlock()
	if !gone {
		t.Error("a pool no client holds was not collected")
	}
}

func mustRead(t *testing.T, f string) []byte {
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
