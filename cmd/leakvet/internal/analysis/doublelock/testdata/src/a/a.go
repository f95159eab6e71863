package a

import (
	"errors"
	"fmt"
	"iter"
	"sync"
	"time"
)

// A logger locks its mutex again when output fails: the shape of
// cockroach#9935.
type logger struct {
	mu sync.Mutex
}

func (l *logger) output() {
	l.mu.Lock()
	if err := l.create(); err != nil {
		l.exit(err)
	}
	l.mu.Unlock()
}

func (l *logger) create() error { return errors.New("full") }

func (l *logger) exit(err error) {
	l.mu.Lock() // want "`l.mu` is locked at a.go:18 and locked again at a.go:28 through `\\(\\*logger\\).output` → `\\(\\*logger\\).exit`: blocks forever"
	defer l.mu.Unlock()
}

// A server locks again on its early return: grpc#795.
type server struct {
	mu    sync.Mutex
	drain bool
}

func (s *server) Drain() {
	s.mu.Lock()
	if s.drain {
		s.mu.Lock() // want "`s.mu` is locked at a.go:39 and locked again at a.go:41: blocks forever"
		return      // exported: Drain may keep the lock by contract
	}
	s.drain = true
	s.mu.Unlock()
}

// A cache read-locks itself again through fmt and its String method:
// cockroach#6181.
type cache struct {
	mu sync.RWMutex
}

func (c *cache) Lookup() {
	c.mu.RLock()
	fmt.Printf("lookup in %s", c)
	c.mu.RUnlock()
}

func (c *cache) String() string {
	c.mu.RLock() // want "`c.mu` is read-locked at a.go:55 and again at a.go:61 through `\\(\\*cache\\).Lookup` → `\\(\\*cache\\).String`: recursive read locking"
	defer c.mu.RUnlock()
	return "cache"
}

// A timer callback returns early without unlocking: grpc#3017.
type conns struct {
	mu      sync.Mutex
	aborted bool
}

func (c *conns) remove() {
	time.AfterFunc(time.Second, func() {
		c.mu.Lock()
		if c.aborted {
			return // want "return with `c.mu` still locked \\(locked at a.go:74\\), which the function unlocks on its other paths"
		}
		c.mu.Unlock()
	})
}

// Gossip breaks out of its loop without unlocking, and the next
// function locks again: cockroach#584.
type gossip struct {
	mu     sync.Mutex
	closed bool
}

func (g *gossip) bootstrap() {
	for {
		g.mu.Lock()
		if g.closed {
			break
		}
		g.mu.Unlock()
		break
	}
}

func (g *gossip) manage() {
	g.mu.Lock() // want "`g.mu` is locked at a.go:91 through `\\(\\*gossip\\).run` → `\\(\\*gossip\\).bootstrap` and `\\(\\*gossip\\).bootstrap` can return without unlocking it"
	g.mu.Unlock()
}

func (g *gossip) run() {
	g.bootstrap()
	g.manage()
}

// Quiet: a lock taken only when the caller says it does not hold it.
type store struct {
	mu sync.RWMutex
	n  int
}

func (s *store) get(needLock bool) int {
	if needLock {
		s.mu.RLock()
		defer s.mu.RUnlock()
	}
	return s.n
}

func (s *store) Sum() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.get(false) + s.n
}

// Quiet: a goroutine takes over the lock and releases it.
func (s *store) Reset() {
	s.mu.Lock()
	go s.resetAndUnlock()
}

func (s *store) resetAndUnlock() {
	s.n = 0
	s.mu.Unlock()
}

// Quiet: a callee that releases the lock around a slow call and takes
// it back.
func (s *store) Slow() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waitUnlocked()
}

func (s *store) waitUnlocked() {
	s.mu.Unlock()
	time.Sleep(time.Millisecond)
	s.mu.Lock()
}

// Quiet: two values of one type, two locks.
func Move(from, to *store) {
	from.mu.Lock()
	defer from.mu.Unlock()
	to.mu.Lock()
	defer to.mu.Unlock()
	to.n, from.n = from.n, 0
}

// Quiet: a return that never runs.
func guard(mu *sync.Mutex) {
	mu.Lock()
	if false {
		return
	}
	mu.Unlock()
}

// Quiet: unlocks in the body of a range-over-func loop.
func (s *store) Each(seq iter.Seq[int]) {
	s.mu.Lock()
	for v := range seq {
		if v < 0 {
			s.mu.Unlock()
			return
		}
	}
	s.mu.Unlock()
}

// Quiet: a helper that returns holding the lock on success, saying so.
func (s *store) lockIfPositive() bool {
	s.mu.Lock()
	if s.n <= 0 {
		s.mu.Unlock()
		return false
	}
	return true
}

func (s *store) Decrement() {
	if s.lockIfPositive() {
		s.n--
		s.mu.Unlock()
	}
	s.mu.Lock()
	s.mu.Unlock()
}

// Quiet: TryLock holds the lock only when it says so.
func (s *store) Try() {
	if s.mu.TryLock() {
		defer s.mu.Unlock()
	}
	s.n++
}

// Quiet: a helper that takes a lock for its caller on one path, which
// its callers know (syscall's acquireForkLock).
var forkLock, forkingLock sync.Mutex
var forking int

func acquireForkLock() {
	forkingLock.Lock()
	defer forkingLock.Unlock()
	if forking == 0 {
		forkLock.Lock()
		forking++
		return
	}
	forking++
}

func fork() {
	acquireForkLock()
	forking--
}

// Quiet: hand-over-hand locking up a tree, where i.mu is another lock
// each turn.
type node struct {
	mu     sync.Mutex
	parent *node
	empty  bool
}

func (n *node) prune() {
	i := n
	i.mu.Lock()
	for i.parent != nil && i.empty {
		parent := i.parent
		i.mu.Unlock()
		parent.mu.Lock()
		i = parent
	}
	i.mu.Unlock()
}
