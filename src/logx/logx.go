// Package logx is a small leveled logger writing one line per event, for logd:
// "warn: [home] checkip failed; no update sent err=...". It replaces log/slog,
// which with its reflection costs more bytes than a router binary should spend.
package logx

import (
	"fmt"
	"io"
	"strings"
	"sync"
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

// Logger writes leveled lines to a writer; it is safe for concurrent use.
type Logger struct {
	out    *output
	level  Level
	prefix string
}

type output struct {
	mu sync.Mutex
	w  io.Writer
}

// New returns a logger printing level and above to w.
func New(w io.Writer, level Level) *Logger {
	return &Logger{out: &output{w: w}, level: level}
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
	b.WriteString(lv.String())
	b.WriteString(": ")
	b.WriteString(l.prefix)
	b.WriteString(clean(msg))
	for i := 0; i+1 < len(kv); i += 2 {
		v := clean(fmt.Sprint(kv[i+1]))
		if v == "" || strings.ContainsAny(v, " \"=") {
			v = fmt.Sprintf("%q", v)
		}
		fmt.Fprintf(&b, " %v=%s", kv[i], v)
	}
	b.WriteByte('\n')
	l.out.mu.Lock()
	io.WriteString(l.out.w, b.String())
	l.out.mu.Unlock()
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
