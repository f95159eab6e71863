package a

import "sync"

// A cache loads through the package's interface holding its lock; the
// tests give it a fake (fake_test.go).
type loader interface{ load(int) }

type cacheOf struct {
	mu    sync.Mutex
	store loader
}

func (c *cacheOf) get(k int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.store.load(k)
}
