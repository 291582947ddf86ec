// Package syncbuf is a text buffer that several goroutines may write at once:
// the log of a program under test.
package syncbuf

import (
	"strings"
	"sync"
)

// Buffer collects what is written to it.
type Buffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is everything written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
