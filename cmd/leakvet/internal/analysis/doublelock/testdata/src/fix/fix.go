package fix

import (
	"errors"
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

var errClosed = errors.New("closed")

type client struct {
	mu     sync.RWMutex
	closed bool
}

// acquire returns holding the read lock on its way out of the loop
// when the client is closed: etcd#5509's shape.
func (c *client) acquire(ready func() bool) error {
	for {
		c.mu.RLock()
		if c.closed {
			return errClosed // want "return of an error with `c.mu` still read-locked \\(at fix.go:35\\), which the function unlocks before it tries again"
		}
		if ready() {
			return nil
		}
		c.mu.RUnlock()
	}
}

// Quiet: a helper that locks for its caller, error or not; the caller
// unlocks.
func (c *client) lockOpen() error {
	c.mu.Lock()
	if c.closed {
		return errClosed
	}
	return nil
}

// Quiet: entered holding the lock, which it lets go around a slow call
// and takes back; on error the caller unlocks, as on success
// (nats-server's configureAccounts).
func (c *client) configure(lookup func() error) error {
	for range 3 {
		c.mu.Unlock()
		err := lookup()
		c.mu.Lock()
		if err != nil {
			return errors.New("lookup failed")
		}
	}
	return nil
}
