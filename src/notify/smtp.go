package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"strconv"
	"time"

	"ddns-updater/src/config"
)

// SendTimeout bounds one delivery attempt: connect, TLS, AUTH and DATA.
const SendTimeout = 30 * time.Second

// Send delivers msg through the server of m. Port 465 speaks TLS from the first
// byte; any other port must offer STARTTLS, or nothing is sent: the password
// never travels in clear. Only tls 0 with a relay on loopback skips TLS.
// tlsConfig checks the server (transport.Trust.Config; nil: the system's roots).
func Send(ctx context.Context, m config.Mail, tlsConfig *tls.Config, msg Message) (err error) {
	addr := net.JoinHostPort(m.SMTPServer, strconv.Itoa(m.Port))
	defer func() {
		if err != nil {
			err = fmt.Errorf("smtp %s: %w", addr, err)
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, SendTimeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	conn = &limitConn{Conn: conn, left: MaxRead}
	raw := conn
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Unix(1, 0)) }) // the context ends the exchange
	defer stop()
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline.Add(time.Second)) // a backstop: the context's end comes first and is what errors say

	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: m.SMTPServer, MinVersion: tls.VersionTLS12}
	}
	implicit := m.TLS && m.Port == 465
	if implicit {
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fmt.Errorf("TLS: %w", err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, m.SMTPServer)
	if err != nil {
		return ctxErr(ctx, err)
	}
	defer c.Close()
	if err := c.Hello("ddns-updater"); err != nil {
		return ctxErr(ctx, err)
	}
	if m.TLS && !implicit {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("the server does not offer STARTTLS; nothing sent, so that the password does not travel in clear (port 465 speaks TLS from the start)")
		}
		if err := c.StartTLS(tlsConfig); err != nil {
			return fmt.Errorf("STARTTLS: %w", ctxErr(ctx, err))
		}
	}
	if m.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("the server offers no AUTH; check smtp_server and port")
		}
		if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password, m.SMTPServer)); err != nil {
			return fmt.Errorf("AUTH as %q: %w", m.Username, ctxErr(ctx, err))
		}
	}
	if err := c.Mail(msg.From); err != nil {
		return fmt.Errorf("MAIL FROM: %w", ctxErr(ctx, err))
	}
	for _, to := range msg.To {
		if err := c.Rcpt(to); err != nil {
			return fmt.Errorf("RCPT TO %s: %w", to, ctxErr(ctx, err))
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", ctxErr(ctx, err))
	}
	if _, err := w.Write(msg.Bytes()); err != nil {
		return ctxErr(ctx, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", ctxErr(ctx, err))
	}
	return c.Quit()
}

// MaxRead bounds what one SMTP session may read from the server.
const MaxRead = 1 << 20

// limitConn fails reads once the server has sent more than it should.
type limitConn struct {
	net.Conn
	left int
}

func (c *limitConn) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errors.New("the server sent more than 1 MiB")
	}
	n, err := c.Conn.Read(p[:min(len(p), c.left)])
	c.left -= n
	return n, err
}

// ctxErr prefers the context's reason (a timeout) over the I/O error it caused.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}
