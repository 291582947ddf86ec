// Package logdtest is a stand-in for OpenWrt's logd in tests: a unix datagram
// socket that reads each message the way logd reads /dev/log (ubox
// log/syslog.c): the number in a leading <PRI>, then, when the 16th character
// is a space, a 16-character time stamp is dropped.
package logdtest

import (
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// Logd listens on Path.
type Logd struct {
	Path string
	conn *net.UnixConn
}

// Line is one message as logread shows it: its priority and text ("tag[pid]: msg").
type Line struct {
	Prio int
	Text string
}

// Listen starts a log socket in a temporary directory; it is closed when t ends.
func Listen(t testing.TB) *Logd {
	t.Helper()
	path := filepath.Join(t.TempDir(), "log")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Skip("cannot listen on a unix datagram socket: ", err)
	}
	t.Cleanup(func() { conn.Close() })
	return &Logd{Path: path, conn: conn}
}

// Close stops listening (a log daemon that went away).
func (l *Logd) Close() { l.conn.Close() }

var pri = regexp.MustCompile(`^<([0-9]*)>(.*)$`)

// Next waits up to wait for the next message; ok is false when none came.
func (l *Logd) Next(wait time.Duration) (line Line, ok bool) {
	buf := make([]byte, 4096)
	l.conn.SetReadDeadline(time.Now().Add(wait))
	n, err := l.conn.Read(buf)
	if err != nil {
		return Line{}, false
	}
	m := pri.FindStringSubmatch(string(buf[:n]))
	if m == nil {
		return Line{Prio: -1, Text: string(buf[:n])}, true
	}
	prio, _ := strconv.Atoi(m[1])
	text := m[2]
	if len(text) > 16 && text[15] == ' ' {
		text = text[16:]
	}
	return Line{prio, text}, true
}

// Daemon priorities: facility daemon (3) × 8 + severity.
const (
	Err   = 3*8 + 3
	Warn  = 3*8 + 4
	Info  = 3*8 + 6
	Debug = 3*8 + 7
)
