package a

import (
	"sync"
	"time"
)

// A producer sends into a buffer holding its lock; the only consumer
// calls back into the producer, which takes the lock, between receives:
// once the producer fills the buffer, it waits for the consumer, which
// waits for the lock (etcd's token keeper).
type keeper struct {
	mu     sync.Mutex
	tokens map[string]bool
	added  chan string
	expire func(string)
}

func newKeeper(expire func(string)) *keeper {
	k := &keeper{tokens: map[string]bool{}, added: make(chan string, 1), expire: expire}
	go k.run()
	return k
}

func (k *keeper) run() {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case t := <-k.added:
			k.tokens[t] = true
		case <-tick.C:
			for t := range k.tokens {
				k.expire(t)
			}
		}
	}
}

func (k *keeper) add(t string) {
	k.added <- t // want "send on `k.added`, through `\\(\\*store\\).assign` → `\\(\\*keeper\\).add`, holding `s.mu` \\(locked at buffered.go:56\\) blocks forever once its buffer is full: every receive from it \\(buffered.go:30\\) takes `store.mu` before it comes back to the channel"
}

type store struct {
	mu     sync.Mutex
	keeper *keeper
}

func newStore() *store {
	s := &store{}
	s.keeper = newKeeper(func(string) { s.mu.Lock(); s.mu.Unlock() })
	return s
}

func (s *store) assign(t string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keeper.add(t)
}

// Quiet: the producer empties the buffer before it sends, holding the
// lock every sender holds, so the send finds room (grpc's fix).
type drainedFeed struct {
	mu      sync.Mutex
	updates chan int
}

func newDrainedFeed() *drainedFeed {
	f := &drainedFeed{updates: make(chan int, 1)}
	go f.watch()
	return f
}

func (f *drainedFeed) publish(v int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	select {
	case <-f.updates:
	default:
	}
	f.updates <- v
}

func (f *drainedFeed) watch() {
	for range f.updates {
		f.mu.Lock()
		f.mu.Unlock()
	}
}

// Quiet: the consumer takes the lock only after its loop.
type flushQueue struct {
	mu    sync.Mutex
	items chan int
	n     int
}

func newFlushQueue() *flushQueue {
	q := &flushQueue{items: make(chan int, 4)}
	go q.drain()
	return q
}

func (q *flushQueue) put(v int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items <- v
}

func (q *flushQueue) drain() {
	for range q.items {
	}
	q.mu.Lock()
	q.n = 0
	q.mu.Unlock()
}

// Quiet: each waiter's buffered channel gets one send, and its receiver
// takes the lock only on another case of its select, then returns.
type waiter struct{ done chan error }

type waitList struct {
	mu      sync.Mutex
	waiters []*waiter
}

func (l *waitList) wait(stop <-chan struct{}) error {
	w := &waiter{done: make(chan error, 1)}
	l.mu.Lock()
	l.waiters = append(l.waiters, w)
	l.mu.Unlock()
	select {
	case <-stop:
		l.mu.Lock()
		l.waiters = nil
		l.mu.Unlock()
		return nil
	case err := <-w.done:
		return err
	}
}

func (l *waitList) wake() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, w := range l.waiters {
		w.done <- nil
	}
	l.waiters = nil
}
