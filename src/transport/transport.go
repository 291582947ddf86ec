// Package transport is the HTTP the profiles use: a small HTTP/1.1 client
// (GET only), trusted roots from the system plus an optional PEM file, dialing
// pinned to one address family when a checkip server must see that family, and
// failures said in plain words.
package transport

import (
	"crypto/x509"
	"fmt"
	"os"
	"sync"
	"time"
)

var (
	mu    sync.Mutex
	pools = map[string]cached{} // by ca_file: every profile naming it shares one pool
)

type cached struct {
	mod  time.Time
	size int64
	pool *x509.CertPool
}

// Roots returns nil (the system's roots, as crypto/tls loads them) when caFile
// is empty, else the system's roots plus those in caFile. Pools are shared
// between profiles and read anew when the file changes.
func Roots(caFile string) (*x509.CertPool, error) {
	if caFile == "" {
		return nil, nil
	}
	fi, err := os.Stat(caFile)
	if err != nil {
		return nil, err
	}
	mu.Lock()
	defer mu.Unlock()
	if c, ok := pools[caFile]; ok && c.mod.Equal(fi.ModTime()) && c.size == fi.Size() {
		return c.pool, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no usable certificate", caFile)
	}
	pools[caFile] = cached{fi.ModTime(), fi.Size(), pool}
	return pool, nil
}
