package testifysuite

import (
	"sync"
	"time"
)

// Cache is a map whose entries expire. A background goroutine, the
// janitor, removes expired entries every sweep interval.
type Cache struct {
	mu    sync.Mutex
	items map[string]entry
	stop  chan struct{}
	done  chan struct{}
}

type entry struct {
	value   string
	expires time.Time
}

// New returns a cache that sweeps expired entries every sweep and starts
// its janitor. Close it when done.
func New(sweep time.Duration) *Cache {
	c := &Cache{items: make(map[string]entry), stop: make(chan struct{}), done: make(chan struct{})}
	go c.janitor(sweep)
	return c
}

func (c *Cache) janitor(sweep time.Duration) {
	defer close(c.done)
	t := time.NewTicker(sweep)
	defer t.Stop()
	for {
		select {
		case now := <-t.C:
			c.mu.Lock()
			for k, e := range c.items {
				if now.After(e.expires) {
					delete(c.items, k)
				}
			}
			c.mu.Unlock()
		case <-c.stop:
			return
		}
	}
}

// Set stores value under key for ttl.
func (c *Cache) Set(key, value string, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items[key] = entry{value: value, expires: time.Now().Add(ttl)}
}

// Get returns the value under key, if it has not expired.
func (c *Cache) Get(key string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[key]
	if !ok || time.Now().After(e.expires) {
		return "", false
	}
	return e.value, true
}

// Close empties the cache.
//
// Bug: it never tells the janitor to stop, which runs for ever.
func (c *Cache) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.items)
}

// CloseFixed is Close without the leak: it stops the janitor and waits
// until it has returned.
func (c *Cache) CloseFixed() {
	close(c.stop)
	<-c.done
	c.Close()
}
