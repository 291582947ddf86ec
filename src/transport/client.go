package transport

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultMaxBody is how much of a body a Request reads when it says nothing.
const DefaultMaxBody = 64 << 10

// maxHeader caps the status line and header fields of an answer together.
const maxHeader = 64 << 10

// maxRedirects is how many redirects a request follows at most.
const maxRedirects = 3

// Client sends GET requests over HTTP/1.1, one connection each ("Connection:
// close"): what a DDNS client needs of HTTP, and no more. It stands in for
// net/http, whose server, HTTP/2 remains, IDNA and compression tables would
// cost the router about half a megabyte of flash (README, Design).
type Client struct {
	Network    string         // tcp, or tcp4 / tcp6 to pin one address family
	Roots      *x509.CertPool // trusted roots for HTTPS; nil: Trust's
	Trust      *Trust         // what HTTPS trusts when Roots is nil; both nil: the system's roots
	ServerName string         // the name the certificate must hold; "": the URL's host (tests set it)
	Route      *Route         // the uplink requests leave through; nil: the routing table's way
	// Dial connects; nil: a net.Dialer with a 10 s timeout.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Request is one GET.
type Request struct {
	URL     string
	Header  [][2]string // name and value, sent in this order after Host
	MaxBody int64       // the body is cut off after this many bytes; 0: DefaultMaxBody
	// Redirect decides whether a redirect from prev to next is followed (nil
	// error) or not (the error is the request's). nil: none is followed and
	// the redirect is the response. An Authorization header does not follow
	// to another host.
	Redirect func(prev, next *url.URL) error
}

// Response is an answer with its body read.
type Response struct {
	Status int
	Reason string            // the status line's text, e.g. "Not Found"
	Header map[string]string // names in lower case; a repeated field keeps its last value
	Body   []byte
}

// StatusText is "404 Not Found", as the status line gives it.
func (r *Response) StatusText() string {
	return strings.TrimSpace(strconv.Itoa(r.Status) + " " + r.Reason)
}

// New returns a client that trusts t (nil: the system's roots) and dials
// network: "tcp" for either family, "tcp4" or "tcp6" to pin one.
func New(t *Trust, network string) *Client {
	return &Client{Network: network, Trust: t}
}

// Get sends r and reads the answer. Network, timeout and TLS failures are
// errors as the net and crypto/tls packages give them (Explain says them in
// words); a context that ends is an error that errors.Is its cause. Every
// answer, whatever its status, is a Response.
func (c *Client) Get(ctx context.Context, r Request) (*Response, error) {
	u, err := url.Parse(r.URL)
	if err != nil {
		// Not the URL itself: a password may travel in its query.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("the URL does not parse: %w", err)
	}
	header := r.Header
	for n := 0; ; n++ {
		resp, err := c.once(ctx, u, header, r.MaxBody)
		if err != nil || r.Redirect == nil || !isRedirect(resp.Status) || resp.Header["location"] == "" {
			return resp, err
		}
		next, err := u.Parse(resp.Header["location"])
		if err != nil {
			return nil, fmt.Errorf("redirect to %q: %w", resp.Header["location"], err)
		}
		if n == maxRedirects {
			return nil, fmt.Errorf("more than %d redirects", maxRedirects)
		}
		if err := r.Redirect(u, next); err != nil {
			return nil, err
		}
		if next.Host != u.Host {
			header = withoutAuth(header)
		}
		u = next
	}
}

func isRedirect(status int) bool {
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308
}

func withoutAuth(h [][2]string) [][2]string {
	var out [][2]string
	for _, f := range h {
		if !strings.EqualFold(f[0], "Authorization") {
			out = append(out, f)
		}
	}
	return out
}

// once is one request on its own connection.
func (c *Client) once(ctx context.Context, u *url.URL, header [][2]string, maxBody int64) (*Response, error) {
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("unsupported scheme %q", u.Scheme)
	}
	host := u.Hostname()
	if host == "" {
		return nil, errors.New("no host in the URL")
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	network := c.Network
	if network == "" {
		network = "tcp"
	}
	dial := c.Dial
	if dial == nil {
		d := &net.Dialer{Timeout: 10 * time.Second}
		if c.Route != nil {
			network = c.Route.prepare(d, network, host)
		}
		dial = d.DialContext
	}
	conn, err := dial(ctx, network, net.JoinHostPort(host, port))
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	// The context's end unblocks whatever the connection waits for; the
	// error then says the context's cause.
	raw := conn // conn becomes the TLS connection below; the deadline goes on what it wraps
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	fail := func(err error) (*Response, error) {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return nil, err
	}
	if u.Scheme == "https" {
		name := c.ServerName
		if name == "" {
			name = host
		}
		cfg := &tls.Config{ServerName: name, RootCAs: c.Roots, MinVersion: tls.VersionTLS12}
		if c.Roots == nil && c.Trust != nil {
			cfg = c.Trust.Config(name)
		}
		tc := tls.Client(conn, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return fail(err)
		}
		conn = tc
	}
	var b strings.Builder
	b.WriteString("GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\n")
	for _, f := range header {
		b.WriteString(f[0] + ": " + f[1] + "\r\n")
	}
	b.WriteString("Connection: close\r\n\r\n")
	if _, err := io.WriteString(conn, b.String()); err != nil {
		return fail(err)
	}
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	resp, err := readResponse(bufio.NewReader(conn), maxBody)
	if err != nil {
		return fail(err)
	}
	return resp, nil
}

// readResponse reads a status line, the header fields and the body (at most
// max bytes of it), skipping interim 1xx answers.
func readResponse(br *bufio.Reader, max int64) (*Response, error) {
	var resp *Response
	budget := maxHeader
	for resp == nil || resp.Status >= 100 && resp.Status < 200 {
		line, err := readLine(br, &budget)
		if err != nil {
			return nil, err
		}
		proto, rest, _ := strings.Cut(line, " ")
		code, reason, _ := strings.Cut(rest, " ")
		status, err := strconv.Atoi(code)
		if !strings.HasPrefix(proto, "HTTP/1.") || err != nil || len(code) != 3 {
			return nil, fmt.Errorf("not an HTTP/1.x answer: %q", snip(line))
		}
		resp = &Response{Status: status, Reason: reason, Header: map[string]string{}}
		for {
			line, err := readLine(br, &budget)
			if err != nil {
				return nil, err
			}
			if line == "" {
				break
			}
			name, value, ok := strings.Cut(line, ":")
			if !ok || name == "" || strings.ContainsAny(name, " \t") {
				continue // a folded or broken field: nothing a DDNS client needs
			}
			resp.Header[strings.ToLower(name)] = strings.TrimSpace(value)
		}
	}
	if resp.Status == 204 || resp.Status == 304 {
		return resp, nil
	}
	var err error
	switch te, cl := strings.ToLower(resp.Header["transfer-encoding"]), resp.Header["content-length"]; {
	case strings.Contains(te, "chunked"):
		resp.Body, err = readChunked(br, max)
	case cl != "":
		n, perr := strconv.ParseInt(cl, 10, 64)
		if perr != nil || n < 0 {
			return nil, fmt.Errorf("bad Content-Length %q", snip(cl))
		}
		resp.Body, err = readN(br, min(n, max))
	default:
		resp.Body, err = io.ReadAll(io.LimitReader(br, max))
	}
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// readLine reads one line without its CRLF (or LF), from the header budget.
func readLine(br *bufio.Reader, budget *int) (string, error) {
	var line []byte
	for {
		part, isPrefix, err := br.ReadLine()
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			return "", err
		}
		if *budget -= len(part); *budget < 0 {
			return "", fmt.Errorf("the answer's header is longer than %d bytes", maxHeader)
		}
		line = append(line, part...)
		if !isPrefix {
			return string(line), nil
		}
	}
}

// readN reads exactly n bytes; fewer is io.ErrUnexpectedEOF.
func readN(r io.Reader, n int64) ([]byte, error) {
	buf := make([]byte, n)
	_, err := io.ReadFull(r, buf)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return buf, err
}

// readChunked decodes a chunked body, keeping at most max bytes of it.
func readChunked(br *bufio.Reader, max int64) ([]byte, error) {
	var body []byte
	budget := maxHeader
	for {
		line, err := readLine(br, &budget)
		if err != nil {
			return nil, err
		}
		size, _, _ := strings.Cut(line, ";")
		n, err := strconv.ParseInt(strings.TrimSpace(size), 16, 64)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("bad chunk size %q", snip(line))
		}
		if n == 0 {
			return body, nil // trailers, if any, are left unread: the connection closes
		}
		keep := min(n, max-int64(len(body)))
		chunk, err := readN(br, keep)
		if err != nil {
			return nil, err
		}
		body = append(body, chunk...)
		if keep < n || int64(len(body)) >= max {
			return body, nil // enough: the rest is left unread
		}
		if _, err := readLine(br, &budget); err != nil { // the CRLF after the data
			return nil, err
		}
	}
}

func snip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}
