// Package transport is the HTTP the profiles use: a small HTTP/1.1 client
// (GET only), trusted roots from the system's bundle plus an optional PEM
// file, dialing pinned to one address family when a checkip server must see
// that family, and failures said in plain words.
package transport

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
)

// Trust is what a profile's HTTPS connections trust: the system's roots, plus
// those of a ca_file. Nothing is kept loaded: each handshake reads the bundle
// and keeps only the roots whose name is the issuer of a certificate the
// server sent, the only ones that can end its chain (x509 matches a parent by
// name). A pool of every root would hold about 0.25 MiB for the daemon's
// lifetime, and loading it costs twice that again in the Go heap (README,
// Memory; BENCHMARKS.md).
type Trust struct {
	caFile string // "": the system's roots alone
}

// bundles are where the system's roots are looked for, as one file, when
// SSL_CERT_FILE does not name one: OpenWrt's ca-bundle and Debian's
// ca-certificates write the first.
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

// Roots returns the trust of a profile: the system's roots, plus those in
// caFile when it is set. caFile is checked now (it exists and holds a
// certificate); it and the bundle are read again at each handshake, so a
// changed file counts from the next connection on.
func Roots(caFile string) (*Trust, error) {
	if caFile != "" {
		n := 0
		if err := eachCert(caFile, func(der []byte) {
			if _, err := x509.ParseCertificate(der); err == nil {
				n++
			}
		}); err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, fmt.Errorf("%s: no usable certificate", caFile)
		}
	}
	return &Trust{caFile: caFile}, nil
}

// Config is a TLS client configuration that checks the server's chain and
// name against t. Go's own check is off only because VerifyConnection does it,
// with x509's Verify as crypto/tls would, on roots chosen for this chain.
func (t *Trust) Config(serverName string) *tls.Config {
	return &tls.Config{
		ServerName:         serverName,
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // VerifyConnection verifies
		VerifyConnection:   func(cs tls.ConnectionState) error { return t.verify(cs.PeerCertificates, serverName) },
	}
}

// verify checks a server's chain (leaf first) for name, as crypto/tls does.
func (t *Trust) verify(certs []*x509.Certificate, name string) error {
	if len(certs) == 0 {
		return errors.New("the server sent no certificate")
	}
	roots, err := t.candidates(certs)
	if err != nil {
		return err
	}
	opts := x509.VerifyOptions{DNSName: name, Roots: roots, Intermediates: x509.NewCertPool()}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	if _, err := certs[0].Verify(opts); err != nil {
		return &tls.CertificateVerificationError{UnverifiedCertificates: certs, Err: err}
	}
	return nil
}

// candidates are the trusted roots named as the issuer of one of certs.
func (t *Trust) candidates(certs []*x509.Certificate) (*x509.CertPool, error) {
	issuers := make(map[string]bool, len(certs))
	for _, c := range certs {
		issuers[string(c.RawIssuer)] = true
	}
	found, sys, err := t.named(issuers)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if sys != nil {
		pool = sys
	}
	for _, c := range found {
		pool.AddCert(c)
	}
	return pool, nil
}

// named returns the trusted roots whose raw subject is one of names. Without
// a bundle file, sys is whatever the system has, as crypto/tls would find it.
func (t *Trust) named(names map[string]bool) (found []*x509.Certificate, sys *x509.CertPool, err error) {
	keep := func(der []byte) {
		if s, ok := rawSubject(der); ok && names[string(s)] {
			if c, err := x509.ParseCertificate(bytes.Clone(der)); err == nil {
				found = append(found, c)
			}
		}
	}
	if f := systemBundle(); f != "" {
		if err := eachCert(f, keep); err != nil && t.caFile == "" {
			return nil, nil, fmt.Errorf("the system's trusted roots: %w", err)
		}
	} else if sys, err = x509.SystemCertPool(); err != nil && t.caFile == "" {
		return nil, nil, fmt.Errorf("the system's trusted roots: %w", err)
	}
	if t.caFile != "" {
		if err := eachCert(t.caFile, keep); err != nil {
			return nil, nil, err
		}
	}
	return found, sys, nil
}

var (
	pemBegin = []byte("-----BEGIN CERTIFICATE-----")
	pemEnd   = []byte("-----END CERTIFICATE-----")
)

// eachCert calls f with the DER bytes of every CERTIFICATE block of a PEM
// file, as x509.CertPool.AppendCertsFromPEM takes them (blocks with headers
// or bad base64 are skipped), reading line by line into buffers it reuses: f
// must copy what it keeps.
func eachCert(file string, f func(der []byte)) error {
	fh, err := os.Open(file)
	if err != nil {
		return err
	}
	defer fh.Close()
	return scanPEM(bufio.NewReaderSize(fh, 4096), f)
}

func scanPEM(r *bufio.Reader, f func(der []byte)) error {
	var b64, der []byte
	in, skip := false, false
	for {
		line, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull { // a line longer than the buffer is no part of a certificate
			for err == bufio.ErrBufferFull {
				_, err = r.ReadSlice('\n')
			}
			in = false
			line = nil
		}
		if err != nil && err != io.EOF {
			return err
		}
		line = bytes.TrimRight(line, " \t\r\n")
		switch {
		case bytes.Equal(line, pemBegin):
			in, skip, b64 = true, false, b64[:0]
		case !in:
		case bytes.Equal(line, pemEnd):
			in = false
			if skip {
				break
			}
			der = growTo(der, base64.StdEncoding.DecodedLen(len(b64)))
			if n, err := base64.StdEncoding.Decode(der, b64); err == nil {
				f(der[:n])
			}
		case bytes.IndexByte(line, ':') >= 0: // a header line: pem.Decode gives headers, which the pool refuses
			skip = true
		default:
			for _, c := range line {
				if c != ' ' && c != '\t' { // as pem.Decode, which drops them anywhere
					b64 = append(b64, c)
				}
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

func growTo(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}

// rawSubject is the subject of a DER certificate, the whole SEQUENCE as
// x509.Certificate.RawSubject holds it, read without parsing the rest.
func rawSubject(der []byte) ([]byte, bool) {
	tag, _, cert, _, ok := tlv(der)
	if !ok || tag != 0x30 {
		return nil, false
	}
	tag, _, rest, _, ok := tlv(cert) // tbsCertificate
	if !ok || tag != 0x30 {
		return nil, false
	}
	if len(rest) > 0 && rest[0] == 0xa0 { // [0] version
		if _, _, _, rest, ok = tlv(rest); !ok {
			return nil, false
		}
	}
	for range 4 { // serialNumber, signature, issuer, validity
		if _, _, _, rest, ok = tlv(rest); !ok {
			return nil, false
		}
	}
	tag, subject, _, _, ok := tlv(rest)
	if !ok || tag != 0x30 {
		return nil, false
	}
	return subject, true
}

// tlv splits one DER element off b: its tag, the whole element, its contents
// and what follows it.
func tlv(b []byte) (tag byte, whole, body, rest []byte, ok bool) {
	if len(b) < 2 || b[0]&0x1f == 0x1f { // high tag numbers appear nowhere before the subject
		return 0, nil, nil, nil, false
	}
	n, hdr := int(b[1]), 2
	if n&0x80 != 0 {
		k := n & 0x7f
		if k == 0 || k > 3 || len(b) < 2+k {
			return 0, nil, nil, nil, false
		}
		n = 0
		for _, c := range b[2 : 2+k] {
			n = n<<8 | int(c)
		}
		hdr += k
	}
	if len(b)-hdr < n {
		return 0, nil, nil, nil, false
	}
	return b[0], b[:hdr+n], b[hdr : hdr+n], b[hdr+n:], true
}
