// Package smtptest is a real SMTP server (github.com/emersion/go-smtp) on
// loopback for tests, with STARTTLS or TLS from the first byte, that records
// every AUTH (and whether TLS was on) and the mail it received.
package smtptest

import (
	"crypto/tls"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"ddns-updater/src/config"
	"ddns-updater/src/internal/testcert"
)

// The account the server accepts.
const (
	User     = "router@example.com"
	Password = "m4il-S3cret"
)

// Server is a running test SMTP server.
type Server struct {
	Mail config.Mail // settings that reach it (ca_file trusts its certificate)
	Cert *testcert.Cert

	mu     sync.Mutex
	auths  []bool
	from   string
	to     []string
	data   []byte
	reject bool
}

// Start serves on addr; mode is "starttls", "implicit" or "none".
func Start(t testing.TB, addr, mode string) *Server {
	t.Helper()
	s := &Server{Cert: testcert.New(t, time.Now().Add(-time.Hour))}
	ln, err := net.Listen("tcp4", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true // so that a client sending AUTH in clear would be seen doing it
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	switch mode {
	case "starttls":
		srv.TLSConfig = s.Cert.Server
	case "implicit":
		ln = tls.NewListener(ln, s.Cert.Server)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	port, _ := strconv.Atoi(ln.Addr().String()[strings.LastIndex(ln.Addr().String(), ":")+1:])
	s.Mail = config.Mail{Notify: true, SMTPServer: "127.0.0.1", Port: port, Username: User, Password: Password,
		Recipients: []string{"me@example.com", "you@example.com"}, Sender: User, TLS: true, CAFile: s.Cert.CAFile, AlertAfter: time.Hour}
	return s
}

// RejectAuth makes every AUTH fail with 535.
func (s *Server) RejectAuth() { s.mu.Lock(); s.reject = true; s.mu.Unlock() }

// Received returns the AUTHs (true: over TLS), the envelope and the data of the last mail.
func (s *Server) Received() (auths []bool, from string, to []string, data []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]bool(nil), s.auths...), s.from, append([]string(nil), s.to...), s.data
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(c *smtp.Conn) (smtp.Session, error) { return &session{s: s, c: c}, nil }

type session struct {
	s *Server
	c *smtp.Conn
}

func (x *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (x *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		_, isTLS := x.c.TLSConnectionState()
		x.s.mu.Lock()
		x.s.auths = append(x.s.auths, isTLS)
		reject := x.s.reject
		x.s.mu.Unlock()
		if reject || user != User || pass != Password {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
		}
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.s.mu.Lock()
	x.s.from, x.s.to = from, nil
	x.s.mu.Unlock()
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.mu.Lock()
	x.s.to = append(x.s.to, to)
	x.s.mu.Unlock()
	return nil
}

func (x *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	x.s.mu.Lock()
	x.s.data = b
	x.s.mu.Unlock()
	return err
}

func (x *session) Reset()        {}
func (x *session) Logout() error { return nil }
