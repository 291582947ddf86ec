// Package dnstest is a small authoritative DNS server on loopback for tests: it
// answers A and AAAA questions over UDP from a map, NXDOMAIN for other names,
// SERVFAIL when told to, and nothing at all when told to stay silent.
package dnstest

import (
	"encoding/binary"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
)

// Server is a running test DNS server.
type Server struct {
	Addr    netip.AddrPort
	conn    net.PacketConn
	mu      sync.Mutex
	records map[string][]netip.Addr
	fail    bool
	silent  bool
	queries atomic.Int32
	sources []netip.Addr // where the questions came from
	queried chan struct{}
	done    chan struct{}
}

// Start listens on 127.0.0.1 with the given records (lower-case names without the final dot).
func Start(records map[string][]netip.Addr) (*Server, error) {
	return StartAt("127.0.0.1:0", records)
}

// StartAt is Start on addr (udp4).
func StartAt(addr string, records map[string][]netip.Addr) (*Server, error) {
	conn, err := net.ListenPacket("udp4", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{conn: conn, records: records, queried: make(chan struct{}, 1), done: make(chan struct{})}
	s.Addr = conn.LocalAddr().(*net.UDPAddr).AddrPort()
	go s.serve()
	return s, nil
}

// SetFail makes every answer SERVFAIL; SetSilent makes the server drop every question.
func (s *Server) SetFail(v bool)   { s.mu.Lock(); s.fail = v; s.mu.Unlock() }
func (s *Server) SetSilent(v bool) { s.mu.Lock(); s.silent = v; s.mu.Unlock() }

// Sources are the addresses the questions came from, in order.
func (s *Server) Sources() []netip.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]netip.Addr(nil), s.sources...)
}

// Queries counts the questions received.
func (s *Server) Queries() int { return int(s.queries.Load()) }

// Queried receives after a question arrived (at most one signal is pending).
func (s *Server) Queried() <-chan struct{} { return s.queried }

// Close stops the server.
func (s *Server) Close() { s.conn.Close(); <-s.done }

func (s *Server) serve() {
	defer close(s.done)
	buf := make([]byte, 1500)
	for {
		n, from, err := s.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		s.queries.Add(1)
		if ua, ok := from.(*net.UDPAddr); ok {
			s.mu.Lock()
			s.sources = append(s.sources, ua.AddrPort().Addr().Unmap())
			s.mu.Unlock()
		}
		select {
		case s.queried <- struct{}{}:
		default:
		}
		if resp := s.answer(buf[:n]); resp != nil {
			s.conn.WriteTo(resp, from)
		}
	}
}

func (s *Server) answer(q []byte) []byte {
	if len(q) < 12 || binary.BigEndian.Uint16(q[4:]) != 1 {
		return nil
	}
	// the question: labels, then type and class
	var labels []string
	i := 12
	for i < len(q) && q[i] != 0 {
		l := int(q[i])
		if i+1+l > len(q) {
			return nil
		}
		labels = append(labels, string(q[i+1:i+1+l]))
		i += 1 + l
	}
	if i+5 > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[i+1:])
	question := q[12 : i+5]
	name := strings.ToLower(strings.Join(labels, "."))

	s.mu.Lock()
	fail, silent, addrs, known := s.fail, s.silent, s.records[name], s.records[name] != nil
	s.mu.Unlock()
	if silent {
		return nil
	}
	var answers [][]byte
	for _, a := range addrs {
		if (qtype == 1 && a.Is4()) || (qtype == 28 && a.Is6()) {
			rr := []byte{0xc0, 12} // pointer to the question's name
			rr = binary.BigEndian.AppendUint16(rr, qtype)
			rr = binary.BigEndian.AppendUint16(rr, 1)
			rr = binary.BigEndian.AppendUint32(rr, 60)
			rr = binary.BigEndian.AppendUint16(rr, uint16(a.BitLen()/8))
			answers = append(answers, append(rr, a.AsSlice()...))
		}
	}
	rcode := uint16(0)
	switch {
	case fail:
		rcode, answers = 2, nil
	case !known:
		rcode = 3
	}
	resp := append([]byte{}, q[0:2]...)                              // id
	resp = binary.BigEndian.AppendUint16(resp, 0x8400|rcode)         // response, authoritative
	resp = binary.BigEndian.AppendUint16(resp, 1)                    // questions
	resp = binary.BigEndian.AppendUint16(resp, uint16(len(answers))) // answers
	resp = append(resp, 0, 0, 0, 0)
	resp = append(resp, question...)
	for _, rr := range answers {
		resp = append(resp, rr...)
	}
	return resp
}
