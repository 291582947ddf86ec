package transport

import (
	"bufio"
	"context"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// raw serves each connection with the bytes answer returns for the request
// line and header fields it read, then closes, as a server of any make may.
func raw(t *testing.T, answer func(req []string) string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				br := bufio.NewReader(conn)
				var req []string
				for {
					line, err := br.ReadString('\n')
					if err != nil || line == "\r\n" {
						break
					}
					req = append(req, strings.TrimRight(line, "\r\n"))
				}
				conn.Write([]byte(answer(req)))
			}()
		}
	}()
	return ln.Addr().String()
}

// TestAnswerShapes: answers as real servers send them, each read to the same body.
func TestAnswerShapes(t *testing.T) {
	for _, tc := range []struct {
		name, answer string
		status       int
		body         string
	}{
		{"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood", 200, "good"},
		{"chunked, with extension and trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\ngoo\r\n6\r\nd 1.2.\r\n0\r\nX-Trailer: 1\r\n\r\n", 200, "good 1.2."},
		{"HTTP/1.0, read to the close", "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nnochg 192.0.2.1\n", 200, "nochg 192.0.2.1\n"},
		{"bare LF line ends", "HTTP/1.1 200 OK\nContent-Length: 5\n\nnochg", 200, "nochg"},
		{"interim 100 and 103 first", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood", 200, "good"},
		{"no reason phrase", "HTTP/1.1 401\r\nContent-Length: 7\r\n\r\nbadauth", 401, "badauth"},
		{"204 has no body", "HTTP/1.1 204 No Content\r\n\r\n", 204, ""},
		{"header names in any case", "HTTP/1.1 200 OK\r\ncontent-LENGTH: 2\r\n\r\nokignored", 200, "ok"},
		{"a longer body is cut at MaxBody", "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + strings.Repeat("x", 100000), 200, strings.Repeat("x", 16)},
		{"a longer chunked body too", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n20\r\n" + strings.Repeat("y", 32) + "\r\n0\r\n\r\n", 200, strings.Repeat("y", 16)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := raw(t, func([]string) string { return tc.answer })
			resp, err := New(nil, "tcp").Get(context.Background(), Request{URL: "http://" + addr + "/", MaxBody: 16})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tc.status || string(resp.Body) != tc.body {
				t.Errorf("status %d body %q; want %d %q", resp.Status, resp.Body, tc.status, tc.body)
			}
		})
	}
	if r := (&Response{Status: 404, Reason: "Not Found"}); r.StatusText() != "404 Not Found" {
		t.Errorf("StatusText = %q", r.StatusText())
	}
}

// TestBrokenAnswers: what is not HTTP, or ends early, is an error that says so.
func TestBrokenAnswers(t *testing.T) {
	for _, tc := range []struct{ name, answer, want string }{
		{"not HTTP", "SSH-2.0-OpenSSH_9.6\r\n", "not an HTTP/1.x answer"},
		{"nothing", "", io_unexpected},
		{"header without end", "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n", io_unexpected},
		{"shorter than its length", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\ngood", io_unexpected},
		{"bad length", "HTTP/1.1 200 OK\r\nContent-Length: many\r\n\r\ngood", "bad Content-Length"},
		{"bad chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size"},
		{"endless header", "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 70000) + "\r\n\r\n", "header is longer than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := raw(t, func([]string) string { return tc.answer })
			_, err := New(nil, "tcp").Get(context.Background(), Request{URL: "http://" + addr + "/"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v; want one containing %q", err, tc.want)
			}
		})
	}
}

const io_unexpected = "unexpected EOF"

// TestRequestAsSent: the request line and fields a server receives.
func TestRequestAsSent(t *testing.T) {
	got := make(chan []string, 1)
	addr := raw(t, func(req []string) string {
		got <- req
		return "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
	})
	_, err := New(nil, "tcp4").Get(context.Background(), Request{URL: "http://" + addr + "/nic/update?hostname=a.example.com&myip=203.0.113.7",
		Header: [][2]string{{"Authorization", "Basic dTpw"}, {"User-Agent", "ddns-updater/test"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"GET /nic/update?hostname=a.example.com&myip=203.0.113.7 HTTP/1.1", "Host: " + addr,
		"Authorization: Basic dTpw", "User-Agent: ddns-updater/test", "Connection: close"}
	if req := <-got; strings.Join(req, "\n") != strings.Join(want, "\n") {
		t.Errorf("request\n%s\nwant\n%s", strings.Join(req, "\n"), strings.Join(want, "\n"))
	}
}

// TestRedirectsFollowed: a policy decides; at most three; the Authorization
// field never goes to another host; without a policy the redirect is the answer.
func TestRedirectsFollowed(t *testing.T) {
	var authElsewhere string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		authElsewhere = r.Header.Get("Authorization")
		w.Write([]byte("there"))
	}))
	defer other.Close()
	var authMoved string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/away":
			http.Redirect(w, r, other.URL+"/", http.StatusFound)
		case "/here":
			http.Redirect(w, r, "/moved", http.StatusMovedPermanently)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusTemporaryRedirect)
		case "/moved":
			authMoved = r.Header.Get("Authorization")
			w.Write([]byte("moved"))
		}
	}))
	defer srv.Close()
	c := New(nil, "tcp")
	hdr := [][2]string{{"Authorization", "Basic dTpw"}}
	follow := func(prev, next *url.URL) error { return nil }
	get := func(path string, policy func(prev, next *url.URL) error) (*Response, error) {
		return c.Get(context.Background(), Request{URL: srv.URL + path, Header: hdr, Redirect: policy})
	}
	if r, err := get("/here", follow); err != nil || string(r.Body) != "moved" || authMoved != "Basic dTpw" {
		t.Errorf("same host: %v %v, auth %q", r, err, authMoved)
	}
	if r, err := get("/away", follow); err != nil || string(r.Body) != "there" || authElsewhere != "" {
		t.Errorf("another host: %v %v; the Authorization field went along: %q", r, err, authElsewhere)
	}
	if _, err := get("/loop", follow); err == nil || !strings.Contains(err.Error(), "more than 3 redirects") {
		t.Errorf("loop: %v", err)
	}
	refuse := errors.New("refused")
	if _, err := get("/here", func(prev, next *url.URL) error { return refuse }); !errors.Is(err, refuse) {
		t.Errorf("a refusing policy: %v", err)
	}
	if r, err := get("/here", nil); err != nil || r.Status != 301 || r.Header["location"] != "/moved" {
		t.Errorf("no policy: %+v %v", r, err)
	}
}

// TestHTTPS: certificates are checked against the roots and the host name.
func TestHTTPS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("secure")) }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.StartTLS()
	defer srv.Close()
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	if r, err := (&Client{Network: "tcp", Roots: pool}).Get(context.Background(), Request{URL: srv.URL + "/"}); err != nil || string(r.Body) != "secure" {
		t.Errorf("trusted: %v %v", r, err)
	}
	if _, err := New(nil, "tcp").Get(context.Background(), Request{URL: srv.URL + "/"}); err == nil || !strings.Contains(Explain(err).Error(), "certificate was not accepted") {
		t.Errorf("untrusted: %v", err)
	}
	c := &Client{Network: "tcp", Roots: pool}
	c.ServerName = "provider.example.org" // not in the certificate
	if _, err := c.Get(context.Background(), Request{URL: srv.URL + "/"}); err == nil || !strings.Contains(Explain(err).Error(), "certificate was not accepted") {
		t.Errorf("wrong name: %v", err)
	}
}

// TestCancel: a request whose context ends returns at once with its cause.
func TestCancel(t *testing.T) {
	hang, asked := make(chan struct{}), make(chan struct{})
	defer close(hang)
	addr := raw(t, func([]string) string { close(asked); <-hang; return "" })
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-asked; cancel() }() // once the server holds the request
	if _, err := New(nil, "tcp").Get(ctx, Request{URL: "http://" + addr + "/"}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v; want context.Canceled", err)
	}
}

// TestBadURL: a URL that does not parse is an error that does not repeat it
// (a password may travel in its query).
func TestBadURL(t *testing.T) {
	for _, u := range []string{"http://h.example.com/?password=s3cret%zz", "ftp://h.example.com/", "http:///nohost"} {
		_, err := New(nil, "tcp").Get(context.Background(), Request{URL: u})
		if err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: %v", u, err)
		}
	}
}

// TestCancelHTTPS: a request whose context ends after the TLS handshake, while
// the server holds the answer, returns with its cause: the deadline set on the
// connection the TLS one wraps unblocks the TLS read too.
func TestCancelHTTPS(t *testing.T) {
	hang, asked := make(chan struct{}), make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { close(asked); <-hang }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	defer close(hang)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-asked; cancel() }()
	if _, err := (&Client{Network: "tcp", Roots: pool}).Get(ctx, Request{URL: srv.URL + "/"}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v; want context.Canceled", err)
	}
}
