package a

import "sync"

// The keepalive loop waits for a stream holding the lock every new
// stream takes first: the shape of grpc#1460.
type client struct {
	mu      sync.Mutex
	awaken  chan struct{}
	streams int
}

func newClient() *client {
	return &client{awaken: make(chan struct{})}
}

func (t *client) keepalive() {
	t.mu.Lock()
	if t.streams == 0 {
		<-t.awaken // want "receive from `t.awaken` holding `t.mu` \\(locked at a.go:18\\) blocks forever: every send on or close of it \\(a.go:30\\) takes `client.mu` first"
	}
	t.mu.Unlock()
}

func (t *client) NewStream() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.streams++
	select {
	case t.awaken <- struct{}{}:
	default:
	}
}

// A worker takes the lock on each turn before it receives again.
type queue struct {
	mu    sync.Mutex
	items chan int
	n     int
}

func newQueue() *queue { return &queue{items: make(chan int)} }

func (q *queue) Put(v int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items <- v // want "send on `q.items` holding `q.mu` \\(locked at a.go:45\\) blocks forever: every receive from it \\(a.go:55\\) takes `queue.mu` first"
}

func (q *queue) work() {
	for {
		q.mu.Lock()
		q.n++
		q.mu.Unlock()
		<-q.items
	}
}

// Quiet: a buffered channel does not wait for its partner.
type buffered struct {
	mu sync.Mutex
	ch chan int
}

func newBuffered() *buffered { return &buffered{ch: make(chan int, 1)} }

func (b *buffered) Put() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.ch <- 1
}

func (b *buffered) Get() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return <-b.ch
}

// Put is quiet: one partner, Drain, receives without the lock. But the
// only sender holds the lock GetLocked holds.
type shared struct {
	mu sync.Mutex
	ch chan int
}

func newShared() *shared { return &shared{ch: make(chan int)} }

func (s *shared) Put() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ch <- 1
}

func (s *shared) GetLocked() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return <-s.ch // want "receive from `s.ch` holding `s.mu` .* every send on or close of it \\(a.go:91\\) takes `shared.mu` first"
}

func (s *shared) Drain() int { return <-s.ch }

// Quiet: the channel is handed out, its partners unknown.
type notifier struct {
	mu sync.Mutex
	ch chan int
}

// NewNotifier hands a notifier, and so its C, to other packages.
func NewNotifier() *notifier { return &notifier{ch: make(chan int)} }

func (n *notifier) C() <-chan int { return n.ch }

func (n *notifier) Notify() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.ch <- 1
}

func (n *notifier) get() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return <-n.ch
}
