package fix

import (
	"sync"
	"time"
)

type conns struct {
	mu      sync.RWMutex
	aborted bool
}

func (c *conns) remove() {
	time.AfterFunc(time.Second, func() {
		c.mu.RLock()
		if c.aborted {
			return // want "return with `c.mu` still locked"
		}
		c.mu.RUnlock()
	})
}
