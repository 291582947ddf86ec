package transport

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"os"
	"testing"
	"time"

	"ddns-updater/src/internal/testcert"
)

// FuzzReadResponse: no answer, however broken, panics the reader or makes it
// keep more body than asked.
func FuzzReadResponse(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x\r\ngoo\r\n0\r\n\r\n",
		"HTTP/1.0 200 OK\r\n\r\nnochg",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 401\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		resp, err := readResponse(bufio.NewReader(bytes.NewReader(data)), 32)
		if err == nil && len(resp.Body) > 32 {
			t.Errorf("kept %d body bytes of at most 32", len(resp.Body))
		}
	})
}

// FuzzRawSubject: whenever x509 parses a certificate, the subject read
// without parsing is its RawSubject; nothing panics.
func FuzzRawSubject(f *testing.F) {
	c := testcert.New(f, time.Now())
	f.Add(c.CA.Raw)
	f.Add(c.Server.Certificates[0].Certificate[0])
	f.Fuzz(func(t *testing.T, der []byte) {
		s, ok := rawSubject(der)
		if cert, err := x509.ParseCertificate(der); err == nil && (!ok || !bytes.Equal(s, cert.RawSubject)) {
			t.Errorf("subject %x, %v; x509 reads %x", s, ok, cert.RawSubject)
		}
	})
}

// FuzzScanPEM: the certificate blocks read are those pem.Decode finds.
func FuzzScanPEM(f *testing.F) {
	c := testcert.New(f, time.Now())
	ca, _ := os.ReadFile(c.CAFile)
	f.Add(ca)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nA: b\n\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		var got [][]byte
		scanPEM(bufio.NewReaderSize(bytes.NewReader(in), 4096), func(der []byte) { got = append(got, bytes.Clone(der)) })
		want := pemCerts(in)
		if len(got) != len(want) {
			t.Fatalf("%d blocks; pem.Decode finds %d", len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("block %d: %x; pem.Decode: %x", i, got[i], want[i])
			}
		}
	})
}
