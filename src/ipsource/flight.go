package ipsource

import (
	"context"
	"errors"
	"sync"
)

// Flight lets profiles that ask the same checkip server for the same family
// at the same moment (after an ifup every profile checks at once) share one
// request: one answer instead of one request per profile, and nothing kept
// once the request is over. The zero value is ready.
type Flight struct {
	mu    sync.Mutex
	calls map[string]*flightCall
}

type flightCall struct {
	done    chan struct{}
	waiters int // for the tests: callers waiting on this run
	body    []byte
	err     error
}

// do runs fn for key, or waits for the run already in flight and takes its
// result. A run that ended because its own caller gave up (its context) is
// not the others' answer: they ask for themselves.
func (f *Flight) do(ctx context.Context, key string, fn func(context.Context) ([]byte, error)) ([]byte, error) {
	f.mu.Lock()
	if c, ok := f.calls[key]; ok {
		c.waiters++
		f.mu.Unlock()
		select {
		case <-c.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if (errors.Is(c.err, context.Canceled) || errors.Is(c.err, context.DeadlineExceeded)) && ctx.Err() == nil {
			return fn(ctx)
		}
		return c.body, c.err
	}
	c := &flightCall{done: make(chan struct{})}
	if f.calls == nil {
		f.calls = map[string]*flightCall{}
	}
	f.calls[key] = c
	f.mu.Unlock()
	c.body, c.err = fn(ctx)
	f.mu.Lock()
	delete(f.calls, key)
	f.mu.Unlock()
	close(c.done)
	return c.body, c.err
}
