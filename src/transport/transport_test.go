package transport

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ddns-updater/src/internal/testcert"
)

func TestRoots(t *testing.T) {
	if tr, err := Roots(""); err != nil || tr == nil {
		t.Fatalf("no ca_file: %v, %v; want the system's roots", tr, err)
	}
	c := testcert.New(t, time.Now())
	if _, err := Roots(c.CAFile); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad.pem")
	os.WriteFile(bad, []byte("not a certificate"), 0o600)
	if _, err := Roots(bad); err == nil || !strings.Contains(err.Error(), "no usable certificate") {
		t.Errorf("a file without certificates: %v", err)
	}
	if _, err := Roots(filepath.Join(t.TempDir(), "missing.pem")); err == nil {
		t.Error("a missing ca_file must be an error")
	}
}

// server is an HTTPS test server presenting chain (leaf first) for key.
func server(t *testing.T, chain [][]byte, key any) *httptest.Server {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are part of the tests
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: chain, PrivateKey: key}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func writePEM(t *testing.T, ders ...[]byte) string {
	var b bytes.Buffer
	for _, d := range ders {
		pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: d})
	}
	f := filepath.Join(t.TempDir(), "bundle.pem")
	if err := os.WriteFile(f, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestTrust: a handshake is accepted when the bundle (or ca_file) holds the
// root of the server's chain and the name matches, and refused otherwise,
// with the error crypto/tls would give; the files are read at each handshake.
func TestTrust(t *testing.T) {
	c := testcert.New(t, time.Now())
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = c.Server
	srv.StartTLS()
	defer srv.Close()
	other := testcert.New(t, time.Now())
	bundle := filepath.Join(t.TempDir(), "bundle.pem")
	t.Setenv("SSL_CERT_FILE", bundle)
	get := func(caFile, name string) error {
		tr, err := Roots(caFile)
		if err != nil {
			return err
		}
		_, err = (&Client{Network: "tcp", Trust: tr, ServerName: name}).Get(context.Background(), Request{URL: srv.URL + "/"})
		return err
	}
	refused := func(err error) bool {
		return err != nil && strings.Contains(Explain(err).Error(), "certificate was not accepted")
	}

	os.WriteFile(bundle, append(system(t), mustRead(t, c.CAFile)...), 0o600)
	if err := get("", "localhost"); err != nil {
		t.Errorf("root in the bundle: %v", err)
	}
	if err := get("", "provider.example.org"); !refused(err) {
		t.Errorf("a name the certificate does not hold: %v", err)
	}
	os.WriteFile(bundle, append(system(t), mustRead(t, other.CAFile)...), 0o600) // read anew at the next handshake
	if err := get("", "localhost"); !refused(err) {
		t.Errorf("root not in the bundle: %v", err)
	}
	if err := get(c.CAFile, "localhost"); err != nil {
		t.Errorf("root in ca_file: %v", err)
	}
	os.Remove(bundle)
	if err := get("", "localhost"); err == nil || !strings.Contains(err.Error(), "the system's trusted roots") {
		t.Errorf("no bundle: %v", err)
	}
	if err := get(c.CAFile, "localhost"); err != nil {
		t.Errorf("no bundle, root in ca_file: %v", err)
	}
}

// system is the machine's bundle, when it has one, for realistic bundles.
func system(t *testing.T) []byte {
	b, _ := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	return b
}

// TestChain: a chain through an intermediate the server sends is accepted
// with only the root trusted; without the intermediate it is not (as with
// crypto/tls: no fetching of missing intermediates). Only the root that names
// the chain's issuer is taken from the bundle.
func TestChain(t *testing.T) {
	now := time.Now()
	mk := func(tmpl, parent *x509.Certificate, pub, signer any) []byte {
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	key := func() *ecdsa.PrivateKey { k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader); return k }
	rootKey, interKey, leafKey := key(), key(), key()
	ca := func(n int64, name string) *x509.Certificate {
		return &x509.Certificate{SerialNumber: big.NewInt(n), Subject: pkix.Name{CommonName: name}, NotBefore: now.Add(-time.Hour),
			NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	}
	rootT, interT := ca(1, "test root"), ca(2, "test intermediate")
	rootDER := mk(rootT, rootT, &rootKey.PublicKey, rootKey)
	root, _ := x509.ParseCertificate(rootDER)
	interDER := mk(interT, root, &interKey.PublicKey, rootKey)
	inter, _ := x509.ParseCertificate(interDER)
	leafDER := mk(&x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "localhost"}, DNSNames: []string{"localhost"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}},
		inter, &leafKey.PublicKey, interKey)
	leaf, _ := x509.ParseCertificate(leafDER)

	decoy := testcert.New(t, now) // another root in the bundle
	t.Setenv("SSL_CERT_FILE", writePEM(t, decoy.CA.Raw, rootDER))
	tr, _ := Roots("")
	if err := tr.verify([]*x509.Certificate{leaf, inter}, "localhost"); err != nil {
		t.Errorf("leaf and intermediate: %v", err)
	}
	if err := tr.verify([]*x509.Certificate{leaf}, "localhost"); err == nil {
		t.Error("leaf alone (intermediate missing) was accepted")
	}
	found, _, err := tr.named(map[string]bool{string(leaf.RawIssuer): true, string(inter.RawIssuer): true})
	if err != nil || len(found) != 1 || !found[0].Equal(root) {
		t.Errorf("roots taken for the chain: %d, %v; want the one root", len(found), err)
	}

	// over the wire
	full := server(t, [][]byte{leafDER, interDER}, leafKey)
	if _, err := New(tr, "tcp").Get(context.Background(), Request{URL: strings.Replace(full.URL, "127.0.0.1", "localhost", 1) + "/"}); err != nil {
		t.Errorf("HTTPS, full chain: %v", err)
	}
	short := server(t, [][]byte{leafDER}, leafKey)
	if _, err := (&Client{Network: "tcp", Trust: tr, ServerName: "localhost"}).Get(context.Background(), Request{URL: short.URL + "/"}); err == nil {
		t.Error("HTTPS, intermediate missing: accepted")
	}
}

// TestScanPEM: the certificates read from a PEM file are those
// x509.CertPool.AppendCertsFromPEM takes, as pem.Decode finds them.
func TestScanPEM(t *testing.T) {
	c := testcert.New(t, time.Now())
	ca := mustRead(t, c.CAFile)
	crlf := bytes.ReplaceAll(ca, []byte("\n"), []byte("\r\n"))
	headers := []byte("-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n\n" + strings.SplitN(string(ca), "\n", 2)[1])
	key := []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
	for name, in := range map[string][]byte{
		"system bundle":     system(t),
		"one":               ca,
		"CRLF":              crlf,
		"no final newline":  bytes.TrimRight(ca, "\n"),
		"text around":       append(append([]byte("# a comment\nsubject=CN = x\n"), ca...), "trailer\n"...),
		"headers":           append(headers, ca...),
		"other block types": append(key, ca...),
		"bad base64":        append([]byte("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"), ca...),
		"truncated":         append(append([]byte{}, ca...), ca[:len(ca)/2]...),
	} {
		var got [][]byte
		if err := scanPEM(bufio.NewReaderSize(bytes.NewReader(in), 4096), func(der []byte) { got = append(got, bytes.Clone(der)) }); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := pemCerts(in)
		if len(got) != len(want) {
			t.Errorf("%s: %d certificates; pem.Decode finds %d", name, len(got), len(want))
			continue
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Errorf("%s: certificate %d differs from pem.Decode's", name, i)
			}
		}
	}
}

// pemCerts is what AppendCertsFromPEM would consider: CERTIFICATE blocks without headers.
func pemCerts(in []byte) [][]byte {
	var out [][]byte
	for {
		var b *pem.Block
		b, in = pem.Decode(in)
		if b == nil {
			return out
		}
		if b.Type == "CERTIFICATE" && len(b.Headers) == 0 {
			out = append(out, b.Bytes)
		}
	}
}

// TestRawSubject: the subject read without parsing is x509's RawSubject for
// every certificate of the system's bundle and the test certificates.
func TestRawSubject(t *testing.T) {
	c := testcert.New(t, time.Now())
	ders := append(pemCerts(system(t)), c.CA.Raw, c.Server.Certificates[0].Certificate[0])
	for i, der := range ders {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			continue
		}
		if s, ok := rawSubject(der); !ok || !bytes.Equal(s, cert.RawSubject) {
			t.Errorf("certificate %d (%s): subject not found as x509 reads it", i, cert.Subject)
		}
	}
	if _, ok := rawSubject([]byte{0x30, 0x03, 0x30, 0x01}); ok {
		t.Error("a truncated certificate gave a subject")
	}
}

func mustRead(t *testing.T, f string) []byte {
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
