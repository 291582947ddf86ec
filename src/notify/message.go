// Package notify mails the owner when something changes: an update, a profile
// stopped by its provider, failures that have lasted, their end. Mail leaves
// from a small bounded queue, so that a slow or dead SMTP server never delays an
// update; it travels over TLS (implicit on port 465, STARTTLS otherwise).
package notify

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"mime/quotedprintable"
	"strings"
	"time"
	"unicode/utf8"
)

// Message is one mail.
type Message struct {
	From    string
	To      []string
	Subject string
	Body    string
	Date    time.Time
}

// header makes a configuration value or provider text safe as a header value:
// no CR or LF (no header injection), and non-ASCII encoded.
func header(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r < 0x20 && r != '\t' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	return encodeWords(s)
}

// encodeWords writes s as RFC 2047 encoded words (base64, UTF-8) when it is
// not plain printable ASCII: at most 45 bytes of text in each word, never a
// character cut in two, so that each word stays within 75 characters. (mime's
// WordEncoder would do it too, for 5 kB more of mipsel binary.)
func encodeWords(s string) string {
	plain := true
	for i := 0; i < len(s); i++ {
		plain = plain && (s[i] >= ' ' && s[i] <= '~' || s[i] == '\t')
	}
	if plain {
		return s
	}
	var words []string
	for s != "" {
		n := min(len(s), 45)
		for n < len(s) && !utf8.RuneStart(s[n]) {
			n--
		}
		words = append(words, "=?utf-8?b?"+base64.StdEncoding.EncodeToString([]byte(s[:n]))+"?=")
		s = s[n:]
	}
	return strings.Join(words, " ")
}

// address keeps an address in a header safe: no CR, LF, or separators that would add one.
func address(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == ',' || r == '<' || r == '>' || r < 0x20 {
			return -1
		}
		return r
	}, s)
}

// Bytes renders the message: Date, Message-ID, From, To, Subject, MIME-Version,
// UTF-8 text/plain in quoted-printable, CRLF line endings.
func (m Message) Bytes() []byte {
	var b bytes.Buffer
	id := make([]byte, 12)
	rand.Read(id)
	domain := "ddns-updater.invalid"
	if _, d, ok := strings.Cut(address(m.From), "@"); ok && d != "" {
		domain = d
	}
	to := make([]string, len(m.To))
	for i, a := range m.To {
		to[i] = address(a)
	}
	for _, h := range [...][2]string{
		{"Date", m.Date.Format(time.RFC1123Z)},
		{"Message-ID", "<" + hex.EncodeToString(id) + "@" + domain + ">"},
		{"From", address(m.From)},
		{"To", strings.Join(to, ", ")},
		{"Subject", header(m.Subject)},
		{"MIME-Version", "1.0"},
		{"Content-Type", "text/plain; charset=utf-8"},
		{"Content-Transfer-Encoding", "quoted-printable"},
	} {
		b.WriteString(h[0] + ": " + h[1] + "\r\n")
	}
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	body := strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n")
	qp.Write([]byte(body))
	qp.Close()
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return b.Bytes()
}
