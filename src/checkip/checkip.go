// Package checkip is a self-hosted checkip server: it answers each HTTP GET
// with the address the request came from, as plain text and nothing else
// (what the original program's checkip.php answered, and what use_regex 0
// reads). Behind a reverse proxy it takes the address from Forwarded or
// X-Forwarded-For, but only when the connection comes from a trusted proxy.
//
// It speaks just enough HTTP/1.1 for that over net, one request per
// connection, so that it stays tiny in memory and in the binary.
package checkip

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"ddns-updater/src/logx"
)

// Limits per connection, and of connections served at once.
const (
	maxHeader   = 8 << 10
	ioTimeout   = 10 * time.Second
	maxParallel = 64
)

// Server answers checkip requests.
type Server struct {
	Trusted []netip.Prefix // the reverse proxies whose Forwarded/X-Forwarded-For count
	Log     *logx.Logger
}

// Serve answers on ln until ctx ends, then stops accepting, lets the requests
// in flight finish and returns nil.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	slots := make(chan struct{}, maxParallel)
	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			s.serve(conn)
		}()
	}
}

func (s *Server) serve(conn net.Conn) {
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(ioTimeout))
	peer, _ := netip.ParseAddrPort(conn.RemoteAddr().String())
	status, body := 200, ""
	method, header, err := readRequest(bufio.NewReaderSize(conn, 1024))
	switch {
	case err != nil:
		status, body = 400, err.Error()+"\n"
	case method != "GET" && method != "HEAD":
		status, body = 405, "only GET\n"
	default:
		addr, err := s.clientAddr(peer.Addr().Unmap(), header)
		if err != nil {
			status, body = 400, err.Error()+"\n"
			s.Log.Warn("request from " + peer.Addr().Unmap().String() + ": " + err.Error())
		} else {
			body = addr.String()
		}
	}
	text := map[int]string{200: "OK", 400: "Bad Request", 405: "Method Not Allowed"}[status]
	head := "HTTP/1.1 " + strconv.Itoa(status) + " " + text + "\r\nContent-Type: text/plain; charset=utf-8\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
	if method == "HEAD" {
		body = ""
	}
	conn.Write([]byte(head + body))
}

// readRequest reads the request line and the header fields that matter here.
func readRequest(br *bufio.Reader) (method string, header map[string][]string, err error) {
	header = map[string][]string{}
	budget := maxHeader
	for n := 0; ; n++ {
		line, err := br.ReadSlice('\n')
		if budget -= len(line); budget < 0 || err == bufio.ErrBufferFull {
			return "", nil, errors.New("request header too long")
		}
		if err != nil {
			return "", nil, errors.New("incomplete request")
		}
		text := strings.TrimRight(string(line), "\r\n")
		if n == 0 {
			m, rest, _ := strings.Cut(text, " ")
			if !strings.HasSuffix(rest, " HTTP/1.1") && !strings.HasSuffix(rest, " HTTP/1.0") {
				return "", nil, errors.New("not an HTTP/1.x request")
			}
			method = m
			continue
		}
		if text == "" {
			return method, header, nil
		}
		name, value, ok := strings.Cut(text, ":")
		if !ok {
			return "", nil, errors.New("malformed header field")
		}
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "forwarded" || name == "x-forwarded-for" {
			header[name] = append(header[name], strings.TrimSpace(value))
		}
	}
}

// clientAddr is the peer, or, when the peer is a trusted proxy, the address
// its headers give: walking from the nearest hop back, the first that is not
// itself a trusted proxy. Forwarded wins over X-Forwarded-For.
func (s *Server) clientAddr(peer netip.Addr, header map[string][]string) (netip.Addr, error) {
	if !s.trusted(peer) {
		return peer, nil // whatever the headers say: anyone can write them
	}
	var hops []string
	field := "x-forwarded-for"
	if fw := header["forwarded"]; len(fw) > 0 {
		field = "forwarded"
		for _, elem := range strings.Split(strings.Join(fw, ","), ",") {
			for _, pair := range strings.Split(elem, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(pair), "=")
				if strings.EqualFold(k, "for") {
					hops = append(hops, v)
				}
			}
		}
	} else {
		for _, v := range header["x-forwarded-for"] {
			hops = append(hops, strings.Split(v, ",")...)
		}
	}
	addr := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			return netip.Addr{}, errors.New("cannot read the client's address in " + field + ": " + strconv.Quote(strings.TrimSpace(hops[i])))
		}
		addr = a
		if !s.trusted(a) {
			break
		}
	}
	return addr, nil
}

// parseHop reads one hop: 192.0.2.1, 192.0.2.1:4711, "[2001:db8::1]:4711", 2001:db8::1.
func parseHop(h string) (netip.Addr, bool) {
	h = strings.Trim(strings.TrimSpace(h), `"`)
	if ap, err := netip.ParseAddrPort(h); err == nil {
		return ap.Addr().Unmap(), true
	}
	a, err := netip.ParseAddr(strings.Trim(h, "[]"))
	return a.Unmap(), err == nil && a.Zone() == ""
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.Trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ParseTrusted reads --trusted-proxy values: CIDRs or single addresses.
func ParseTrusted(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range list {
		for _, s := range strings.Split(item, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			p, err := netip.ParsePrefix(s)
			if err != nil {
				a, aerr := netip.ParseAddr(s)
				if aerr != nil {
					return nil, errors.New("--trusted-proxy " + strconv.Quote(s) + ": expected a CIDR such as 192.0.2.0/24 or an address")
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			out = append(out, p.Masked())
		}
	}
	return out, nil
}
