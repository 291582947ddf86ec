package memo

import (
	"sync"
	"sync/atomic"
	"testing"
)

func TestOncePerKey(t *testing.T) {
	var c Cache[string, int]
	var calls atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			key := []string{"a", "b"}[i%2]
			v, _ := c.Get(key, func() (int, error) { calls.Add(1); return len(key) * 7, nil })
			if v != 7 {
				t.Errorf("value %d", v)
			}
		}(i)
	}
	wg.Wait()
	if calls.Load() != 2 {
		t.Errorf("made %d times, want once per key", calls.Load())
	}
	var nilCache *Cache[string, int]
	n := 0
	nilCache.Get("a", func() (int, error) { n++; return 0, nil })
	nilCache.Get("a", func() (int, error) { n++; return 0, nil })
	if n != 2 {
		t.Errorf("a nil cache made %d times, want every time", n)
	}
}
