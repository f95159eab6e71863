//go:build go1.24

// Package adopt is a small library with the history of a real one: a
// server its tests never stop, a daemon started once per process under a
// sync.Once, a cleaner that winds down on a timer, a handler that leaks a
// goroutine per request, and a cache whose cleaner a runtime.AddCleanup
// stops. leakcheck's end-to-end tests turn leakcheck on in its suite.
package adopt

import (
	"net"
	"runtime"
	"sync"
	"time"
)

// Serve accepts connections on ln until ln is closed, answering each with
// one byte.
func Serve(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Write([]byte{1})
		c.Close()
	}
}

var (
	daemonOnce sync.Once
	ticks      = make(chan time.Time)
)

// Daemon starts, on first use, the process-wide loop that refreshes the
// cached date; later calls do nothing.
func Daemon() {
	daemonOnce.Do(func() { go refreshLoop() })
}

func refreshLoop() {
	for range ticks { // never closed: the loop lives as long as the process
	}
}

// Client owns a cleaner that checks every CleanEvery whether the client
// was closed.
type Client struct {
	closed chan struct{}
}

// CleanEvery is how often a client's cleaner wakes up.
var CleanEvery = 1500 * time.Millisecond

// NewClient starts a client and its cleaner.
func NewClient() *Client {
	c := &Client{closed: make(chan struct{})}
	go cleaner(c.closed)
	return c
}

// Close stops the client; its cleaner notices at its next wake-up.
func (c *Client) Close() { close(c.closed) }

func cleaner(closed chan struct{}) {
	for {
		time.Sleep(CleanEvery)
		select {
		case <-closed:
			return
		default:
		}
	}
}

// Handle serves one request; it leaks a goroutine blocked on a result
// nobody reads when the request gives up first.
func Handle(giveUp bool) {
	result := make(chan int)
	go func() { result <- 42 }()
	if giveUp {
		return
	}
	<-result
}

// Cache has a cleaner goroutine that stops when the cache is garbage
// collected.
type Cache struct {
	items map[string]string
	stats [8]int64 // large enough to stay out of the tiny allocator, whose blocks cleanups cannot track alone
}

// NewCache returns a cache whose cleaner runs until the cache is
// collected.
func NewCache() *Cache {
	c := &Cache{items: map[string]string{}}
	stop := make(chan struct{})
	go cacheCleaner(stop)
	runtime.AddCleanup(c, func(stop chan struct{}) { close(stop) }, stop)
	return c
}

func cacheCleaner(stop chan struct{}) {
	<-stop
}
