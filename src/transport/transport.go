// Package transport is the HTTP the profiles use: a small HTTP/1.1 client
// (GET only), trusted roots from the system's bundle plus an optional PEM
// file, dialing pinned to one address family when a checkip server must see
// that family, and failures said in plain words.
package transport

import (
	"crypto/x509"
	"fmt"
	"os"
	"sync"
	"time"
	"weak"
)

// RootPool is a set of trusted roots loaded at its first use, so that a
// configuration whose profiles never speak HTTPS never loads any, and
// dropped with the last profile that holds it.
type RootPool struct {
	caFile string // "" : the system's bundle alone
	once   sync.Once
	pool   *x509.CertPool
	err    error
}

// bundles are where the system's roots are looked for, as one file, when
// SSL_CERT_FILE does not name one: OpenWrt's ca-bundle and Debian's
// ca-certificates write the first. Reading the bundle alone, and not also
// every file of /etc/ssl/certs as x509.SystemCertPool does, keeps about
// 1.4 MiB of the daemon's memory (BENCHMARKS.md).
var bundles = []string{
	"/etc/ssl/certs/ca-certificates.crt",                // OpenWrt, Debian, Ubuntu, Gentoo
	"/etc/pki/tls/certs/ca-bundle.crt",                  // Fedora, RHEL 6
	"/etc/ssl/ca-bundle.pem",                            // openSUSE
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", // CentOS, RHEL 7
	"/etc/ssl/cert.pem",                                 // Alpine
}

// systemBundle is the file the system's roots come from ("" when there is none).
func systemBundle() string {
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		return f
	}
	for _, f := range bundles {
		if _, err := os.Stat(f); err == nil {
			return f
		}
	}
	return ""
}

// Get returns the roots, loading them the first time.
func (r *RootPool) Get() (*x509.CertPool, error) {
	r.once.Do(func() { r.pool, r.err = load(r.caFile) })
	return r.pool, r.err
}

// load reads the system's bundle, then caFile's certificates into one pool.
func load(caFile string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	if f := systemBundle(); f != "" {
		pem, err := os.ReadFile(f)
		if err != nil && caFile == "" {
			return nil, fmt.Errorf("the system's trusted roots: %w", err)
		}
		pool.AppendCertsFromPEM(pem)
	} else if sys, err := x509.SystemCertPool(); err == nil && sys != nil {
		pool = sys // no bundle file: whatever the system has, as crypto/tls would find it
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no usable certificate", caFile)
		}
	}
	return pool, nil
}

var (
	mu    sync.Mutex
	pools = map[string]cached{} // by ca_file ("" too): every profile naming it shares one pool
)

type cached struct {
	mod  time.Time
	size int64
	pool weak.Pointer[RootPool] // gone when no profile holds it any more
}

// Roots returns the roots of a profile: the system's, plus those in caFile
// when it is set. caFile is checked now (it exists and holds a certificate);
// nothing is kept loaded until a connection needs it. Profiles naming the
// same file share one pool, read anew when the file changes.
func Roots(caFile string) (*RootPool, error) {
	var mod time.Time
	var size int64
	if caFile != "" {
		fi, err := os.Stat(caFile)
		if err != nil {
			return nil, err
		}
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		if !x509.NewCertPool().AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no usable certificate", caFile)
		}
		mod, size = fi.ModTime(), fi.Size()
	}
	mu.Lock()
	defer mu.Unlock()
	if c, ok := pools[caFile]; ok && c.mod.Equal(mod) && c.size == size {
		if p := c.pool.Value(); p != nil {
			return p, nil
		}
	}
	p := &RootPool{caFile: caFile}
	pools[caFile] = cached{mod, size, weak.Make(p)}
	return p, nil
}
