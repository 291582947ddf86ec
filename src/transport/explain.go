package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"syscall"
)

// explained is a failed request in plain words; Unwrap gives the original error.
type explained struct {
	msg    string
	err    error
	before bool // nothing reached the server
}

func (e *explained) Error() string { return e.msg }
func (e *explained) Unwrap() error { return e.err }

// Explain says in plain words what a request met: a DNS failure, a refused
// connection, no route, a broken connection, a timeout or a certificate the
// client does not accept. Other errors come back without the URL that
// net/http puts in front. nil stays nil.
func Explain(err error) error {
	if err == nil {
		return nil
	}
	var (
		dns  *net.DNSError
		op   *net.OpError
		cert *tls.CertificateVerificationError
		ue   *url.Error
	)
	addr := "the server"
	if errors.As(err, &op) && op.Addr != nil {
		addr = op.Addr.String()
	}
	dial := op != nil && op.Op == "dial"
	e := &explained{err: err, before: true}
	switch {
	case errors.As(err, &dns):
		switch {
		case dns.IsNotFound:
			e.msg = "DNS knows no address for " + dns.Name
		case dns.IsTimeout:
			e.msg = "DNS lookup of " + dns.Name + " timed out (server " + dns.Server + "; offline?)"
		default:
			e.msg = "DNS lookup of " + dns.Name + " failed: " + dns.Err + " (offline?)"
		}
	case errors.Is(err, syscall.ECONNREFUSED):
		e.msg = "connection to " + addr + " refused"
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.EADDRNOTAVAIL):
		e.msg = addr + " unreachable: no route (offline, or the WAN is down?)"
	case errors.As(err, &cert):
		e.msg = "the server's TLS certificate was not accepted: " + cert.Err.Error()
	case isCertError(err):
		e.msg = "the server's TLS certificate was not accepted: " + unwrapURL(err).Error()
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		e.msg, e.before = "no answer in time", dial
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.EPIPE):
		e.msg, e.before = "the connection broke before the answer was complete", dial
	case errors.As(err, &ue):
		return ue.Err
	default:
		return err
	}
	return e
}

// NotSent reports whether err (from Explain or not) ended a request before
// anything reached the server: DNS, a refused or unreachable address, a TLS
// handshake the client refused.
func NotSent(err error) bool {
	var e *explained
	if errors.As(err, &e) {
		return e.before
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

func isCertError(err error) bool {
	var (
		inv x509.CertificateInvalidError
		ua  x509.UnknownAuthorityError
		hn  x509.HostnameError
	)
	return errors.As(err, &inv) || errors.As(err, &ua) || errors.As(err, &hn)
}

func unwrapURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
