// Package logx is a small leveled logger writing one line per event:
// "warn: [home] checkip failed; no update sent err=..." to a terminal or file, or
// one datagram per line at the line's own priority to a syslog socket (OpenWrt's
// logd on /dev/log), so that logread shows daemon.warn for a warning. It
// replaces log/slog, which with its reflection costs more bytes than a router
// binary should spend.
package logx

import (
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Level orders messages by importance; a logger prints its level and above.
type Level int

// The levels, most important first.
const (
	Error Level = iota
	Warn
	Info
	Debug
)

var levelNames = [...]string{"error", "warn", "info", "debug"}

func (l Level) String() string { return levelNames[l] }

// ParseLevel reads error, warn, info or debug.
func ParseLevel(s string) (Level, bool) {
	for i, n := range levelNames {
		if n == s {
			return Level(i), true
		}
	}
	return Info, false
}

// Logger writes leveled lines; it is safe for concurrent use.
type Logger struct {
	out    *output
	level  Level
	prefix string
}

type output struct {
	mu  sync.Mutex
	w   io.Writer // lines as "level: text"; the fallback of a syslog output
	sys *syslog   // nil: write to w only
}

// New returns a logger printing level and above to w.
func New(w io.Writer, level Level) *Logger {
	return &Logger{out: &output{w: w}, level: level}
}

// NewSyslog returns a logger that sends each line of level and above as one
// datagram to the syslog socket (RFC 3164 framing, as logd and rsyslog read
// it): facility daemon, the severity of the line's level, tagged tag[PID]. A
// line the socket does not take (no logger running) goes to fallback instead.
func NewSyslog(socket, tag string, level Level, fallback io.Writer) *Logger {
	return &Logger{out: &output{w: fallback, sys: &syslog{socket: socket, tag: tag + "[" + strconv.Itoa(os.Getpid()) + "]"}}, level: level}
}

// WithLevel returns a logger writing to the same place at another level.
func (l *Logger) WithLevel(level Level) *Logger {
	c := *l
	c.level = level
	return &c
}

// Discard returns a logger that prints nothing.
func Discard() *Logger { return New(io.Discard, Error-1) }

// With returns a logger whose lines are tagged with name, e.g. a profile.
func (l *Logger) With(name string) *Logger {
	c := *l
	c.prefix += "[" + clean(name) + "] "
	return &c
}

// Enabled reports whether lines of level lv are printed.
func (l *Logger) Enabled(lv Level) bool { return lv <= l.level }

// Error, Warn, Info and Debug print msg and key=value pairs at their level.
func (l *Logger) Error(msg string, kv ...any) { l.log(Error, msg, kv) }
func (l *Logger) Warn(msg string, kv ...any)  { l.log(Warn, msg, kv) }
func (l *Logger) Info(msg string, kv ...any)  { l.log(Info, msg, kv) }
func (l *Logger) Debug(msg string, kv ...any) { l.log(Debug, msg, kv) }

func (l *Logger) log(lv Level, msg string, kv []any) {
	if !l.Enabled(lv) {
		return
	}
	var b strings.Builder
	b.WriteString(l.prefix)
	b.WriteString(clean(msg))
	for i := 0; i+1 < len(kv); i += 2 {
		v := clean(fmt.Sprint(kv[i+1]))
		if v == "" || strings.ContainsAny(v, " \"=") {
			v = fmt.Sprintf("%q", v)
		}
		fmt.Fprintf(&b, " %v=%s", kv[i], v)
	}
	l.out.write(lv, b.String())
}

func (o *output) write(lv Level, text string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.sys != nil && o.sys.send(lv, text) == nil {
		return
	}
	io.WriteString(o.w, lv.String()+": "+text+"\n")
}

// Syslog severities (RFC 5424) of the levels, and the facility daemon.
var severity = [...]int{Error: 3, Warn: 4, Info: 6, Debug: 7}

const facilityDaemon = 3 << 3

type syslog struct {
	socket, tag string
	conn        net.Conn
}

// send writes one datagram "<PRI>Mmm dd hh:mm:ss tag[pid]: text". logd takes
// the priority from <PRI> and drops the 16 characters of the time stamp.
func (s *syslog) send(lv Level, text string) error {
	msg := "<" + strconv.Itoa(facilityDaemon|severity[lv]) + ">" + time.Now().Format(time.Stamp) + " " + s.tag + ": " + text
	for attempt := 0; attempt < 2; attempt++ { // a restarted logd is a new socket: dial once more
		if s.conn == nil {
			c, err := net.Dial("unixgram", s.socket)
			if err != nil {
				return err
			}
			s.conn = c
		}
		if _, err := io.WriteString(s.conn, msg); err == nil {
			return nil
		}
		s.conn.Close()
		s.conn = nil
	}
	return fmt.Errorf("syslog %s: not taken", s.socket)
}

// clean keeps a value on one line: control characters become spaces.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
