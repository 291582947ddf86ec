package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"ddns-updater/src/config"
	"ddns-updater/src/internal/smtptest"
	"ddns-updater/src/internal/testcert"
)

const password = smtptest.Password

func start(t *testing.T, addr, mode string) (*smtptest.Server, config.Mail, *testcert.Cert) {
	s := smtptest.Start(t, addr, mode)
	return s, s.Mail, s.Cert
}

func testMessage() Message {
	return Message{From: "router@example.com", To: []string{"me@example.com", "you@example.com"},
		Subject: "ddns-updater: home: home.example.com now points to 203.0.113.8 — grün", Date: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC),
		Body: "Profile home updated home.example.com\nfrom 203.0.113.7\nto   203.0.113.8\n.\na line with ünïcödé and a very long tail " + strings.Repeat("x", 100) + "\n"}
}

// checkDelivered parses what the server received as a mail reader would.
func checkDelivered(t *testing.T, b *smtptest.Server) {
	t.Helper()
	auths, from, to, data := b.Received()
	if len(auths) != 1 || !auths[0] {
		t.Errorf("AUTH must happen once, after TLS: %v", auths)
	}
	if from != "router@example.com" || strings.Join(to, ",") != "me@example.com,you@example.com" {
		t.Errorf("envelope %q → %q", from, to)
	}
	if bytes.Contains(bytes.ReplaceAll(data, []byte("\r\n"), nil), []byte("\n")) {
		t.Error("a bare LF in the message: lines must end in CRLF")
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	want := testMessage()
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	date, _ := msg.Header.Date()
	if subject != want.Subject || !date.Equal(want.Date) || msg.Header.Get("From") != want.From ||
		msg.Header.Get("To") != "me@example.com, you@example.com" || msg.Header.Get("MIME-Version") != "1.0" ||
		msg.Header.Get("Content-Type") != "text/plain; charset=utf-8" || !strings.HasPrefix(msg.Header.Get("Message-ID"), "<") {
		t.Errorf("headers %v (subject %q)", msg.Header, subject)
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if got := strings.ReplaceAll(string(body), "\r\n", "\n"); got != want.Body {
		t.Errorf("body\n%q\nwant\n%q", got, want.Body)
	}
}

func TestSTARTTLS(t *testing.T) {
	b, m, cert := start(t, "127.0.0.1:0", "starttls")
	if err := Send(context.Background(), m, &tls.Config{ServerName: m.SMTPServer, RootCAs: cert.Pool}, testMessage()); err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, b)
}

func TestImplicitTLS(t *testing.T) {
	b, m, cert := start(t, "127.0.0.1:465", "implicit") // 465 means TLS from the first byte
	if err := Send(context.Background(), m, &tls.Config{ServerName: m.SMTPServer, RootCAs: cert.Pool}, testMessage()); err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, b)
}

func TestNoSTARTTLSNoCredentials(t *testing.T) {
	b, m, cert := start(t, "127.0.0.1:0", "none")
	err := Send(context.Background(), m, &tls.Config{ServerName: m.SMTPServer, RootCAs: cert.Pool}, testMessage())
	if err == nil || !strings.Contains(err.Error(), "does not offer STARTTLS") {
		t.Errorf("err = %v", err)
	}
	if auths, _, _, data := b.Received(); len(auths) != 0 || data != nil {
		t.Error("credentials or mail went out without TLS")
	}
}

func TestPlainRelayOnLoopback(t *testing.T) {
	b, m, cert := start(t, "127.0.0.1:0", "none")
	m.TLS, m.Username, m.Password = false, "", "" // tls 0: a local relay, no credentials
	if err := Send(context.Background(), m, &tls.Config{ServerName: m.SMTPServer, RootCAs: cert.Pool}, testMessage()); err != nil {
		t.Fatal(err)
	}
	if _, _, _, data := b.Received(); data == nil {
		t.Error("nothing delivered")
	}
}

func TestRejectedAuth(t *testing.T) {
	b, m, cert := start(t, "127.0.0.1:0", "starttls")
	b.RejectAuth()
	err := Send(context.Background(), m, &tls.Config{ServerName: m.SMTPServer, RootCAs: cert.Pool}, testMessage())
	if err == nil || !strings.Contains(err.Error(), `AUTH as "router@example.com"`) || !strings.Contains(err.Error(), "535") {
		t.Errorf("err = %v", err)
	}
	if strings.Contains(err.Error(), password) {
		t.Error("the password appears in the error")
	}
}

func TestUntrustedCertificate(t *testing.T) {
	_, m, _ := start(t, "127.0.0.1:0", "starttls")
	other := testcert.New(t, time.Now())
	if err := Send(context.Background(), m, &tls.Config{ServerName: m.SMTPServer, RootCAs: other.Pool}, testMessage()); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("a certificate from an unknown CA must fail: %v", err)
	}
}

// TestServerThatNeverAnswers: the attempt ends with the context; the daemon's
// tests show that this never delays an update.
func TestServerThatNeverAnswers(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accept, say nothing
		}
	}()
	port, _ := strconv.Atoi(strings.Split(ln.Addr().String(), ":")[1])
	m := config.Mail{SMTPServer: "127.0.0.1", Port: port, TLS: true, Sender: "a@example.com", Recipients: []string{"b@example.com"}}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond) // stands for the 30 s of SendTimeout
	defer cancel()
	if err := Send(ctx, m, nil, testMessage()); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want a deadline", err)
	}
}

// TestServerThatTalksTooMuch: reads from the server are bounded.
func TestServerThatTalksTooMuch(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.Write([]byte("220 " + strings.Repeat("x", 2<<20))) // a greeting of 2 MiB without an end
	}()
	port, _ := strconv.Atoi(strings.Split(ln.Addr().String(), ":")[1])
	m := config.Mail{SMTPServer: "127.0.0.1", Port: port, TLS: true, Sender: "a@example.com", Recipients: []string{"b@example.com"}}
	if err := Send(context.Background(), m, nil, testMessage()); err == nil || !strings.Contains(err.Error(), "more than 1 MiB") {
		t.Errorf("err = %v", err)
	}
}
