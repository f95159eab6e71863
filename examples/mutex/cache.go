package mutex

import "sync"

// A Cache remembers the values loaded by its load function.
type Cache struct {
	load func(key string) (string, error)

	mu     sync.Mutex
	values map[string]string
}

// NewCache returns an empty Cache that loads missing values with load.
func NewCache(load func(key string) (string, error)) *Cache {
	return &Cache{load: load, values: make(map[string]string)}
}

// Get returns the value for key, loading it if needed.
//
// Bug: when the load fails, Get returns with c.mu still locked, and every
// later call waits for it forever.
func (c *Cache) Get(key string) (string, error) {
	c.mu.Lock()
	if v, ok := c.values[key]; ok {
		c.mu.Unlock()
		return v, nil
	}
	v, err := c.load(key)
	if err != nil {
		return "", err
	}
	c.values[key] = v
	c.mu.Unlock()
	return v, nil
}

// GetFixed is Get without the leak: the deferred Unlock runs on every
// path.
func (c *Cache) GetFixed(key string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.values[key]; ok {
		return v, nil
	}
	v, err := c.load(key)
	if err != nil {
		return "", err
	}
	c.values[key] = v
	return v, nil
}
