package leakysuite

import (
	"sync"
	"time"
)

// janitorTick is how often a cache's janitor evicts expired entries.
const janitorTick = time.Millisecond

// A Cache holds entries for TTL. Its janitor, woken by a ticker, evicts
// expired entries, and exits once the cache is closed and empty: up to a
// TTL after the last entry was set.
type Cache struct {
	TTL time.Duration

	mu     sync.Mutex
	items  map[string]cacheEntry
	closed bool
	flush  chan struct{}
}

type cacheEntry struct {
	value   string
	expires time.Time
}

// NewCache returns a cache whose entries live for ttl, and starts its
// janitor.
func NewCache(ttl time.Duration) *Cache {
	c := &Cache{TTL: ttl, items: make(map[string]cacheEntry), flush: make(chan struct{}, 1)}
	go c.janitor()
	return c
}

// Set stores value under key.
func (c *Cache) Set(key, value string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.items[key] = cacheEntry{value, time.Now().Add(c.TTL)}
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

// Len returns how many entries the cache holds, expired ones included.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// Flush asks the janitor to evict the expired entries now.
func (c *Cache) Flush() {
	select {
	case c.flush <- struct{}{}:
	default:
	}
}

// Close lets the janitor exit once the entries left have expired.
func (c *Cache) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
}

func (c *Cache) janitor() {
	t := time.NewTicker(janitorTick)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-c.flush:
		}
		if c.evictExpired() {
			return
		}
	}
}

// evictExpired removes the expired entries and reports whether the
// janitor is done: the cache is closed and empty.
func (c *Cache) evictExpired() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	for k, e := range c.items {
		if now.After(e.expires) {
			delete(c.items, k)
		}
	}
	return c.closed && len(c.items) == 0
}
