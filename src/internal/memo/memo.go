// Package memo computes a value once per key, for concurrent callers: the
// packers use it to compress one binary once for every architecture that
// ships it.
package memo

import "sync"

// Cache maps keys to values made once; the zero Cache is ready, a nil one makes every time.
type Cache[K comparable, V any] struct {
	mu sync.Mutex
	m  map[K]*entry[V]
}

type entry[V any] struct {
	once sync.Once
	v    V
	err  error
}

// Get returns the value for key, calling make only for the first caller.
func (c *Cache[K, V]) Get(key K, make func() (V, error)) (V, error) {
	if c == nil {
		return make()
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[K]*entry[V]{}
	}
	e := c.m[key]
	if e == nil {
		e = &entry[V]{}
		c.m[key] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.v, e.err = make() })
	return e.v, e.err
}
