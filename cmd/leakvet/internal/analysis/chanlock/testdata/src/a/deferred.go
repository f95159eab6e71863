package a

import "sync"

// A broadcaster stops holding its lock and waits for its worker, whose
// loop takes the same lock before its deferred close: etcd#6873's shape.
type broadcasts struct {
	mu      sync.Mutex
	updatec chan int
	donec   chan struct{}
}

func newBroadcasts() *broadcasts {
	b := &broadcasts{updatec: make(chan int, 1), donec: make(chan struct{})}
	go func() {
		defer close(b.donec)
		for u := range b.updatec {
			b.coalesce(u)
		}
	}()
	return b
}

func (b *broadcasts) coalesce(int) {
	b.mu.Lock()
	b.mu.Unlock()
}

func (b *broadcasts) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	close(b.updatec)
	<-b.donec // want "receive from `b.donec` holding `b.mu` \\(locked at deferred.go:30\\) blocks forever: every send on or close of it \\(deferred.go:16, a deferred close\\) takes `broadcasts.mu` first"
}

// Quiet: the worker never takes the lock the stopper holds.
type pump struct {
	mu    sync.Mutex
	in    chan int
	donec chan struct{}
	sum   int
}

func newPump() *pump {
	p := &pump{in: make(chan int), donec: make(chan struct{})}
	go func() {
		defer close(p.donec)
		for v := range p.in {
			p.sum += v
		}
	}()
	return p
}

func (p *pump) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.in)
	<-p.donec
}
