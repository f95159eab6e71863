package a

import "sync"

// A balancer sends updates holding its lock; the watcher reads them
// through an accessor of the package's interface and, for each, runs
// callbacks the balancer made, which take the balancer's lock: grpc#1353's
// shape.
type balancer interface {
	notify() <-chan bool
	up() func()
}

type roundRobin struct {
	mu     sync.Mutex
	addrCh chan bool
}

func (rr *roundRobin) start() {
	rr.addrCh = make(chan bool)
	go func() {
		for range 10 {
			rr.watch()
		}
	}()
}

func (rr *roundRobin) watch() {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	rr.addrCh <- true // want "send on `rr.addrCh` holding `rr.mu` \\(locked at accessor.go:29\\) blocks forever: every receive from it \\(accessor.go:62\\) takes `roundRobin.mu` first"
}

func (rr *roundRobin) notify() <-chan bool { return rr.addrCh }

func (rr *roundRobin) up() func() {
	return func() { rr.down() }
}

func (rr *roundRobin) down() {
	rr.mu.Lock()
	defer rr.mu.Unlock()
}

type conn struct {
	mu   sync.Mutex
	down func()
}

func (c *conn) tearDown() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.down()
}

type clientConn struct {
	b     balancer
	conns []*conn
}

func (cc *clientConn) lbWatcher() {
	for range cc.b.notify() {
		for _, c := range cc.conns {
			c.tearDown()
		}
	}
}

func newClientConn() *clientConn {
	cc := &clientConn{b: &roundRobin{}}
	cc.conns = append(cc.conns, &conn{down: cc.b.up()})
	return cc
}

// Quiet: an accessor whose channel is also handed out elsewhere.
type feed struct {
	mu sync.Mutex
	ch chan int
}

func newFeed() *feed { return &feed{ch: make(chan int)} }

func (f *feed) events() <-chan int { return f.ch }

func (f *feed) publish(v int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ch <- v
}

func (f *feed) drain() {
	for range f.events() {
		f.mu.Lock()
		f.mu.Unlock()
	}
}

func (f *feed) share() chan int { return keep(f.ch) }

func keep(ch chan int) chan int { return ch }
